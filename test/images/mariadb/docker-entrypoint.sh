#!/bin/bash
# Test double of the official mariadb image's entrypoint (docker-library/mariadb,
# docker-entrypoint.sh), for envmirror's real-node tests only: written here from that image's
# documented contract, runs Debian's MariaDB 10.11, never shipped (hack/images builds it into
# mariadb:10.11 and mariadb:10.11.N for the local node only).
#
# The contract: an option as first argument gets "mariadbd" put in front. On first start (no
# /var/lib/mysql/mysql): one of MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD or
# MARIADB_RANDOM_ROOT_PASSWORD is required; MARIADB_DATABASE is created; MARIADB_USER with
# MARIADB_PASSWORD is created for '%' and granted all on that database; *.sh, *.sql and *.sql.gz
# in /docker-entrypoint-initdb.d run once; each MYSQL_* variable is the MARIADB_* one's older
# name, and each reads from VAR_FILE too. The server runs as the container's user (the image's
# mysql user is uid 999). A later start with data skips initialization.
set -eo pipefail

mysql_note() { echo "$(date --rfc-3339=seconds 2>/dev/null || date) [Note] [Entrypoint]: $*"; }
mysql_error() { echo >&2 "[ERROR] [Entrypoint]: $*"; exit 1; }

file_env() {
  local var=$1 mysqlVar=${1/#MARIADB/MYSQL} def=${2:-}
  local fileVar=${var}_FILE mysqlFileVar=${mysqlVar}_FILE val=$def
  if [ -n "${!var:-}" ]; then val=${!var}
  elif [ -n "${!mysqlVar:-}" ]; then val=${!mysqlVar}
  elif [ -n "${!fileVar:-}" ]; then val=$(<"${!fileVar}")
  elif [ -n "${!mysqlFileVar:-}" ]; then val=$(<"${!mysqlFileVar}")
  fi
  export "$var"="$val"
}

setup_env() {
  file_env MARIADB_ROOT_PASSWORD
  file_env MARIADB_ALLOW_EMPTY_ROOT_PASSWORD
  file_env MARIADB_RANDOM_ROOT_PASSWORD
  file_env MARIADB_DATABASE
  file_env MARIADB_USER
  file_env MARIADB_PASSWORD
  # As the official entrypoint (mysql_get_config): the server's own view of its options, so a
  # --datadir among the arguments (or in my.cnf) is where the data goes.
  DATADIR=$(mysql_get_config datadir "$@")
  DATADIR=${DATADIR:-/var/lib/mysql}
  SOCKET=/run/mysqld/mysqld.sock
}

mysql_get_config() {
  local conf=$1; shift
  "$@" --verbose --help 2>/dev/null | awk -v conf="$conf" '$1 == conf && /^[^ \t]/ { sub(/^[^ \t]+[ \t]+/, ""); print; exit }'
}

sql_escape() { sed -e "s/\\\\/\\\\\\\\/g" -e "s/'/\\\\'/g" <<<"$1"; }

client() { mariadb --protocol=socket -uroot -hlocalhost --socket="$SOCKET" "$@"; }

init_database() {
  if [ -z "$MARIADB_ROOT_PASSWORD" ] && [ -z "$MARIADB_ALLOW_EMPTY_ROOT_PASSWORD" ] && [ -z "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
    mysql_error "Database is uninitialized and password option is not specified
	You need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ROOT_PASSWORD_HASH, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD"
  fi
  mysql_note "Initializing database files"
  mariadb-install-db --datadir="$DATADIR" --rpm --auth-root-authentication-method=normal --skip-test-db \
    --default-time-zone=SYSTEM --skip-log-bin --expire-logs-days=0 \
    --loose-innodb_buffer_pool_load_at_startup=0 --loose-innodb_buffer_pool_dump_at_shutdown=0 >/dev/null
  mysql_note "Database files initialized"
  mysql_note "Starting temporary server"
  mariadbd --datadir="$DATADIR" --skip-networking --default-time-zone=SYSTEM --socket="$SOCKET" --wsrep_on=OFF --expire-logs-days=0 \
    --loose-innodb_buffer_pool_load_at_startup=0 &
  local pid=$! i
  for i in $(seq 30 -1 0); do
    client --database=mysql -e 'SELECT 1' >/dev/null 2>&1 && break
    sleep 1
  done
  [ "$i" -gt 0 ] || mysql_error "Unable to start server."
  if [ -n "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
    MARIADB_ROOT_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)
    mysql_note "GENERATED ROOT PASSWORD: $MARIADB_ROOT_PASSWORD"
  fi
  local rootpw userpw
  rootpw=$(sql_escape "$MARIADB_ROOT_PASSWORD")
  {
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    echo "DELETE FROM mysql.user WHERE user NOT IN ('mysql.sys', 'mariadb.sys', 'root') OR host NOT IN ('localhost');"
    echo "SET PASSWORD FOR 'root'@'localhost'=PASSWORD('$rootpw');"
    if [ -n "$MARIADB_DATABASE" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;"
    fi
    if [ -n "$MARIADB_USER" ] && [ -n "$MARIADB_PASSWORD" ]; then
      userpw=$(sql_escape "$MARIADB_PASSWORD")
      echo "CREATE USER '$MARIADB_USER'@'%' IDENTIFIED BY '$userpw';"
      if [ -n "$MARIADB_DATABASE" ]; then
        echo "GRANT ALL ON \`${MARIADB_DATABASE//_/\\_}\`.* TO '$MARIADB_USER'@'%';"
      fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | client --database=mysql --binary-mode
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) mysql_note "running $f"; . "$f" ;;
      *.sql) mysql_note "running $f"; client -p"$MARIADB_ROOT_PASSWORD" ${MARIADB_DATABASE:+--database="$MARIADB_DATABASE"} < "$f" ;;
      *.sql.gz) mysql_note "running $f"; gunzip -c "$f" | client -p"$MARIADB_ROOT_PASSWORD" ${MARIADB_DATABASE:+--database="$MARIADB_DATABASE"} ;;
    esac
  done
  mysql_note "Stopping temporary server"
  kill "$pid"
  wait "$pid" || true
  mysql_note "MariaDB init process done. Ready for start up."
}

main() {
  if [ "${1:0:1}" = '-' ]; then set -- mariadbd "$@"; fi
  if [ "$1" = mariadbd ] || [ "$1" = mysqld ]; then
    setup_env "$@"
    if [ ! -d "$DATADIR/mysql" ]; then
      init_database
    else
      mysql_note "MariaDB data directory appears to contain a database; skipping initialization"
    fi
  fi
  exec "$@"
}

main "$@"
