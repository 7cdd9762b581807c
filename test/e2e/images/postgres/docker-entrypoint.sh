#!/usr/bin/env bash
# The official postgres image's docker-entrypoint.sh, condensed to what a
# Dioptra deployment relies on: POSTGRES_PASSWORD(_FILE), POSTGRES_USER(_FILE),
# POSTGRES_DB(_FILE), POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD, a first
# start that runs initdb and then /docker-entrypoint-initdb.d (*.sh executed
# when executable, else sourced; *.sql through psql) against a server that
# listens on the Unix socket only, and dropping root for the postgres user.
set -Eeo pipefail

# usage: file_env VAR [DEFAULT]: VAR or the content of the file named by VAR_FILE.
file_env() {
  local var="$1" fileVar="${1}_FILE" def="${2:-}"
  if [ "${!var:-}" ] && [ "${!fileVar:-}" ]; then
    printf >&2 'error: both %s and %s are set (but are exclusive)\n' "$var" "$fileVar"
    exit 1
  fi
  local val="$def"
  if [ "${!var:-}" ]; then
    val="${!var}"
  elif [ "${!fileVar:-}" ]; then
    val="$(<"${!fileVar}")"
  fi
  export "$var"="$val"
  unset "$fileVar"
}

docker_setup_env() {
  file_env 'POSTGRES_PASSWORD'
  file_env 'POSTGRES_USER' 'postgres'
  file_env 'POSTGRES_DB' "$POSTGRES_USER"
  file_env 'POSTGRES_INITDB_ARGS'
  : "${POSTGRES_HOST_AUTH_METHOD:=}"
  declare -g DATABASE_ALREADY_EXISTS
  : "${DATABASE_ALREADY_EXISTS:=}"
  if [ -s "$PGDATA/PG_VERSION" ]; then
    DATABASE_ALREADY_EXISTS='true'
  fi
}

docker_create_db_directories() {
  local user
  user="$(id -u)"
  mkdir -p "$PGDATA"
  chmod 00700 "$PGDATA" || :
  mkdir -p /var/run/postgresql || :
  chmod 03775 /var/run/postgresql || :
  if [ "$user" = '0' ]; then
    find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
    find /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
  fi
}

docker_verify_minimum_env() {
  if [ "${#POSTGRES_PASSWORD}" -ge 100 ]; then
    echo >&2 "WARNING: The supplied POSTGRES_PASSWORD is 100+ characters."
  fi
  if [ -z "$POSTGRES_PASSWORD" ] && [ 'trust' != "$POSTGRES_HOST_AUTH_METHOD" ]; then
    cat >&2 <<-'EOE'
		Error: Database is uninitialized and superuser password is not specified.
		       You must specify POSTGRES_PASSWORD to a non-empty value for the
		       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".
	EOE
    exit 1
  fi
}

docker_init_database_dir() {
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is split on purpose, as in the image
  eval 'initdb --username="$POSTGRES_USER" --pwfile=<(printf "%s\n" "$POSTGRES_PASSWORD") '"$POSTGRES_INITDB_ARGS"
}

pg_setup_hba_conf() {
  if [ "$1" = 'postgres' ]; then shift; fi
  local auth
  auth="$(postgres -C password_encryption "$@")"
  : "${POSTGRES_HOST_AUTH_METHOD:=$auth}"
  {
    printf '\n'
    if [ 'trust' = "$POSTGRES_HOST_AUTH_METHOD" ]; then
      printf '# warning trust is enabled for all connections\n'
    fi
    printf 'host all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD"
  } >>"$PGDATA/pg_hba.conf"
}

docker_process_sql() {
  local query_runner=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
  if [ -n "$POSTGRES_DB" ]; then
    query_runner+=(--dbname "$POSTGRES_DB")
  fi
  PGHOST='' PGHOSTADDR='' "${query_runner[@]}" "$@"
}

docker_temp_server_start() {
  if [ "$1" = 'postgres' ]; then shift; fi
  set -- "$@" -c listen_addresses='' -p "${PGPORT:-5432}"
  PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -o "$(printf '%q ' "$@")" -w start
}

docker_temp_server_stop() {
  PGUSER="${PGUSER:-postgres}" pg_ctl -D "$PGDATA" -m fast -w stop
}

# POSTGRES_DB='postgres' applies to docker_process_sql's --dbname, while
# --set db= takes the outer POSTGRES_DB, as in the official script.
# shellcheck disable=SC2097,SC2098
docker_setup_db() {
  local dbAlreadyExists
  dbAlreadyExists="$(POSTGRES_DB='postgres' docker_process_sql --dbname postgres --set db="$POSTGRES_DB" --tuples-only <<-'EOSQL'
		SELECT 1 FROM pg_database WHERE datname = :'db' ;
	EOSQL
  )"
  if [ -z "$dbAlreadyExists" ]; then
    POSTGRES_DB='postgres' docker_process_sql --dbname postgres --set db="$POSTGRES_DB" <<-'EOSQL'
			CREATE DATABASE :"db" ;
		EOSQL
    printf '\n'
  fi
}

docker_process_init_files() {
  local f
  printf '\n'
  for f; do
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then
          printf '%s: running %s\n' "$0" "$f"
          "$f"
        else
          printf '%s: sourcing %s\n' "$0" "$f"
          # shellcheck source=/dev/null
          . "$f"
        fi
        ;;
      *.sql)
        printf '%s: running %s\n' "$0" "$f"
        docker_process_sql -f "$f"
        printf '\n'
        ;;
      *) printf '%s: ignoring %s\n' "$0" "$f" ;;
    esac
  done
}

_main() {
  if [ "${1:0:1}" = '-' ]; then
    set -- postgres "$@"
  fi
  if [ "$1" = 'postgres' ]; then
    docker_setup_env
    docker_create_db_directories
    if [ "$(id -u)" = '0' ]; then
      exec env HOME=/var/lib/postgresql setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
    fi
    if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
      docker_verify_minimum_env
      ls /docker-entrypoint-initdb.d/ >/dev/null
      docker_init_database_dir
      pg_setup_hba_conf "$@"
      export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
      docker_temp_server_start "$@"
      docker_setup_db
      docker_process_init_files /docker-entrypoint-initdb.d/*
      docker_temp_server_stop
      unset PGPASSWORD
      echo
      echo 'PostgreSQL init process complete; ready for start up.'
      echo
    else
      echo
      echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
      echo
    fi
  fi
  exec "$@"
}

_main "$@"
