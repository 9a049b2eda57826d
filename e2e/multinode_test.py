#!/usr/bin/env python3
"""Two `madoguchi serve` nodes on one PostgreSQL database, with real faults. Loopback only, bounded in time.

- A ticket called on node A reaches an SSE subscriber on node B within 1 s.
- 2,000 issues split over both nodes, 10% sent again with the same Idempotency-Key (to the other node, at the same
  time): no duplicate, none lost, numbers contiguous.
- 20 consoles split over both nodes work through 1,000 tickets: every ticket is called exactly once.
- kill -9 one node under load: the other keeps serving, and every acknowledged ticket is there.
- PostgreSQL restarted: the nodes answer 503 with Retry-After while it is down and reconnect by themselves; nothing
  acknowledged is lost, and an SSE subscriber that stayed connected hears changes made after.
- pg_terminate_backend on the nodes' connections in a loop for 30 s under load: no duplicate, nothing acknowledged
  lost, no 5xx but 503.

Needs MADOGUCHI_TEST_POSTGRES (a database URL on a throwaway cluster) and MADOGUCHI_PG_DIR (the cluster's folder, for
the restart), both set by scripts/test.sh.
"""
import collections
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import requests

from sse_test import read_events
from support import free_port, wait_up

BIN = os.environ.get("MADOGUCHI_BIN", ".build/debug/madoguchi")
PG_URL = os.environ["MADOGUCHI_TEST_POSTGRES"]
PG_DIR = os.environ["MADOGUCHI_PG_DIR"]
HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append((name, bool(ok)))
    print(("PASS " if ok else "FAIL ") + name + (f" — {detail}" if detail else ""), flush=True)


def psql(url, sql):
    """Runs SQL with psql against a database URL; returns its output."""
    return subprocess.run(["psql", url, "-qtAc", sql], capture_output=True, text=True, check=True).stdout.strip()


def fresh_database():
    """A new database on the test cluster, so that this run starts from nothing."""
    name = "mn_" + uuid.uuid4().hex[:12]
    psql(PG_URL, f"CREATE DATABASE {name}")
    base = PG_URL.split("?")[0].rsplit("/", 1)[0]
    return f"{base}/{name}"


OFFICES = """
offices:
  - id: hall
    name: {ja: "負荷試験庁舎", en: "Load Test Hall"}
    openingHours: {weekdays: [1, 2, 3, 4, 5, 6, 7], opens: "00:00", closes: "23:59", enforced: false}
    openCounters: true
    procedures:
      - {id: certificates, prefix: A, color: "#1565C0", name: {ja: "証明書", en: "Certificates"}, typicalMinutes: 5}
      - {id: moving-in, prefix: B, color: "#EF6C00", name: {ja: "転入", en: "Moving in"}, typicalMinutes: 20}
    counters:
""" + "".join(f"      - {{id: c{i}, label: \"{i}\", services: [certificates, moving-in]}}\n" for i in range(1, 21))


class Node:
    def __init__(self, db, name):
        self.db, self.name = db, name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log = open(os.path.join(tempfile.gettempdir(), f"madoguchi-node-{name}-{self.port}.log"), "w")

    def start(self):
        self.proc = subprocess.Popen([BIN, "serve", "--db", self.db + "?pool=6", "--port", str(self.port), "--lookup-burst", "100000", "--issues-per-hour", "1000000",
                                      "--lookups-per-second", "10000"], stdout=self.log, stderr=subprocess.STDOUT)
        wait_up(self.base, self.proc, seconds=60)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Client:
    """HTTP calls as a kiosk and as consoles, counting every answer by status."""

    def __init__(self, admin):
        self.admin = {"Authorization": f"Bearer {admin}"}
        self.statuses = collections.Counter()
        self.bad = []  # (status, body) of any 5xx but 503
        self.lock = threading.Lock()
        self.local = threading.local()

    def session(self):
        if not hasattr(self.local, "s"):
            self.local.s = requests.Session()
        return self.local.s

    def post(self, node, path, **kw):
        try:
            r = self.session().post(node.base + path, timeout=10, **kw)
        except requests.RequestException as e:
            with self.lock:
                self.statuses["no answer"] += 1
                self.statuses["no answer: " + type(e).__name__ + " " + node.name] += 1
            return None
        with self.lock:
            self.statuses[r.status_code] += 1
            if r.status_code >= 500 and r.status_code != 503:
                self.bad.append((r.status_code, r.text[:200]))
            if r.status_code == 503 and not r.headers.get("Retry-After"):
                self.bad.append((503, "no Retry-After"))
        return r

    def issue(self, node, key, service="certificates"):
        r = self.post(node, "/api/v1/offices/hall/tickets", json={"service": service, "channel": "web"}, headers={"Idempotency-Key": key})
        return r.json() if r is not None and r.status_code in (200, 201) else None

    def call_next(self, node, counter, key):
        r = self.post(node, f"/api/v1/offices/hall/counters/{counter}/call-next", headers={**self.admin, "Idempotency-Key": key})
        if r is None or r.status_code not in (200, 204):
            return "retry"
        return None if r.status_code == 204 else r.json()

    def complete(self, node, counter):
        r = self.post(node, f"/api/v1/offices/hall/counters/{counter}/complete", headers=self.admin)
        return r is not None and r.status_code in (200, 409)


def tickets_of_hall(db):
    """Every ticket of the hall in the database: (id, prefix, sequence, status)."""
    rows = psql(db, "SELECT id, prefix, sequence, status FROM ticket WHERE office = 'hall'")
    return [tuple(line.split("|")) for line in rows.splitlines() if line]


def called_counts(db):
    rows = psql(db, "SELECT ticket, COUNT(*) FROM event WHERE office = 'hall' AND type = 'ticket.called' GROUP BY ticket")
    return {t: int(n) for t, n in (line.split("|") for line in rows.splitlines() if line)}


def contiguous(db):
    """Numbers per prefix are 1..n with no gap and no repeat."""
    by_prefix = collections.defaultdict(list)
    for _, prefix, seq, _ in tickets_of_hall(db):
        by_prefix[prefix].append(int(seq))
    return all(sorted(s) == list(range(1, len(s) + 1)) for s in by_prefix.values())


def drain(client, nodes, db):
    """Clears the queue in the database itself (between parts), so that each part starts with no open ticket."""
    psql(db, "UPDATE counter_state SET current = NULL")
    psql(db, "UPDATE ticket SET status = 'cancelled' WHERE status IN ('waiting', 'called', 'serving')")


def sse_events(url, out, stop, ready):
    # Long read timeout: the restart part keeps a stream open through the database's outage.
    read_events(url, {}, out, stop, limit=10**9, ready=ready, read_timeout=60)


def part_sse(client, a, b):
    latencies = []
    for i in range(20):
        ticket = client.issue(a, f"sse-{i}")
        stop, ready, heard = threading.Event(), threading.Event(), []
        t = threading.Thread(target=sse_events, args=(f"{b.base}/api/v1/tickets/{ticket['token']}/events", heard, stop, ready), daemon=True)
        t.start()
        ready.wait(5)
        time.sleep(0.2)
        sent = time.monotonic()
        called = client.call_next(a, "c1", f"sse-call-{i}")
        deadline = sent + 3
        while time.monotonic() < deadline and not any(e["event"] == "ticket.called" for e in heard):
            time.sleep(0.005)
        got = [e for e in heard if e["event"] == "ticket.called"]
        latencies.append(got[0]["t"] - sent if got and called and called != "retry" and called["token"] == ticket["token"] else 99)
        stop.set()
        client.complete(a, "c1")
    latencies.sort()
    check("a call on node A reaches an SSE subscriber on node B within 1 s (20 of 20)", latencies[-1] < 1.0,
          f"p50 {latencies[10] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")


def part_issues(client, a, b, db):
    before = {row[0] for row in tickets_of_hall(db)}
    keys = [f"issue-{i}" for i in range(2000)]
    retried = set(random.Random(7).sample(keys, 200))
    answers = collections.defaultdict(list)
    lock = threading.Lock()

    def worker(chunk, index):
        for j, key in enumerate(chunk):
            first, other = (a, b) if (index + j) % 2 == 0 else (b, a)
            sends = [first, other] if key in retried else [first]
            results = []
            if len(sends) == 2:
                # The same key to both nodes at once: a retry racing its first attempt.
                threads = [threading.Thread(target=lambda n=n: results.append(client.issue(n, key))) for n in sends]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
            else:
                results.append(client.issue(first, key))
            with lock:
                answers[key] += [r["token"] for r in results if r]

    chunks = [keys[i::16] for i in range(16)]
    threads = [threading.Thread(target=worker, args=(c, i)) for i, c in enumerate(chunks)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    ids_per_key = {k: set(v) for k, v in answers.items()}
    stored = {row[0] for row in tickets_of_hall(db)} - before
    check("2,000 issues over both nodes, 10% sent twice at once with the same key: every key answered",
          all(len(answers[k]) == (2 if k in retried else 1) for k in keys), f"{elapsed:.1f} s")
    check("… each key got one ticket (the retry the same)", all(len(ids_per_key[k]) == 1 for k in keys))
    all_ids = {next(iter(v)) for v in ids_per_key.values() if v}
    check("… 2,000 distinct tickets, all stored, no other", len(all_ids) == 2000 and stored == all_ids, f"{len(all_ids)} answered, {len(stored)} stored")
    check("… numbers contiguous per procedure (A-001 … A-2000)", contiguous(db))


def part_consoles(client, nodes, db):
    drain(client, nodes, db)
    issued = []
    lock = threading.Lock()

    def issuer(index):
        for j in range(100):
            t = client.issue(nodes[(index + j) % 2], f"console-{index}-{j}", "moving-in" if j % 3 == 0 else "certificates")
            with lock:
                issued.append(t["token"] if t else None)

    threads = [threading.Thread(target=issuer, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    called = []

    def console(i):
        node, counter, click = nodes[i % 2], f"c{i + 1}", 0
        while True:
            click += 1
            got = client.call_next(node, counter, f"{counter}-click-{click}")
            if got == "retry":
                continue
            if got is None:
                return
            with lock:
                called.append(got["token"])
            client.complete(node, counter)

    started = time.monotonic()
    threads = [threading.Thread(target=console, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    counts = called_counts(db)
    check("20 consoles over both nodes, 1,000 tickets: each called exactly once",
          None not in issued and len(issued) == 1000 and sorted(called) == sorted(issued) and len(set(called)) == 1000
          and all(counts.get(t) == 1 for t in issued), f"{len(called)} calls, {len(set(called))} tickets, {elapsed:.1f} s")


def load(client, node_list, prefix, stop, acked, lock):
    i = 0
    while not stop.is_set():
        i += 1
        node = node_list[i % len(node_list)]
        t = client.issue(node, f"{prefix}-{i}")
        if t:
            with lock:
                acked.append(t["token"])


def part_kill(client, a, b, db):
    stop, acked, lock = threading.Event(), [], threading.Lock()
    threads = [threading.Thread(target=load, args=(client, [a, b], f"kill-{k}", stop, acked, lock)) for k in range(6)]
    for t in threads:
        t.start()
    time.sleep(2)
    b.kill()
    killed_at = len(acked)
    time.sleep(3)
    after_kill = len(acked)
    stop.set()
    for t in threads:
        t.join()
    stored = {row[0] for row in tickets_of_hall(db)}
    check("kill -9 node B under load: node A keeps serving", after_kill > killed_at + 20, f"{killed_at} acknowledged before, {after_kill} after 3 s")
    check("… every acknowledged ticket is stored", set(acked) <= stored, f"{len(acked)} acknowledged")
    b.start()


def part_restart(client, a, b, db):
    stop, heard, ready = threading.Event(), [], threading.Event()
    t = threading.Thread(target=sse_events, args=(f"{b.base}/api/v1/offices/hall/events", heard, stop, ready), daemon=True)
    t.start()
    ready.wait(5)
    before = [client.issue(a, f"restart-before-{i}") for i in range(20)]
    subprocess.run([os.path.join(HERE, "..", "scripts", "postgres.sh"), "stop", PG_DIR], check=True)
    down = []
    for i in range(10):
        r = client.post(a if i % 2 else b, "/api/v1/offices/hall/tickets", json={"service": "certificates", "channel": "web"},
                        headers={"Idempotency-Key": f"restart-down-{i}"})
        down.append((r.status_code, r.headers.get("Retry-After")) if r is not None else ("no answer", None))
    check("PostgreSQL down: both nodes answer 503 with Retry-After", all(s == 503 and ra for s, ra in down), str(down[:3]))
    health = [(requests.get(f"{node.base}/health", timeout=10).status_code, requests.get(f"{node.base}/health/live", timeout=10).status_code)
              for node in (a, b)]
    check("… their readiness (/health) says 503 and their liveness (/health/live) 200", health == [(503, 200), (503, 200)], str(health))
    subprocess.run([os.path.join(HERE, "..", "scripts", "postgres.sh"), "start", PG_DIR, PG_URL.split(":")[-1].split("/")[0]],
                   check=True, capture_output=True)
    back = {}
    deadline = time.monotonic() + 30
    for node in (a, b):
        while time.monotonic() < deadline:
            if client.issue(node, f"restart-back-{node.name}-{time.monotonic()}"):
                back[node.name] = True
                break
            time.sleep(0.2)
    check("… both reconnect by themselves once it is back", back.get("a") and back.get("b"))
    stored = {row[0] for row in tickets_of_hall(db)}
    check("… nothing acknowledged before the restart is lost", all(x and x["token"] in stored for x in before))
    drain(client, [a, b], db)
    heard_before = len(heard)
    time.sleep(2)  # the feed listens again within its back-off
    ticket = client.issue(a, "restart-after")
    client.call_next(a, "c1", "restart-after-call")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(ticket["number"] in e.get("data", "") for e in heard[heard_before:]):
        time.sleep(0.05)
    check("… a subscriber on node B that stayed connected sees a ticket called on node A after it",
          any(ticket["number"] in e.get("data", "") for e in heard[heard_before:]))
    stop.set()


def part_terminate(client, a, b, db):
    drain(client, [a, b], db)
    stop, lock = threading.Event(), threading.Lock()
    keys_answered = collections.defaultdict(set)
    statuses_before = client.statuses.copy()

    def issuer(k):
        i = 0
        while not stop.is_set():
            i += 1
            key = f"term-{k}-{i}"
            # Sent until answered, with the same key, as a kiosk does.
            for attempt in range(50):
                t = client.issue(a if (i + attempt) % 2 else b, key)
                if t:
                    with lock:
                        keys_answered[key].add(t["token"])
                    break
                time.sleep(0.05)

    called = []

    def console(i):
        node, counter, click = (a, b)[i % 2], f"c{i + 1}", 0
        while not stop.is_set():
            click += 1
            key = f"term-{counter}-{click}"
            for _ in range(50):
                got = client.call_next(node, counter, key)
                if got != "retry":
                    break
                time.sleep(0.05)
            if got is None or got == "retry":
                time.sleep(0.05)
                continue
            with lock:
                called.append(got["token"])
            while not client.complete(node, counter) and not stop.is_set():
                time.sleep(0.05)

    killed = [0]

    def terminator():
        while not stop.is_set():
            out = psql(PG_URL, "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'madoguchi'")
            killed[0] += int(out or 0)
            time.sleep(0.3)

    threads = [threading.Thread(target=issuer, args=(k,)) for k in range(6)] + [threading.Thread(target=console, args=(i,)) for i in range(6)]
    term = threading.Thread(target=terminator)
    for t in threads:
        t.start()
    term.start()
    time.sleep(30)
    stop.set()
    for t in threads + [term]:
        t.join()
    stored = {row[0] for row in tickets_of_hall(db)}
    answered = [next(iter(v)) for v in keys_answered.values()]
    counts = called_counts(db)
    delta = client.statuses - statuses_before
    check("pg_terminate_backend every 0.3 s for 30 s: connections were really cut", killed[0] > 50, f"{killed[0]} backends terminated")
    check("… every key answered one ticket, each stored", all(len(v) == 1 for v in keys_answered.values()) and set(answered) <= stored,
          f"{len(answered)} tickets acknowledged")
    check("… no ticket twice and numbers contiguous", len(set(answered)) == len(answered) and contiguous(db))
    check("… no ticket called twice", all(counts.get(t, 0) <= 1 for t in stored) and len(called) == len(set(called)), f"{len(called)} calls")
    check("… no 5xx but 503 (each with Retry-After)", not client.bad, f"answers: {dict(delta)}; bad: {client.bad[:3]}")


def main():
    db = fresh_database()
    workdir = tempfile.mkdtemp(prefix="madoguchi-mn-")
    offices = os.path.join(workdir, "offices.yaml")
    with open(offices, "w") as f:
        f.write(OFFICES)
    subprocess.run([BIN, "import", "--db", db, offices], check=True, capture_output=True)
    # The consoles' token is made on SQLite and moved to PostgreSQL by its hash (token export | token import), as a
    # city moving from one node to several would; another is made on PostgreSQL directly.
    sqlite_db = f"sqlite:{os.path.join(workdir, 'before.sqlite')}"
    subprocess.run([BIN, "import", "--db", sqlite_db, offices], check=True, capture_output=True)
    admin = subprocess.run([BIN, "token", "create", "--db", sqlite_db, "--role", "admin", "--name", "load-test"],
                           capture_output=True, text=True, check=True).stdout.strip()
    exported = subprocess.run([BIN, "token", "export", "--db", sqlite_db], capture_output=True, text=True, check=True).stdout
    moved = subprocess.run([BIN, "token", "import", "--db", db, "-"], input=exported, capture_output=True, text=True, check=True).stdout
    subprocess.run([BIN, "token", "create", "--db", db, "--role", "staff", "--office", "hall", "--name", "desk"], check=True, capture_output=True)
    listed = subprocess.run([BIN, "token", "export", "--db", db], capture_output=True, text=True, check=True).stdout
    check("token export | token import moves an account from SQLite to PostgreSQL by its hash",
          "imported 1 of 1" in moved and admin not in exported and '"load-test"' in listed and '"desk"' in listed, moved.strip())
    a, b = Node(db, "a"), Node(db, "b")
    a.start()
    b.start()
    client = Client(admin)
    try:
        r = requests.post(f"{a.base}/api/v1/offices/hall/counters/c20/call-next", headers=client.admin)
        check("… and the moved token works on the PostgreSQL nodes", r.status_code in (200, 204), str(r.status_code))
        part_sse(client, a, b)
        part_issues(client, a, b, db)
        part_consoles(client, [a, b], db)
        part_kill(client, a, b, db)
        part_restart(client, a, b, db)
        part_terminate(client, a, b, db)
    finally:
        a.stop()
        b.stop()
    print("answers by status:", dict(client.statuses))
    failed = [n for n, ok in RESULTS if not ok]
    print(f"multinode: {len(RESULTS) - len(failed)}/{len(RESULTS)} passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
