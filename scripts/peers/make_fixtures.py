#!/usr/bin/env python3
"""Fixtures for diceproof's peer presets: the peer libraries' own float64 outputs.

For every preset spec (`monai-dice:...`, `smp-jaccard:...`, `lovasz-hinge`, ...)
this builds seeded inputs, runs the library the preset mirrors in float64, and
writes tests/fixtures/peers/LIBRARY.json with the inputs (each double as its exact
decimal expansion, so the Rust test reads the very same rationals), the library's
output and the versions. `cargo test --test peers` then checks every preset's exact
value against these outputs to 1e-12. CI does not need the libraries.

Run once in a scratch environment, never as a project dependency:

    python3 -m venv /tmp/peers
    /tmp/peers/bin/pip install torch monai segmentation-models-pytorch numpy
    # JDTLosses and the Lovász-Softmax reference are GitHub-only: check them out
    # anywhere and point at the two files (their code is not committed here).
    /tmp/peers/bin/python scripts/peers/make_fixtures.py \
        --lovasz /path/LovaszSoftmax/pytorch/lovasz_losses.py --lovasz-commit SHA \
        --jdt /path/JDTLosses/losses/jdt_loss.py --jdt-commit SHA

JDTLosses: `JDTLoss.forward` takes logits and averages over the active classes;
the fixture calls its `forward_loss` on the one foreground channel's probabilities
(the per-class loss the presets define). The Lovász reference casts to float32
(`.float()`); the script loads it with `.float()` replaced by `.double()`.
"""

import argparse
import decimal
import importlib.util
import json
import math
import pathlib
import random
import sys
import types

import numpy as np
import torch

SEED = 14


def exact(x):
    """The exact decimal expansion of a double."""
    return str(decimal.Decimal(float(x)))


def cases(rng, soft_labels=False, logits=False):
    """Seeded (y, p) pairs: random sizes, empty and full labels, exact 0 and 1."""
    out = []
    for k in range(24):
        n = rng.randint(1, 40)
        if k == 0:
            y = [0.0] * n
        elif k == 1:
            y = [1.0] * n
        elif soft_labels and k % 2 == 0:
            y = [rng.choice([0.0, 1.0, rng.random()]) for _ in range(n)]
        else:
            y = [float(rng.random() < 0.4) for _ in range(n)]
        if logits:
            p = [rng.gauss(0.0, 3.0) for _ in range(n)]
        else:
            p = [rng.choice([0.0, 1.0, 0.5, rng.random(), rng.random()]) for _ in range(n)]
        out.append((y, p))
    return out


def t(v, shape):
    return torch.tensor(v, dtype=torch.float64).reshape(shape)


def load(path, name, patch=None):
    src = pathlib.Path(path).read_text()
    if patch:
        src = patch(src)
    mod = types.ModuleType(name)
    exec(compile(src, path, "exec"), mod.__dict__)
    return mod


def run(spec, fn, inputs):
    rows = []
    for y, p in inputs:
        v = float(fn(y, p))
        if not math.isfinite(v):
            continue  # 0/0 in the library (NaN): diceproof leaves it to --empty
        rows.append({"spec": spec, "y": [exact(a) for a in y], "p": [exact(b) for b in p], "value": v})
    return rows


def write(out, name, library, version, rows):
    doc = {
        "library": library,
        "version": version,
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "seed": SEED,
        "generated_by": "scripts/peers/make_fixtures.py",
        "dtype": "float64",
        "cases": rows,
    }
    path = out / f"{name}.json"
    path.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"{path}: {len(rows)} cases, {library} {version}")


def monai_fixtures(out):
    import monai
    from monai.losses import DiceLoss, GeneralizedDiceLoss, TverskyLoss

    rng = random.Random(SEED)
    hard, soft = cases(rng), cases(rng, soft_labels=True)
    shape = (1, 1, -1)

    def mk(cls, **kw):
        loss = cls(**kw)
        return lambda y, p: loss(t(p, shape), t(y, shape)).item()

    rows = []
    rows += run("monai-dice", mk(DiceLoss), hard)
    rows += run("monai-dice:smooth_nr=0,smooth_dr=0", mk(DiceLoss, smooth_nr=0.0, smooth_dr=0.0), hard)
    rows += run("monai-dice:smooth_nr=1,smooth_dr=1", mk(DiceLoss, smooth_nr=1.0, smooth_dr=1.0), hard)
    rows += run("monai-dice:squared_pred=true", mk(DiceLoss, squared_pred=True), hard)
    rows += run("monai-dice:jaccard=true", mk(DiceLoss, jaccard=True), hard)
    rows += run("monai-dice:jaccard=true,squared_pred=true,smooth_nr=0.5",
                mk(DiceLoss, jaccard=True, squared_pred=True, smooth_nr=0.5), hard)
    rows += run("monai-dice:soft_label=true", mk(DiceLoss, soft_label=True), soft)
    rows += run("monai-dice:batch=true", mk(DiceLoss, batch=True), hard)
    for w in ["square", "simple", "uniform"]:
        rows += run(f"monai-generalized-dice:w_type={w}", mk(GeneralizedDiceLoss, w_type=w), hard)
    rows += run("monai-generalized-dice:w_type=simple,smooth_nr=0.25,smooth_dr=0.5",
                mk(GeneralizedDiceLoss, w_type="simple", smooth_nr=0.25, smooth_dr=0.5), hard)
    rows += run("monai-tversky", mk(TverskyLoss), hard)
    rows += run("monai-tversky:alpha=0.3,beta=0.7", mk(TverskyLoss, alpha=0.3, beta=0.7), hard)
    rows += run("monai-tversky:alpha=0.3,beta=0.7,soft_label=true",
                mk(TverskyLoss, alpha=0.3, beta=0.7, soft_label=True), soft)
    write(out, "monai", "MONAI", monai.__version__, rows)


def smp_fixtures(out):
    import segmentation_models_pytorch as smp
    from segmentation_models_pytorch.losses import DiceLoss, JaccardLoss

    rng = random.Random(SEED + 1)
    hard, soft = cases(rng), cases(rng, soft_labels=True)
    shape = (1, 1, -1)

    def mk(cls, **kw):
        loss = cls(mode="binary", from_logits=False, **kw)
        return lambda y, p: loss(t(p, shape), t(y, shape)).item()

    rows = []
    for name, cls in [("smp-dice", DiceLoss), ("smp-jaccard", JaccardLoss)]:
        rows += run(name, mk(cls), hard)
        rows += run(f"{name}:smooth=1", mk(cls, smooth=1.0), hard)
        rows += run(f"{name}:smooth=0.1,eps=0.5", mk(cls, smooth=0.1, eps=0.5), soft)
    write(out, "smp", "segmentation_models_pytorch", smp.__version__, rows)


def jdt_fixtures(out, path, commit):
    mod = load(path, "jdt_loss")
    rng = random.Random(SEED + 2)
    hard, soft = cases(rng), cases(rng, soft_labels=True)
    shape = (1, 1, -1)

    def mk(alpha, smooth):
        loss = mod.JDTLoss(alpha=alpha, beta=alpha, smooth=smooth)
        return lambda y, p: loss.forward_loss(t(p, shape), t(y, shape), None, "ALL").item()

    rows = []
    for name, alpha in [("jdt-dice", 0.5), ("jdt-jaccard", 1.0)]:
        rows += run(name, mk(alpha, 1e-3), hard)
        rows += run(name, mk(alpha, 1e-3), soft)
        rows += run(f"{name}:smooth=0.25", mk(alpha, 0.25), soft)
    write(out, "jdt", "JDTLosses", f"GitHub zifuwanggg/JDTLosses @ {commit}", rows)


def lovasz_fixtures(out, path, commit):
    mod = load(path, "lovasz_losses", lambda s: s.replace(".float()", ".double()"))
    rng = random.Random(SEED + 3)
    probs, logits = cases(rng), cases(rng, logits=True)

    def hinge(y, z):
        return mod.lovasz_hinge(t(z, (1, -1)), t(y, (1, -1)), per_image=True).item()

    def softmax(classes):
        def f(y, p):
            pp = np.asarray(p)
            probas = torch.tensor(np.stack([1.0 - pp, pp]), dtype=torch.float64).reshape(1, 2, 1, -1)
            labels = torch.tensor(y, dtype=torch.float64).long().reshape(1, 1, -1)
            return float(mod.lovasz_softmax(probas, labels, classes=classes))
        return f

    rows = run("lovasz-hinge", hinge, logits)
    rows += run("lovasz-softmax", softmax("present"), probs)
    rows += run("lovasz-softmax:classes=all", softmax("all"), probs)
    rows += run("lovasz-softmax:classes=1", softmax([1]), probs)
    rows += run("lovasz-softmax:classes=0+1", softmax([0, 1]), probs)
    write(out, "lovasz", "LovaszSoftmax reference", f"GitHub bermanmaxim/LovaszSoftmax @ {commit}", rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="tests/fixtures/peers")
    ap.add_argument("--lovasz", required=True, help="path to pytorch/lovasz_losses.py")
    ap.add_argument("--lovasz-commit", required=True)
    ap.add_argument("--jdt", required=True, help="path to losses/jdt_loss.py")
    ap.add_argument("--jdt-commit", required=True)
    a = ap.parse_args()
    torch.set_default_dtype(torch.float64)
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    monai_fixtures(out)
    smp_fixtures(out)
    jdt_fixtures(out, a.jdt, a.jdt_commit)
    lovasz_fixtures(out, a.lovasz, a.lovasz_commit)


if __name__ == "__main__":
    main()
