#!/usr/bin/env python3
"""Peer benchmark for `diceproof compare --mode voxels` against plain numpy.

The job: for every pair (y, y_hat) of binary masks on n voxels (4^n pairs), the
histogram of confusion counts, from which Dice and Jaccard follow on every pair.
  * numpy: masks are the integers 0 .. 2^n - 1; a popcount table and broadcasting
    over all y_hat for a block of y give |y|, |y & y_hat| and |y_hat| for every
    pair; np.bincount builds the (|y|, TP, |y_hat|) histogram. One thread.
  * `diceproof compare --target dice --candidate jaccard --mode voxels --json
    --quiet`, release build, whole process (start-up included), all cores.
Checks before any figure is printed:
  * numpy: the histogram sums to 4^n, every (TP, FP, FN, TN) with sum n is
    occupied and holds exactly n!/(TP! FP! FN! TN!) pairs, nothing else is;
  * diceproof: 4^n configurations, max ratio exactly (2n-1)/n;
  * the two agree: min/max ratio, max |gap| and the skipped (0/0) count that
    the numpy histogram implies (computed from it with Python Fractions, ties
    broken by the smallest (TP, FP, FN, TN) as diceproof does) equal the JSON.

Usage: python3 benches/peer/voxel_histogram_numpy.py [--bin target/release/diceproof]
           [--runs 5] [--numpy-n 10 12] [--diceproof-n 12 14 16]
The release binary must exist (`cargo build --release`); this script does not build
it. Needs: numpy.
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

import numpy as np


def numpy_histogram(n, block=64):
    """(|y|, TP, |y_hat|) histogram over all 4^n pairs: h[k, tp, ps].

    Masks are the integers 0 .. 2^n - 1. For a block of y (64 rows: about 0.26 M
    pairs per broadcast at n = 12, which fits the cache better than bigger blocks),
    TP = popcount(y & y_hat) for every y_hat by one table lookup, and the bin index
    (|y|·w + TP)·w + |y_hat| goes to np.bincount."""
    w = n + 1
    size = 1 << n
    masks = np.arange(size, dtype=np.uint32)
    pc = np.zeros(size, dtype=np.intp)  # popcount table
    for b in range(n):
        pc += (masks >> b) & 1
    pc_w = pc * w  # TP·w, looked up by y & y_hat
    h = np.zeros(w * w * w, dtype=np.int64)
    for start in range(0, size, block):
        ys = masks[start:start + block]
        idx = pc_w[ys[:, None] & masks[None, :]]
        idx += (pc[ys] * (w * w))[:, None] + pc[None, :]
        h += np.bincount(idx.ravel(), minlength=w * w * w)
    return h.reshape(w, w, w)


def tuples_of(h, n):
    """{(tp, fp, fn, tn): pairs} for the occupied bins of a (k, tp, ps) histogram."""
    out = {}
    for k, tp, ps in zip(*np.nonzero(h)):
        k, tp, ps = int(k), int(tp), int(ps)
        fp, fn = ps - tp, k - tp
        out[(tp, fp, fn, n - k - fp)] = int(h[k, tp, ps])
    return out


def check_histogram(t, n):
    assert sum(t.values()) == 4 ** n, "numpy histogram does not sum to 4^n"
    expected = {}
    for tp in range(n + 1):
        for fp in range(n + 1 - tp):
            for fn in range(n + 1 - tp - fp):
                tn = n - tp - fp - fn
                expected[(tp, fp, fn, tn)] = math.factorial(n) // (
                    math.factorial(tp) * math.factorial(fp) * math.factorial(fn) * math.factorial(tn))
    assert set(t) == set(expected), "occupied (TP, FP, FN, TN) differ from all tuples of sum n"
    bad = [c for c in t if t[c] != expected[c]]
    assert not bad, f"multinomial weights differ at {bad[:5]}"
    assert len(t) == (n + 1) * (n + 2) * (n + 3) // 6


def summary_from_tuples(t):
    """What `compare --target dice --candidate jaccard --empty one` reports, computed
    from the histogram with Fractions. Iterating tuples in ascending order and
    replacing only on strict improvement keeps the smallest witness."""
    lo = hi = gap = None
    skipped = 0
    for c in sorted(t):
        tp, fp, fn, tn = c
        e = fp + fn
        d = Fraction(e, 2 * tp + e) if 2 * tp + e else Fraction(0)
        j = Fraction(e, tp + e) if tp + e else Fraction(0)
        g = abs(j - d)
        if gap is None or g > gap[0]:
            gap = (g, c)
        if d == 0:
            assert j == 0, "Dice loss 0 but Jaccard loss > 0"
            skipped += t[c]
            continue
        r = j / d
        if hi is None or r > hi[0]:
            hi = (r, c)
        if lo is None or r < lo[0]:
            lo = (r, c)
    return lo, hi, gap, skipped


def witness(doc_w):
    return (doc_w["tp"], doc_w["fp"], doc_w["fn"], doc_w["tn"])


def median_time(f, runs):
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default="target/release/diceproof")
    ap.add_argument("--runs", type=int, default=5, help="runs per timing (median)")
    ap.add_argument("--numpy-n", type=int, nargs="+", default=[10, 12])
    ap.add_argument("--diceproof-n", type=int, nargs="+", default=[12, 14, 16])
    a = ap.parse_args()
    if not (os.path.isfile(a.bin) and os.access(a.bin, os.X_OK)):
        sys.exit(f"no diceproof binary at {a.bin!r}: build it with `cargo build --release` "
                 "or pass --bin PATH")

    np_rate = {}
    np_tuples = {}
    for n in a.numpy_n:
        numpy_histogram(n)  # warm-up
        secs, h = median_time(lambda: numpy_histogram(n), a.runs)
        t = tuples_of(h, n)
        check_histogram(t, n)
        np_tuples[n] = t
        np_rate[n] = 4 ** n / secs
        print(f"numpy histogram n={n}: {secs*1000:.1f} ms, {np_rate[n]:.3g} pairs/s "
              f"(median of {a.runs}, one thread; sum 4^{n} and all {len(t)} multinomial weights checked)")

    dp_rate = {}
    for n in a.diceproof_n:
        cmd = [a.bin, "compare", "--target", "dice", "--candidate", "jaccard", "--n", str(n),
               "--mode", "voxels", "--json", "--quiet", "--force"]
        run = lambda: subprocess.run(cmd, check=True, capture_output=True).stdout
        run()  # warm-up (page cache)
        secs, out = median_time(run, a.runs)
        doc = json.loads(out)
        assert doc["configurations"] == str(4 ** n), "diceproof configurations != 4^n"
        assert doc["ratio"]["max"] == str(Fraction(2 * n - 1, n)), \
            f"diceproof max ratio {doc['ratio']['max']} != (2n-1)/n"
        if n in np_tuples:
            lo, hi, gap, skipped = summary_from_tuples(np_tuples[n])
            assert doc["ratio"]["min"] == str(lo[0]) and witness(doc["ratio"]["min_witness"]) == lo[1]
            assert doc["ratio"]["max"] == str(hi[0]) and witness(doc["ratio"]["max_witness"]) == hi[1]
            assert doc["abs_gap"]["max"] == str(gap[0]) and witness(doc["abs_gap"]["witness"]) == gap[1]
            assert doc["skipped"] == str(skipped)
            agree = "; min/max ratio, max gap, witnesses and skipped agree with the numpy histogram"
        else:
            agree = ""
        dp_rate[n] = 4 ** n / secs
        print(f"diceproof compare --mode voxels n={n}: {secs*1000:.1f} ms whole process, "
              f"{dp_rate[n]:.3g} pairs/s (median of {a.runs}, all cores; "
              f"max ratio {doc['ratio']['max']}{agree})")

    for n in sorted(set(np_rate) & set(dp_rate)):
        print(f"ratio diceproof/numpy at n={n} (pairs/s, whole process vs in-process): "
              f"{dp_rate[n]/np_rate[n]:.1f}x")
    if np_rate and dp_rate:
        bn, bd = max(np_rate, key=np_rate.get), max(dp_rate, key=dp_rate.get)
        print(f"ratio best diceproof (n={bd}) / best numpy (n={bn}) in pairs/s: "
              f"{dp_rate[bd]/np_rate[bn]:.0f}x")


if __name__ == "__main__":
    main()
