#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server for the data tests.
#
#   hack/with-postgres.sh go test ./internal/seed/... -count=1
#
# When ENVMIRROR_TEST_POSTGRES_DSN is already set, the command runs against that server.
# Otherwise this installs Debian's PostgreSQL server (and its PostGIS package, and pgvector: the package or its source) when
# missing, starts a private instance (own data directory, own free port, durability off: it is
# thrown away), and exports
#   ENVMIRROR_TEST_POSTGRES_DSN  postgres://envmirror:PASSWORD@127.0.0.1:PORT/postgres?sslmode=disable
#   ENVMIRROR_TEST_PG_BIN        that server's bin directory (pg_dump, psql of the same version)
#   ENVMIRROR_TEST_PG_LOG        that server's log file (tests that check what was sent read it)
# The server is stopped and its directory removed on exit; the command's exit code is kept.
# Several runs can go at once: each gets its own directory and port.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

log() { echo "with-postgres: $*" >&2; }

# newest_bin_dir prints the bin directory of the newest installed PostgreSQL server, if any.
newest_bin_dir() {
  local d best="" best_ver=-1 ver
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] || continue
    ver=$(basename "$(dirname "$d")")
    ver=${ver%%.*}
    if [ "$ver" -gt "$best_ver" ] 2>/dev/null; then best=$d; best_ver=$ver; fi
  done
  [ -n "$best" ] && echo "$best"
}

if [ -n "${ENVMIRROR_TEST_POSTGRES_DSN:-}" ]; then
  if [ -z "${ENVMIRROR_TEST_PG_BIN:-}" ] && bin=$(newest_bin_dir); then
    export ENVMIRROR_TEST_PG_BIN=$bin
  fi
  exec "$@"
fi

install_postgres() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      cat >&2 <<'EOF'
with-postgres: ERROR ***************************************************************
with-postgres: PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) are missing,
with-postgres: and installing them needs root (or sudo), which this user does not have.
with-postgres: Install them once as root:   apt-get install -y postgresql
with-postgres: or point the tests at a server: ENVMIRROR_TEST_POSTGRES_DSN=postgres://... 
with-postgres: ***************************************************************************
EOF
      exit 1
    fi
  fi
  log "installing PostgreSQL server packages (apt-get install -y postgresql)"
  # Only one apt run at a time may hold the dpkg lock; a concurrent run waits for it.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    -o DPkg::Lock::Timeout=300 postgresql >&2 || {
    log "apt-get install failed; refreshing the package lists and retrying"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q -o DPkg::Lock::Timeout=300 >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      -o DPkg::Lock::Timeout=300 postgresql >&2
  }
}

bin=$(newest_bin_dir) || { install_postgres; bin=$(newest_bin_dir) || {
  log "ERROR: PostgreSQL was installed but no /usr/lib/postgresql/*/bin/initdb was found"; exit 1; }; }

# PostGIS for the seeder's spatial types, from Debian's package for the server's major version.
# Best effort: without it the tests that need it skip and say why. ENVMIRROR_TEST_POSTGIS=0 skips.
install_postgis() {
  local major sharedir pkg
  major=$(basename "$(dirname "$bin")")
  sharedir=$("$bin/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$major")
  [ -f "$sharedir/extension/postgis.control" ] && return 0
  [ "${ENVMIRROR_TEST_POSTGIS:-1}" = 0 ] && return 0
  pkg=postgresql-$major-postgis-3
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || { log "PostGIS is not installed ($pkg) and installing needs root: its tests skip"; return 0; }
    sudo=(sudo -n)
  fi
  log "installing PostGIS ($pkg)"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "$pkg" >&2 || log "PostGIS ($pkg) did not install: its tests skip"
}
install_postgis

# pgvector for the seeder's vector types. Debian packages it as postgresql-<major>-pgvector from
# trixie on; where there is no package (bookworm), it is built from its source, which the Go
# module proxy serves (github.com/pgvector/pgvector at PGVECTOR_VERSION), against Debian's
# postgresql-server-dev-<major>, and installed into the server's directories as the package
# would be. Later runs find it installed. ENVMIRROR_TEST_PGVECTOR=0 skips (the tests that need
# it then skip, and fail in CI).
PGVECTOR_VERSION=v0.8.6
install_pgvector() {
  local major sharedir pkg src
  major=$(basename "$(dirname "$bin")")
  sharedir=$("$bin/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$major")
  [ -f "$sharedir/extension/vector.control" ] && return 0
  [ "${ENVMIRROR_TEST_PGVECTOR:-1}" = 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null || { log "pgvector is not installed and installing it needs root: its tests skip"; return 0; }
    sudo=(sudo -n)
  fi
  apt_install() {
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      -o DPkg::Lock::Timeout=300 "$@" >&2
  }
  pkg=postgresql-$major-pgvector
  if apt-cache show "$pkg" >/dev/null 2>&1; then
    log "installing pgvector ($pkg)"
    apt_install "$pkg" || log "pgvector ($pkg) did not install: its tests skip"
    return 0
  fi
  log "no $pkg package in this distribution: building pgvector $PGVECTOR_VERSION from its source (Go module proxy)"
  # Debian's server headers build extensions with clang's bitcode too (with_llvm), hence clang.
  apt_install postgresql-server-dev-"$major" make gcc || { log "postgresql-server-dev-$major did not install: the pgvector tests skip"; return 0; }
  src=$(cd "${TMPDIR:-/tmp}" && GOFLAGS=-mod=mod go mod download -json "github.com/pgvector/pgvector@$PGVECTOR_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') && [ -d "$src" ] || { log "could not fetch pgvector $PGVECTOR_VERSION: its tests skip"; return 0; }
  local build
  build=$(mktemp -d "${TMPDIR:-/tmp}/envmirror-pgvector.XXXXXX")
  cp -r "$src/." "$build" && chmod -R u+w "$build"
  # OPTFLAGS= : no -march=native, so the library runs on any machine of the architecture.
  if make -s -C "$build" PG_CONFIG="$bin/pg_config" OPTFLAGS= >&2 && "${sudo[@]}" make -s -C "$build" PG_CONFIG="$bin/pg_config" install >&2; then
    log "pgvector $PGVECTOR_VERSION built and installed"
  else
    log "pgvector $PGVECTOR_VERSION did not build: its tests skip"
  fi
  rm -rf "$build"
}
install_pgvector

# Root may not run the server: run it as the postgres user. Anyone else runs it as themselves.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { log "ERROR: running as root but there is no 'postgres' user to run the server"; exit 1; }
  if command -v runuser >/dev/null 2>&1; then as_owner=(runuser -u postgres --); else as_owner=(su postgres -s /bin/sh -c '"$0" "$@"'); fi
fi

base=${TMPDIR:-/tmp}
dir=$(mktemp -d "$base/envmirror-pg.XXXXXX")
if [ ${#as_owner[@]} -gt 0 ]; then
  chown postgres: "$dir"
  # The server user must reach the directory; a private TMPDIR (e.g. under /root) would not do.
  if ! "${as_owner[@]}" test -w "$dir"; then
    rmdir "$dir"
    dir=$(mktemp -d /tmp/envmirror-pg.XXXXXX)
    chown postgres: "$dir"
  fi
fi
chmod 700 "$dir"

pgdata=$dir/data
started=false
cleanup() {
  local rc=$?
  if $started; then
    "${as_owner[@]}" "$bin/pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
pwfile=$dir/pwfile
printf '%s\n' "$password" >"$pwfile"
[ ${#as_owner[@]} -gt 0 ] && chown postgres: "$pwfile"

"${as_owner[@]}" "$bin/initdb" -D "$pgdata" -U envmirror --pwfile="$pwfile" \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
  log "ERROR: initdb failed:"; cat "$dir/initdb.log" >&2; exit 1; }
rm -f "$pwfile"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port=""
for candidate in $(seq 25432 25631); do
  port_in_use "$candidate" && continue
  # Throwaway data: durability off for speed.
  if "${as_owner[@]}" "$bin/pg_ctl" -D "$pgdata" -l "$dir/server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -p $candidate -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    >/dev/null 2>&1; then
    port=$candidate
    started=true
    break
  fi
  # Another run may have taken the port between the check and the start: try the next one.
  if grep -q "could not bind\|Address already in use\|could not create any TCP/IP sockets" "$dir/server.log" 2>/dev/null; then
    : >"$dir/server.log"
    continue
  fi
  log "ERROR: the PostgreSQL server did not start:"; cat "$dir/server.log" >&2 || true
  exit 1
done
[ -n "$port" ] || { log "ERROR: no free port in 25432-25631"; exit 1; }

export ENVMIRROR_TEST_POSTGRES_DSN="postgres://envmirror:$password@127.0.0.1:$port/postgres?sslmode=disable"
export ENVMIRROR_TEST_PG_BIN=$bin
export ENVMIRROR_TEST_PG_LOG=$dir/server.log
log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)"

# The command runs in the background so a signal to this script is handled at once (a foreground
# child would delay the trap until it exits): it is passed on, and the EXIT trap cleans up.
set +e
"$@" &
child=$!
trap 'kill -INT "$child" 2>/dev/null; wait "$child"; exit 130' INT
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 143' TERM
wait "$child"
rc=$?
set -e
exit "$rc"
