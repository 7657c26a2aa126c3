#!/usr/bin/env python3
"""Per-tier fill of mothers born in a date range, from an output directory's mothers.csv.

usage: python3 tools/tier_fill.py OUTDIR [FROM TO] [--early-week 20] [--minimum 24]

For each policy and replication: early registrants' (registration week < 20) tier-3 fill and
late registrants' tier-4 fill, both as delivered over indicated hours above the guaranteed
tiers 1-2, for mothers whose birth_date is in [FROM, TO] (default 2027-07-01..2027-08-31).
Policies hand out a mother's hours tier 1 first, so her hours above the guarantee are her
tier-3/4 hours. Prints the mean over replications and a 95% t interval of the difference
(tier 3 - tier 4), and the mothers below the minimum from summary.csv (region ALL)."""
import csv, math, sys, pathlib
from collections import defaultdict

T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
        9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120,
        17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 29: 2.045, 49: 2.010, 99: 1.984}

def t975(df):
    return T975.get(df, 1.96 if df > 99 else T975[min(k for k in T975 if k >= df)])

def mean_ci(xs):
    n = len(xs)
    m = sum(xs) / n
    if n < 2:
        return m, m, m
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    h = t975(n - 1) * sd / math.sqrt(n)
    return m, m - h, m + h

def main():
    args = [a for a in sys.argv[1:]]
    early_week, minimum = 20, 24.0
    if "--early-week" in args:
        i = args.index("--early-week"); early_week = int(args[i + 1]); del args[i:i + 2]
    if "--minimum" in args:
        i = args.index("--minimum"); minimum = float(args[i + 1]); del args[i:i + 2]
    out = pathlib.Path(args[0])
    lo, hi = (args[1], args[2]) if len(args) >= 3 else ("2027-07-01", "2027-08-31")
    # (policy, replication) -> [early delivered, early indicated, late delivered, late indicated]
    acc = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    with open(out / "mothers.csv", newline="") as f:
        for r in csv.DictReader(f):
            if not (lo <= r["birth_date"] <= hi):
                continue
            ind, med = float(r["indicated_hours"]), float(r["medical_hours"])
            got = float(r["delivered_hours"])
            t1 = min(ind, minimum)
            t2 = max(0.0, min(med, ind - t1))
            rest = max(0.0, ind - t1 - t2)
            if rest <= 0:
                continue
            above = min(rest, max(0.0, got - t1 - t2))
            a = acc[(r["variant"], r["policy"], r["replication"])]
            k = 0 if int(r["registration_week"]) < early_week else 2
            a[k] += above
            a[k + 1] += rest
    below = defaultdict(list)
    with open(out / "summary.csv", newline="") as f:
        for r in csv.DictReader(f):
            if r["region"] == "ALL":
                below[(r["variant"], r["policy"])].append(
                    (int(r["mothers_below_minimum"]), int(r["mothers"])))
    keys = sorted({(v, p) for (v, p, _) in acc})
    print(f"births {lo}..{hi}; tier-3 fill (early) vs tier-4 fill (late), mean [95% interval]")
    for v, p in keys:
        reps = [acc[(v, p, r)] for (vv, pp, r) in sorted(acc) if (vv, pp) == (v, p)]
        e = [a[0] / a[1] for a in reps if a[1] > 0 and a[3] > 0]
        l = [a[2] / a[3] for a in reps if a[1] > 0 and a[3] > 0]
        d = [x - y for x, y in zip(e, l)]
        me, ml, (md, dlo, dhi) = mean_ci(e)[0], mean_ci(l)[0], mean_ci(d)
        b = below[(v, p)]
        nb, nm = sum(x for x, _ in b), sum(y for _, y in b)
        print(f"{v} {p:24} tier3 {me:.3f}  tier4 {ml:.3f}  diff {md:.3f} [{dlo:.3f}, {dhi:.3f}]"
              f"  reps {len(d)}  below minimum {nb} of {nm} ({100 * nb / max(nm, 1):.2f}%)")

if __name__ == "__main__":
    main()
