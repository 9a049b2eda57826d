#!/usr/bin/env bash
# The test command: builds once, runs the Swift suites (domain, store contract on memory, SQLite and PostgreSQL, HTTP, concurrency, the twin and
# the planner, the pages), the twin's commands end to end, the pages end to end in headless Chromium with axe-core
# and screenshots, then the kill -9 crash test, the live SSE test, the alerts test (fake LINE and SMS gateway,
# kill -9 between commit and send), schemathesis against the real server binary, and two nodes on PostgreSQL with
# faults. Installs what it needs on a fresh Debian machine (Python requests; chromium
# fonts-noto-cjk, zbar-tools and postgresql from Debian; cryptography and aiosmtpd from PyPI; Playwright, axe-playwright-python and cryptography in .venv-e2e; schemathesis in .venv-st).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -c "import requests" 2>/dev/null; then
  python3 -m pip install --quiet requests
fi
# The alerts test decrypts Web Push payloads and verifies VAPID signatures itself, and runs a real SMTP server.
if ! python3 -c "import cryptography, aiosmtpd" 2>/dev/null; then
  python3 -m pip install --quiet cryptography aiosmtpd
fi

# Real headless Chromium from Debian (with CJK fonts for Japanese screenshots), driven by Playwright from PyPI;
# zbar reads the printed QR codes back.
if ! command -v chromium >/dev/null 2>&1 || ! command -v zbarimg >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq chromium fonts-noto-cjk zbar-tools >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk zbar-tools >/dev/null; }
fi
if [ ! -x .venv-e2e/bin/python ]; then
  python3 -m venv .venv-e2e
  .venv-e2e/bin/pip install --quiet playwright==1.65.2 axe-playwright-python==0.1.8
fi
# The LIFF test's fake LINE signs ID tokens (ES256) in the same venv as Playwright.
if ! .venv-e2e/bin/python -c "import cryptography" 2>/dev/null; then
  .venv-e2e/bin/pip install --quiet cryptography
fi

# A throwaway PostgreSQL cluster (Debian's packages, initdb and pg_ctl in a temporary folder): the store contract
# suite runs on it too, then the two-node tests.
PG_DIR=$(mktemp -d /tmp/madoguchi-pg.XXXXXX)
PG_PORT=${MADOGUCHI_PG_PORT:-55439}
trap 'scripts/postgres.sh stop "$PG_DIR" 2>/dev/null || true; rm -rf "$PG_DIR"' EXIT
export MADOGUCHI_TEST_POSTGRES=$(scripts/postgres.sh start "$PG_DIR" "$PG_PORT")
export MADOGUCHI_PG_DIR=$PG_DIR

scripts/format.sh --check
swift build --build-tests
swift test --skip-build 2>&1 | tee .build/swift-test.log
grep -qE "Test run with [0-9]+ tests? .* passed" .build/swift-test.log

MADOGUCHI_BIN="$(swift build --show-bin-path)/madoguchi" python3 e2e/twin_cli_test.py
MADOGUCHI_BIN="$(swift build --show-bin-path)/madoguchi" .venv-e2e/bin/python e2e/e2e_test.py
MADOGUCHI_BIN="$(swift build --show-bin-path)/madoguchi" .venv-e2e/bin/python e2e/liff_test.py
MADOGUCHI_BIN="$(swift build --show-bin-path)/madoguchi" python3 e2e/crash_test.py
MADOGUCHI_BIN="$(swift build --show-bin-path)/madoguchi" python3 e2e/sse_test.py
MADOGUCHI_BIN="$(swift build --show-bin-path)/madoguchi" python3 e2e/alerts_test.py
MADOGUCHI_BIN="$(swift build --show-bin-path)/madoguchi" python3 e2e/limits_test.py
MADOGUCHI_BIN="$(swift build --show-bin-path)/madoguchi" python3 e2e/mynumber_test.py
MADOGUCHI_BIN="$(swift build --show-bin-path)/madoguchi" e2e/schemathesis.sh
# Two nodes on the PostgreSQL cluster, with faults (kill -9, a restart, pg_terminate_backend for 30 s).
MADOGUCHI_BIN="$(swift build --show-bin-path)/madoguchi" python3 e2e/multinode_test.py
