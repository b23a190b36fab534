#!/usr/bin/env bash
# A throwaway PostgreSQL server for the SQL-source tests (tests/test_warehouse.py).
#
#   bash .ci/postgres.sh [ENV_FILE]     install if absent, start, create role + database,
#                                       print (or write to ENV_FILE) the `export PG...` lines
#   bash .ci/postgres.sh stop           stop the server again
#
# Idempotent; run as root with no stdin on Debian 12. The cluster lives in its own data
# folder ($RELEVANCE_PG_DIR, default /tmp/relevance-pg), listens on 127.0.0.1 only (port
# $RELEVANCE_PG_PORT, default 54329) plus a Unix socket inside the data folder, and is
# independent of Debian's own clusters (none is created or started by this script).
# Local socket connections (postgres user only: the folder is 0700) are trusted; TCP needs
# a password (scram-sha-256): random, made once and kept in the data folder.
set -euo pipefail

DIR="${RELEVANCE_PG_DIR:-/tmp/relevance-pg}"
PORT="${RELEVANCE_PG_PORT:-54329}"
ROLE="${RELEVANCE_PG_ROLE:-relevance_test}"
DB="${RELEVANCE_PG_DB:-relevance_test}"
DATA="$DIR/data"
LOG="$DIR/server.log"

log() { echo "postgres.sh: $*" >&2; }

pg_bin() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$found" ] && [ -x "$found/initdb" ] && echo "$found"
}

as_postgres() { runuser -u postgres -- "$@"; }

BIN=$(pg_bin || true)

if [ "${1:-}" = "stop" ]; then
    if [ -n "$BIN" ] && [ -f "$DATA/postmaster.pid" ]; then
        as_postgres "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
    fi
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    log "run as root (it installs packages and starts the server as the postgres user)"
    exit 1
fi

started=$(date +%s)
if [ -z "$BIN" ]; then
    log "installing Debian's PostgreSQL server"
    # Keep Debian's packaging from creating and starting its own 'main' cluster on 5432.
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/relevance-ci.conf
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    BIN=$(pg_bin)
    log "installed $("$BIN/postgres" --version) in $(($(date +%s) - started)) s"
fi

mkdir -p "$DIR"
chown postgres:postgres "$DIR"
chmod 0700 "$DIR"

if [ ! -f "$DATA/PG_VERSION" ]; then
    log "initialising a cluster in $DATA"
    as_postgres "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust \
        --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$DATA/postgresql.conf" <<EOF
# relevance CI: loopback only, small and fast, nothing durable
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
work_mem = 64MB
max_connections = 50
EOF
    # Replace the default access rules: Unix socket for the postgres user, password on TCP.
    cat >"$DATA/pg_hba.conf" <<EOF
local all postgres trust
host  all all 127.0.0.1/32 scram-sha-256
EOF
fi

if ! as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        log "port $PORT is already taken by another program; set RELEVANCE_PG_PORT to a free port"
        exit 1
    fi
    as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null ||
        { log "server did not start; its log:"; tail -n 30 "$LOG" >&2; exit 1; }
fi

# A random password, made once per data folder and kept there (root and postgres only).
if [ ! -s "$DIR/password" ]; then
    (umask 077 && head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$DIR/password")
fi
PASSWORD=$(cat "$DIR/password")
psql_admin() { as_postgres "$BIN/psql" -h "$DATA" -p "$PORT" -U postgres -d postgres -qtA -v ON_ERROR_STOP=1 "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
    psql_admin -c "CREATE ROLE \"$ROLE\" LOGIN"
fi
psql_admin -c "ALTER ROLE \"$ROLE\" PASSWORD '$PASSWORD'"
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
    psql_admin -c "CREATE DATABASE \"$DB\" OWNER \"$ROLE\""
fi
log "ready on 127.0.0.1:$PORT (database $DB, role $ROLE) after $(($(date +%s) - started)) s"

ENV_LINES="export PGHOST=127.0.0.1
export PGPORT=$PORT
export PGUSER=$ROLE
export PGPASSWORD=$PASSWORD
export PGDATABASE=$DB"
if [ -n "${1:-}" ]; then
    (umask 077 && printf '%s\n' "$ENV_LINES" >"$1")
    log "wrote the environment to $1 (source it before pytest)"
else
    printf '%s\n' "$ENV_LINES"
fi
