#!/bin/bash
# The Dioptra worker healthcheck (shellscripts/healthcheck-worker.m4): exactly
# one `python -m dioptra.rq.cli.rq worker` process.
set -euo pipefail ${DEBUG:+-x}
LOGNAME="Worker Healthcheck"
# The image's own check, kept as it is.
# shellcheck disable=SC2009
num_procs="$(ps -C python --no-headers -o cmd | grep -cE '^python -m dioptra.rq.cli.rq worker' || true)"
if ((num_procs != 1)); then
  echo "${LOGNAME}: ERROR - Process count for python -m dioptra.rq.cli.rq worker is ${num_procs} instead of 1." >&2
  exit 1
fi
