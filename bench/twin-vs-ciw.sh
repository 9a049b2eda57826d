#!/usr/bin/env bash
# The twin against Ciw 3.2.7 (PyPI) on identical models, in one run: customers per second, the ratio, and whether
# the mean waits agree. Usage: bench/twin-vs-ciw.sh [SCALE]  (SCALE < 1 shortens the run, e.g. 0.1 as a smoke test)
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-1}"
swift build -c release --product TwinBench >/dev/null
venv=bench/.venv-ciw
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet ciw==3.2.7
fi
echo "$(date -u +%FT%TZ) $(nproc) cores; twin: $(git rev-parse --short HEAD); Ciw $("$venv/bin/python" -c 'import ciw; print(ciw.__version__)')"
"$venv/bin/python" bench/twin/compare.py "$(swift build -c release --show-bin-path)/TwinBench" "$venv/bin/python" bench/twin "$scale"
