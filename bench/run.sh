#!/usr/bin/env bash
# Loads a release build on 127.0.0.1 with wrk and prints req/s, p50 and p99 for each workload, with a bare
# GET /health/live (touches nothing) in the same run as the machine's ceiling. Bounded: DURATION seconds per workload.
# Usage: bench/run.sh [DURATION]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
PORT=${BENCH_PORT:-18080}
command -v wrk >/dev/null || apt-get install -y wrk
swift build -c release --product madoguchi >/dev/null
BIN="$(swift build -c release --show-bin-path)/madoguchi"
WORK=$(mktemp -d)
DB="sqlite:$WORK/bench.sqlite"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Chuo with 20 counters k1..k20 that serve every procedure, for the call-next workload.
"$BIN" serve --db "$DB" --port "$PORT" --demo >"$WORK/seed.log" 2>&1 &
SEED=$!
until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do sleep 0.1; done
kill -TERM $SEED; wait $SEED || true
python3 bench/chuo20.py "$WORK/chuo.yaml"
"$BIN" import --db "$DB" "$WORK/chuo.yaml" 2>/dev/null
export BENCH_TOKEN=$("$BIN" token create --db "$DB" --role staff --office chuo --name bench)

# The look-up limit would cap the GET workload at 10/s from wrk's one address; the benchmark measures the work.
"$BIN" serve --db "$DB" --port "$PORT" --lookup-burst 100000000 --lookups-per-second 100000000 --issues-per-hour 1000000 >"$WORK/server.log" 2>&1 &
until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do sleep 0.1; done
for i in $(seq 1 20); do
  curl -sf -X POST -H "Authorization: Bearer $BENCH_TOKEN" "http://127.0.0.1:$PORT/api/v1/offices/chuo/counters/k$i/open" >/dev/null
done

export BENCH_SPREAD=city
run() {  # name, lua script, wrk args...
  local name=$1 script=$2; shift 2
  local line
  line=$(wrk --latency -d "${DURATION}s" -s "$script" "$@" 2>&1 | grep RESULT || echo "RESULT failed")
  printf "%-44s %s\n" "$name" "${line#RESULT }"
}

echo "madoguchi release build, $(nproc) cores, ${DURATION}s per workload, 127.0.0.1"
get_ticket() {
  local token position
  read -r token position < <(curl -sf -X POST -d '{"service":"certificates","channel":"web"}' "http://127.0.0.1:$PORT/api/v1/offices/chuo/tickets" | python3 -c 'import json,sys; t = json.load(sys.stdin); print(t["token"], t["position"])')
  run "GET /api/v1/tickets/{token} (#$position in line)" bench/report.lua -t2 -c64 "http://127.0.0.1:$PORT/api/v1/tickets/$token"
}

run "GET /health/live (ceiling), 64 conns" bench/report.lua -t2 -c64 "http://127.0.0.1:$PORT/health/live"
for i in $(seq 1 29); do
  curl -sf -X POST -d '{"service":"certificates","channel":"web"}' "http://127.0.0.1:$PORT/api/v1/offices/chuo/tickets" >/dev/null
done
get_ticket  # 30th in line: a busy real office
run "POST ticket issue, city-wide, 64 conns" bench/issue.lua -t2 -c64 "http://127.0.0.1:$PORT"
run "POST ticket issue, city-wide, 16 conns" bench/issue.lua -t2 -c16 "http://127.0.0.1:$PORT"
BENCH_SPREAD=chuo run "POST ticket issue, all in chuo, 64 conns" bench/issue.lua -t2 -c64 "http://127.0.0.1:$PORT"
get_ticket  # in a line grown to thousands by the issue runs: the position count is O(people ahead)
run "call-next + complete, 20 consoles" bench/callnext.lua -t20 -c20 "http://127.0.0.1:$PORT"
