#!/usr/bin/env bash
# The test command: builds once, runs the Swift suites (domain, store contract, HTTP, concurrency, the twin and
# the planner), the twin's commands end to end, then the kill -9 crash test, the live SSE test and schemathesis
# against the real server binary. Installs what it
# needs (Python requests, schemathesis in .venv-st) on a fresh Debian machine.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -c "import requests" 2>/dev/null; then
  python3 -m pip install --quiet requests
fi

swift build --build-tests
swift test --skip-build 2>&1 | tee .build/swift-test.log
grep -qE "Test run with [0-9]+ tests? .* passed" .build/swift-test.log

MADOGUCHI_BIN="$(swift build --show-bin-path)/madoguchi" python3 tests/twin_cli_test.py
MADOGUCHI_BIN="$(swift build --show-bin-path)/madoguchi" python3 tests/crash_test.py
MADOGUCHI_BIN="$(swift build --show-bin-path)/madoguchi" python3 tests/sse_test.py
MADOGUCHI_BIN="$(swift build --show-bin-path)/madoguchi" tests/schemathesis.sh
