#!/usr/bin/env bash
# Test double of the official postgres image's entrypoint (docker-library/postgres,
# docker-entrypoint.sh of the Debian variants), for envmirror's real-node tests only: it is
# written here from that image's documented contract, runs Debian's PostgreSQL 15, and is never
# shipped (hack/images builds it into postgres:15 and postgres:15.N for the local node only).
#
# The contract it honours, as the official image documents it:
#   - "postgres" (or arguments starting with "-", which get "postgres" put in front) starts the
#     server; any other command runs as given.
#   - On first start (no $PGDATA/PG_VERSION): POSTGRES_PASSWORD is required unless
#     POSTGRES_HOST_AUTH_METHOD=trust; POSTGRES_USER (default postgres) is the superuser,
#     POSTGRES_DB (default $POSTGRES_USER) is created; POSTGRES_INITDB_ARGS go to initdb; remote
#     connections need a password (scram-sha-256) unless POSTGRES_HOST_AUTH_METHOD says otherwise;
#     *.sh, *.sql and *.sql.gz in /docker-entrypoint-initdb.d run once, in name order, against a
#     server that listens on the socket only. Each variable also reads from VAR_FILE.
#   - PGDATA (default /var/lib/postgresql/data) is created with mode 0700; the server runs as the
#     user the container starts with (the operator starts it as uid 999, the image's postgres).
#   - A later start with data skips initialization.
# Unlike the official image it does not switch users when started as root (no gosu: the
# operator's pods never start as root), needs the uid in /etc/passwd (no nss_wrapper), and the
# image has no LLVM JIT provider (the server then runs queries without JIT).
set -Eeo pipefail

file_env() {
  local var=$1 fileVar="${1}_FILE" def=${2:-}
  if [ -n "${!var:-}" ] && [ -n "${!fileVar:-}" ]; then
    echo >&2 "error: both $var and $fileVar are set (but are exclusive)"; exit 1
  fi
  local val=$def
  if [ -n "${!var:-}" ]; then val=${!var}; elif [ -n "${!fileVar:-}" ]; then val=$(<"${!fileVar}"); fi
  export "$var"="$val"
  unset "$fileVar"
}

setup_env() {
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=}"
  export PGDATA=${PGDATA:-/var/lib/postgresql/data}
}

create_dirs() {
  mkdir -p "$PGDATA"
  chmod 00700 "$PGDATA" || :
  mkdir -p /var/run/postgresql || :
  chmod 03775 /var/run/postgresql 2>/dev/null || :
}

verify_env() {
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    cat >&2 <<-'EOM'
	Error: Database is uninitialized and superuser password is not specified.
	       You must specify POSTGRES_PASSWORD to a non-empty value for the
	       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".
	EOM
    exit 1
  fi
}

init_database_dir() {
  local args=(--username="$POSTGRES_USER" -D "$PGDATA") pwfile=
  if [ -n "$POSTGRES_PASSWORD" ]; then
    # A private file rather than upstream's process substitution, which initdb cannot open here.
    pwfile=$(umask 077 && mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    args+=(--pwfile="$pwfile")
  fi
  # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a list of arguments, as upstream reads it
  initdb "${args[@]}" $POSTGRES_INITDB_ARGS || { [ -z "$pwfile" ] || rm -f "$pwfile"; return 1; }
  [ -z "$pwfile" ] || rm -f "$pwfile"
}

setup_hba() {
  local method=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  [ -n "$POSTGRES_PASSWORD" ] || method=${POSTGRES_HOST_AUTH_METHOD:-trust}
  printf '\nhost all all all %s\n' "$method" >> "$PGDATA/pg_hba.conf"
}

psql_init() {
  PGHOST=/var/run/postgresql PGPORT=5432 psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc \
    --username "$POSTGRES_USER" "$@"
}

setup_db() {
  local exists
  exists=$(POSTGRES_DB= psql_init --dbname postgres --set db="$POSTGRES_DB" --tuples-only <<-'EOSQL'
	SELECT 1 FROM pg_database WHERE datname = :'db' ;
	EOSQL
  )
  if [ -z "$exists" ]; then
    psql_init --dbname postgres --set db="$POSTGRES_DB" <<-'EOSQL'
	CREATE DATABASE :"db" ;
	EOSQL
  fi
}

process_init_files() {
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) echo "$0: running $f"; if [ -x "$f" ]; then "$f"; else . "$f"; fi ;;
      *.sql) echo "$0: running $f"; psql_init --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) echo "$0: running $f"; gunzip -c "$f" | psql_init --dbname "$POSTGRES_DB" ;;
      *) [ ! -e "$f" ] || echo "$0: ignoring $f" ;;
    esac
  done
}

main() {
  if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi
  if [ "$1" = postgres ]; then
    setup_env
    create_dirs
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
      verify_env
      init_database_dir
      setup_hba
      pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
      setup_db
      process_init_files
      pg_ctl -D "$PGDATA" -m fast -w stop
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

main "$@"
