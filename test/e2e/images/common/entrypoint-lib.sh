# shellcheck shell=bash
# Sourced by the stand-in entrypoints: the --wait-for handling of the Dioptra
# images' entrypoints (argbash ARG_OPTIONAL_REPEATED([wait-for])), which wait
# for each host:port with wait-for-it.sh -t 0, that is without a time limit.
# A dependency that never comes keeps the service from starting, so its
# healthcheck fails, as with the real images.
logname="Container Entry Point"
wait_for=()
leftovers=()

# Splits "$@" into wait_for (every --wait-for value) and leftovers; options
# named in $OPTIONS_WITH_VALUE (space separated) keep their value in leftovers.
parse_wait_for() {
  while (($# > 0)); do
    case "$1" in
      --wait-for) (($# >= 2)) || { echo "${logname}: FATAL ERROR: --wait-for needs host:port" >&2; exit 1; }; wait_for+=("$2"); shift 2 ;;
      --wait-for=*) wait_for+=("${1#*=}"); shift ;;
      *) leftovers+=("$1"); shift ;;
    esac
  done
}

wait_for_services() {
  local service
  for service in "${wait_for[@]}"; do
    if ! /usr/local/bin/wait-for-it.sh -t 0 "${service}"; then
      echo "${logname}: ERROR - Unexpected error while waiting for ${service}." >&2
      exit 1
    fi
  done
}
