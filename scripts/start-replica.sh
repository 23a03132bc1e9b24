#!/usr/bin/env bash
# A PostgreSQL 15 primary and one streaming replica of it on this machine, for trying and testing
# DATABASE_READ_URL (docs/deployment.md). Debian's PostgreSQL 15 and PostGIS 3
# (/usr/lib/postgresql/15/bin); both clusters live under one folder of their own and listen on
# 127.0.0.1 on ports of their own, so a cluster started by ../shared/scripts/start-postgis.sh
# (Debian's 15/main on 5432) is left alone.
#
#   scripts/start-replica.sh [start] [--export]  make (first time) and start both; print the URLs
#   scripts/start-replica.sh pause               pause the replica's replay: it lags from now on
#   scripts/start-replica.sh resume              resume the replay: it catches up
#   scripts/start-replica.sh stop-replica        stop the replica only (reads fall back to the primary)
#   scripts/start-replica.sh stop                stop both
#   scripts/start-replica.sh remove              stop both and delete the folder
#
# `start` is idempotent: it makes what is missing and starts what is stopped. It prints the primary's
# URL and the replica's URL on its last two lines (with --export, as `export TEST_DATABASE_URL=…` and
# `export TEST_DATABASE_READ_URL=…`, the variables test/integration/replicas.test.ts reads).
# Settings: SAFEGROUND_REPLICA_DIR (default /tmp/safeground-replica), SAFEGROUND_REPLICA_PORTS
# (default "5442 5443"), PGTEST_DB (default safeground_test). Needs root (it runs PostgreSQL as the
# postgres user) as CI does here; trust authentication on 127.0.0.1 only: not for production.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
dir=${SAFEGROUND_REPLICA_DIR:-/tmp/safeground-replica}
read -r primary_port replica_port <<<"${SAFEGROUND_REPLICA_PORTS:-5442 5443}"
db=${PGTEST_DB:-safeground_test}
primary="$dir/primary"
replica="$dir/replica"
action=start
export_form=0
for a in "$@"; do
  case "$a" in
    --export) export_form=1 ;;
    start | pause | resume | stop-replica | stop | remove) action=$a ;;
    *) echo "usage: $0 [start|pause|resume|stop-replica|stop|remove] [--export]" >&2; exit 2 ;;
  esac
done

as_pg() { su postgres -s /bin/bash -c "$*"; }
running() { [ -f "$1/postmaster.pid" ] && as_pg "$bin/pg_ctl -D '$1' status" >/dev/null 2>&1; }
stop_cluster() { if running "$1"; then as_pg "$bin/pg_ctl -D '$1' -m fast -w stop" >/dev/null; fi; }
sql_on() { as_pg "$bin/psql -h 127.0.0.1 -p $1 -U postgres -d postgres -qAtX -c \"$2\""; }

case "$action" in
  pause) sql_on "$replica_port" 'select pg_wal_replay_pause()' >/dev/null; echo "replica replay paused"; exit 0 ;;
  resume) sql_on "$replica_port" 'select pg_wal_replay_resume()' >/dev/null; echo "replica replay resumed"; exit 0 ;;
  stop-replica) stop_cluster "$replica"; echo "replica stopped"; exit 0 ;;
  stop) stop_cluster "$replica"; stop_cluster "$primary"; echo "primary and replica stopped"; exit 0 ;;
  remove) stop_cluster "$replica"; stop_cluster "$primary"; rm -rf "$dir"; echo "removed $dir"; exit 0 ;;
esac

export DEBIAN_FRONTEND=noninteractive
if ! dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  apt-get install -y -qq postgresql-15 postgresql-15-postgis-3 >/dev/null
fi
mkdir -p "$dir"
chown postgres:postgres "$dir"
chmod 700 "$dir"

# The primary: a cluster of its own that allows streaming replication from 127.0.0.1.
if [ ! -f "$primary/PG_VERSION" ]; then
  as_pg "$bin/initdb -D '$primary' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >/dev/null
  cat >>"$primary/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $primary_port
unix_socket_directories = '$dir'
wal_level = replica
max_wal_senders = 5
hot_standby = on
# The replica stays usable after a pause: the primary keeps the WAL it has not yet replayed.
wal_keep_size = '512MB'
EOF
  echo "host replication postgres 127.0.0.1/32 trust" >>"$primary/pg_hba.conf"
fi
if ! running "$primary"; then
  as_pg "$bin/pg_ctl -D '$primary' -l '$dir/primary.log' -w start" >/dev/null
fi
sql_on "$primary_port" "select 1 from pg_roles where rolname = 'root'" | grep -q 1 \
  || sql_on "$primary_port" 'create role root superuser login' >/dev/null
sql_on "$primary_port" "select 1 from pg_database where datname = '$db'" | grep -q 1 \
  || sql_on "$primary_port" "create database $db owner root" >/dev/null
as_pg "$bin/psql -h 127.0.0.1 -p $primary_port -U postgres -d $db -qAtX -c 'set client_min_messages = warning' -c 'create extension if not exists postgis'" >/dev/null

# The replica: a base backup of the primary that follows it (-R writes primary_conninfo and
# standby.signal), on its own port.
if [ ! -f "$replica/PG_VERSION" ]; then
  as_pg "$bin/pg_basebackup -h 127.0.0.1 -p $primary_port -U postgres -D '$replica' -R -X stream -c fast" >/dev/null
  cat >>"$replica/postgresql.conf" <<EOF
port = $replica_port
EOF
fi
if ! running "$replica"; then
  as_pg "$bin/pg_ctl -D '$replica' -l '$dir/replica.log' -w start" >/dev/null
fi
for _ in $(seq 1 30); do
  [ "$(sql_on "$replica_port" "select 1 from pg_database where datname = '$db'" 2>/dev/null)" = 1 ] && break
  sleep 1
done

primary_url="postgresql://root@127.0.0.1:$primary_port/$db"
replica_url="postgresql://root@127.0.0.1:$replica_port/$db"
if [ "$export_form" = 1 ]; then
  echo "export TEST_DATABASE_URL='$primary_url'"
  echo "export TEST_DATABASE_READ_URL='$replica_url'"
else
  echo "$primary_url"
  echo "$replica_url"
fi
