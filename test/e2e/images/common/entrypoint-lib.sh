# shellcheck shell=bash
# Sourced by the stand-in entrypoints. The Dioptra images take any number of
# `--wait-for HOST:PORT` options and wait for each target in turn, without a
# time limit, before starting their server. Kept here so that a dependency
# that never comes keeps the stand-in from starting and its healthcheck
# fails, as with the real images.
log_prefix="entrypoint (stand-in)"
wait_for=()
leftovers=()

# Prints a message to stderr and exits 1; the real entrypoints also exit 1
# on bad arguments, which Compose shows as a restarting service.
fail() {
  echo "${log_prefix}: $*" >&2
  exit 1
}

# Splits "$@" into wait_for (the --wait-for targets) and leftovers (everything
# else, in order, for the caller's own options).
parse_wait_for() {
  while (($# > 0)); do
    case "$1" in
      --wait-for)
        (($# >= 2)) || fail "--wait-for needs a HOST:PORT after it"
        wait_for+=("$2")
        shift 2
        ;;
      --wait-for=*) wait_for+=("${1#*=}"); shift ;;
      *) leftovers+=("$1"); shift ;;
    esac
  done
}

# Waits for each target in turn (0 = no time limit), by the images' path.
wait_for_services() {
  local target
  for target in "${wait_for[@]}"; do
    /usr/local/bin/wait-for-it.sh "${target}" -t 0 || fail "gave up waiting for ${target}"
  done
}
