#!/usr/bin/env python3
"""From a call on node A to the event on node B: p50/p99 over N calls at chuo's counter k1, timed from sending the
call-next on A to the first frame of B's office stream that shows the called number. Loopback only.
Usage: crossnode.py NODE_A NODE_B STAFF_TOKEN N"""
import math
import sys
import threading
import time

import requests

a, b, token, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
auth = {"Authorization": f"Bearer {token}"}
frames = []  # (monotonic time, data)
lock = threading.Condition()


def listen():
    with requests.get(f"{b}/api/v1/offices/chuo/events", stream=True, timeout=(3, 30)) as r:
        for raw in r.iter_lines(decode_unicode=True):
            if raw.startswith("data:"):
                with lock:
                    frames.append((time.monotonic(), raw))
                    lock.notify_all()


threading.Thread(target=listen, daemon=True).start()
time.sleep(0.5)
session = requests.Session()
samples = []
for i in range(n):
    session.post(f"{a}/api/v1/offices/chuo/tickets", json={"service": "certificates", "channel": "web"})
    with lock:
        seen = len(frames)
    sent = time.monotonic()
    number = session.post(f"{a}/api/v1/offices/chuo/counters/k1/call-next", headers=auth).json()["number"]
    with lock:
        lock.wait_for(lambda: any(f'"{number}"' in d for _, d in frames[seen:]), timeout=5)
        got = [t for t, d in frames[seen:] if f'"{number}"' in d]
    samples.append((got[0] - sent) * 1000 if got else float("inf"))
    session.post(f"{a}/api/v1/offices/chuo/counters/k1/complete", headers=auth)
samples.sort()
p = lambda q: samples[max(0, math.ceil(q * len(samples)) - 1)]  # nearest rank
print(f"{'call on node A -> office frame on node B (' + str(n) + ' calls)':66s} p50_ms={p(0.5):.1f} p99_ms={p(0.99):.1f} max_ms={samples[-1]:.1f}")
