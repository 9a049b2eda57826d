#!/usr/bin/env bash
# What the edge (connection gate, input gate, metrics, request ids, the access log) costs a request: a baseline
# release binary and the current one, each on a fresh demo database on 127.0.0.1, warmed, then wrk for 5 s on a
# route that touches nothing and on a cached read. Bounded: about a minute.
# Usage: bench/edge.sh BASELINE_BIN [CURRENT_BIN]   (needs wrk; build the baseline from an earlier commit)
set -u
BASE=${1:?the baseline binary}
NEW=${2:-$(cd "$(dirname "$0")/.." && swift build -c release --show-bin-path)/madoguchi}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
run() {  # label, binary, extra args, path
  rm -rf "$WORK"/*
  $2 serve --db sqlite:$WORK/b.sqlite --port 18090 --demo --demo-history-weeks 0 $3 > $WORK/log 2>&1 &
  pid=$!
  until curl -sf http://127.0.0.1:18090/api/v1/offices >/dev/null; do sleep 0.2; done
  sleep 2
  wrk -t2 -c64 -d3s http://127.0.0.1:18090$4 >/dev/null
  for path in $4 /api/v1/offices/chuo/forecast; do
    out=$(wrk -t2 -c64 -d5s http://127.0.0.1:18090$path)
    echo "$1 $path: $(echo "$out" | grep Requests/sec) $(echo "$out" | grep Latency)"
  done
  kill $pid; wait $pid 2>/dev/null
}
# The baseline's /health touched nothing; the current one reads the store, and /health/live is the bare route.
bare=/health/live
"$BASE" serve --help | grep -q -- --access-log || bare=/health
run baseline "$BASE" "" $bare
run current "$NEW" "" /health/live
run "current --access-log" "$NEW" "--access-log" /health/live
