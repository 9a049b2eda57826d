#!/usr/bin/env python3
"""What the hardening changed, measured on one binary (loopback only): the cost of a sign-in (scrypt), a failed
sign-in for an unknown and a known username, and open data with one office named 3,000 times. Run it on the
current build and on a baseline build side by side:

    python3 bench/hardening.py .build/release/madoguchi now
    python3 bench/hardening.py /path/to/baseline/madoguchi baseline
"""
import subprocess, sys, time, os, tempfile, requests, statistics
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from support import free_port
BIN = sys.argv[1]; label = sys.argv[2]
work = tempfile.mkdtemp()
db = f"sqlite:{work}/m.sqlite"
port = free_port()
proc = subprocess.Popen([BIN, "serve", "--db", db, "--port", str(port), "--demo", "--demo-history-weeks", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
base = f"http://127.0.0.1:{port}"
for _ in range(600):
    try:
        if requests.get(base + "/health", timeout=1).status_code == 200: break
    except Exception: pass
    time.sleep(0.2)
subprocess.run([BIN, "user", "add", "--db", db, "--role", "admin", "--username", "root", "--password-stdin"], input="measure-pass-1\n", text=True, capture_output=True, check=True)
times = []
for _ in range(20):
    t = time.monotonic()
    r = requests.post(base + "/login", data={"username": "root", "password": "measure-pass-1"}, allow_redirects=False)
    times.append(time.monotonic() - t)
    assert r.status_code == 303, r.status_code
print(f"{label}: sign-in median {statistics.median(times)*1000:.0f} ms, min {min(times)*1000:.0f} ms over 20")
times = []
for name in ["nobody-1", "root"]:
    t = time.monotonic()
    r = requests.post(base + "/login", data={"username": name, "password": "wrong-pass"}, allow_redirects=False)
    times.append((name, r.status_code, round((time.monotonic() - t) * 1000)))
print(f"{label}: a failed sign-in, unknown vs known username (ms): {times}")
one = requests.get(base + "/opendata/waits.json?office=chuo")
t = time.monotonic()
many = requests.get(base + "/opendata/waits.json?office=" + ",".join(["chuo"] * 3000), timeout=300)
el = time.monotonic() - t
same = one.text == many.text
print(f"{label}: open data with chuo named 3,000 times: {many.status_code} in {el:.2f} s; same figures as once: {same}")
proc.terminate(); proc.wait()
