"""The twin's commands end to end on the debug binary: `simulate` writes an event log in the project's schema and
an HTML report with SVG plots; `plan` plans the small case; a scenario with a typo is refused with a message
that names the key."""
import json, os, subprocess, sys, tempfile

BIN = os.environ["MADOGUCHI_BIN"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TYPES = {"ticket.issued", "ticket.called", "ticket.recalled", "ticket.serving", "ticket.completed", "ticket.no_show",
         "ticket.cancelled", "ticket.transferred", "ticket.postponed", "ticket.reactivated", "ticket.expired",
         "ticket.come_now", "ticket.arrived", "counter.opened", "counter.closed", "roster.planned"}


def run(*args, ok=True):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=600)
    if ok and p.returncode != 0:
        sys.exit(f"{args}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


with tempfile.TemporaryDirectory() as d:
    events, report = os.path.join(d, "events.jsonl"), os.path.join(d, "report.html")
    out = run("simulate", os.path.join(ROOT, "scenarios/chuo-weekday.yaml"), "--days", "3", "--seed", "5",
              "--events", events, "--report", report).stdout
    assert "P(day max wait > 60 min)" in out and "visitors/s" in out, out
    # Remote holders follow the estimator's rule, compared with "alert at N ahead" on the same days.
    assert '"come now" rules for remote holders' in out and "estimator: P(called within travel + 10 min) > 0.10" in out, out
    assert all(f"alert at {n} ahead" in out for n in (3, 5, 10)), out
    # Arrival check-in on and off on the same days: with it on, nobody is called before arriving.
    assert "arrival check-in for remote holders" in out, out
    on = next(l for l in out.splitlines() if l.strip().startswith("check-in on")).split()
    assert float(on[2]) == 0.0 and int(on[3]) == 0, on
    seqs, issued, lines, kinds = [], set(), 0, set()
    with open(events) as f:
        for line in f:
            e = json.loads(line)
            lines += 1
            kinds.add(e["type"])
            assert e["type"] in TYPES, e
            seqs.append(e["seq"])
            if e["type"] == "ticket.issued":
                issued.add(e["ticket"])
                assert "businessDate" in e["data"] and e["number"][0] == e["number"][0].upper(), e
                # Every simulated day says so; a remote ticket carries its holder's journey.
                assert e["data"]["simulated"] is True, e
                assert ("travelMinutes" in e["data"]) == (e["channel"] == "web"), e
            elif e["type"].startswith("ticket."):
                assert e["ticket"] in issued, f"event before its ticket was issued: {e}"
    assert lines > 3000, lines
    assert any(t == "ticket.come_now" for t in kinds), "remote holders are told to come"
    assert any(t == "ticket.arrived" for t in kinds), "and check in on arrival"
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), "seq must increase"
    html = open(report).read()
    assert html.count("<svg") >= 3 and "60 min" in html and "<script" not in html, "report"

    # The same seed gives the same log, byte for byte.
    again = os.path.join(d, "again.jsonl")
    run("simulate", os.path.join(ROOT, "scenarios/chuo-weekday.yaml"), "--days", "3", "--seed", "5", "--events", again)
    assert open(events).read() == open(again).read(), "same seed, different log"

    out = run("plan", os.path.join(ROOT, "bench/twin/small-case.yaml"), "--days", "10", "--check-days", "20").stdout
    assert "SIPP" in out and "MOL" in out and "plan " in out, out

    bad = os.path.join(d, "bad.yaml")
    text = open(os.path.join(ROOT, "bench/twin/small-case.yaml")).read().replace("noShowRate", "noshowrate")
    open(bad, "w").write(text)
    p = run("simulate", bad, ok=False)
    assert p.returncode != 0 and "noshowrate: unknown key" in p.stderr, p.stderr

print(f"twin CLI: simulate wrote {lines} events and a report; plan and a refused typo behaved")
