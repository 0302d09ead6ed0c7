#!/usr/bin/env bash
# Run one command against a throwaway PostgreSQL cluster, then throw the cluster away.
#
#   bash .ci/postgres.sh make test
#   bash .ci/postgres.sh make test PYTEST_ARGS='-x tests/test_tickets.py'
#
# What it does:
#   1. finds Debian's PostgreSQL (>= $SAMPARK_PG_MIN_MAJOR, default 15) under
#      /usr/lib/postgresql/<major>/bin, and installs the `postgresql` package with apt if it is
#      missing (root only);
#   2. creates a cluster in a fresh temporary directory with initdb. PostgreSQL refuses to run as
#      root, so when we are root the server runs as the system user $SAMPARK_PG_OS_USER
#      (default sampark-ci, created if needed), which owns nothing but that directory;
#   3. starts it on a free port on 127.0.0.1 (asked of the OS), with its unix socket inside the
#      temporary directory and durability switched off (it is thrown away anyway);
#   4. creates the role `sampark` (password, LOGIN, CREATEDB: pytest-django creates
#      test_sampark, test_sampark_gw0, ... itself) and the database `sampark`;
#   5. runs the command with SAMPARK_DATABASE_URL=postgres://sampark:...@127.0.0.1:PORT/sampark
#      and exits with the command's status;
#   6. on any exit (including errors and signals) stops the server and removes the directory.
#
# Knobs (environment): SAMPARK_PG_BINDIR (use these binaries instead of searching),
# SAMPARK_PG_MIN_MAJOR, SAMPARK_PG_OS_USER.
set -euo pipefail

PG_MIN_MAJOR=${SAMPARK_PG_MIN_MAJOR:-15}
PG_OS_USER=${SAMPARK_PG_OS_USER:-sampark-ci}
DB_NAME=sampark
DB_ROLE=sampark
START_TIMEOUT=60

log() { printf '[postgres] %s\n' "$*"; }
die() {
    printf '[postgres] ERROR: %s\n' "$*" >&2
    exit 1
}

if (($# == 0)); then
    die "usage: $0 COMMAND [ARG...]   (runs COMMAND with SAMPARK_DATABASE_URL set)"
fi

# libpq reads these; the caller's values must not leak into our connections or into the tests'.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGPASSFILE PGSERVICE \
    PGSERVICEFILE PGOPTIONS PGSSLMODE PGDATA PGAPPNAME PGTARGETSESSIONATTRS || true

is_root() { [[ $EUID -eq 0 ]]; }

# --- Finding or installing PostgreSQL --------------------------------------------------------

# Prints the bin directory of the newest Debian PostgreSQL >= PG_MIN_MAJOR, or nothing.
find_bindir() {
    if [[ -n ${SAMPARK_PG_BINDIR:-} ]]; then
        printf '%s\n' "$SAMPARK_PG_BINDIR"
        return
    fi
    local dir major best="" best_major=0
    for dir in /usr/lib/postgresql/*/bin; do
        major=${dir#/usr/lib/postgresql/}
        major=${major%/bin}
        [[ $major =~ ^[0-9]+$ ]] || continue
        local tool complete=1
        for tool in postgres initdb pg_ctl pg_isready psql; do
            [[ -x $dir/$tool ]] || complete=0
        done
        ((complete)) || continue
        if ((major >= PG_MIN_MAJOR && major > best_major)); then
            best=$dir
            best_major=$major
        fi
    done
    if [[ -n $best ]]; then
        printf '%s\n' "$best"
    fi
}

apt_get() {
    DEBIAN_FRONTEND=noninteractive apt-get -q \
        -o DPkg::Lock::Timeout=300 \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "$@" </dev/null
}

install_postgres() {
    is_root || die "PostgreSQL >= $PG_MIN_MAJOR was not found under /usr/lib/postgresql and" \
        "we are not root, so it cannot be installed here. Install Debian's 'postgresql'" \
        "package, or point SAMPARK_PG_BINDIR at a PostgreSQL bin directory."
    command -v apt-get >/dev/null || die "PostgreSQL is missing and there is no apt-get."
    log "PostgreSQL >= $PG_MIN_MAJOR not found; installing Debian's package with apt-get"
    if [[ ${SAMPARK_CI_APT_UPDATED:-} != 1 ]]; then
        local attempt
        for attempt in 1 2 3; do
            if apt_get update; then
                break
            fi
            ((attempt < 3)) || die "apt-get update failed three times"
            log "apt-get update failed (attempt $attempt); retrying in 10 s"
            sleep 10
        done
        export SAMPARK_CI_APT_UPDATED=1
    fi
    # `postgresql` is the distribution's supported major (15 on Debian 12). Its client package
    # brings psql and pg_isready into the same bin directory.
    apt_get install -y --no-install-recommends postgresql postgresql-client
}

BINDIR=$(find_bindir)
if [[ -z $BINDIR ]]; then
    install_postgres
    BINDIR=$(find_bindir)
    [[ -n $BINDIR ]] || die "PostgreSQL was installed but no bin directory >= $PG_MIN_MAJOR" \
        "was found under /usr/lib/postgresql"
fi
for tool in postgres initdb pg_ctl pg_isready psql; do
    [[ -x $BINDIR/$tool ]] || die "$BINDIR/$tool is missing or not executable"
done
log "binaries: $BINDIR"
log "server:   $("$BINDIR/postgres" --version)"
log "client:   $("$BINDIR/psql" --version)"

# --- The throwaway cluster -------------------------------------------------------------------

ensure_os_user() {
    if id -u "$PG_OS_USER" >/dev/null 2>&1; then
        return
    fi
    log "creating system user $PG_OS_USER to run the server (PostgreSQL refuses to run as root)"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$PG_OS_USER" ||
        id -u "$PG_OS_USER" >/dev/null 2>&1 || # another run may have created it meanwhile
        die "could not create the system user $PG_OS_USER"
}

# The server side runs in the work directory, as PG_OS_USER when we are root.
as_pg() {
    if is_root; then
        (cd "$WORK" && runuser -u "$PG_OS_USER" -- "$@")
    else
        (cd "$WORK" && "$@")
    fi
}

WORK=""
SERVER_STARTED=0

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
    local rc=$?
    set +e
    if [[ -n $WORK && -d $WORK ]]; then
        if ((SERVER_STARTED)) && [[ -f $WORK/data/postmaster.pid ]]; then
            log "stopping the server"
            as_pg "$BINDIR/pg_ctl" -D "$WORK/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
                as_pg "$BINDIR/pg_ctl" -D "$WORK/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
                log "WARNING: pg_ctl could not stop the server in $WORK/data"
        fi
        rm -rf -- "$WORK"
        log "removed $WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if is_root; then
    ensure_os_user
    # Every directory above the cluster must be enterable by PG_OS_USER, so not $TMPDIR
    # (which may sit under /root).
    WORK=$(mktemp -d /tmp/sampark-pg.XXXXXX)
    chown "$PG_OS_USER:" "$WORK"
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/sampark-pg.XXXXXX")
fi
chmod 0700 "$WORK"
as_pg test -w "$WORK" || die "$WORK is not writable by the server's user"

# Both halves of the C.UTF-8 locale are in glibc itself: UTF-8 with Unicode case mapping
# (UPPER/LOWER on non-ASCII text, which Django's iexact relies on) without a locale package.
locale_args=(--encoding=UTF8 --locale=C.UTF-8)
if ! locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
    log "WARNING: no C.UTF-8 locale; using the C locale with UTF8 encoding"
    locale_args=(--encoding=UTF8 --no-locale)
fi

log "initdb in $WORK/data"
if ! as_pg "$BINDIR/initdb" --pgdata="$WORK/data" --username=postgres \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync "${locale_args[@]}" \
    >"$WORK/initdb.log" 2>&1; then
    cat "$WORK/initdb.log" >&2
    die "initdb failed"
fi
as_pg mkdir -m 0700 "$WORK/run"

free_port() {
    python3 - <<'PY'
import socket

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
PY
}

# pytest -n auto starts one worker per CPU; each holds a small pool (up to SAMPARK_DB_POOL_SIZE,
# default 20) plus the connection used to create its test database.
cpus=$(nproc 2>/dev/null || echo 4)
max_connections=$((cpus * 25 + 20))
((max_connections >= 100)) || max_connections=100
((max_connections <= 2000)) || max_connections=2000

PORT=""
for attempt in 1 2 3; do
    PORT=$(free_port)
    # The base settings from initdb stay; ours come last, so they win.
    as_pg tee "$WORK/data/sampark-ci.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$WORK/run'
max_connections = $max_connections
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
CONF
    if ! grep -q "^include_if_exists = 'sampark-ci.conf'" "$WORK/data/postgresql.conf"; then
        printf "\ninclude_if_exists = 'sampark-ci.conf'\n" |
            as_pg tee -a "$WORK/data/postgresql.conf" >/dev/null
    fi
    log "starting the server on 127.0.0.1:$PORT (max_connections=$max_connections)"
    SERVER_STARTED=1
    if as_pg "$BINDIR/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -t "$START_TIMEOUT" \
        start >/dev/null; then
        break
    fi
    log "the server did not start; its log:"
    cat "$WORK/server.log" >&2 || true
    if grep -q 'could not bind' "$WORK/server.log" 2>/dev/null && ((attempt < 3)); then
        log "port $PORT was taken meanwhile; trying another"
        as_pg "$BINDIR/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
        continue
    fi
    die "PostgreSQL failed to start"
done

ready=0
for _ in $(seq 1 "$START_TIMEOUT"); do
    if "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PORT" -d postgres; then
        ready=1
        break
    fi
    sleep 1
done
if ((!ready)); then
    cat "$WORK/server.log" >&2 || true
    die "the server did not accept TCP connections on 127.0.0.1:$PORT within ${START_TIMEOUT}s"
fi

PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
as_pg "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -v role="$DB_ROLE" -v db="$DB_NAME" \
    -v pw="$PASSWORD" -h "$WORK/run" -p "$PORT" -U postgres -d postgres <<'SQL'
CREATE ROLE :"role" LOGIN CREATEDB PASSWORD :'pw';
CREATE DATABASE :"db" OWNER :"role";
SQL

# Check the very path the tests use: TCP, password, our role.
server_version=$(PGPASSWORD=$PASSWORD PGCONNECT_TIMEOUT=10 "$BINDIR/psql" -X -A -t -q \
    -h 127.0.0.1 -p "$PORT" -U "$DB_ROLE" -d "$DB_NAME" -c 'SELECT version()')
log "connected as $DB_ROLE over TCP: $server_version"

export SAMPARK_DATABASE_URL="postgres://$DB_ROLE:$PASSWORD@127.0.0.1:$PORT/$DB_NAME"
log "SAMPARK_DATABASE_URL=postgres://$DB_ROLE:***@127.0.0.1:$PORT/$DB_NAME"
log "running: $*"

rc=0
"$@" || rc=$?

if ((rc != 0)); then
    log "the command exited with status $rc; last lines of the server log:"
    tail -n 40 "$WORK/server.log" || true
fi
exit "$rc"
