#!/usr/bin/env bash
# The wait estimators side by side (docs/prediction.md): for each reference scenario and the four estimator days
# in bench/forecast/, simulate 80 days, replay them learning from the first 60 (45 to learn, 15 to calibrate) and
# predicting the last 20, and print score's tables; then the cost of a prediction for an office with 200 tickets
# waiting, every estimator on the same state. Usage: bench/forecast.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-200}"
swift build -c release --product madoguchi >/dev/null
swift build -c release --product ForecastBench >/dev/null
bin="$(swift build -c release --show-bin-path)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "$(date -u +%FT%TZ) $(nproc) cores; madoguchi $(git rev-parse --short HEAD); $runs twin runs"
for s in scenarios/chuo-weekday.yaml scenarios/chuo-moving-peak.yaml scenarios/mynumber-center.yaml \
         scenarios/moving-season-support.yaml bench/forecast/lunch-dip.yaml bench/forecast/multi-skill.yaml \
         bench/forecast/staggered-lunch.yaml bench/forecast/multi-skill-lunch.yaml; do
  echo "== $s"
  "$bin/madoguchi" simulate "$s" --days 80 --no-come-now-comparison --events "$work/days.jsonl" | tail -1
  "$bin/madoguchi" replay --events "$work/days.jsonl" --train-days 60 --runs "$runs" --out "$work/p.csv"
  "$bin/madoguchi" score "$work/p.csv" --events "$work/days.jsonl"
done
echo "== prediction cost: chuo-weekday, 200 tickets waiting"
"$bin/madoguchi" simulate scenarios/chuo-weekday.yaml --days 20 --no-come-now-comparison --events "$work/days.jsonl" >/dev/null
"$bin/ForecastBench" "$work/days.jsonl" 200 "$runs"
