#!/bin/bash
# Worker healthcheck, with the rule of the Dioptra 1.0 worker images: healthy
# when exactly one process runs `python -m dioptra.rq.cli.rq worker` (none
# means the worker died; two would be a stray second worker).
set -euo pipefail ${DEBUG:+-x}
count=0
while read -r cmd; do
  [[ "${cmd}" == "python -m dioptra.rq.cli.rq worker"* ]] && count=$((count + 1))
done < <(ps -C python --no-headers -o args)
if ((count != 1)); then
  echo "healthcheck.sh: ${count} worker processes running, expected 1" >&2
  exit 1
fi
