"""diceproof.measure on numpy arrays: equal to the CLI on the same data saved as
.npy, exact soft losses equal to a Fraction reference, Fraction types, errors."""
import json
import subprocess
from fractions import Fraction

import numpy as np
import pytest

import diceproof as dp

SPECS = ["dice", "jaccard", "tversky:a=1/3,b=2/3", "hamming", "whamming:w=1/5"]


def cli_measure(cli, tmp_path, gt, pred, specs):
    np.save(tmp_path / "gt.npy", gt)
    np.save(tmp_path / "pred.npy", pred)
    cmd = [cli, "measure", "--gt", str(tmp_path / "gt.npy"), "--pred", str(tmp_path / "pred.npy"), "--json"]
    for s in specs:
        cmd += ["--metric", s]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


CASES = [
    ("uint8 labels vs bool", lambda r: (r.integers(0, 4, (7, 9, 5)).astype(np.uint8), r.random((7, 9, 5)) < 0.4)),
    ("float32 binary vs int16", lambda r: ((r.random((11, 13)) < 0.3).astype(np.float32), r.integers(-2, 2, (11, 13)).astype(np.int16))),
    ("int64 vs float64 binary", lambda r: (r.integers(0, 2, 500), (r.random(500) < 0.5).astype(np.float64))),
    ("all empty", lambda r: (np.zeros((4, 4), np.uint8), np.zeros((4, 4), np.uint8))),
]


@pytest.mark.parametrize("name,make", CASES, ids=[c[0] for c in CASES])
def test_measure_equals_cli_json(cli, tmp_path, name, make):
    gt, pred = make(np.random.default_rng(7))
    want = cli_measure(cli, tmp_path, gt, pred, SPECS)
    got = dp.measure(gt, pred, metrics=SPECS)
    for k in ("tp", "fp", "fn", "tn", "n"):
        assert got[k] == want[k], k
    assert list(got["metrics"]) == list(want["metrics"])
    for spec, v in want["metrics"].items():
        assert got["metrics"][spec]["similarity"] == Fraction(v["similarity"]), spec
        assert got["metrics"][spec]["loss"] == Fraction(v["loss"]), spec


def test_memory_order_does_not_matter():
    r = np.random.default_rng(3)
    gt = r.integers(0, 2, (6, 7, 8))
    pred = r.integers(0, 2, (6, 7, 8)).astype(np.uint8)
    base = dp.measure(gt, pred)
    assert dp.measure(np.asfortranarray(gt), pred) == base
    assert dp.measure(gt, np.asfortranarray(pred)) == base
    # A strided view is compared by its logical index, like its copy.
    big = r.integers(0, 2, (12, 7, 8))
    assert dp.measure(big[::2], pred) == dp.measure(big[::2].copy(), pred)
    # Both Fortran-ordered (nibabel's arrays) are read in place: same counts, and
    # errors name the same (C-order) voxel as for C arrays.
    f = dp.measure(np.asfortranarray(gt), np.asfortranarray(pred))
    assert f == base
    bad = np.zeros((6, 7, 8))
    bad[1, 2, 3] = 0.5
    flat = np.ravel_multi_index((1, 2, 3), bad.shape)
    for arr in (bad, np.asfortranarray(bad)):
        with pytest.raises(ValueError, match=f"value 0.5 at voxel {flat} "):
            dp.measure(np.asfortranarray(gt), arr)


def test_fraction_types():
    r = dp.measure(np.array([0, 1, 1, 0]), np.array([0, 1, 0, 0]), metrics=["dice", "soft-dice"])
    for v in r["metrics"].values():
        assert type(v["similarity"]) is Fraction and type(v["loss"]) is Fraction
    assert r["metrics"]["dice"]["similarity"] == Fraction(2, 3)
    assert all(type(r[k]) is int for k in ("tp", "fp", "fn", "tn", "n"))
    nan = dp.measure(np.zeros(3), np.zeros(3), metrics=["dice"], empty="nan")["metrics"]["dice"]
    assert nan["similarity"] != nan["similarity"]  # float nan, the undefined value


def soft_reference(y, p):
    """Soft Dice/Jaccard/JML/DML from Fraction sums, voxel by voxel."""
    y = [Fraction(float(v)) for v in y.ravel()]
    p = [Fraction(float(v)) for v in p.ravel()]
    i = sum(a * b for a, b in zip(y, p))
    sp, sy = sum(p), sum(y)
    spp, syy = sum(b * b for b in p), sum(a * a for a in y)
    l1 = sum(abs(b - a) for a, b in zip(y, p))
    return {
        "soft-dice": 1 - 2 * i / (sp + sy),
        "soft-dice:squared": 1 - 2 * i / (spp + syy),
        "soft-jaccard": 1 - i / (sp + sy - i),
        "soft-jaccard:eps=1": 1 - (i + 1) / (sp + sy - i + 1),
        "jml": 2 * l1 / (sp + sy + l1),
        "dml": l1 / (sp + sy),
    }


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("labels", ["hard", "soft"])
def test_soft_losses_are_exact(dtype, labels):
    r = np.random.default_rng(11)
    # Probabilities over many binades, subnormal-free and subnormal, 0 and 1.
    p = (r.random(3000) ** 8).astype(dtype)
    p[:5] = [0, 1, 1e-30, np.finfo(dtype).tiny / 4, 0.5]
    y = r.integers(0, 2, 3000).astype(np.uint8) if labels == "hard" else r.random(3000)
    want = soft_reference(y, p)
    got = dp.measure(y, p, metrics=list(want))["metrics"]
    for spec, v in want.items():
        assert got[spec]["loss"] == v, spec
        assert got[spec]["similarity"] == 1 - v, spec


def test_threshold_is_exact_and_counts_p_at_least_t():
    gt = np.array([1, 1, 0, 0])
    p = np.array([0.5, 0.25, 0.75, 1 / 3])
    r = dp.measure(gt, p, threshold=0.5)
    assert (r["tp"], r["fp"], r["fn"], r["tn"]) == (1, 1, 1, 1)
    assert r["threshold"] == Fraction(1, 2)
    # 1/3 as a rational is above the double nearest 1/3, which is therefore background.
    assert dp.measure(gt, p, threshold="1/3")["fp"] == 1
    assert dp.measure(gt, p, threshold=1 / 3)["fp"] == 2


def test_mismatched_shapes():
    with pytest.raises(ValueError, match=r"shape mismatch: ground truth gt is shape \(3, 4\) uint8 but prediction pred is shape \(12,\) float32"):
        dp.measure(np.zeros((3, 4), np.uint8), np.zeros(12, np.float32))


def test_nan():
    with pytest.raises(ValueError, match="pred: voxel 1 is NaN"):
        dp.measure(np.zeros(3), np.array([0.0, np.nan, 1.0]), metrics=["soft-dice"])
    with pytest.raises(ValueError, match="gt: voxel 2 is NaN"):
        dp.measure(np.array([0.0, 1.0, np.nan]), np.zeros(3))


def test_out_of_range_probabilities():
    with pytest.raises(ValueError, match=r"pred: value 1.5 at voxel 1 lies outside \[0, 1\]"):
        dp.measure(np.zeros(3), np.array([0.0, 1.5, 1.0]), metrics=["soft-dice"])
    with pytest.raises(ValueError, match=r"pred: value -0.25 at voxel 0"):
        dp.measure(np.zeros(3), np.array([-0.25, 0.5, 1.0]), metrics=["jml"])


def test_probability_map_needs_threshold_for_hard_metrics():
    with pytest.raises(ValueError, match="non-binary value 0.5 at voxel 1 in float64 data.*pass threshold=T"):
        dp.measure(np.zeros(3), np.array([0.0, 0.5, 1.0]))
    # Soft specs alone need no threshold; counts are then not defined.
    r = dp.measure(np.zeros(3), np.array([0.0, 0.5, 1.0]), metrics="soft-dice")
    assert r["tp"] is None and r["metrics"]["soft-dice"]["loss"] == 1


def test_bad_spec_policy_and_dtype():
    with pytest.raises(ValueError, match='unknown measure "bogus"'):
        dp.measure(np.zeros(3), np.zeros(3), metrics=["bogus"])
    with pytest.raises(ValueError, match=r"argument eps: cannot read \"x\" as an exact number"):
        dp.measure(np.zeros(3), np.zeros(3), metrics=["soft-dice:eps=x"])
    with pytest.raises(ValueError, match="unknown empty-mask policy"):
        dp.measure(np.zeros(3), np.zeros(3), empty="maybe")
    with pytest.raises(TypeError, match="gt has type float16"):
        dp.measure(np.zeros(3, np.float16), np.zeros(3))
    with pytest.raises(TypeError, match="numpy array"):
        dp.measure([0, 1], np.zeros(2))


def test_presets_and_logits_follow_the_loss_input_domain(cli, tmp_path):
    # lovasz-hinge takes logits (any finite value); a loss on probabilities refuses them.
    r = np.random.default_rng(11)
    gt = (r.random((5, 6)) < 0.4).astype(np.uint8)
    z = (r.normal(size=(5, 6)) * 3).astype(np.float32)
    want = cli_measure(cli, tmp_path, gt, z, ["lovasz-hinge"])
    got = dp.measure(gt, z, metrics=["lovasz-hinge"])
    assert got["metrics"]["lovasz-hinge"]["loss"] == Fraction(want["metrics"]["lovasz-hinge"]["loss"])
    with pytest.raises(ValueError, match="outside \\[0, 1\\]"):
        dp.measure(gt, z, metrics=["soft-dice"])
    z[1, 2] = np.inf
    with pytest.raises(ValueError, match="voxel 8 holds inf; logits must be finite"):
        dp.measure(gt, z, metrics=["lovasz-hinge"])
    # Every peer preset on a probability map equals the CLI on the same .npy files.
    p = r.random((5, 6)).astype(np.float32)
    presets = ["monai-dice", "monai-generalized-dice:w_type=simple", "monai-tversky:alpha=0.3,beta=0.7",
               "smp-dice", "smp-jaccard:smooth=1", "jdt-dice", "jdt-jaccard", "lovasz-softmax"]
    want = cli_measure(cli, tmp_path, gt, p, presets)
    got = dp.measure(gt, p, metrics=presets)
    assert list(got["metrics"]) == list(want["metrics"])
    for spec, v in want["metrics"].items():
        assert got["metrics"][spec]["loss"] == Fraction(v["loss"]), spec
