#!/usr/bin/env python3
"""Crash test: the real server on a SQLite file, tickets issued under load, kill -9, restart.

Every ticket the server acknowledged (HTTP 201 or 200) must be there after the restart, with the same number,
and numbers must stay unique and contiguous per procedure. Repeated over several kills. Loopback only.
"""
import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import requests
from support import free_port

BIN = os.environ.get("MADOGUCHI_BIN", ".build/debug/madoguchi")
ROUNDS = int(os.environ.get("CRASH_ROUNDS", "10"))
SERVICES = ["certificates", "moving-in", "my-number-card"]


def start(db, port):
    # The checker reads thousands of tickets by token from one address: lift the look-up limit for it.
    proc = subprocess.Popen([BIN, "serve", "--db", f"sqlite:{db}", "--port", str(port), "--demo", "--demo-history-weeks", "0", "--issues-per-hour", "1000000",
                             "--lookup-burst", "1000000", "--lookups-per-second", "1000000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    began = time.monotonic()
    while time.monotonic() - began < 30:
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=0.5).status_code == 200:
                return proc, time.monotonic() - began
        except requests.RequestException:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start within 30 s")


def load(port, stop, acked, lock):
    session = requests.Session()
    n = 0
    while not stop.is_set() and n < 5000:
        n += 1
        key = str(uuid.uuid4())
        body = {"service": SERVICES[n % len(SERVICES)], "channel": "web"}
        try:
            r = session.post(f"http://127.0.0.1:{port}/api/v1/offices/chuo/tickets", json=body,
                             headers={"Idempotency-Key": key}, timeout=2)
        except requests.RequestException:
            continue
        if r.status_code in (200, 201):
            t = r.json()
            with lock:
                acked[t["token"]] = t["number"]


def issued_days(db):
    """The business days present in the log, read with the sqlite3 module (read-only)."""
    import sqlite3
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [row[0] for row in con.execute("SELECT DISTINCT substr(json_extract(body, '$.at'), 1, 10) FROM event WHERE type = 'ticket.issued'")]
    finally:
        con.close()


def main():
    passed = failed = 0
    workdir = tempfile.mkdtemp(prefix="madoguchi-crash-")
    db = os.path.join(workdir, "crash.sqlite")
    port = free_port()
    acked = {}
    lock = threading.Lock()
    for round_ in range(1, ROUNDS + 1):
        proc, startup = start(db, port)
        stop = threading.Event()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            for _ in range(8):
                pool.submit(load, port, stop, acked, lock)
            time.sleep(1.5)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            stop.set()
        proc, restart = start(db, port)
        missing = []
        session = requests.Session()
        with lock:
            items = list(acked.items())
        for token, number in items:
            r = session.get(f"http://127.0.0.1:{port}/api/v1/tickets/{token}", timeout=5)
            if r.status_code != 200 or r.json()["number"] != number:
                missing.append((token, number, r.status_code))
        numbers = {}
        for number in (n for _, n in items):
            prefix, seq = number.split("-")
            numbers.setdefault(prefix, set()).add(int(seq))
        duplicates = len(items) - sum(len(v) for v in numbers.values())
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = "hung"
        ok = not missing and duplicates == 0 and restart < 10 and code == 0
        print(f"round {round_}: {len(items)} acknowledged tickets, {len(missing)} missing, {duplicates} duplicate numbers, "
              f"restart {restart:.2f} s, SIGTERM exit {code}: {'ok' if ok else 'FAIL'}")
        for m in missing[:5]:
            print("  missing", m)
        passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
    # The event log holds every acknowledged ticket's issue, exported as JSONL for its business day(s).
    issued = set()
    for day in sorted(issued_days(db)):
        out = subprocess.run([BIN, "export", "events", "--db", f"sqlite:{db}", "--office", "chuo", "--date", day],
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            event = json.loads(line)
            if event["type"] == "ticket.issued":
                issued.add(event["ticket"])
    ok = set(acked) <= issued
    print(f"export: {len(issued)} ticket.issued events cover all {len(acked)} acknowledged tickets: {'ok' if ok else 'FAIL'}")
    passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
    print(f"crash: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
