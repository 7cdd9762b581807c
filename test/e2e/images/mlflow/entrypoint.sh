#!/bin/bash
# Entrypoint of the MLflow tracking stand-in. It takes the options of the
# Dioptra mlflow-tracking image (with its defaults), waits for every
# --wait-for target and then starts the server from a `bash -c` string, as
# the image does: a --backend-store-uri given literally as
# ${DIOPTRA_MLFLOW_TRACKING_DATABASE_URI} is expanded there, from the
# container's environment. --gunicorn-opts is accepted and ignored.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../common/entrypoint-lib.sh
. /usr/local/bin/entrypoint-lib.sh
parse_wait_for "$@"
backend_store_uri="sqlite:////work/mlruns/mlflow-tracking.db"
default_artifact_root="file:///work/artifacts"
host_address="0.0.0.0"
port=5000
workers=1
set -- "${leftovers[@]}"
while (($# > 0)); do
  case "$1" in
    --backend-store-uri) backend_store_uri="$2"; shift 2 ;;
    --default-artifact-root) default_artifact_root="$2"; shift 2 ;;
    --host) host_address="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --gunicorn-opts) shift 2 ;;
    *) fail "unknown argument '$1'" ;;
  esac
done
wait_for_services
echo "${log_prefix}: starting the MLflow stand-in with ${workers} worker(s)"
exec /usr/bin/env bash -c "exec python3 /opt/dioptra-e2e/standin.py mlflow \
  --backend-store-uri ${backend_store_uri} \
  --default-artifact-root ${default_artifact_root} \
  --host ${host_address} \
  --port ${port}"
