#!/usr/bin/env python3
"""Alerts end to end: the real server, a fake LINE Messaging API and a fake SMS gateway, all on loopback.

1. Crash safety. The gateway is down when a ticket is called; the server is killed with SIGKILL; the gateway comes
   up; the server restarts and sends the alert once. Then the harder case: the gateway takes the request but the
   server is killed before it hears the answer; after the restart the server sends again with the same
   Idempotency-Key, the gateway recognises it, and the citizen gets one SMS. The fakes count.
2. A slow LINE (answers after 30 s) and a failing one (HTTP 500): issue and call-next keep their latency, retries
   stop at --alert-attempts, and the failure shows in /metrics and in the server's log.
3. What an alert says: the office, the number and the counter's label; never the procedure.
4. Web Push to a local push service (headless Chromium has no real one): the subscription's keys are made here,
   the VAPID JWT is verified against `madoguchi vapid show`, and the RFC 8291 payload is decrypted here.
5. E-mail to a real SMTP server (aiosmtpd) that requires STARTTLS and a login: the server trusts the test's own CA
   file, upgrades, logs in, and the message arrives with the alert's words.
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

import datetime
import email
import email.header
import ssl

import requests
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, hmac as chmac
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from support import free_port, wait_up

BIN = os.environ.get("MADOGUCHI_BIN", ".build/debug/madoguchi")
GATEWAY_SECRET = "gateway-secret-for-the-alert-test"
LINE_TOKEN = "line-access-token"
LINE_SECRET = "line-channel-secret"
RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append(ok)
    print(("PASS " if ok else "FAIL ") + name + (f" ({detail})" if detail else ""), flush=True)


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
                key = self.headers.get("Idempotency-Key") or self.headers.get("X-Line-Retry-Key") or self.headers.get("Topic")
                with fake.lock:
                    fake.requests.append((self.path, dict(self.headers), body))
                    if problem:
                        fake.bad.append(problem)
                    mode = fake.mode
                    duplicate = key in fake.keys
                    if not problem and mode in ("ok", "take-then-hang") and not duplicate:
                        fake.keys[key] = body if fake.kind == "push" else json.loads(body)
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
        if self.kind == "push":
            return None  # the test checks VAPID and decrypts itself
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


def b64u(data):
    return __import__("base64").urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text):
    return __import__("base64").urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hmac256(key, data):
    h = chmac.HMAC(key, hashes.SHA256())
    h.update(data)
    return h.finalize()


def open_push(body, receiver, auth):
    """RFC 8291 from the browser's side: the receiver's private key and auth secret open the aes128gcm body."""
    salt, record_size, id_len = body[:16], int.from_bytes(body[16:20], "big"), body[20]
    sender_public = body[21:21 + id_len]
    sealed = body[21 + id_len:]
    assert record_size == 4096 and id_len == 65
    shared = receiver.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender_public))
    receiver_public = receiver.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    ikm = hmac256(hmac256(auth, shared), b"WebPush: info\x00" + receiver_public + sender_public + b"\x01")
    prk = hmac256(salt, ikm)
    cek = hmac256(prk, b"Content-Encoding: aes128gcm\x00\x01")[:16]
    nonce = hmac256(prk, b"Content-Encoding: nonce\x00\x01")[:12]
    padded = AESGCM(cek).decrypt(nonce, sealed, None)
    return padded[:padded.rindex(b"\x02")]


def verify_vapid(header, audience, public_key_b64):
    """RFC 8292: `vapid t=<JWT>, k=<key>`; the JWT is ES256 over the push service's origin."""
    assert header.startswith("vapid "), header
    fields = dict(part.strip().split("=", 1) for part in header[len("vapid "):].split(","))
    assert fields["k"] == public_key_b64, "k is the server's VAPID key"
    head, claims, signature = fields["t"].split(".")
    assert json.loads(unb64u(head)) == {"typ": "JWT", "alg": "ES256"}
    body = json.loads(unb64u(claims))
    assert body["aud"] == audience and body["sub"].startswith("mailto:") and body["exp"] > time.time()
    raw = unb64u(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64u(public_key_b64))
    key.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
               f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    return True


def self_signed(directory):
    """A certificate for localhost, and its key, as PEM files: the SMTP server's, and the CA the server trusts."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat
    cert_path, key_path = os.path.join(directory, "smtp.pem"), os.path.join(directory, "smtp.key")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return cert_path, key_path


class Mailbox:
    """aiosmtpd's handler: keeps each message with whether it came over TLS and who logged in."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({"tls": session.ssl is not None, "login": session.auth_data,
                              "from": envelope.mail_from, "to": envelope.rcpt_tos, "data": envelope.content})
        return "250 OK"


class Server:
    def __init__(self, db, gateway_port, line_port, attempts=6, extra=()):
        self.db, self.port, self.log = db, free_port(), tempfile.NamedTemporaryFile(prefix="madoguchi-alerts-", suffix=".log", delete=False).name
        self.args = [BIN, "serve", "--db", f"sqlite:{db}", "--port", str(self.port), "--demo", "--demo-history-weeks", "0", "--issues-per-hour", "1000000",
                     "--gateway-url", f"http://127.0.0.1:{gateway_port}/sms",
                     "--line-api", f"http://127.0.0.1:{line_port}", "--line-account", "@madoguchi",
                     "--alert-attempts", str(attempts)] + list(extra)
        self.env = dict(os.environ, MADOGUCHI_GATEWAY_SECRET=GATEWAY_SECRET,
                        MADOGUCHI_LINE_ACCESS_TOKEN=LINE_TOKEN, MADOGUCHI_LINE_CHANNEL_SECRET=LINE_SECRET)
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.args, env=self.env, stdout=subprocess.DEVNULL, stderr=open(self.log, "a"))
        wait_up(self.base, self.proc)

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


def issue_latencies(server, n=40):
    """Seconds per issue, sorted, over `n` tickets one after another."""
    out = []
    for _ in range(n):
        began = time.monotonic()
        r = requests.post(f"{server.base}/api/v1/offices/nishi/tickets", json={"service": "certificates", "channel": "web"})
        out.append(time.monotonic() - began)
        assert r.status_code == 201, r.text
    return sorted(out)


def tarpit():
    """An SMTP server that accepts connections and never says a word: the slowest mail relay there is."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held = []

    def accept():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            held.append(connection)

    threading.Thread(target=accept, daemon=True).start()
    return listener, held


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
        # A crash can leave the alert claimed: it comes due again when the claim's lease (10 + 5 s) runs out.
        ok = wait_for(lambda: len(gateway.delivered()) == 1, 45)
        time.sleep(3)  # anything sent twice would show by now
        sms = list(gateway.delivered().values())
        check("gateway down at the call, server killed, restarted: the SMS is sent exactly once", ok and len(sms) == 1,
              f"{len(sms)} delivered, {len(gateway.requests)} requests")
        text = sms[0]["text"] if sms else ""
        check("the SMS says the number and the counter's label, and goes to the contact",
              t1["number"] in text and labels[counter] in text and sms[0]["to"] == "+819011112222", text.replace("\n", " / "))
        check("the SMS names no procedure", not any(name in text for name in procedure_names))
        check("every request the gateway saw was signed", not gateway.bad, ", ".join(gateway.bad))
        seen = json.dumps([[p, h, b.decode("utf-8", "replace")] for p, h, b in gateway.requests])
        check("no provider is given the ticket's token (it opens the ticket)", t1["token"] not in seen)

        # 1b. The gateway takes the request, then the server dies before the answer: one SMS all the same.
        gateway.mode = "take-then-hang"
        before = len(gateway.requests)
        t2 = ticket_with(server, "gateway", "+819033334444")
        call_until(server, admin, t2["token"])
        wait_for(lambda: len(gateway.requests) > before, 10)
        server.kill()
        gateway.mode = "ok"
        server.start()
        ok = wait_for(lambda: len(gateway.requests) >= before + 2, 45)
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
        baseline = issue_latencies(server)
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
        during = issue_latencies(server)
        check("with LINE hanging on three pushes, issuing keeps its latency", during[-1] < 1.0,
              f"40 issues: p50 {during[20] * 1000:.1f} ms, max {during[-1] * 1000:.1f} ms; before, with nothing pending: "
              f"p50 {baseline[20] * 1000:.1f} ms, max {baseline[-1] * 1000:.1f} ms")
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

        # 4. Web Push to a local push service.
        server.stop()
        push_port = free_port()
        push = Fake(push_port, "push")
        server = Server(db, gateway_port, line_port, extra=[
            "--web-push-subject", "mailto:madoguchi@city.example.jp", "--web-push-origins", f"http://127.0.0.1:{push_port}"])
        server.start()
        vapid = subprocess.run([BIN, "vapid", "show", "--db", f"sqlite:{db}"], capture_output=True, text=True, check=True).stdout.strip()
        receiver = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        subscription = {"endpoint": f"http://127.0.0.1:{push_port}/push/abc123",
                        "keys": {"p256dh": b64u(receiver.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)),
                                 "auth": b64u(auth)}}
        t = requests.post(f"{server.base}/api/v1/offices/nishi/tickets", json={"service": "moving-out", "channel": "web", "language": "en"}).json()
        elsewhere = dict(subscription, endpoint="http://127.0.0.1:9/push/x")
        r = requests.post(f"{server.base}/api/v1/tickets/{t['token']}/contacts", json={"channel": "web-push", "address": json.dumps(elsewhere)})
        check("a subscription to a push service off the allow-list is refused", r.status_code == 422 and r.json()["error"]["code"] == "push_service_not_allowed", r.text)
        r = requests.post(f"{server.base}/api/v1/tickets/{t['token']}/contacts", json={"channel": "web-push", "address": json.dumps(subscription)})
        check("the subscription is taken", r.status_code == 201 and r.json()["channels"] == ["web-push"], r.text)
        counter = call_until(server, admin, t["token"])
        ok = wait_for(lambda: len(push.requests) >= 1, 15)
        if ok:
            path, headers, body = push.requests[0]
            check("the push carries aes128gcm, a TTL, urgency and a topic",
                  headers.get("Content-Encoding") == "aes128gcm" and headers.get("TTL") == "3600"
                  and headers.get("Urgency") == "high" and len(headers.get("Topic", "")) == 32, str(headers))
            try:
                vapid_ok = verify_vapid(headers.get("Authorization", ""), f"http://127.0.0.1:{push_port}", vapid)
            except Exception as e:  # noqa: BLE001
                vapid_ok = False
                print("vapid:", repr(e))
            check("the VAPID JWT verifies with the key `madoguchi vapid show` prints, for the push service's origin", vapid_ok)
            try:
                payload = json.loads(open_push(body, receiver, auth))
            except Exception as e:  # noqa: BLE001
                payload = {}
                print("decrypt:", repr(e))
            check("the payload decrypts (RFC 8291) to the alert, in the ticket's language",
                  payload.get("title", "").endswith("it is your turn") and t["number"] in payload.get("body", "")
                  and labels[counter] in payload.get("body", ""), json.dumps(payload, ensure_ascii=False))
        else:
            check("the push service received the alert", False)
        push.stop()

        # 5. E-mail over SMTP with STARTTLS and a login.
        server.stop()
        cert, key = self_signed(workdir)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        mailbox = Mailbox()
        smtp_port = free_port()

        def authenticate(smtp, session, envelope, mechanism, data):
            ok = data.login == b"relay" and data.password == b"relay-password"
            return AuthResult(success=ok, auth_data=data.login.decode() if ok else None)

        smtpd = Controller(mailbox, hostname="127.0.0.1", port=smtp_port, tls_context=context, require_starttls=True,
                           auth_required=True, authenticator=authenticate)
        smtpd.start()
        server = Server(db, gateway_port, line_port, extra=[
            "--smtp-host", "localhost", "--smtp-port", str(smtp_port), "--smtp-from", "madoguchi@city.example.jp",
            "--smtp-user", "relay", "--smtp-ca-file", cert])
        server.env["MADOGUCHI_SMTP_PASSWORD"] = "relay-password"
        server.start()
        try:
            t = requests.post(f"{server.base}/api/v1/offices/nishi/tickets", json={"service": "moving-out", "channel": "web"}).json()
            r = requests.post(f"{server.base}/api/v1/tickets/{t['token']}/contacts", json={"channel": "email", "address": "citizen@example.jp"})
            check("the e-mail contact is taken", r.status_code == 201, r.text)
            counter = call_until(server, admin, t["token"])
            ok = wait_for(lambda: len(mailbox.messages) >= 1, 15)
            if ok:
                got = mailbox.messages[0]
                message = email.message_from_bytes(got["data"])
                subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
                body = message.get_payload(decode=True).decode("utf-8")
                check("the mail came over STARTTLS, after the login", got["tls"] and got["login"] == "relay", str(got["login"]))
                check("to the citizen, from the city", got["to"] == ["citizen@example.jp"] and got["from"] == "madoguchi@city.example.jp")
                check("it says the number and the counter, in Japanese, and names no procedure",
                      subject == "西区役所：順番が来ました" and t["number"] in body and labels[counter] in body
                      and not any(name in subject + body for name in procedure_names), f"{subject} / {body}")
                check("its Message-ID is the delivery key, never the ticket token",
                      message["Message-ID"].startswith("<madoguchi-nishi-") and t["token"] not in got["data"].decode("utf-8", "replace"),
                      message["Message-ID"])
            else:
                check("the SMTP server received the alert", False, open(server.log).read()[-500:])
        finally:
            smtpd.stop()

        # 6. A mail relay that never answers: the alert waits out its timeout and is retried; issuing is unmoved.
        server.stop()
        listener, held = tarpit()
        server = Server(db, gateway_port, line_port, attempts=2, extra=[
            "--smtp-host", "localhost", "--smtp-port", str(listener.getsockname()[1]), "--smtp-from", "madoguchi@city.example.jp"])
        server.start()
        try:
            baseline = issue_latencies(server)
            for i in range(3):
                t = requests.post(f"{server.base}/api/v1/offices/nishi/tickets", json={"service": "moving-out", "channel": "web"}).json()
                requests.post(f"{server.base}/api/v1/tickets/{t['token']}/contacts", json={"channel": "email", "address": f"slow{i}@example.jp"})
                call_until(server, admin, t["token"])
            wait_for(lambda: len(held) >= 3, 10)
            during = issue_latencies(server)
            check("with the mail relay holding three connections silent, issuing keeps its latency",
                  len(held) >= 3 and during[-1] < 1.0,
                  f"{len(held)} held; 40 issues: p50 {during[20] * 1000:.1f} ms, max {during[-1] * 1000:.1f} ms; before: "
                  f"p50 {baseline[20] * 1000:.1f} ms, max {baseline[-1] * 1000:.1f} ms")
            ok = wait_for(lambda: "no answer within 10.0 s" in open(server.log).read(), 30)
            check("the silent relay's alerts time out and are scheduled again, and the log says so", ok)
        finally:
            listener.close()
            for connection in held:
                connection.close()
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
