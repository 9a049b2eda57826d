#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and benchmarks, without systemd:
#   scripts/postgres.sh start DIR PORT   installs PostgreSQL from Debian if missing, creates a cluster in DIR (initdb),
#                                        starts it on 127.0.0.1:PORT, creates the database madoguchi_test
#   scripts/postgres.sh stop DIR         stops it (fast)
#   scripts/postgres.sh restart DIR      stops it and starts it again on the same port
# As root (a container), the server runs as the postgres user (initdb refuses root). Prints nothing on success but
# the URL of the test database on `start`.
set -euo pipefail
action=${1:?start, stop or restart}
dir=${2:?cluster directory}

pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$found" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq postgresql >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }
    found=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
  echo "$found"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bin=$(pg_bin)
case "$action" in
  start)
    port=${3:?port}
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    echo "$port" > "$dir/port"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir/port"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
    psql -h 127.0.0.1 -p "$port" -U postgres -qtAc "SELECT 1 FROM pg_database WHERE datname = 'madoguchi_test'" | grep -q 1 \
      || psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE madoguchi_test"
    echo "postgres://postgres@127.0.0.1:$port/madoguchi_test"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  restart)
    port=$(cat "$dir/port")
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
    ;;
  *) echo "unknown action $action" >&2; exit 2 ;;
esac
