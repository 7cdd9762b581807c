#!/bin/bash
# The Dioptra MLflow tracking entrypoint (shellscripts/entrypoint-mlflow-tracking.m4):
# waits for every --wait-for host:port, then starts the server through
# `bash -c`, as the real one does, so a --backend-store-uri of
# ${DIOPTRA_MLFLOW_TRACKING_DATABASE_URI} is expanded from the environment.
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
    *) echo "${logname}: FATAL ERROR: got an unexpected argument '$1'" >&2; exit 1 ;;
  esac
done
wait_for_services
echo "${logname}: starting mlflow tracking server (stand-in), ${workers} worker(s)"
exec /usr/bin/env bash -c "exec python3 /opt/dioptra-e2e/standin.py mlflow \
  --backend-store-uri ${backend_store_uri} \
  --default-artifact-root ${default_artifact_root} \
  --host ${host_address} \
  --port ${port}"
