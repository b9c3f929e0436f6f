"""MONAI DiceLoss on the benchmark map (see make_prob_map.py), for the README.

    python monai_dice.py OUTDIR

prints the loss (float32, as MONAI computes it, and float64) and the in-process
time of loading the two .npy files and of DiceLoss itself.
"""
import sys
import time

t0 = time.perf_counter()
import numpy as np
import torch
from monai.losses import DiceLoss

t1 = time.perf_counter()
out = sys.argv[1]
p = torch.from_numpy(np.load(f"{out}/prob.npy"))[None, None]
y = torch.from_numpy(np.load(f"{out}/aal_mask.npy").astype(np.float32))[None, None]
t2 = time.perf_counter()
loss = DiceLoss(smooth_nr=0.0, smooth_dr=0.0)(p, y)
t3 = time.perf_counter()
loss64 = DiceLoss(smooth_nr=0.0, smooth_dr=0.0)(p.double(), y.double())
print(f"monai DiceLoss float32 {loss.item():.10f} float64 {loss64.item():.16f}")
print(f"import {t1 - t0:.3f} s, load {t2 - t1:.3f} s, DiceLoss {t3 - t2:.3f} s")
