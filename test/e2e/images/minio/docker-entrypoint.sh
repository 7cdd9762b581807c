#!/bin/sh
# Entrypoint of the MinIO stand-in: like minio/minio's, a command line whose
# first word is not a program (e.g. `server /data`) is run as `minio ...`.
set -e
if [ "$1" != minio ] && ! command -v "$1" >/dev/null 2>&1; then
  set -- minio "$@"
fi
exec "$@"
