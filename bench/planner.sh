#!/usr/bin/env bash
# The staffing planner on the reference scenarios and on the small case with an exhaustive search, in one run:
# counter-hours of SIPP, MOL and the plan, whether each meets both targets on fresh days, planning time, and the
# planner's gap to brute force. Usage: bench/planner.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product madoguchi >/dev/null
bin="$(swift build -c release --show-bin-path)/madoguchi"
echo "$(date -u +%FT%TZ) $(nproc) cores; madoguchi $(git rev-parse --short HEAD)"
for s in scenarios/chuo-weekday.yaml scenarios/chuo-moving-peak.yaml scenarios/mynumber-center.yaml; do
  echo "== $s"
  /usr/bin/time -f "wall %e s" "$bin" plan "$s" 2>&1
done
echo "== bench/twin/small-case.yaml (with --brute-force)"
/usr/bin/time -f "wall %e s" "$bin" plan bench/twin/small-case.yaml --brute-force 2>&1
echo "== scenarios/moving-season-support.yaml (support staff)"
/usr/bin/time -f "wall %e s" "$bin" plan scenarios/moving-season-support.yaml 2>&1 | sed -n '/support staff/,$p'
