#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, CI and the load benchmark.
#
#   scripts/postgres.sh start    find (or, as root, apt-get install) PostgreSQL, initdb a
#                                cluster under var/pg, start it on a free local port, create
#                                the database; print its SQLAlchemy URL on stdout
#   scripts/postgres.sh url      print the running cluster's URL
#   scripts/postgres.sh status   exit 0 if it runs
#   scripts/postgres.sh stop     stop it (the files stay, for a faster next start)
#   scripts/postgres.sh destroy  stop it and delete its files
#
# Environment: PG_DIR (default var/pg), PG_DATABASE (default callcentre), PG_PORT (default: a
# free one). Everything but the URL goes to stderr, so `URL=$(scripts/postgres.sh start)` works.
#
# The cluster trusts local connections and runs with fsync off: it is for tests, never data
# anyone wants back. initdb and postgres refuse to run as root, so as root the cluster runs as
# the `postgres` system user (created if missing).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PG_DIR="${PG_DIR:-$ROOT/var/pg}"
PG_DATABASE="${PG_DATABASE:-callcentre}"
PG_USER=postgres  # the superuser initdb creates (tests create one database per run)

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# The newest server binaries: pg_ctl on PATH, else Debian's versioned directories.
find_bindir() {
    local pg_ctl dir
    if pg_ctl="$(command -v pg_ctl 2>/dev/null)"; then
        dir="$(dirname "$(readlink -f "$pg_ctl")")"
        if [[ -x "$dir/initdb" && -x "$dir/postgres" ]]; then
            echo "$dir"
            return 0
        fi
    fi
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
        echo "$dir"
        return 0
    fi
    return 1
}

install_postgres() {
    [[ "$(id -u)" == 0 ]] || die "PostgreSQL is not installed; install it (Debian: apt-get install postgresql) or run this as root"
    command -v apt-get >/dev/null || die "PostgreSQL is not installed and there is no apt-get"
    log "installing PostgreSQL with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # Debian's package would also create and start a cluster of its own; we only want the
    # binaries, so tell its scripts not to start services.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    apt-get install -y -qq --no-install-recommends postgresql >&2 || {
        rm -f /usr/sbin/policy-rc.d
        die "apt-get install postgresql failed"
    }
    rm -f /usr/sbin/policy-rc.d
}

BINDIR="$(find_bindir || true)"

# As root, run the server's tools as the `postgres` user; otherwise as ourselves.
as_owner() {
    if [[ "$(id -u)" == 0 ]]; then
        runuser -u "$PG_USER" -- "$@"
    else
        "$@"
    fi
}

ensure_owner() {
    [[ "$(id -u)" == 0 ]] || return 0
    if ! id -u "$PG_USER" >/dev/null 2>&1; then
        log "creating system user $PG_USER"
        useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash "$PG_USER"
    fi
}

# The cluster's files must be reachable by its owner; a checkout under a private home
# directory is not, so then the files live in /tmp instead (still one cluster per checkout).
resolve_dir() {
    if [[ "$(id -u)" == 0 ]]; then
        ensure_owner
        mkdir -p "$(dirname "$PG_DIR")"
        if ! runuser -u "$PG_USER" -- test -x "$(dirname "$PG_DIR")"; then
            PG_DIR="/tmp/callcentre-pg-$(printf '%s' "$PG_DIR" | md5sum | cut -c1-12)"
            log "$PG_USER cannot reach the checkout; using $PG_DIR"
        fi
    fi
    DATA="$PG_DIR/data"
    RUN="$PG_DIR/run"
    LOGFILE="$PG_DIR/server.log"
}

free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 20000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    die "no free port found"
}

running_port() {
    # postmaster.pid's fourth line is the port it listens on.
    [[ -f "$DATA/postmaster.pid" ]] && sed -n 4p "$DATA/postmaster.pid"
}

is_running() {
    [[ -n "$BINDIR" && -f "$DATA/postmaster.pid" ]] && as_owner "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

url() {
    echo "postgresql+psycopg://$PG_USER@127.0.0.1:$(running_port)/$PG_DATABASE"
}

start() {
    if [[ -z "$BINDIR" ]]; then
        install_postgres
        BINDIR="$(find_bindir)" || die "PostgreSQL installed but its binaries were not found"
    fi
    resolve_dir
    if is_running; then
        log "already running on port $(running_port)"
        url
        return 0
    fi
    mkdir -p "$PG_DIR"
    [[ "$(id -u)" == 0 ]] && chown "$PG_USER:" "$PG_DIR"
    if [[ ! -f "$DATA/PG_VERSION" ]]; then
        log "initdb $DATA ($("$BINDIR/postgres" --version))"
        as_owner "$BINDIR/initdb" -D "$DATA" -U "$PG_USER" --auth=trust --encoding=UTF8 \
            --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 || {
            cat "$PG_DIR/initdb.log" >&2
            die "initdb failed"
        }
    fi
    as_owner mkdir -p "$RUN"
    rm -f "$DATA/postmaster.pid"  # left by a killed server; is_running said none runs
    local port="${PG_PORT:-$(free_port)}"
    # Throwaway settings: durability off (tests recreate everything), room for the
    # connections of many test apps and load-test processes at once.
    # (pg_ctl hands -o to a shell command line: one line, no newlines.)
    local opts="-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$RUN"
    opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    opts+=" -c max_connections=300 -c shared_buffers=64MB"
    as_owner "$BINDIR/pg_ctl" -D "$DATA" -l "$LOGFILE" -w -t 60 start -o "$opts" >&2 || {
        tail -n 20 "$LOGFILE" >&2 || true
        die "the server did not start"
    }
    if ! as_owner "$BINDIR/psql" -h "$RUN" -p "$port" -U "$PG_USER" -d postgres -tAc \
            "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'" | grep -q 1; then
        as_owner "$BINDIR/createdb" -h "$RUN" -p "$port" -U "$PG_USER" "$PG_DATABASE"
    fi
    log "running on 127.0.0.1:$port, files in $PG_DIR"
    url
}

stop() {
    resolve_dir
    if is_running; then
        as_owner "$BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >&2
    else
        log "not running"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) if [[ -n "$BINDIR" ]]; then stop; else log "not installed"; fi ;;
    url) resolve_dir; is_running || die "not running"; url ;;
    status) resolve_dir; is_running ;;
    destroy) if [[ -n "$BINDIR" ]]; then stop; fi; resolve_dir; rm -rf "$PG_DIR" ;;
    *) die "usage: $0 start|stop|url|status|destroy" ;;
esac
