#!/usr/bin/env bash
# Blocks until TCP ports accept connections. Installed in the stand-ins as
# /usr/local/bin/wait-for-it.sh because the Dioptra images keep their waiter
# there: the entrypoints' --wait-for and the generated init-deployment.sh
# (`--entrypoint /usr/local/bin/wait-for-it.sh restapi db:5432 -t 0`) call it
# by that path with these arguments.
#
#   wait-for-it.sh HOST:PORT... [-t SECONDS]
#
# Targets are waited on one after the other, each probed once a second by
# opening bash's /dev/tcp/HOST/PORT (no nc or curl needed in the image).
# -t 0, the default, waits for ever, as the images' entrypoints do; a positive
# -t gives each target that many seconds. Exit 0 once all answered, 1 when a
# target timed out, 2 on bad arguments.
set -uo pipefail

me=wait-for-it.sh
limit=0
targets=()

usage_error() {
  echo "${me}: $1 (usage: ${me} HOST:PORT... [-t SECONDS])" >&2
  exit 2
}

while (($# > 0)); do
  case "$1" in
    -t | --timeout)
      (($# >= 2)) || usage_error "$1 needs a number of seconds"
      limit="$2"
      shift 2
      ;;
    --timeout=*) limit="${1#*=}"; shift ;;
    *:*) targets+=("$1"); shift ;;
    *) usage_error "unexpected argument '$1'" ;;
  esac
done
[[ "${limit}" =~ ^[0-9]+$ ]] || usage_error "the time limit must be whole seconds, not '${limit}'"
((${#targets[@]} > 0)) || usage_error "no HOST:PORT to wait for"

# True when HOST:PORT accepts a connection now. The subshell closes the socket
# and keeps bash's "connection refused" message out of the log.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

for target in "${targets[@]}"; do
  host="${target%:*}"
  port="${target##*:}"
  [[ -n "${host}" && "${port}" =~ ^[0-9]+$ ]] || usage_error "'${target}' is not HOST:PORT"
  if ((limit > 0)); then
    echo "${me}: waiting up to ${limit}s for ${host}:${port}" >&2
  else
    echo "${me}: waiting for ${host}:${port} (no time limit)" >&2
  fi
  started=${SECONDS}
  until port_open "${host}" "${port}"; do
    if ((limit > 0 && SECONDS - started >= limit)); then
      echo "${me}: ${host}:${port} did not answer within ${limit}s" >&2
      exit 1
    fi
    sleep 1
  done
  echo "${me}: ${host}:${port} answered after $((SECONDS - started))s" >&2
done
