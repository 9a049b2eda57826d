#!/usr/bin/env bash
# Issue and call-next throughput with p50/p99: SQLite on one node (the baseline), then PostgreSQL on one node, then
# PostgreSQL on two nodes, in one run on this machine; and the time from a call on node A to the event on node B.
# Everything on 127.0.0.1 (wrk, the nodes and PostgreSQL share the machine's cores). Bounded: DURATION seconds per
# workload, 200 calls for the cross-node latency.
# Usage: bench/multinode.sh [DURATION]   (needs wrk; PostgreSQL comes from scripts/postgres.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product madoguchi >/dev/null
BIN="$(swift build -c release --show-bin-path)/madoguchi"
WORK=$(mktemp -d)
PG_DIR=$(mktemp -d /tmp/madoguchi-bench-pg.XXXXXX)  # its own folder: the postgres user must reach it
PG_URL=$(scripts/postgres.sh start "$PG_DIR" "${BENCH_PG_PORT:-55480}")
PG_BASE=${PG_URL%/*}
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; scripts/postgres.sh stop "$PG_DIR" 2>/dev/null || true; rm -rf "$WORK" "$PG_DIR"' EXIT

# The demo city plus 20 counters k1..k20 at chuo serving every procedure (as bench/run.sh).
python3 bench/chuo20.py "$WORK/chuo.yaml"

seed() {  # db URL: the demo city, chuo's k1..k20, a staff token (printed)
  local db=$1 port=$2
  "$BIN" serve --db "$db" --port "$port" --demo --demo-history-weeks 0 >"$WORK/seed.log" 2>&1 &
  local pid=$!
  until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do sleep 0.1; done
  kill -TERM $pid; wait $pid || true
  "$BIN" import --db "$db" "$WORK/chuo.yaml" >/dev/null 2>&1
  "$BIN" token create --db "$db" --role staff --office chuo --name bench
}

NODES=""
serve() {  # db URL, port: a node with the look-up limit lifted (the benchmark measures the work)
  "$BIN" serve --db "$1" --port "$2" --lookup-burst 100000000 --lookups-per-second 100000000 --issues-per-hour 1000000 >>"$WORK/server-$2.log" 2>&1 &
  NODES="$NODES $!"
  until curl -sf "http://127.0.0.1:$2/health" >/dev/null; do sleep 0.1; done
}

open_counters() {  # port
  for i in $(seq 1 20); do
    curl -sf -X POST -H "Authorization: Bearer $BENCH_TOKEN" "http://127.0.0.1:$1/api/v1/offices/chuo/counters/k$i/open" >/dev/null
  done
}

wrk_line() {  # lua script, wrk args...: "req/s=… p50_ms=… p99_ms=…"
  local script=$1; shift
  local line
  line=$(wrk --latency -d "${DURATION}s" -s "$script" "$@" 2>&1 | grep RESULT || echo "RESULT failed")
  echo "${line#RESULT }"
}

row() { printf "%-66s %s\n" "$1" "$2"; }
stop_nodes() { kill $NODES 2>/dev/null || true; wait $NODES 2>/dev/null || true; NODES=""; }

echo "madoguchi release build, $(nproc) cores, ${DURATION}s per workload, 127.0.0.1; PostgreSQL $(psql --version | awk '{print $3}') on the same machine"
export BENCH_SPREAD=city

one_node() {  # label, database to seed, database URL to serve, port: issue and call-next on one node
  export BENCH_TOKEN=$(seed "$2" "$4")
  serve "$3" "$4"
  open_counters "$4"
  [ "$1" = SQLite ] && row "GET /health/live (ceiling), 64 conns" "$(wrk_line bench/report.lua -t2 -c64 "http://127.0.0.1:$4/health/live")"
  row "$1, one node: issue, city-wide, 64 conns" "$(wrk_line bench/issue.lua -t2 -c64 "http://127.0.0.1:$4")"
  row "$1, one node: call-next + complete, 20 consoles" "$(wrk_line bench/callnext.lua -t20 -c20 "http://127.0.0.1:$4")"
  stop_nodes
}

# 1. SQLite, one node: the baseline. 2. PostgreSQL, one node.
one_node SQLite "sqlite:$WORK/bench.sqlite" "sqlite:$WORK/bench.sqlite" 18090
psql "$PG_URL" -qc "CREATE DATABASE bench1" >/dev/null
one_node PostgreSQL "$PG_BASE/bench1" "$PG_BASE/bench1?pool=16" 18091

# 3. PostgreSQL, two nodes on one database: each node gets half the load at once.
psql "$PG_URL" -qc "CREATE DATABASE bench2" >/dev/null
export BENCH_TOKEN=$(seed "$PG_BASE/bench2" 18092)
serve "$PG_BASE/bench2?pool=16" 18092
serve "$PG_BASE/bench2?pool=16" 18093
open_counters 18092
# From a call on node A to the event on node B, first, while the lines are short.
python3 bench/crossnode.py http://127.0.0.1:18092 http://127.0.0.1:18093 "$BENCH_TOKEN" 200
BENCH_NODE=a wrk_line bench/issue.lua -t1 -c32 http://127.0.0.1:18092 >"$WORK/a.txt" &
A=$!
BENCH_NODE=b wrk_line bench/issue.lua -t1 -c32 http://127.0.0.1:18093 >"$WORK/b.txt" &
wait $A $!
row "PostgreSQL, two nodes: issue, node A, 32 conns" "$(cat "$WORK/a.txt")"
row "PostgreSQL, two nodes: issue, node B, 32 conns" "$(cat "$WORK/b.txt")"
BENCH_COUNTER_BASE=0 wrk_line bench/callnext.lua -t10 -c10 http://127.0.0.1:18092 >"$WORK/a.txt" &
A=$!
BENCH_COUNTER_BASE=10 wrk_line bench/callnext.lua -t10 -c10 http://127.0.0.1:18093 >"$WORK/b.txt" &
wait $A $!
row "PostgreSQL, two nodes: call-next + complete, node A, 10 consoles" "$(cat "$WORK/a.txt")"
row "PostgreSQL, two nodes: call-next + complete, node B, 10 consoles" "$(cat "$WORK/b.txt")"
stop_nodes
