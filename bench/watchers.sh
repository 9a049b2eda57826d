#!/usr/bin/env bash
# Holds live event streams (SSE) on chuo's office stream of a release build on 127.0.0.1 (bench's own client,
# Sources/WatcherBench) and prints, per count: how long a change at a counter takes to reach the watchers (p50, p99,
# the last one), frames missing, the server's RSS idle, with the watchers and after they leave; for the largest
# count, the RSS after five more cycles of connecting and leaving. The bare GET /health/live with wrk in the same
# run is the machine's ceiling. Bounded: each count is one run of WatcherBench (10 changes, 10 s wait for each).
# Usage: bench/watchers.sh [COUNT...]   (default 1000 5000 10000 18900; needs wrk: apt-get install wrk; BENCH_SERVER=path
# runs another build of the server)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${BENCH_PORT:-18090}
COUNTS=(${@:-1000 5000 10000 18900})
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product madoguchi >/dev/null
swift build -c release --product WatcherBench >/dev/null
BIN="$(swift build -c release --show-bin-path)/madoguchi"
BIN=${BENCH_SERVER:-$BIN}  # another build of the server, for a before/after run
CLIENT="$(swift build -c release --show-bin-path)/WatcherBench"
WORK=$(mktemp -d)
DB="sqlite:$WORK/bench.sqlite"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
source bench/seed.sh
TOKEN=$(seed_chuo20 "$BIN" "$DB" "$PORT" "$WORK")

# One process may hold at most `ulimit -Hn` descriptors; the server keeps some for itself (its log line says how many
# connections it allows). Every stream comes from 127.0.0.1, so the per-address caps go up to the whole.
LIMIT=$(ulimit -Hn)
MAX=$((LIMIT - (LIMIT / 8 < 1024 ? (LIMIT / 8 > 64 ? LIMIT / 8 : 64) : 1024)))
"$BIN" serve --db "$DB" --port "$PORT" --max-connections "$MAX" --max-connections-per-client "$MAX" --max-streams-per-client "$MAX" \
  --lookup-burst 100000000 --lookups-per-second 100000000 --issues-per-hour 1000000 >"$WORK/server.log" 2>&1 &
SERVER=$!
until curl -sf "http://127.0.0.1:$PORT/health" >/dev/null; do sleep 0.1; done
curl -sf -X POST -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/offices/chuo/counters/k1/open" >/dev/null
for i in $(seq 1 200); do
  curl -sf -X POST -d '{"service":"certificates","channel":"web"}' "http://127.0.0.1:$PORT/api/v1/offices/chuo/tickets" >/dev/null
done

wait_idle "$SERVER"
echo "madoguchi release build ($BIN), $(nproc) cores, file limit $LIMIT (server connections at most $MAX), 127.0.0.1"
line=$(wrk --latency -d 5s -t2 -c64 -s bench/report.lua "http://127.0.0.1:$PORT/health/live" 2>&1 | grep RESULT || echo "RESULT failed")
echo "GET /health/live (ceiling), 64 conns: ${line#RESULT }"
last=${COUNTS[${#COUNTS[@]}-1]}
for n in ${COUNTS[@]}; do
  echo
  soak=0
  [ "$n" = "$last" ] && soak=5
  "$CLIENT" --port "$PORT" --pid "$SERVER" --token "$TOKEN" --watchers "$n" --rounds 10 --soak "$soak"
done
