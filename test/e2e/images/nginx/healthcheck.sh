#!/bin/bash
# The Dioptra nginx image's healthcheck (shellscripts/healthcheck-nginx.m4):
# every URL must answer 200, 301, 401 or 403.
set -euo pipefail ${DEBUG:+-x}
LOGNAME="Nginx Healthcheck"
(($# >= 1)) || { echo "${LOGNAME}: ERROR - Not enough positional arguments - we require at least 1 (namely: 'urls')" >&2; exit 1; }
for url in "$@"; do
  if ! http_code=$(curl -o /dev/null --insecure -s -w "%{http_code}\n" "${url}"); then
    echo "${LOGNAME}: ERROR - Polling of ${url} with curl failed." >&2
    exit 1
  fi
  if [[ ! ("${http_code}" == "200" || "${http_code}" == "301" || "${http_code}" == "401" || "${http_code}" == "403") ]]; then
    echo "${LOGNAME}: ERROR - ${url} returned status code ${http_code}." >&2
    exit 1
  fi
done
