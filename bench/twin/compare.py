"""Runs the twin and Ciw on identical models in one run and prints customers per second, the ratio, and whether
the mean waits agree (Welch's 95% interval for the difference of the engines' mean waits contains 0)."""
import json, math, subprocess, sys

TWIN = sys.argv[1]
CIW_PYTHON = sys.argv[2]
HERE = sys.argv[3]
SCALE = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0

def t_quantile(p, df):
    # Student t quantile by the Cornish-Fisher expansion around the normal (accurate to ~1e-3 for df >= 5).
    z = math.sqrt(2) * inverse_erf(2 * p - 1)
    g1 = (z ** 3 + z) / 4
    g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96
    g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384
    return z + g1 / df + g2 / df ** 2 + g3 / df ** 3

def inverse_erf(y):
    x, lo, hi = 0.0, -6.0, 6.0
    for _ in range(200):
        x = (lo + hi) / 2
        if math.erf(x) < y: lo = x
        else: hi = x
    return x

def welch(a, b):
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    va = sum((x - ma) ** 2 for x in a) / (len(a) - 1)
    vb = sum((x - mb) ** 2 for x in b) / (len(b) - 1)
    se2 = va / len(a) + vb / len(b)
    df = se2 ** 2 / ((va / len(a)) ** 2 / (len(a) - 1) + (vb / len(b)) ** 2 / (len(b) - 1))
    half = t_quantile(0.975, df) * math.sqrt(se2)
    return ma, mb, ma - mb - half, ma - mb + half

def run(cmd):
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])

MODELS = [
    # name, twin scenario, cut (minutes) for the waits, ciw model, replications for the wait comparison,
    # twin days for the speed figure, ciw replications for the speed figure
    ("M/M/6, 1,000 customers a day", "mm6-1000.yaml", 0.9 * 19, "1000", 60, 20000, 60),
    ("M/M/6, 10,000 customers a day", "mm6-10000.yaml", 0.9 * 185, "10000", 30, 2000, 30),
    ("time-varying day with a roster", "varying.yaml", None, "varying", 60, 20000, 60),
]

print(f"{'model':34} {'twin 1 core':>12} {'twin 2 cores':>12} {'Ciw':>8} {'ratio 1':>8} {'ratio 2':>8}  {'twin mean':>9} {'Ciw mean':>8}  Welch 95% CI of the difference (min)  agree")
for name, scenario, cut, ciw_model, reps, twin_days, ciw_reps in MODELS:
    twin_days = max(reps, int(twin_days * SCALE))
    ciw_reps = max(5, int(ciw_reps * SCALE))
    args = [TWIN, f"{HERE}/{scenario}", str(twin_days), "1", str(cut) if cut else "inf"]
    twin = run(args + ["1"])
    twin2 = run(args + ["2"])
    ciw = run([CIW_PYTHON, f"{HERE}/ciw_side.py", ciw_model, str(ciw_reps), "1000"])
    twin_rate = twin["visitors"] / twin["seconds"]
    twin2_rate = twin2["visitors"] / twin2["seconds"]
    ciw_rate = ciw["visitors"] / ciw["seconds"]
    a = twin["dayMeanWaitMinutes"][:max(reps, ciw_reps)]
    b = ciw["dayMeanWaitMinutes"]
    ma, mb, lo, hi = welch(a, b)
    agree = "yes" if lo <= 0 <= hi else "NO"
    print(f"{name:34} {twin_rate:12,.0f} {twin2_rate:12,.0f} {ciw_rate:8,.0f} {twin_rate / ciw_rate:7.0f}x {twin2_rate / ciw_rate:7.0f}x  {ma:9.3f} {mb:8.3f}  [{lo:+.3f}, {hi:+.3f}] ({len(a)} vs {len(b)} days)  {agree}")
