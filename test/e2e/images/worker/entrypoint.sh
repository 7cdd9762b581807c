#!/bin/bash
# The Dioptra worker entrypoint (shellscripts/entrypoint-worker.m4): waits for
# every --wait-for host:port, then starts the worker on the queues left over.
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
((${#leftovers[@]} > 0)) || { echo "${logname}: FATAL ERROR: no job queue given" >&2; exit 1; }
wait_for_services
echo "${logname}: starting Dioptra worker on ${leftovers[*]}"
cd "${DIOPTRA_WORKDIR}"
exec python -m dioptra.rq.cli.rq worker --url "${RQ_REDIS_URI-}" --results-ttl "${results_ttl}" "${leftovers[@]}"
