#!/usr/bin/env python3
"""The LINE mini-app (LIFF) in real headless Chromium, against a fake of LINE on loopback.

The fake serves what the server and the page reach at LINE: the key set (/oauth2/v2.1/certs), the push endpoint
(/v2/bot/message/push), and a stand-in for the LIFF SDK (/sdk.js) that, like a LIFF launch inside LINE, hands the
page a fresh ID token signed with the fake's own ES256 key. The server is told LINE is there (--line-api,
--liff-sdk); nothing else differs from production.

1. Inside "LINE": the page says it is signed in and offers the add-friend link; a ticket taken 30 minutes away is a
   `line` ticket bound to the LINE user, turns "come now" on its page, and the fake receives exactly one push for
   it, to that user, with the ticket's number.
2. The token the page used cannot be used again (replay), and axe finds nothing serious on the page.
3. Outside LINE (the SDK says so): the same page is the plain phone page; its form takes a `web` ticket.
Screenshots go to docs/screenshots/.
"""
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from axe_playwright_python.sync_playwright import Axe
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from playwright.sync_api import sync_playwright
from support import free_port, wait_up

BIN = os.environ.get("MADOGUCHI_BIN", ".build/debug/madoguchi")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHOTS = os.path.join(ROOT, "docs", "screenshots")
CHANNEL = "1234567890"
LIFF_ID = CHANNEL + "-AbcdEfgh"
USER = "U" + "7e" * 16
LINE_TOKEN = "liff-test-access-token"
RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append(ok)
    print(("PASS " if ok else "FAIL ") + name + (f" ({detail})" if detail else ""), flush=True)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class FakeLINE:
    """LINE's endpoints as the server and the page use them; records pushes and the ID tokens it handed out."""

    def __init__(self, port):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.in_client = True
        self.pushes = []
        self.tokens = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, body, kind="application/json"):
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/oauth2/v2.1/certs":
                    self.answer(200, json.dumps({"keys": [fake.jwk()]}))
                elif self.path.startswith("/sdk.js"):
                    self.answer(200, fake.sdk(), "text/javascript")
                else:
                    self.answer(404, "{}")

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path == "/v2/bot/message/push" and self.headers.get("Authorization") == f"Bearer {LINE_TOKEN}":
                    fake.pushes.append(json.loads(body))
                    self.answer(200, "{}")
                else:
                    self.answer(401, "{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def jwk(self):
        numbers = self.key.public_key().public_numbers()
        return {"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": "fake-line-1",
                "x": b64url(numbers.x.to_bytes(32, "big")), "y": b64url(numbers.y.to_bytes(32, "big"))}

    def id_token(self):
        now = int(time.time())
        header = {"alg": "ES256", "kid": "fake-line-1", "typ": "JWT"}
        claims = {"iss": "https://access.line.me", "sub": USER, "aud": CHANNEL, "iat": now, "exp": now + 3600,
                  "amr": ["linesso"]}
        signed = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        r, s = decode_dss_signature(self.key.sign(signed.encode(), ec.ECDSA(hashes.SHA256())))
        token = signed + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
        self.tokens.append(token)
        return token

    def sdk(self):
        """A stand-in for LINE's LIFF SDK: the calls the page makes, answered as LINE would for this launch."""
        in_client = "true" if self.in_client else "false"
        token = self.id_token() if self.in_client else ""
        return f"""window.liff = {{
  init: function (config) {{ window.liffInitialisedWith = config.liffId; return Promise.resolve(); }},
  isInClient: function () {{ return {in_client}; }},
  isLoggedIn: function () {{ return {in_client}; }},
  getIDToken: function () {{ return {json.dumps(token)} || null; }},
  getFriendship: function () {{ return Promise.resolve({{ friendFlag: false }}); }}
}};
"""


def get_json(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read())


def post_json(url, body):
    req = urllib.request.Request(url, method="POST", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def main():
    os.makedirs(SHOTS, exist_ok=True)
    line_port, port = free_port(), free_port()
    line = FakeLINE(line_port)
    base = f"http://127.0.0.1:{port}"
    d = tempfile.mkdtemp()
    env = dict(os.environ, MADOGUCHI_LINE_ACCESS_TOKEN=LINE_TOKEN, MADOGUCHI_LINE_CHANNEL_SECRET="liff-test-secret")
    server = subprocess.Popen(
        [BIN, "serve", "--db", f"sqlite:{d}/liff.sqlite", "--demo", "--demo-history-weeks", "1", "--port", str(port),
         "--issues-per-hour", "1000000", "--public-url", base,
         "--line-api", f"http://127.0.0.1:{line_port}", "--line-account", "@madoguchi",
         "--liff-id", LIFF_ID, "--liff-sdk", f"http://127.0.0.1:{line_port}/sdk.js"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(f"{d}/server.log", "w"))
    try:
        wait_up(base)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="ja-JP")
            page = phone.new_page()
            errors = []
            page.on("console", lambda m: errors.append(f"{m.text} {m.location.get('url', '')}") if m.type == "error" else None)

            # 1. Inside LINE.
            page.goto(base + "/liff/chuo")
            status = page.locator("[data-liff-status]")
            status.wait_for(state="visible", timeout=5000)
            check("inside LINE the page says it is signed in", "LINE" in status.inner_text(), status.inner_text())
            friend = page.locator("[data-liff-friend]")
            friend.wait_for(state="visible", timeout=5000)
            check("not yet a friend: the add-friend link names the official account",
                  friend.locator("a").get_attribute("href") == "https://line.me/R/ti/p/%40madoguchi")
            check("the SDK was initialised with the LIFF id", page.evaluate("window.liffInitialisedWith") == LIFF_ID)
            violations = [v for v in Axe().run(page).response["violations"] if v.get("impact") in ("serious", "critical")]
            check("axe: nothing serious or critical on the LIFF page", not violations, str([v["id"] for v in violations]))
            page.screenshot(path=os.path.join(SHOTS, "liff-ja-phone.png"), full_page=True)

            page.check('input[name="travel"][value="30"]')
            page.locator('[data-service="family-register"] button').click()
            page.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]{22}$"), timeout=10000)
            token = page.url.rsplit("/", 1)[1]
            ticket = get_json(f"{base}/api/v1/tickets/{token}")
            check("the ticket is a LINE ticket", ticket["channel"] == "line", ticket["channel"])
            page.locator("[data-come-now]").wait_for(state="visible", timeout=10000)
            check("30 minutes away on an empty line: \"come now\" on the ticket page", True)
            deadline = time.monotonic() + 15
            while not line.pushes and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(3)  # anything more would have come by now
            pushes = list(line.pushes)
            check("the fake LINE received exactly one push", len(pushes) == 1, f"{len(pushes)} pushes")
            if pushes:
                text = pushes[0]["messages"][0]["text"]
                check("the push went to the LINE user of the ID token, with the ticket's number",
                      pushes[0]["to"] == USER and ticket["number"] in text, text)
            check("the ticket page no longer offers to link LINE", page.locator(f'form[action="/t/{token}/line"]').count() == 0)
            page.screenshot(path=os.path.join(SHOTS, "liff-ticket-come-now-ja-phone.png"), full_page=True)

            # 2. The ID token the page spent cannot be spent again.
            status_code, body = post_json(f"{base}/api/v1/line/session", {"idToken": line.tokens[-1]})
            check("the page's ID token, sent again, is refused as a replay",
                  status_code == 401 and body.get("error", {}).get("code") == "id_token_replayed", f"{status_code} {body}")
            check("the page logged no script error", not errors, str(errors))

            # 3. Outside LINE: the plain phone page.
            line.in_client = False
            outside = browser.new_context(viewport={"width": 360, "height": 780}, locale="en-US").new_page()
            outside.goto(base + "/liff/chuo?lang=en")
            outside.wait_for_function("window.liffInitialisedWith !== undefined")
            check("outside LINE no sign-in is claimed", outside.locator("[data-liff-status]").is_hidden())
            outside.check('input[name="travel"][value="here"]')
            outside.locator('[data-service="certificates"] button').click()
            outside.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]{22}$"), timeout=10000)
            plain = get_json(f"{base}/api/v1/tickets/{outside.url.rsplit('/', 1)[1]}")
            check("outside LINE the form takes a plain web ticket", plain["channel"] == "web", plain["channel"])
            listing = browser.new_context().new_page()
            listing.goto(base + "/liff")
            check("/liff lists the offices' LIFF pages", listing.locator('a[href="/liff/chuo"]').count() == 1)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
        line.server.shutdown()
    failed = RESULTS.count(False)
    print(f"liff: {len(RESULTS) - failed}/{len(RESULTS)} checks passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
