#!/usr/bin/env bash
# Loads a release build on 127.0.0.1 with wrk and prints req/s, p50 and p99 for each workload, with a bare
# GET /health/live (touches nothing) in the same run as the machine's ceiling. Bounded: DURATION seconds per workload.
# Usage: bench/run.sh [DURATION]   (needs wrk: apt-get install wrk; BENCH_SERVER=path runs another build of the server)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
PORT=${BENCH_PORT:-18080}
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product madoguchi >/dev/null
BIN="$(swift build -c release --show-bin-path)/madoguchi"
BIN=${BENCH_SERVER:-$BIN}  # another build of the server, for a before/after run
WORK=$(mktemp -d)
DB="sqlite:$WORK/bench.sqlite"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Chuo with 20 counters k1..k20 that serve every procedure, for the call-next workload.
source bench/seed.sh
export BENCH_TOKEN=$(seed_chuo20 "$BIN" "$DB" "$PORT" "$WORK")

# The look-up limit would cap the GET workload at 10/s from wrk's one address; the benchmark measures the work.
"$BIN" serve --db "$DB" --port "$PORT" --lookup-burst 100000000 --lookups-per-second 100000000 --issues-per-hour 1000000 >"$WORK/server.log" 2>&1 &
SERVER=$!
until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do sleep 0.1; done
for i in $(seq 1 20); do
  curl -sf -X POST -H "Authorization: Bearer $BENCH_TOKEN" "http://127.0.0.1:$PORT/api/v1/offices/chuo/counters/k$i/open" >/dev/null
done

wait_idle "$SERVER"  # the server learns from its history when it starts
export BENCH_SPREAD=city
run() {  # name, lua script, wrk args...
  local name=$1 script=$2; shift 2
  local line
  line=$(wrk --latency -d "${DURATION}s" -s "$script" "$@" 2>&1 | grep RESULT || echo "RESULT failed")
  printf "%-44s %s\n" "$name" "${line#RESULT }"
}

echo "madoguchi release build ($BIN), $(nproc) cores, ${DURATION}s per workload, 127.0.0.1"
get_ticket() {
  local token position
  read -r token position < <(curl -sf -X POST -d '{"service":"certificates","channel":"web"}' "http://127.0.0.1:$PORT/api/v1/offices/chuo/tickets" | python3 -c 'import json,sys; t = json.load(sys.stdin); print(t["token"], t["position"])')
  run "GET /api/v1/tickets/{token} (#$position in line)" bench/report.lua -t2 -c64 "http://127.0.0.1:$PORT/api/v1/tickets/$token"
}

run "GET /health/live (ceiling), 64 conns" bench/report.lua -t2 -c64 "http://127.0.0.1:$PORT/health/live"

# One line, from empty and from 20,000 waiting: the cost of issuing must not grow with the people ahead.
waiting() {  # how many wait in kita's certificates line: the place of one more ticket, less one
  curl -sf -X POST -d '{"service":"certificates","channel":"web"}' "http://127.0.0.1:$PORT/api/v1/offices/kita/tickets" | python3 -c 'import json,sys; print(json.load(sys.stdin)["position"] - 1)'
}
before=$(waiting)
BENCH_SPREAD=line run "POST ticket issue, one line from $before ahead, 64 conns" bench/issue.lua -t2 -c64 "http://127.0.0.1:$PORT"
echo "  (the line then held $(waiting))"
BENCH_SPREAD=line wrk -t2 -c16 -d600s -s bench/issue.lua "http://127.0.0.1:$PORT" >/dev/null &  # fill to 20,000
FILL=$!
until [ "$(waiting)" -ge 20000 ]; do sleep 1; done
kill $FILL; wait $FILL || true
before=$(waiting)
BENCH_SPREAD=line run "POST ticket issue, one line from $before ahead, 64 conns" bench/issue.lua -t2 -c64 "http://127.0.0.1:$PORT"
echo "  (the line then held $(waiting))"
for i in $(seq 1 29); do
  curl -sf -X POST -d '{"service":"certificates","channel":"web"}' "http://127.0.0.1:$PORT/api/v1/offices/chuo/tickets" >/dev/null
done
get_ticket  # 30th in line: a busy real office
run "POST ticket issue, city-wide, 64 conns" bench/issue.lua -t2 -c64 "http://127.0.0.1:$PORT"
run "POST ticket issue, city-wide, 16 conns" bench/issue.lua -t2 -c16 "http://127.0.0.1:$PORT"
BENCH_SPREAD=chuo run "POST ticket issue, all in chuo, 64 conns" bench/issue.lua -t2 -c64 "http://127.0.0.1:$PORT"
get_ticket  # in a line grown to thousands by the issue runs: the position count is O(people ahead)
run "call-next + complete, 20 consoles" bench/callnext.lua -t20 -c20 "http://127.0.0.1:$PORT"
