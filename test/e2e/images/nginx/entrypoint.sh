#!/bin/bash
# Entrypoint of the nginx stand-in. Like the Dioptra nginx image's, its only
# option is --wait-for HOST:PORT (repeatable); once every target answers it
# starts /usr/sbin/nginx with no arguments, which stays in the foreground
# because nginx.conf says `daemon off`.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../common/entrypoint-lib.sh
. /usr/local/bin/entrypoint-lib.sh
parse_wait_for "$@"
((${#leftovers[@]} == 0)) || fail "unknown argument '${leftovers[0]}' (only --wait-for HOST:PORT is accepted)"
wait_for_services
echo "${log_prefix}: dependencies are up, starting nginx"
exec /usr/sbin/nginx
