#!/bin/bash
# The Dioptra REST API entrypoint (shellscripts/entrypoint-restapi.m4): waits
# for every --wait-for host:port, upgrades the database, serves on :5000.
# The stand-in's "upgrade" logs in with DIOPTRA_RESTAPI_DATABASE_URI and
# creates a table; it also checks its MinIO account, Redis and MLflow.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../common/entrypoint-lib.sh
. /usr/local/bin/entrypoint-lib.sh
parse_wait_for "$@"
set -- "${leftovers[@]}"
while (($# > 0)); do
  case "$1" in
    --app-module | --backend | --gunicorn-module) shift 2 ;;
    --app-module=* | --backend=* | --gunicorn-module=*) shift ;;
    *) echo "${logname}: FATAL ERROR: got an unexpected argument '$1'" >&2; exit 1 ;;
  esac
done
wait_for_services
echo "${logname}: INFO - Starting the REST API stand-in"
cd "${DIOPTRA_WORKDIR}"
exec python3 /opt/dioptra-e2e/standin.py restapi
