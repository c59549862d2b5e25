#!/usr/bin/env bash
# Runs a command with throwaway Redis, RabbitMQ and MariaDB servers for the dependency probe tests.
#
#   hack/with-services.sh go test ./internal/deps/... -count=1
#
# Debian's redis-server, rabbitmq-server and mariadb-server are installed when missing. Each
# server gets its own directory and free ports on 127.0.0.1 (RabbitMQ its own epmd too), so
# several runs can go at once. Exported for the command:
#   ENVMIRROR_TEST_REDIS_URL        redis://default:PASSWORD@127.0.0.1:PORT
#   ENVMIRROR_TEST_REDIS_VERSION    the server's version, as redis-server --version prints it
#   ENVMIRROR_TEST_RABBITMQ_URL     http://envmirror:PASSWORD@127.0.0.1:PORT (the management API)
#   ENVMIRROR_TEST_RABBITMQ_VERSION
#   ENVMIRROR_TEST_MYSQL_URL        mysql://envmirror:PASSWORD@127.0.0.1:PORT/ (may create databases)
#   ENVMIRROR_TEST_MYSQL_VERSION    as SELECT VERSION() reports it
# ENVMIRROR_SERVICES limits which start (default: "redis rabbitmq mysql"). The servers are stopped
# and their directories removed on exit; the command's exit code is kept.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi
log() { echo "with-services: $*" >&2; }

services=${ENVMIRROR_SERVICES:-redis rabbitmq mysql}
want() { case " $services " in *" $1 "*) return 0 ;; esac; return 1; }

# --- install what is missing -------------------------------------------------------------------
packages=()
want redis && ! command -v redis-server >/dev/null 2>&1 && packages+=(redis-server)
want rabbitmq && [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ] && packages+=(rabbitmq-server)
want mysql && ! command -v mariadbd >/dev/null 2>&1 && packages+=(mariadb-server)
if [ ${#packages[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || { log "ERROR: ${packages[*]} missing and installing needs root: apt-get install -y ${packages[*]}"; exit 1; }
  log "installing ${packages[*]}"
  # Only one apt run at a time may hold the dpkg lock; a concurrent run waits for it.
  env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 "${packages[@]}" >&2 || {
    env DEBIAN_FRONTEND=noninteractive apt-get update -q -o DPkg::Lock::Timeout=300 >&2
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 "${packages[@]}" >&2
  }
fi

# --- a private directory, cleaned up whatever happens ------------------------------------------
dir=$(mktemp -d /tmp/envmirror-services.XXXXXX)
chmod 755 "$dir"
pids=()
epmd_port=""
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$epmd_port" ]; then epmd -port "$epmd_port" -kill >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# free_port VAR sets VAR to a free port, from a range no other helper of this repository uses
# (not through $(...): the next candidate must survive the call).
next_port=$((26000 + RANDOM % 2000))
free_port() {
  local p
  for _ in $(seq 1 500); do
    p=$next_port
    next_port=$((next_port + 1))
    if ! port_in_use "$p"; then printf -v "$1" '%s' "$p"; return 0; fi
  done
  log "ERROR: no free port"; return 1
}
secret() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
# as_user runs a command as a system user. Both it and setpriv exec, so a server started with
# `as_user ... &` is $! itself and a signal reaches it directly.
as_user() {
  if [ "$(id -u)" -eq 0 ]; then exec setpriv --reuid="$1" --regid="$1" --init-groups -- "${@:2}"; fi
  exec "${@:2}"
}
wait_for() { # wait_for WHAT SECONDS COMMAND...
  local what=$1 secs=$2; shift 2
  for _ in $(seq 1 $((secs * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "ERROR: $what did not start within ${secs}s"; return 1
}

# --- Redis --------------------------------------------------------------------------------------
if want redis; then
  free_port port; pass=$(secret)
  mkdir -p "$dir/redis"
  redis-server --bind 127.0.0.1 --port "$port" --requirepass "$pass" --save "" --appendonly no \
    --dir "$dir/redis" --logfile "$dir/redis/log" >/dev/null 2>&1 &
  pids+=($!)
  wait_for Redis 30 redis-cli -p "$port" --no-auth-warning -a "$pass" ping
  export ENVMIRROR_TEST_REDIS_URL="redis://default:$pass@127.0.0.1:$port"
  ENVMIRROR_TEST_REDIS_VERSION=$(redis-server --version | sed -n 's/.* v=\([0-9.]*\).*/\1/p')
  export ENVMIRROR_TEST_REDIS_VERSION
  log "Redis $ENVMIRROR_TEST_REDIS_VERSION on 127.0.0.1:$port"
fi

# --- MariaDB ------------------------------------------------------------------------------------
if want mysql; then
  free_port port; pass=$(secret)
  data=$dir/mysql
  mkdir -p "$data"
  [ "$(id -u)" -eq 0 ] && chown mysql: "$data"
  (as_user mysql mariadb-install-db --datadir="$data/db" --auth-root-authentication-method=normal \
    --skip-test-db) >"$dir/mysql-install.log" 2>&1 || { log "ERROR: mariadb-install-db failed:"; cat "$dir/mysql-install.log" >&2; exit 1; }
  as_user mysql mariadbd --no-defaults --datadir="$data/db" --socket="$data/sock" --pid-file="$data/pid" \
    --port="$port" --bind-address=127.0.0.1 --skip-name-resolve --innodb-flush-log-at-trx-commit=0 \
    --log-error="$data/log" >/dev/null 2>&1 &
  pids+=($!)
  wait_for MariaDB 60 mariadb --no-defaults --socket="$data/sock" -uroot -e "SELECT 1"
  mariadb --no-defaults --socket="$data/sock" -uroot \
    -e "CREATE USER 'envmirror'@'%' IDENTIFIED BY '$pass'; GRANT ALL ON *.* TO 'envmirror'@'%' WITH GRANT OPTION;"
  export ENVMIRROR_TEST_MYSQL_URL="mysql://envmirror:$pass@127.0.0.1:$port/"
  ENVMIRROR_TEST_MYSQL_VERSION=$(mariadb --no-defaults --socket="$data/sock" -uroot -N -e "SELECT VERSION()")
  export ENVMIRROR_TEST_MYSQL_VERSION
  log "MariaDB $ENVMIRROR_TEST_MYSQL_VERSION on 127.0.0.1:$port"
fi

# --- RabbitMQ -----------------------------------------------------------------------------------
if want rabbitmq; then
  free_port port; free_port mgmt; free_port dist; free_port epmd_port; pass=$(secret)
  home=$dir/rabbitmq
  mkdir -p "$home"
  cat >"$home/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$port
management.tcp.ip = 127.0.0.1
management.tcp.port = $mgmt
default_user = envmirror
default_pass = $pass
loopback_users = none
EOF
  echo "[rabbitmq_management]." >"$home/enabled_plugins"
  [ "$(id -u)" -eq 0 ] && chown -R rabbitmq: "$home"
  as_user rabbitmq env HOME="$home" ERL_EPMD_PORT="$epmd_port" RABBITMQ_NODENAME="envmirror-$port@localhost" \
    RABBITMQ_CONFIG_FILE="$home/rabbitmq" RABBITMQ_ENABLED_PLUGINS_FILE="$home/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$home/mnesia" RABBITMQ_LOG_BASE="$home/log" RABBITMQ_DIST_PORT="$dist" \
    /usr/lib/rabbitmq/bin/rabbitmq-server >"$dir/rabbitmq.log" 2>&1 &
  pids+=($!)
  wait_for RabbitMQ 120 curl -fsS -u "envmirror:$pass" "http://127.0.0.1:$mgmt/api/overview" || {
    tail -20 "$dir/rabbitmq.log" >&2; exit 1; }
  export ENVMIRROR_TEST_RABBITMQ_URL="http://envmirror:$pass@127.0.0.1:$mgmt"
  ENVMIRROR_TEST_RABBITMQ_VERSION=$(curl -fsS -u "envmirror:$pass" "http://127.0.0.1:$mgmt/api/overview" |
    sed -n 's/.*"rabbitmq_version":"\([^"]*\)".*/\1/p')
  export ENVMIRROR_TEST_RABBITMQ_VERSION
  log "RabbitMQ $ENVMIRROR_TEST_RABBITMQ_VERSION, management API on 127.0.0.1:$mgmt"
fi

# The command runs in the background so a signal to this script is handled at once; it is
# passed on, and the EXIT trap stops the servers.
set +e
"$@" &
child=$!
trap 'kill -INT "$child" 2>/dev/null; wait "$child"; exit 130' INT
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 143' TERM
wait "$child"
rc=$?
set -e
exit "$rc"
