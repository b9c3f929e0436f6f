"""Speed of the Python package on the README's data (not a test; run by hand):

    python benches/python/measure_audit.py [path/to/diceproof]

1. diceproof.measure on in-memory arrays of ch2bet vs aal (7.1 M voxels, read
   with nibabel beforehand), against the CLI on the same files: whole process,
   and minus its file reading (reading both files timed separately by measuring
   a tiny pair). Asserts both report the same exact counts and metrics.
2. The exact soft Dice / soft Jaccard / JML of a 7.1 M-voxel float32 probability
   map, in process and through the CLI on .npy copies (asserts identical losses).
3. diceproof.audit of a vectorised numpy Dice loss over all 4^8 mask pairs.
Prints the median and range over repeats.
"""
import json
import subprocess
import sys
import time
from fractions import Fraction

import nibabel as nib
import numpy as np

import diceproof as dp

T = "/usr/share/mricron/templates/"
EXE = sys.argv[1] if len(sys.argv) > 1 else "target/release/diceproof"


def timed(f, reps):
    out, ts = None, []
    for _ in range(reps):
        t = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t)
    ts.sort()
    return out, ts


def fmt(ts):
    return f"median {1e3 * ts[len(ts) // 2]:.1f} ms (range {1e3 * ts[0]:.1f}-{1e3 * ts[-1]:.1f})"


gt = np.asanyarray(nib.load(T + "ch2bet.nii.gz").dataobj)
pred = np.asanyarray(nib.load(T + "aal.nii.gz").dataobj)
print("arrays", gt.shape, gt.dtype, pred.dtype, "C-contiguous:", gt.flags.c_contiguous)

r, ts = timed(lambda: dp.measure(gt, pred), 15)
print("diceproof.measure on nibabel's arrays (Fortran order, read in place):", fmt(ts))
gc, pc = np.ascontiguousarray(gt), np.ascontiguousarray(pred)
_, ts_c = timed(lambda: dp.measure(gc, pc), 15)
print("diceproof.measure on C-contiguous arrays:", fmt(ts_c))

cmd = [EXE, "measure", "--gt", T + "ch2bet.nii.gz", "--pred", T + "aal.nii.gz", "--json"]
cli, ts_cli = timed(lambda: json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout), 15)
print("CLI measure, whole process:", fmt(ts_cli))
for k in ("tp", "fp", "fn", "tn"):
    assert r[k] == cli[k], k
for spec, v in cli["metrics"].items():
    assert r["metrics"][spec]["similarity"] == Fraction(v["similarity"])
# Reading: decompressing both volumes in process (what the CLI does on two threads).
import gzip
_, ts_read = timed(lambda: (gzip.decompress(open(T + "ch2bet.nii.gz", "rb").read()),
                            gzip.decompress(open(T + "aal.nii.gz", "rb").read())), 9)
print("gzip decompression of both files in Python (upper bound of the CLI's reading):", fmt(ts_read))
tiny = [EXE, "measure", "--gt", "0110", "--pred", "0100", "--json"]
_, ts_tiny = timed(lambda: subprocess.run(tiny, capture_output=True, check=True), 15)
print("CLI process on inline 4-voxel masks (start-up and output only):", fmt(ts_tiny))

prob = (np.asanyarray(nib.load(T + "ch2.nii.gz").dataobj).astype(np.float32) / 255).astype(np.float32)
prob = np.ascontiguousarray(np.clip(prob, 0, 1))
lab = np.ascontiguousarray(gt != 0)
s, ts_s = timed(lambda: dp.measure(lab, prob, metrics=["soft-dice", "soft-jaccard", "jml"]), 7)
print("exact soft-dice + soft-jaccard + jml on a 7.1 M float32 probability map:", fmt(ts_s),
      {k: float(v["loss"]) for k, v in s["metrics"].items()})
# The same map through the CLI (both go through the one exact accumulator,
# surrogates::maps::hard_label_sums): identical exact losses; the CLI reads .npy
# copies (a page-cache copy) so that decompression does not dominate.
import tempfile
with tempfile.TemporaryDirectory() as d:
    np.save(d + "/prob.npy", prob)
    np.save(d + "/lab.npy", lab.astype(np.uint8))
    soft_cmd = [EXE, "measure", "--gt", d + "/lab.npy", "--pred", d + "/prob.npy", "--json",
                "--metric", "soft-dice", "--metric", "soft-jaccard", "--metric", "jml"]
    soft_cli, ts_soft_cli = timed(
        lambda: json.loads(subprocess.run(soft_cmd, capture_output=True, text=True, check=True).stdout), 7)
for spec, v in soft_cli["metrics"].items():
    assert s["metrics"][spec]["loss"] == Fraction(v["loss"]), spec
print("CLI measure of the same map and label as .npy, whole process:", fmt(ts_soft_cli))


def np_dice(p, y):
    i, t = (p * y).sum(axis=1), p.sum(axis=1) + y.sum(axis=1)
    return np.where(t > 0, 1 - 2 * i / np.where(t > 0, t, 1), 0.0)


a, ts_a = timed(lambda: dp.audit(np_dice, "dice", n=8), 5)
assert a["all_reproduced"]
print("audit of a numpy Dice loss over 4^8 mask pairs:", fmt(ts_a))
