#!/bin/bash
# Stand-in for the Dioptra worker entrypoint: waits for every --wait-for
# host:port, then runs dioptra-worker-v1 on the queues left over, as the
# real images do (the generated health check looks for that process).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../common/entrypoint-lib.sh
. /usr/local/bin/entrypoint-lib.sh
results_ttl=500
args=()
while (($# > 0)); do
  case "$1" in
    --results-ttl) results_ttl="$2"; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
parse_wait_for "${args[@]}"
((${#leftovers[@]} > 0)) || fail "no queue name given"
wait_for_services
echo "${log_prefix}: starting the worker stand-in on queue(s) ${leftovers[*]}"
cd "${DIOPTRA_WORKDIR}"
exec dioptra-worker-v1 --url "${RQ_REDIS_URI-}" --results-ttl "${results_ttl}" "${leftovers[@]}"
