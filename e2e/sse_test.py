#!/usr/bin/env python3
"""Live SSE through the real server: a ticket's stream hears its call within 1 s, the office stream hears it too,
and a reconnect with Last-Event-ID replays what the ticket missed. Loopback only, bounded in time."""
import os
import subprocess
import sys
import tempfile
import threading
import time

import requests
from support import free_port, wait_up

BIN = os.environ.get("MADOGUCHI_BIN", ".build/debug/madoguchi")


def read_events(url, headers, out, stop, limit=20, ready=None, read_timeout=5):
    """Appends each SSE event (its fields and a monotonic arrival time) to `out` until `stop` is set or `limit`
    events came; sets `ready` once the response has started. Used by the two-node test too."""
    with requests.get(url, headers=headers, stream=True, timeout=(2, read_timeout)) as r:
        if ready is not None:
            ready.set()
        event = {}
        for raw in r.iter_lines(decode_unicode=True):
            if stop.is_set() or len(out) >= limit:
                return
            if raw == "":
                if "event" in event:
                    event["t"] = time.monotonic()
                    out.append(event)
                event = {}
            elif ":" in raw and not raw.startswith(":"):
                k, v = raw.split(":", 1)
                event[k] = v.strip()


def main():
    results = []
    db = os.path.join(tempfile.mkdtemp(prefix="madoguchi-sse-"), "sse.sqlite")
    admin = subprocess.run([BIN, "token", "create", "--db", f"sqlite:{db}", "--role", "admin"],
                           capture_output=True, text=True, check=True).stdout.strip()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([BIN, "serve", "--db", f"sqlite:{db}", "--port", str(port), "--demo", "--demo-history-weeks", "0", "--issues-per-hour", "1000000"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_up(base, proc)
        ticket = requests.post(f"{base}/api/v1/offices/nishi/tickets", json={"service": "moving-out", "channel": "web"}).json()
        token = ticket["token"]
        stop = threading.Event()
        ticket_events, office_events = [], []
        threads = [threading.Thread(target=read_events, args=(f"{base}/api/v1/tickets/{token}/events", {}, ticket_events, stop), daemon=True),
                   threading.Thread(target=read_events, args=(f"{base}/api/v1/offices/nishi/events", {}, office_events, stop), daemon=True)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        results.append(("snapshot first on both streams", ticket_events[:1] and ticket_events[0]["event"] == "snapshot"
                        and office_events[:1] and office_events[0]["event"] == "snapshot"))
        called_at = time.monotonic()
        r = requests.post(f"{base}/api/v1/offices/nishi/counters/c4/call-next", headers={"Authorization": f"Bearer {admin}"})
        results.append(("call-next answered 200", r.status_code == 200 and r.json()["token"] == token))
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline and not any(e["event"] == "ticket.called" for e in ticket_events):
            time.sleep(0.02)
        heard = [e for e in ticket_events if e["event"] == "ticket.called"]
        results.append(("ticket stream hears ticket.called within 1 s", bool(heard) and heard[0]["t"] - called_at < 1.0))
        results.append(("called frame names the counter", bool(heard) and '"c4"' in heard[0].get("data", "")))
        time.sleep(0.3)
        results.append(("office stream shows the counter serving it", any(ticket["number"] in e.get("data", "") for e in office_events[1:])))
        stop.set()
        since = ticket_events[0].get("id", "0")
        requests.post(f"{base}/api/v1/offices/nishi/counters/c4/start", headers={"Authorization": f"Bearer {admin}"})
        replay, stop2 = [], threading.Event()
        t = threading.Thread(target=read_events, args=(f"{base}/api/v1/tickets/{token}/events", {"Last-Event-ID": since}, replay, stop2, 3), daemon=True)
        t.start()
        t.join(timeout=3)
        stop2.set()
        names = [e["event"] for e in replay]
        results.append(("Last-Event-ID replays missed events, then a snapshot", names[:3] == ["ticket.called", "ticket.serving", "snapshot"]))
        # SIGTERM while two streams are still open: the server must end them and exit cleanly, quickly.
        open_streams = [threading.Thread(target=read_events, args=(f"{base}/api/v1/offices/nishi/events", {}, [], threading.Event(), 100), daemon=True) for _ in range(2)]
        for t in open_streams:
            t.start()
        time.sleep(0.3)
        began = time.monotonic()
        proc.terminate()
        code = proc.wait(timeout=15)
        results.append((f"SIGTERM with open streams exits 0 within 5 s ({time.monotonic() - began:.2f} s)", code == 0 and time.monotonic() - began < 5))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    failed = 0
    for name, ok in results:
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
        failed += 0 if ok else 1
    print(f"sse: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
