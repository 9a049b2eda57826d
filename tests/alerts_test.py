#!/usr/bin/env python3
"""Alerts end to end: the real server, a fake LINE Messaging API and a fake SMS gateway, all on loopback.

1. Crash safety. The gateway is down when a ticket is called; the server is killed with SIGKILL; the gateway comes
   up; the server restarts and sends the alert once. Then the harder case: the gateway takes the request but the
   server is killed before it hears the answer; after the restart the server sends again with the same
   Idempotency-Key, the gateway recognises it, and the citizen gets one SMS. The fakes count.
2. A slow LINE (answers after 30 s) and a failing one (HTTP 500): issue and call-next keep their latency, retries
   stop at --alert-attempts, and the failure shows in /metrics and in the server's log.
3. What an alert says: the office, the number and the counter's label; never the procedure.
"""
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

BIN = os.environ.get("MADOGUCHI_BIN", ".build/debug/madoguchi")
GATEWAY_SECRET = "gateway-secret-for-the-alert-test"
LINE_TOKEN = "line-access-token"
LINE_SECRET = "line-channel-secret"
RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append(ok)
    print(("PASS " if ok else "FAIL ") + name + (f" ({detail})" if detail else ""), flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Fake:
    """A provider: records every request, counts distinct delivery keys, answers as its mode says."""

    def __init__(self, port, kind):
        self.port, self.kind = port, kind
        self.requests, self.keys, self.bad = [], {}, []
        self.mode = "ok"  # ok | slow | fail | take-then-hang
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                problem = fake.verify(self.headers, body)
                key = self.headers.get("Idempotency-Key") or self.headers.get("X-Line-Retry-Key")
                with fake.lock:
                    fake.requests.append((self.path, dict(self.headers), body))
                    if problem:
                        fake.bad.append(problem)
                    mode = fake.mode
                    duplicate = key in fake.keys
                    if not problem and mode in ("ok", "take-then-hang") and not duplicate:
                        fake.keys[key] = json.loads(body)
                if problem:
                    return self.answer(401, {"message": problem})
                if mode == "slow":
                    time.sleep(30)
                    return self.answer(200, {})
                if mode == "fail":
                    return self.answer(500, {"message": "down for maintenance"})
                if mode == "take-then-hang" and not duplicate:
                    time.sleep(60)  # the server is killed meanwhile
                return self.answer(409 if duplicate else 200, {})

            def answer(self, status, payload):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verify(self, headers, body):
        if self.kind == "line":
            if headers.get("Authorization") != f"Bearer {LINE_TOKEN}":
                return "bad token"
            if len(headers.get("X-Line-Retry-Key", "")) != 36:
                return "no retry key"
            return None
        signature = headers.get("X-Madoguchi-Signature", "")
        parts = dict(p.split("=", 1) for p in signature.split(",") if "=" in p)
        expected = hmac.new(GATEWAY_SECRET.encode(), parts.get("t", "").encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts.get("v1", "")):
            return "bad signature"
        if abs(time.time() - int(parts.get("t", "0"))) > 300:
            return "stale timestamp"
        return None

    def delivered(self):
        with self.lock:
            return dict(self.keys)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Server:
    def __init__(self, db, gateway_port, line_port, attempts=6):
        self.db, self.port, self.log = db, free_port(), tempfile.NamedTemporaryFile(prefix="madoguchi-alerts-", suffix=".log", delete=False).name
        self.args = [BIN, "serve", "--db", f"sqlite:{db}", "--port", str(self.port), "--demo",
                     "--gateway-url", f"http://127.0.0.1:{gateway_port}/sms",
                     "--line-api", f"http://127.0.0.1:{line_port}", "--line-account", "@madoguchi",
                     "--alert-attempts", str(attempts)]
        self.env = dict(os.environ, MADOGUCHI_GATEWAY_SECRET=GATEWAY_SECRET,
                        MADOGUCHI_LINE_ACCESS_TOKEN=LINE_TOKEN, MADOGUCHI_LINE_CHANNEL_SECRET=LINE_SECRET)
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.args, env=self.env, stdout=subprocess.DEVNULL, stderr=open(self.log, "a"))
        for _ in range(600):
            try:
                if requests.get(f"{self.base}/health", timeout=0.5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def kill(self):
        self.proc.send_signal(9)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def wait_for(predicate, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def ticket_with(server, channel, address, service="moving-out"):
    t = requests.post(f"{server.base}/api/v1/offices/nishi/tickets", json={"service": service, "channel": "web"}).json()
    r = requests.post(f"{server.base}/api/v1/tickets/{t['token']}/contacts", json={"channel": channel, "address": address})
    assert r.status_code == 201, r.text
    return t


def call_until(server, admin, token):
    """Calls at nishi until `token` is the ticket called; returns the counter."""
    headers = {"Authorization": f"Bearer {admin}"}
    for counter in COUNTERS:
        # Free the counter of a ticket an earlier step left called there.
        requests.post(f"{server.base}/api/v1/offices/nishi/counters/{counter}/complete", headers=headers)
        for _ in range(50):
            r = requests.post(f"{server.base}/api/v1/offices/nishi/counters/{counter}/call-next", headers=headers)
            if r.status_code != 200:
                break
            if r.json()["token"] == token:
                return counter
            requests.post(f"{server.base}/api/v1/offices/nishi/counters/{counter}/complete", headers=headers)
    raise RuntimeError("never called")


COUNTERS = []


def main():
    workdir = tempfile.mkdtemp(prefix="madoguchi-alerts-")
    db = os.path.join(workdir, "alerts.sqlite")
    admin = subprocess.run([BIN, "token", "create", "--db", f"sqlite:{db}", "--role", "admin"],
                           capture_output=True, text=True, check=True).stdout.strip()
    gateway_port, line_port = free_port(), free_port()
    line = Fake(line_port, "line")
    server = Server(db, gateway_port, line_port)
    server.start()
    gateway = None
    try:
        counters = requests.get(f"{server.base}/api/v1/offices").json()
        nishi = next(o for o in counters if o["id"] == "nishi")
        labels = {c["id"]: c["label"] for c in nishi["counters"]}
        COUNTERS.extend(c["id"] for c in nishi["counters"] if "moving-out" in c["services"])
        procedure_names = [p["name"]["ja"] for p in nishi["services"]] + [p["name"]["en"] for p in nishi["services"]]

        # 1a. The gateway is down when the ticket is called; kill -9; gateway up; restart: sent once.
        t1 = ticket_with(server, "gateway", "+819011112222")
        counter = call_until(server, admin, t1["token"])
        server.kill()
        gateway = Fake(gateway_port, "gateway")
        server.start()
        ok = wait_for(lambda: len(gateway.delivered()) == 1, 20)
        time.sleep(3)  # anything sent twice would show by now
        sms = list(gateway.delivered().values())
        check("gateway down at the call, server killed, restarted: the SMS is sent exactly once", ok and len(sms) == 1,
              f"{len(sms)} delivered, {len(gateway.requests)} requests")
        text = sms[0]["text"] if sms else ""
        check("the SMS says the number and the counter's label, and goes to the contact",
              t1["number"] in text and labels[counter] in text and sms[0]["to"] == "+819011112222", text.replace("\n", " / "))
        check("the SMS names no procedure", not any(name in text for name in procedure_names))
        check("every request the gateway saw was signed", not gateway.bad, ", ".join(gateway.bad))

        # 1b. The gateway takes the request, then the server dies before the answer: one SMS all the same.
        gateway.mode = "take-then-hang"
        before = len(gateway.requests)
        t2 = ticket_with(server, "gateway", "+819033334444")
        call_until(server, admin, t2["token"])
        wait_for(lambda: len(gateway.requests) > before, 10)
        server.kill()
        gateway.mode = "ok"
        server.start()
        ok = wait_for(lambda: len(gateway.requests) >= before + 2, 20)
        time.sleep(3)
        mine = [r for r in gateway.requests[before:] if json.loads(r[2])["to"] == "+819033334444"]
        keys = {r[1].get("Idempotency-Key") for r in mine}
        delivered = [v for v in gateway.delivered().values() if v["to"] == "+819033334444"]
        check("killed between the gateway's receipt and its answer: resent with the same key, delivered once",
              ok and len(mine) == 2 and len(keys) == 1 and len(delivered) == 1,
              f"{len(mine)} requests, {len(keys)} keys, {len(delivered)} delivered")

        # 2. A slow LINE, then a failing one: the queue keeps its latency; retries stop; /metrics and logs say so.
        server.stop()
        server = Server(db, gateway_port, line_port, attempts=2)
        server.start()
        line.mode = "slow"
        user = "U" + "ab" * 16
        slow_tickets = []
        for _ in range(3):
            t = requests.post(f"{server.base}/api/v1/offices/nishi/tickets", json={"service": "moving-out", "channel": "web"}).json()
            code = requests.post(f"{server.base}/api/v1/tickets/{t['token']}/line-link").json()["code"]
            body = json.dumps({"destination": "U" + "0" * 32, "events": [{
                "type": "message", "webhookEventId": f"01H{code}", "source": {"type": "user", "userId": user},
                "message": {"type": "text", "text": f"MADOGUCHI {code}"}}]}).encode()
            signature = __import__("base64").b64encode(hmac.new(LINE_SECRET.encode(), body, hashlib.sha256).digest()).decode()
            r = requests.post(f"{server.base}/line/webhook", data=body, headers={"x-line-signature": signature, "Content-Type": "application/json"})
            assert r.status_code == 200, r.text
            slow_tickets.append(t)
        for t in slow_tickets:
            call_until(server, admin, t["token"])
        wait_for(lambda: sum(1 for r in line.requests if r[0] == "/v2/bot/message/push") >= 3, 10)
        latencies = []
        for _ in range(40):
            began = time.monotonic()
            r = requests.post(f"{server.base}/api/v1/offices/nishi/tickets", json={"service": "certificates", "channel": "kiosk"})
            latencies.append(time.monotonic() - began)
            assert r.status_code == 201
        latencies.sort()
        check("with LINE hanging on three pushes, issuing stays fast",
              latencies[-1] < 1.0, f"p50 {latencies[20] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms over 40")
        line.mode = "fail"

        def metric(name):
            text = requests.get(f"{server.base}/metrics", headers={"Authorization": f"Bearer {admin}"}).text
            for row in text.splitlines():
                if row.startswith(f'{name}{{channel="line"}}'):
                    return int(float(row.split()[-1]))
            return -1

        ok = wait_for(lambda: metric("madoguchi_alerts_failed_total") == 3, 60)
        check("after --alert-attempts 2, the three LINE alerts are given up and /metrics counts them", ok,
              f"failed {metric('madoguchi_alerts_failed_total')}, retried {metric('madoguchi_alerts_retried_total')}")
        pushes = sum(1 for r in line.requests if r[0] == "/v2/bot/message/push")
        time.sleep(4)
        check("no attempt after giving up", sum(1 for r in line.requests if r[0] == "/v2/bot/message/push") == pushes, f"{pushes} pushes")
        log = open(server.log).read()
        check("the server's log says what was given up and why", "given up" in log and "gave up after 2 attempts" in log)
        unauthorised = requests.get(f"{server.base}/metrics").status_code
        check("/metrics needs a city-wide token", unauthorised == 401, str(unauthorised))
    finally:
        server.stop()
        line.stop()
        if gateway:
            gateway.stop()
    passed = sum(RESULTS)
    print(f"alerts test: {passed}/{len(RESULTS)} checks passed")
    sys.exit(0 if passed == len(RESULTS) and RESULTS else 1)


if __name__ == "__main__":
    main()
