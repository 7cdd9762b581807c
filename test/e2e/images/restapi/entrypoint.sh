#!/bin/bash
# Entrypoint of the REST API stand-in. It accepts the Dioptra restapi image's
# options (--app-module, --backend, --gunicorn-module: values ignored),
# waits for every --wait-for target, then runs the stand-in from
# $DIOPTRA_WORKDIR. The stand-in does what the image's start-up needs from
# the deployment: it logs in with DIOPTRA_RESTAPI_DATABASE_URI and creates a
# table (the schema upgrade), and checks its MinIO account, Redis and MLflow
# when it waited for them.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../common/entrypoint-lib.sh
. /usr/local/bin/entrypoint-lib.sh
parse_wait_for "$@"
set -- "${leftovers[@]}"
while (($# > 0)); do
  case "$1" in
    --app-module | --backend | --gunicorn-module) shift 2 ;;
    --app-module=* | --backend=* | --gunicorn-module=*) shift ;;
    *) fail "unknown argument '$1'" ;;
  esac
done
wait_for_services
echo "${log_prefix}: starting the REST API stand-in"
cd "${DIOPTRA_WORKDIR}"
# The stand-in checks the services it was told to wait for (the init restapi
# waits for the database only: MinIO, Redis and MLflow are not up then).
E2E_WAITED_FOR="${wait_for[*]}" exec python3 /opt/dioptra-e2e/standin.py restapi
