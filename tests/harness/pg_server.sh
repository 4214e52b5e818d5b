#!/bin/sh
# SPDX-License-Identifier: MIT
# Run a command against a PostgreSQL server of its own: initdb in a new
# temporary folder, postgres listening on a Unix socket in that folder only
# (no TCP), the command run with B2B2C_PG_CONNINFO set, then the server
# stopped and the folder removed, also when the command fails or the test
# is killed (INT, TERM, HUP). Exit status: the command's, or 77 (meson's
# SKIP) when the server binaries are not installed.
#
# usage: pg_server.sh COMMAND [ARG...]
#        pg_server.sh --for-pid PID
# The second form starts the server, prints its conninfo on one line and
# returns at once, leaving a watcher that stops the server and removes the
# folder as soon as process PID has ended, however it ends (the C tests
# start their server this way, so that valgrind runs on them, not on sh).
# The binaries come from $B2B2C_PG_BINDIR when it is set (nothing else is
# tried then), else `pg_config --bindir`, else the newest
# /usr/lib/postgresql/*/bin (Debian's postgresql package).
# initdb and postgres refuse to run as root: as root they run as the
# `postgres` user (runuser), which owns the temporary folder.
set -u
for_pid=
if [ "${1:-}" = "--for-pid" ]; then
    for_pid=${2:?usage: pg_server.sh --for-pid PID}
fi

bindir=${B2B2C_PG_BINDIR:-}
if [ -z "${B2B2C_PG_BINDIR+set}" ]; then
    if command -v pg_config >/dev/null 2>&1; then
        bindir=$(pg_config --bindir 2>/dev/null)
    fi
    if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
        bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    fi
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_ctl" ]; then
    echo "SKIP: PostgreSQL server binaries (initdb, pg_ctl, postgres) not found;" \
         "install Debian's postgresql package or set B2B2C_PG_BINDIR"
    exit 77
fi

as_owner() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "SKIP: running as root and there is no postgres user to run the server"
        exit 77
    fi
    runuser=$(command -v runuser || echo /usr/sbin/runuser)
    as_owner() { "$runuser" -u postgres -- "$@"; }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/b2b2c_pg.XXXXXX") || exit 1
chmod 755 "$tmp"
[ "$(id -u)" -eq 0 ] && chown postgres "$tmp"
data=$tmp/data
started=0
child=
stop() {
    [ -n "$child" ] && kill -KILL "$child" 2>/dev/null
    if [ $started -eq 1 ]; then
        as_owner "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1
        started=0
    fi
    rm -rf "$tmp"
}
trap 'stop' EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap 'stop; exit 129' HUP

if ! as_owner "$bindir/initdb" -D "$data" -U b2b2c -A trust -E UTF8 \
        --locale=C >"$tmp/initdb.log" 2>&1; then
    cat "$tmp/initdb.log"
    echo "FAIL: initdb"
    exit 1
fi
# fsync off unless B2B2C_PG_FSYNC=on (the benchmark does): the tests kill
# clients, not the server, so the server's own durability is not what they
# test, and fsync would make them slow.
started=1
if ! as_owner "$bindir/pg_ctl" -D "$data" -l "$tmp/server.log" -w -t 60 \
        -o "-k $tmp -c listen_addresses='' -c fsync=${B2B2C_PG_FSYNC:-off} -c max_connections=40" \
        start >/dev/null 2>&1; then
    cat "$tmp/server.log"
    echo "FAIL: the server did not start"
    exit 1
fi
B2B2C_PG_CONNINFO="host=$tmp user=b2b2c dbname=postgres"
export B2B2C_PG_CONNINFO
if [ -n "$for_pid" ]; then
    # a subshell starts with default traps: it stops the server itself
    (trap '' HUP INT
     while kill -0 "$for_pid" 2>/dev/null; do sleep 0.2; done
     stop) </dev/null >/dev/null 2>&1 &
    trap - EXIT INT TERM HUP
    echo "$B2B2C_PG_CONNINFO"
    exit 0
fi
# in the background, so that a signal to this script is handled at once
"$@" &
child=$!
wait "$child"
rc=$?
child=
exit $rc
