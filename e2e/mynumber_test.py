#!/usr/bin/env python3
"""A My Number is refused everywhere, and nothing of it is stored.

Against the real server on loopback: every parameter and body field of every operation in the served OpenAPI
document, and every field of every page form (the admin's included), is sent a valid My Number written four ways (plain, hyphenated,
spaced, full-width) and inside a sentence. Each request must get 400 with the code my_number_refused. Then the
database files and the server's log are scanned byte by byte for the digits in every form. A 12-digit number whose
check digit fails is accepted where text is (a reform's description), so the guard refuses My Numbers, not numbers.

Prints "N passed, M failed".
"""
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse

import requests
from support import free_port, wait_up

BIN = os.environ.get("MADOGUCHI_BIN", ".build/debug/madoguchi")
results = []


def check(name, ok, detail=""):
    results.append(ok)
    if not ok or os.environ.get("VERBOSE"):
        print(("PASS " if ok else "FAIL ") + name + (f": {detail}" if detail else ""), flush=True)


def check_digit(body):
    total = sum(int(d) * (i + 2 if i < 6 else i - 4) for i, d in enumerate(reversed(body)))
    r = total % 11
    return 0 if r <= 1 else 11 - r


BODY = "46813579024"
MY_NUMBER = BODY + str(check_digit(BODY))
NOT_MY_NUMBER = BODY + str((check_digit(BODY) + 1) % 10)
FULL_WIDTH = "".join(chr(0xFF10 + int(d)) for d in MY_NUMBER)
VARIANTS = {
    "plain": MY_NUMBER,
    "hyphenated": f"{MY_NUMBER[:4]}-{MY_NUMBER[4:8]}-{MY_NUMBER[8:]}",
    "spaced": f"{MY_NUMBER[:4]} {MY_NUMBER[4:8]} {MY_NUMBER[8:]}",
    "full-width": FULL_WIDTH,
    "in a sentence": f"番号は{MY_NUMBER[:4]}-{MY_NUMBER[4:8]}-{MY_NUMBER[8:]}です",
}


def refused(response):
    try:
        code = response.json()["error"]["code"]
    except Exception:
        code = None
    return response.status_code == 400 and code == "my_number_refused"


def main():
    work = tempfile.mkdtemp(prefix="madoguchi-mynumber-")
    db = f"sqlite:{work}/mn.sqlite"
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    def cli(*args, stdin=None):
        return subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, check=True).stdout.strip()

    log = open(f"{work}/server.log", "w")
    env = dict(os.environ, MADOGUCHI_SMTP_PASSWORD="x", MADOGUCHI_GATEWAY_SECRET="s" * 32)
    proc = subprocess.Popen(
        [BIN, "serve", "--db", db, "--port", str(port), "--demo", "--demo-history-weeks", "0", "--issues-per-hour", "1000000",
         "--smtp-host", "127.0.0.1", "--smtp-from", "city@example.jp", "--gateway-url", "http://127.0.0.1:9/hook"],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        wait_up(base, proc)
        admin = cli("token", "create", "--db", db, "--role", "admin")
        device = cli("token", "create", "--db", db, "--role", "device", "--office", "chuo")
        cli("user", "add", "--db", db, "--role", "admin", "--username", "boss", "--password-stdin", stdin="a-long-password\n")
        ticket = requests.post(f"{base}/api/v1/offices/chuo/tickets", json={"service": "certificates", "channel": "web"}).json()
        token, number = ticket["token"], ticket["number"]
        auth = {"Authorization": f"Bearer {admin}"}

        # Every operation of the served OpenAPI document, every parameter and body field.
        spec = requests.get(f"{base}/openapi.json").json()
        schemas = spec["components"]["schemas"]
        path_values = {"office": "chuo", "counter": "c1", "token": token, "number": number, "channel": "email"}
        tried = 0
        for path, operations in spec["paths"].items():
            for method, op in operations.items():
                params = op.get("parameters", [])
                schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
                if schema and "$ref" in schema:
                    schema = schemas[schema["$ref"].split("/")[-1]]
                properties = (schema or {}).get("properties", {})
                fields = [(p["in"], p["name"]) for p in params if p["in"] in ("path", "query")
                          or p["name"] == "Idempotency-Key"] + [("body", name) for name in properties]
                for where, name in fields:
                    for label, value in VARIANTS.items():
                        if where == "header" and not value.isascii() or where == "header" and " " in value:
                            continue  # header values are visible ASCII; those two forms cannot be sent
                        url_path = path
                        for key, default in path_values.items():
                            url_path = url_path.replace("{" + key + "}", urllib.parse.quote(value) if (where, name) == ("path", key) else default)
                        query = {name: value} if where == "query" else None
                        headers = dict(auth)
                        if where == "header":
                            headers[name] = value
                        body = None
                        if properties:
                            body = {"service": "certificates", "channel": "web", "address": "a@example.jp", "effective": "2026-01-05",
                                    "kind": "other", "description": "x", "rating": 3}
                            body = {k: v for k, v in body.items() if k in properties}
                            if where == "body":
                                body[name] = value
                        r = requests.request(method.upper(), base + url_path, params=query, json=body, headers=headers, timeout=5)
                        tried += 1
                        check(f"{method.upper()} {path} {where} {name} ({label})", refused(r), f"{r.status_code} {r.text[:120]}")
                    if where == "body" and properties[name].get("type") == "integer":
                        body = {"service": "certificates", "channel": "web", "rating": 3}
                        body = {k: v for k, v in body.items() if k in properties}
                        body[name] = int(MY_NUMBER)
                        r = requests.request(method.upper(), base + path.replace("{office}", "chuo").replace("{token}", token)
                                             .replace("{counter}", "c1"), json=body, headers=auth, timeout=5)
                        tried += 1
                        check(f"{method.upper()} {path} {name} as a JSON number", refused(r), f"{r.status_code} {r.text[:120]}")

        # Every page form, every field. Signed in as an admin for the staff forms, as a device for the kiosk's.
        console = requests.Session()
        console.post(f"{base}/login", data={"username": "boss", "password": "a-long-password", "next": "/console"})
        csrf = re.search(r'name="csrf" value="([a-p]+)"', console.get(f"{base}/console/chuo/c1").text).group(1)
        forms = [
            ("/login", {"username": "boss", "password": "x", "next": "/console"}, None),
            ("/logout", {"csrf": csrf}, console),
            ("/console/chuo/c1/call-next", {"csrf": csrf, "key": "k1"}, console),
            ("/console/chuo/c1/transfer", {"csrf": csrf, "service": "moving-in"}, console),
            ("/reception/chuo/tickets", {"csrf": csrf, "key": "k2", "service": "certificates", "reason": "elderly",
                                         "language": "ja", "phone": "090-1234-5678"}, console),
            ("/dashboard/accept", {"csrf": csrf, "office": "chuo", "counter": "c9", "fromOffice": "", "fromCounter": "", "skill": ""}, console),
            ("/reports/reforms", {"csrf": csrf, "office": "chuo", "effective": "2026-01-05", "kind": "other", "description": "x"}, console),
            ("/admin/users/password", {"csrf": csrf, "username": "boss", "password": "long-enough-1"}, console),
            ("/admin/users/remove", {"csrf": csrf, "username": "nobody"}, console),
            ("/admin/tokens/revoke", {"csrf": csrf, "token": "0"}, console),
            (f"/kiosk/chuo/tickets?device={device}", {"service": "certificates", "language": "ja"}, None),
            (f"/kiosk/chuo/feedback?device={device}", {"rating": "3"}, None),
            (f"/kiosk/chuo/check-in?device={device}", {"ticket": f"{base}/t/{token}"}, None),
            ("/reception/chuo/check-in", {"csrf": csrf, "number": "A-001"}, console),
            ("/reception/chuo/issuing", {"csrf": csrf, "service": "seal-other", "action": "resume"}, console),
            (f"/kiosk/chuo/printed/{token}/phone?device={device}", {"address": "090-1234-5678"}, None),
            ("/o/chuo/tickets", {"service": "certificates", "language": "ja"}, None),
            (f"/t/{token}/feedback", {"rating": "3"}, None),
            (f"/t/{token}/travel", {"travel": "20"}, None),
            (f"/t/{token}/guide", {"guide.copies": "2", "guide.kind": "residence"}, None),
            ("/console/chuo/c1/guide", {"csrf": csrf, "code": "MDG-GUIDE/1|chuo|A-001|certificates|copies=2"}, console),
            (f"/t/{token}/contact", {"channel": "email", "address": "a@example.jp"}, None),
            (f"/t/{token}/contact", {"channel": "gateway", "address": "090-1234-5678"}, None),
        ]
        for path, fields, session in forms:
            for name in fields:
                for label, value in VARIANTS.items():
                    data = dict(fields)
                    data[name] = value
                    r = (session or requests).post(base + path, data=data, allow_redirects=False, timeout=5)
                    tried += 1
                    check(f"form {path.split('?')[0]} {name} ({label})", refused(r), f"{r.status_code} {r.text[:120]}")
        # The reports page's filter form is a GET.
        for name in ["office", "from", "to", "procedure", "hour"]:
            r = console.get(f"{base}/reports", params={name: MY_NUMBER}, allow_redirects=False)
            tried += 1
            check(f"form /reports (GET) {name}", refused(r), f"{r.status_code}")
        print(f"tried {tried} requests with a My Number", flush=True)

        # A 12-digit number whose check digit fails is ordinary text.
        r = requests.post(f"{base}/api/v1/offices/chuo/reforms", headers=auth,
                          json={"effective": "2026-01-05", "kind": "other", "description": f"counter phone {NOT_MY_NUMBER}"})
        check("a 12-digit number that fails the check digit is accepted", r.status_code == 201, f"{r.status_code} {r.text[:200]}")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()

    # Nothing of any of them in the database files or the log.
    forms_of_it = [MY_NUMBER, FULL_WIDTH, VARIANTS["hyphenated"], VARIANTS["spaced"], MY_NUMBER[:4] + "%2D"]
    needles = [f.encode() for f in forms_of_it]
    for name in sorted(os.listdir(work)):
        data = open(os.path.join(work, name), "rb").read()
        found = [n.decode() for n in needles if n in data]
        check(f"no My Number in {name} ({len(data)} bytes)", not found, str(found))
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
