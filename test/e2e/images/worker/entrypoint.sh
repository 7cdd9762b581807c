#!/bin/bash
# Entrypoint of the worker stand-in. Like the Dioptra worker images, it takes
# --results-ttl (default 500) and --wait-for; every other argument is a queue
# name. After waiting it runs the stand-in worker under the command line
# `python -m dioptra.rq.cli.rq worker ...`, so that healthcheck.sh, which
# looks for that process, applies unchanged.
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
exec python -m dioptra.rq.cli.rq worker --url "${RQ_REDIS_URI-}" --results-ttl "${results_ttl}" "${leftovers[@]}"
