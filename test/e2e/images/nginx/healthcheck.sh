#!/bin/bash
# healthcheck.sh URL...: healthy when every URL answers with a status the
# Dioptra nginx image accepts: 200, 301 (the HTTP→HTTPS redirect), 401 or
# 403 (a service that wants a login still answered). Certificates are not
# verified (curl --insecure), as self-signed ones are common here.
set -euo pipefail ${DEBUG:+-x}
(($# > 0)) || { echo "healthcheck.sh: give at least one URL to probe" >&2; exit 1; }
for url in "$@"; do
  if ! status=$(curl --insecure --silent --output /dev/null --write-out '%{http_code}' "${url}"); then
    echo "healthcheck.sh: no answer from ${url}" >&2
    exit 1
  fi
  case "${status}" in
    200 | 301 | 401 | 403) ;;
    *) echo "healthcheck.sh: ${url} answered ${status}" >&2; exit 1 ;;
  esac
done
