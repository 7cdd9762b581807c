#!/bin/bash
# The Dioptra nginx image's entrypoint (shellscripts/entrypoint-nginx.m4):
# waits for every --wait-for host:port (wait-for-it.sh -t 0, no time limit),
# then runs nginx in the foreground (nginx.conf says daemon off).
set -euo pipefail
logname="Container Entry Point"
wait_for=()
while (($# > 0)); do
  case "$1" in
    --wait-for) wait_for+=("$2"); shift 2 ;;
    --wait-for=*) wait_for+=("${1#*=}"); shift ;;
    -h | --help) echo "Usage: entrypoint.sh [--wait-for host:port]..."; exit 0 ;;
    *) echo "${logname}: FATAL ERROR: got an unexpected argument '$1'" >&2; exit 1 ;;
  esac
done
for service in "${wait_for[@]}"; do
  if ! /usr/local/bin/wait-for-it.sh -t 0 "${service}"; then
    echo "${logname}: ERROR - Unexpected error while waiting for ${service}." >&2
    exit 1
  fi
done
echo "${logname}: INFO - Starting Nginx process"
exec /usr/sbin/nginx
