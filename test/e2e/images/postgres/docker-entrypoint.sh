#!/usr/bin/env bash
# Entrypoint of the Postgres stand-in. It honours the parts of the official
# postgres image's interface that a Dioptra deployment uses:
#
# - POSTGRES_PASSWORD, POSTGRES_USER (default postgres) and POSTGRES_DB
#   (default: the user's name), each also readable from the file named by
#   <NAME>_FILE (the deployment gives the superuser password that way);
# - POSTGRES_INITDB_ARGS (extra initdb arguments, word-split) and
#   POSTGRES_HOST_AUTH_METHOD (the network rule; default: the server's
#   password_encryption, i.e. scram-sha-256);
# - on the first start only (empty $PGDATA): initdb, then a server reachable
#   on its Unix socket only, the database POSTGRES_DB, and every file of
#   /docker-entrypoint-initdb.d in name order (*.sh executed when
#   executable, else sourced; *.sql fed to psql), then that server stops;
# - started as root, it hands the data folders to the postgres user and
#   re-runs itself as that user. Options as first argument mean `postgres`.
set -Eeuo pipefail

readonly INITDB_DIR=/docker-entrypoint-initdb.d
readonly SOCKET_DIR=/var/run/postgresql

say() { printf 'postgres entrypoint: %s\n' "$*"; }
fail() {
  printf 'postgres entrypoint: %s\n' "$*" >&2
  exit 1
}

# Exports NAME from $NAME or from the file named by $NAME_FILE (not both), else $2.
from_env_or_file() {
  local name="$1" fallback="${2-}" file_var="${1}_FILE"
  local direct="${!name-}" file="${!file_var-}"
  [[ -z "${direct}" || -z "${file}" ]] || fail "set ${name} or ${file_var}, not both"
  if [[ -n "${file}" ]]; then
    [[ -r "${file}" ]] || fail "${file_var}=${file} is not a readable file"
    direct="$(<"${file}")"
  fi
  export "${name}=${direct:-${fallback}}"
  unset "${file_var}"
}

# As root: data and socket folders for the postgres user, then run as that user.
become_postgres() {
  mkdir -p "${PGDATA}" "${SOCKET_DIR}"
  chmod 0700 "${PGDATA}"
  chmod 3775 "${SOCKET_DIR}"
  chown -R postgres:postgres "${PGDATA}" "${SOCKET_DIR}"
  exec env HOME=/var/lib/postgresql setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
}

# psql as the superuser over the socket (PGHOST), stopping at the first error.
run_psql() {
  psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "${POSTGRES_USER}" "$@"
}

first_start() {
  if [[ -z "${POSTGRES_PASSWORD}" && "${POSTGRES_HOST_AUTH_METHOD}" != trust ]]; then
    fail "no superuser password: set POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE (or POSTGRES_HOST_AUTH_METHOD=trust)"
  fi
  say "first start: creating the cluster in ${PGDATA}"
  local extra_args=()
  read -r -a extra_args <<<"${POSTGRES_INITDB_ARGS}"
  initdb --username="${POSTGRES_USER}" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD}") "${extra_args[@]}"

  # Local connections keep initdb's rules; every network client authenticates.
  local method="${POSTGRES_HOST_AUTH_METHOD:-$(postgres -C password_encryption "$@")}"
  printf '\nhost all all all %s\n' "${method}" >>"${PGDATA}/pg_hba.conf"

  # A server no other container can reach yet, for the set-up below; the
  # init scripts' psql finds it through PGHOST and PGPORT.
  export PGHOST="${SOCKET_DIR}" PGPORT="${PGPORT:-5432}" PGPASSWORD="${POSTGRES_PASSWORD}"
  pg_ctl -D "${PGDATA}" -w -o "-c listen_addresses='' -c unix_socket_directories=${SOCKET_DIR} -p ${PGPORT}" start
  if [[ "${POSTGRES_DB}" != postgres ]] &&
    [[ -z "$(run_psql --dbname postgres --tuples-only --set db="${POSTGRES_DB}" <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")" ]]; then
    say "creating database ${POSTGRES_DB}"
    run_psql --dbname postgres --set db="${POSTGRES_DB}" <<<'CREATE DATABASE :"db";'
  fi
  local f
  for f in "${INITDB_DIR}"/*; do
    [[ -e "${f}" ]] || continue
    case "${f}" in
      *.sh)
        if [[ -x "${f}" ]]; then
          say "running ${f}"
          "${f}"
        else
          say "sourcing ${f}"
          # shellcheck source=/dev/null
          . "${f}"
        fi
        ;;
      *.sql) say "running ${f}"; run_psql --dbname "${POSTGRES_DB}" -f "${f}" ;;
      *) say "ignoring ${f}" ;;
    esac
  done
  unset PGPASSWORD PGHOST
  pg_ctl -D "${PGDATA}" -m fast -w stop
  say "first start done"
}

if [[ "${1-}" == -* ]]; then
  set -- postgres "$@"
fi
if [[ "${1-}" == postgres ]]; then
  from_env_or_file POSTGRES_PASSWORD
  from_env_or_file POSTGRES_USER postgres
  from_env_or_file POSTGRES_DB "${POSTGRES_USER}"
  from_env_or_file POSTGRES_INITDB_ARGS
  export POSTGRES_HOST_AUTH_METHOD="${POSTGRES_HOST_AUTH_METHOD-}"
  if [[ "$(id -u)" == 0 ]]; then
    become_postgres "$@"
  fi
  if [[ -s "${PGDATA}/PG_VERSION" ]]; then
    say "${PGDATA} holds a cluster already: starting it as it is"
  else
    shift
    first_start "$@"
    set -- postgres "$@"
  fi
fi
exec "$@"
