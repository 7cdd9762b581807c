#!/bin/sh
# As minio/minio's entrypoint: arguments that are not a command go to minio.
set -e
if [ "$1" != "minio" ] && ! command -v "$1" >/dev/null 2>&1; then
  set -- minio "$@"
fi
exec "$@"
