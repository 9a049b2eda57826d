#!/usr/bin/env python3
"""Connection discipline against the real server, on loopback only, bounded in count and time.

The server runs with a file limit of 256 (its caps derive from it: 192 connections, 24 per client address, 12 live
streams per client), a 2 s header timeout and a 3 s idle timeout. Each check opens sockets from its own loopback
address (127.0.0.x), so that "another client" is another address, as on the internet.

1. One client opens more connections than the file limit allows (400), half of them sending half a request: the
   server stays up, refuses the extra ones with 503 and Retry-After, and answers /health to another client within
   1 s.
2. Live streams past the per-client cap get 429 too_many_streams; another client still gets its stream.
3. A half-sent request is closed after the header timeout; an idle keep-alive connection after the idle timeout.
4. Many clients together fill the overall cap: the server does not crash, and serves again once they leave.
5. The log is JSON, one object a line (`--log-format json`), and a request's line carries the id its response
   returned in X-Request-Id.
6. Six sign-ins at once (each a scrypt of about a second in a debug build) do not stall other requests: scrypt runs
   on NIO's thread pool, not on the cooperative pool every request's async work shares.
7. SIGTERM with hundreds of connections and streams open: the server exits, cleanly, within 10 s.

Prints "N passed, M failed".
"""
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from support import free_port

BIN = os.environ.get("MADOGUCHI_BIN", ".build/debug/madoguchi")
FILE_LIMIT = 256
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + (f": {detail}" if detail else ""), flush=True)


def connect(port, source, timeout=2.0):
    s = socket.socket()
    s.settimeout(timeout)
    s.bind((source, 0))
    s.connect(("127.0.0.1", port))
    return s


def get(port, source, path, timeout=1.0):
    """One GET on a new connection from `source`: (status, seconds), status None when nothing came back."""
    began = time.monotonic()
    try:
        s = connect(port, source, timeout)
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        head = s.recv(256)
        s.close()
        status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else None
    except OSError:
        status = None
    return status, time.monotonic() - began


def first_bytes(s, timeout):
    """What the server sent first, b"" when it closed, None when it said nothing within `timeout`."""
    s.settimeout(timeout)
    try:
        return s.recv(512)
    except socket.timeout:
        return None
    except OSError:
        return b""


def limit_files():
    resource.setrlimit(resource.RLIMIT_NOFILE, (FILE_LIMIT, FILE_LIMIT))


def main():
    work = tempfile.mkdtemp(prefix="madoguchi-limits-")
    port = free_port()
    log = open(os.path.join(work, "server.log"), "w")
    proc = subprocess.Popen(
        [BIN, "serve", "--db", f"sqlite:{work}/limits.sqlite", "--port", str(port), "--demo", "--demo-history-weeks", "0",
         "--header-timeout", "2", "--idle-timeout", "3", "--log-format", "json", "--access-log"],
        stdout=log, stderr=subprocess.STDOUT, preexec_fn=limit_files)
    sockets = []
    try:
        for _ in range(300):
            if get(port, "127.0.0.1", "/health")[0] == 200:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("server did not start")

        # 1. One client, more connections than the file limit.
        refused = 0
        for i in range(400):
            try:
                s = connect(port, "127.0.0.2")
            except OSError:
                refused += 1
                continue
            if i % 2 == 0:
                try:
                    s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # half a request
                except OSError:
                    pass
            sockets.append(s)
        answers = {"503": 0, "silent": 0, "closed": 0}
        retry_after = False
        for s in sockets:
            data = first_bytes(s, 0.05)
            if data is None:
                answers["silent"] += 1
            elif data.startswith(b"HTTP/1.1 503"):
                answers["503"] += 1
                retry_after = retry_after or b"retry-after: 5" in data.lower()
            else:
                answers["closed"] += 1
        check("the server is still running after 400 connections from one client", proc.poll() is None)
        check("one client holds at most its share (24); the rest get 503", answers["silent"] <= 24 and answers["503"] >= 300,
              f"{answers}, connect refused {refused}")
        check("the 503 says when to retry", retry_after)
        status, seconds = get(port, "127.0.0.3", "/health")
        check("another client gets /health within 1 s", status == 200 and seconds < 1.0, f"{status} in {seconds:.3f} s")

        # 2. Live streams per client.
        streams = []
        stream_status = []
        for _ in range(16):
            s = connect(port, "127.0.0.4")
            s.sendall(b"GET /api/v1/offices/chuo/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
            head = first_bytes(s, 2.0) or b""
            stream_status.append(int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else None)
            streams.append(s)
        check("12 live streams per client, then 429", stream_status.count(200) == 12 and stream_status.count(429) == 4,
              str(stream_status))
        other = connect(port, "127.0.0.5")
        other.sendall(b"GET /api/v1/offices/chuo/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        head = first_bytes(other, 2.0) or b""
        check("another client still gets its stream", head.startswith(b"HTTP/1.1 200"), head[:40].decode(errors="replace"))
        streams.append(other)

        # 3. Timeouts.
        half = connect(port, "127.0.0.6")
        half.sendall(b"POST /api/v1/offices/chuo/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        began = time.monotonic()
        data = first_bytes(half, 6.0)
        waited = time.monotonic() - began
        check("a half-sent request is closed after the header timeout (2 s)", data == b"" and 1.5 < waited < 4.5,
              f"{data!r} after {waited:.1f} s")
        idle = connect(port, "127.0.0.6")
        idle.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = b""
        while b"\r\n\r\n" not in first or not first.endswith(b"}"):  # the whole response: head and JSON body
            part = first_bytes(idle, 2.0)
            if not part:
                break
            first += part
        began = time.monotonic()
        rest = first_bytes(idle, 8.0)
        waited = time.monotonic() - began
        check("an idle keep-alive connection is closed after the idle timeout (3 s)",
              first.startswith(b"HTTP/1.1 200") and rest == b"" and 2.0 < waited < 6.0, f"{rest!r} after {waited:.1f} s")

        # 4. Many clients fill the overall cap (192).
        crowd = []
        for n in range(10, 20):
            for _ in range(24):
                try:
                    crowd.append(connect(port, f"127.0.0.{n}", timeout=0.5))
                except OSError:
                    pass
        time.sleep(0.5)
        check("the server survives many clients at its overall cap", proc.poll() is None, f"{len(crowd)} connected")
        for s in crowd:
            s.close()
        for s in sockets:
            s.close()
        sockets = []
        time.sleep(0.5)
        status, seconds = get(port, "127.0.0.30", "/health")
        check("once they leave, /health answers within 1 s", status == 200 and seconds < 1.0, f"{status} in {seconds:.3f} s")

        # 5. JSON logs with the request id.
        s = connect(port, "127.0.0.7")
        s.sendall(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        head = b""
        while True:
            part = first_bytes(s, 2.0)
            if not part:
                break
            head += part
        s.close()
        request_id = next((line.split(b":", 1)[1].strip().decode() for line in head.split(b"\r\n")
                           if line.lower().startswith(b"x-request-id:")), None)
        time.sleep(0.3)
        log.flush()
        lines = [line for line in open(os.path.join(work, "server.log")).read().splitlines() if line.strip()]
        try:
            entries = [json.loads(line) for line in lines]
        except ValueError as error:
            entries = []
            print(f"not JSON: {error}")
        mine = [e for e in entries if e.get("request_id") == request_id]
        check("the log is one JSON object a line", bool(entries) and len(entries) == len(lines), f"{len(lines)} lines")
        check("the request's line carries the id of its X-Request-Id, and its route, not a token",
              request_id is not None and any(e.get("route") == "/health/live" and e.get("status") == "200" for e in mine),
              f"{request_id}: {mine[:1]}")

        # 6. Sign-ins do not stall the server.
        subprocess.run([BIN, "user", "add", "--db", f"sqlite:{work}/limits.sqlite", "--role", "admin", "--username", "root",
                        "--password-stdin"], input="limits-pass-1\n", capture_output=True, text=True, check=True)
        signing = []
        for n in range(6):
            s = connect(port, f"127.0.0.{50 + n}")
            body = b"username=root&password=limits-pass-1"
            s.sendall(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                      + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            signing.append(s)
        time.sleep(0.2)
        slowest = max(get(port, "127.0.0.60", "/health")[1] for _ in range(5))
        answers = [first_bytes(s, 20.0) or b"" for s in signing]
        check("six sign-ins at once leave /health answering within 0.5 s", slowest < 0.5, f"slowest {slowest:.3f} s")
        check("... and each sign-in succeeds", all(a.startswith(b"HTTP/1.1 303") for a in answers),
              str([a[:12] for a in answers]))
        for s in signing:
            s.close()

        # 7. SIGTERM with hundreds of connections and the streams still open.
        for _ in range(200):
            try:
                sockets.append(connect(port, "127.0.0.40", timeout=0.5))
            except OSError:
                pass
        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        check("SIGTERM shuts the server down within 10 s, exit code 0", code == 0,
              f"exit {code} after {time.monotonic() - began:.1f} s")
        for s in streams:
            s.close()
    finally:
        for s in sockets:
            s.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        if not all(results):
            print(open(os.path.join(work, "server.log")).read()[-3000:])
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
