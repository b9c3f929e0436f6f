#!/usr/bin/env python3
"""Peer benchmark for `diceproof measure` on real volumes.

Times the same job two ways on the same machine and prints the ratio:
  * a nibabel + numpy script: load two .nii.gz volumes, binarise (!= 0), count
    TP/FP/FN/TN and compute Dice and Jaccard as Python Fractions;
  * `diceproof measure --json` on the same files (release build).
Usage: python3 benches/peer/count_nibabel.py [--runs 5] [--bin target/release/diceproof]
Needs: pip install numpy nibabel; Debian's mricron-data.
"""
import argparse
import json
import statistics
import subprocess
import time
from fractions import Fraction

import nibabel as nib
import numpy as np

T = "/usr/share/mricron/templates"


def count(gt_path, pred_path):
    g = np.asanyarray(nib.load(gt_path).dataobj) != 0
    p = np.asanyarray(nib.load(pred_path).dataobj) != 0
    tp = int(np.count_nonzero(g & p))
    fp = int(np.count_nonzero(~g & p))
    fn = int(np.count_nonzero(g & ~p))
    tn = g.size - tp - fp - fn
    dice = Fraction(2 * tp, 2 * tp + fp + fn)
    jac = Fraction(tp, tp + fp + fn)
    return tp, fp, fn, tn, dice, jac


def best_of(f, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bin", default="target/release/diceproof")
    a = ap.parse_args()
    gt, pred = f"{T}/ch2bet.nii.gz", f"{T}/aal.nii.gz"
    t_py, (tp, fp, fn, tn, dice, jac) = best_of(lambda: count(gt, pred), a.runs)
    cmd = [a.bin, "measure", "--gt", gt, "--pred", pred, "--json"]
    t_rs, out = best_of(lambda: subprocess.run(cmd, check=True, capture_output=True).stdout, a.runs)
    doc = json.loads(out)
    assert (doc["tp"], doc["fp"], doc["fn"], doc["tn"]) == (tp, fp, fn, tn), "counts differ"
    assert doc["metrics"]["dice"]["similarity"] == f"{dice.numerator}/{dice.denominator}"
    assert doc["metrics"]["jaccard"]["similarity"] == f"{jac.numerator}/{jac.denominator}"
    # The same Python job as a whole process (interpreter start and imports included),
    # which is what a user running a script from the shell waits for.
    script = f"import sys; sys.path.insert(0, {str(__file__.rsplit('/', 1)[0])!r}); " \
        f"import count_nibabel as c; c.count({gt!r}, {pred!r})"
    t_pyproc, _ = best_of(lambda: subprocess.run(["python3", "-c", script], check=True), a.runs)
    print(f"nibabel+numpy, in-process (median of {a.runs}): {t_py*1000:.0f} ms")
    print(f"nibabel+numpy, whole process (median of {a.runs}): {t_pyproc*1000:.0f} ms")
    print(f"diceproof measure, whole process (median of {a.runs}): {t_rs*1000:.0f} ms")
    print(f"ratio in-process nibabel / diceproof: {t_py/t_rs:.2f}x")
    print(f"ratio whole-process nibabel / diceproof: {t_pyproc/t_rs:.2f}x")


if __name__ == "__main__":
    main()
