#!/usr/bin/env python3
"""Peer benchmark for `diceproof compare --mode counts` against plain Python fractions.

The job: on n voxels, visit every (TP, FP, FN, TN) with TP + FP + FN + TN = n
(C(n+3, 3) tuples standing for all 4^n mask pairs), take the Dice loss (target) and
the Jaccard loss (candidate) exactly, and keep the exact min and max of
Jaccard/Dice and the max |Jaccard - Dice|, each with its smallest witness in
(TP, FP, FN, TN) order, as `diceproof compare --empty one` does (both masks empty:
similarity 1, loss 0; Dice loss = Jaccard loss = 0 is a 0/0 ratio and is counted
as skipped, weighted by its number of mask pairs).
  * Python: a triple loop with fractions.Fraction, in-process, one thread;
  * `diceproof compare --target dice --candidate jaccard --n N --json --quiet
    --force`, release build, whole process (start-up included), all cores.
Checks: every exact string p/q (min, max, max gap), every witness, the tuple,
configuration and skipped totals agree, and the max ratio is (2n-1)/n.

Usage: python3 benches/peer/count_space_fractions.py [--bin target/release/diceproof]
           [--n 200] [--runs 5] [--diceproof-n 200 1000]
The Python reference takes about 12 s at n = 200 (it grows as n^3) and runs once.
The release binary must exist (`cargo build --release`); this script does not build
it. Needs only the standard library.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from fractions import Fraction


def reference(n):
    """Exact spread of Jaccard against Dice over every count tuple on n voxels."""
    lo = hi = gap = None
    skipped = 0
    tuples = 0
    zero = Fraction(0)
    for tp in range(n + 1):
        for fp in range(n - tp + 1):
            for fn in range(n - tp - fp + 1):
                tn = n - tp - fp - fn
                tuples += 1
                e = fp + fn
                dice = Fraction(e, 2 * tp + e) if 2 * tp + e else zero
                jac = Fraction(e, tp + e) if tp + e else zero
                c = (tp, fp, fn, tn)
                g = abs(jac - dice)
                # ascending order + strict improvement = smallest witness on ties
                if gap is None or g > gap[0]:
                    gap = (g, c)
                if dice == 0:
                    if jac != 0:
                        raise AssertionError(f"unbounded at {c}")
                    skipped += math.factorial(n) // (
                        math.factorial(tp) * math.factorial(fp) * math.factorial(fn) * math.factorial(tn))
                    continue
                r = jac / dice
                if hi is None or r > hi[0]:
                    hi = (r, c)
                if lo is None or r < lo[0]:
                    lo = (r, c)
    return {"tuples": tuples, "skipped": skipped, "min": lo, "max": hi, "gap": gap}


def witness(w):
    return (w["tp"], w["fp"], w["fn"], w["tn"])


def diceproof(binary, n):
    cmd = [binary, "compare", "--target", "dice", "--candidate", "jaccard", "--n", str(n),
           "--json", "--quiet", "--force"]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True).stdout)


def check_doc(doc, n):
    assert doc["mode"] == "counts"
    assert doc["tuples"] == (n + 1) * (n + 2) * (n + 3) // 6, "tuples != C(n+3, 3)"
    assert doc["configurations"] == str(4 ** n), "configurations != 4^n"
    assert doc["ratio"]["max"] == str(Fraction(2 * n - 1, n)), "max ratio != (2n-1)/n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="target/release/diceproof")
    ap.add_argument("--n", type=int, default=200, help="size for the Python reference")
    ap.add_argument("--runs", type=int, default=5, help="diceproof runs per size (median)")
    ap.add_argument("--diceproof-n", type=int, nargs="+", default=[200, 1000])
    a = ap.parse_args()
    if not (os.path.isfile(a.bin) and os.access(a.bin, os.X_OK)):
        sys.exit(f"no diceproof binary at {a.bin!r}: build it with `cargo build --release` "
                 "or pass --bin PATH")

    n = a.n
    t0 = time.perf_counter()
    ref = reference(n)
    t_py = time.perf_counter() - t0
    doc = diceproof(a.bin, n)
    check_doc(doc, n)
    assert doc["tuples"] == ref["tuples"]
    assert doc["skipped"] == str(ref["skipped"]), "skipped differs"
    for key, got, w in [("min", doc["ratio"]["min"], doc["ratio"]["min_witness"]),
                        ("max", doc["ratio"]["max"], doc["ratio"]["max_witness"]),
                        ("gap", doc["abs_gap"]["max"], doc["abs_gap"]["witness"])]:
        value, c = ref[key]
        assert got == str(value), f"{key}: diceproof {got} != fractions {value}"
        assert witness(w) == c, f"{key} witness: diceproof {witness(w)} != fractions {c}"
    py_rate = ref["tuples"] / t_py
    print(f"Python fractions n={n}: {t_py:.2f} s, {py_rate:.3g} tuples/s (one run, one thread); "
          f"min {ref['min'][0]} at {ref['min'][1]}, max {ref['max'][0]} at {ref['max'][1]}, "
          f"max gap {ref['gap'][0]} at {ref['gap'][1]}: all equal to diceproof's JSON")

    rates = {}
    for m in a.diceproof_n:
        diceproof(a.bin, m)  # warm-up
        times = []
        for _ in range(a.runs):
            t0 = time.perf_counter()
            d = diceproof(a.bin, m)
            times.append(time.perf_counter() - t0)
            check_doc(d, m)
        secs = statistics.median(times)
        rates[m] = d["tuples"] / secs
        print(f"diceproof compare --mode counts n={m}: {secs*1000:.1f} ms whole process, "
              f"{rates[m]:.3g} tuples/s (median of {a.runs}, all cores; max ratio {d['ratio']['max']})")
    if n in rates:
        print(f"ratio diceproof/fractions at n={n} (tuples/s, whole process vs in-process): "
              f"{rates[n]/py_rate:.0f}x")


if __name__ == "__main__":
    main()
