"""diceproof.audit of losses written in numpy against exact targets, and the
compare/search/check/specs wrappers."""
import _thread
import threading
import time
from fractions import Fraction

import numpy as np
import pytest

import diceproof as dp


def np_dice(p, y):
    inter = (p * y).sum(axis=1)
    s = p.sum(axis=1) + y.sum(axis=1)
    return np.where(s > 0, 1 - 2 * inter / np.where(s > 0, s, 1), 0.0)


def test_audit_numpy_dice_against_dice_is_one_everywhere():
    t = time.perf_counter()
    r = dp.audit(np_dice, target="dice", n=8)
    secs = time.perf_counter() - t
    assert r["configurations"] == 4 ** 8
    assert not r["ratio"]["unbounded"]
    eps = Fraction(2) ** -50
    assert abs(r["ratio"]["min"] - 1) < eps and abs(r["ratio"]["max"] - 1) < eps
    assert r["abs_gap"]["max"] < eps
    assert r["all_reproduced"]
    for key in ("min_witness", "max_witness"):
        w = r["ratio"][key]
        assert w["reproduced"] and w["recheck"] == w["loss"]
        assert type(w["target"]) is Fraction
    assert secs < 5, f"audit of 4^8 pairs took {secs:.2f} s"


@pytest.mark.parametrize("w,n", [(Fraction(1, 4), 4), (Fraction(1, 2), 3), (Fraction(7, 8), 5)])
def test_audit_weighted_hamming_reproduces_closed_form(w, n):
    wf = float(w)  # dyadic, so the loss is exact in floats up to rounding of the mean

    def wham(p, y):
        return (wf * y * (1 - p) + (1 - wf) * (1 - y) * p).sum(axis=1) / p.shape[1]

    r = dp.audit(wham, target="dice", n=n)
    closed = (2 * n - 1) * max(w, 1 - w) / min(w, 1 - w)
    assert abs(r["ratio"]["spread"] - closed) <= closed * Fraction(2) ** -48
    # And the exact spec agrees with the closed form exactly.
    spec = f"whamming:w={w.numerator}/{w.denominator}"
    assert dp.compare("dice", spec, n)["ratio"]["spread"] == closed


def test_audit_unbounded_when_target_zero_below_loss():
    # Smoothing only the denominator leaves a positive loss on perfect predictions,
    # where the Dice loss is 0.
    def smooth(p, y):
        i = (p * y).sum(axis=1)
        return 1 - 2 * i / (p.sum(axis=1) + y.sum(axis=1) + 1)

    r = dp.audit(smooth, target="dice", n=4)
    assert r["ratio"]["unbounded"] and r["ratio"]["max"] == float("inf")
    w = r["ratio"]["max_witness"]
    assert w["target"] == 0 and w["loss"] > 0


def test_audit_grid_against_exact_compare():
    r = dp.audit(np_dice, target="soft-dice", n=3, domain="grid:4")
    exact = dp.compare("soft-dice", "soft-dice", 3, grid=4)
    assert r["configurations"] == exact["configurations"] == 5 ** 3 * 2 ** 3
    assert abs(r["ratio"]["spread"] - 1) < Fraction(2) ** -48
    assert all(type(x) is Fraction for x in r["abs_gap"]["witness"]["p"])


def test_audit_reports_a_loss_that_does_not_reproduce():
    calls = {"n": 0}

    def flaky(p, y):
        calls["n"] += 1
        return np_dice(p, y) + (1e-3 if p.shape[0] == 1 else 0.0)

    r = dp.audit(flaky, target="dice", n=3)
    assert not r["all_reproduced"]
    assert not r["ratio"]["min_witness"]["reproduced"]


def test_audit_errors():
    with pytest.raises(ValueError, match="loss_fn must return one loss per row"):
        dp.audit(lambda p, y: p.sum(), n=2)
    with pytest.raises(ValueError, match=r"loss_fn returned NaN at point 0: y=\(0,0\) p=\(0,0\)"):
        with np.errstate(invalid="ignore"):
            dp.audit(lambda p, y: 1 - 2 * (p * y).sum(1) / (p + y).sum(1), n=2)
    with pytest.raises(ValueError, match="domain must be"):
        dp.audit(np_dice, domain="cube")
    with pytest.raises(ValueError, match="dice is defined on masks"):
        dp.audit(np_dice, domain="grid:2", n=2)
    with pytest.raises(ValueError, match="framework"):
        dp.audit(np_dice, framework="jax")


def test_audit_torch_is_clear_when_missing():
    try:
        import torch  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match='framework="torch" needs PyTorch'):
            dp.audit(np_dice, n=2, framework="torch")
    else:
        r = dp.audit(lambda p, y: np_dice(p.numpy(), y.numpy()), n=3, framework="torch")
        assert r["all_reproduced"]


def test_compare_fields_and_types():
    r = dp.compare("dice", "jaccard", 6)
    assert r["ratio"]["min"] == 1 and r["ratio"]["max"] == Fraction(11, 6)
    assert r["configurations"] == 4 ** 6 and type(r["configurations"]) is int
    v = dp.compare("dice", "jaccard", 4, mode="voxels")
    assert set(v["ratio"]["max_witness"]) >= {"gt", "pred", "tp"}
    with pytest.raises(ValueError, match="mode"):
        dp.compare("dice", "jaccard", 4, mode="pixels")


def test_compare_stops_on_ctrl_c():
    # 4^18 mask pairs take about 20 s even on an idle machine, so the interrupt at
    # 0.3 s always lands inside the call (n = 15 could finish first and let the
    # interrupt fall into the next test).
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    t = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        dp.compare("dice", "jaccard", 18, mode="voxels", force=True)
    timer.cancel()
    assert time.perf_counter() - t < 30


def test_search_check_specs():
    s = dp.search("dice", "jaccard", claim_factor=2, budget_s=1, max_evals=200000)
    assert s["found"] is False and type(s["best_spread"]) is Fraction
    s = dp.search("dice", "whamming:sqrt", max_n=1000, budget_s=1, max_evals=100000)
    vals = [w["candidate"] for w in s["witnesses"]]
    assert any(isinstance(v, tuple) and v[0] <= v[1] for v in vals)
    [c] = dp.check("dice-jaccard-relative", n=5)
    assert c["status"] == "holds" and c["as_expected"]
    names = {c["name"] for c in dp.claims()}
    assert "dice-jaccard-relative" in names
    sp = dp.specs()
    assert "dice" in {m["name"] for m in sp["measures"]}
    assert any(s["syntax"].startswith("soft-dice") for s in sp["soft"])
    with pytest.raises(ValueError, match="unknown claim"):
        dp.check("no-such-claim")


def test_prove_proves_refutes_and_refuses():
    p = dp.prove("dice", "jaccard", claim_factor=Fraction(3, 2))
    assert p["status"] == "proved" and not p["witnesses"]
    assert any(s["answer"] == "unsat" for s in p["solvers"])
    r = dp.prove("dice", "jaccard", claim_factor="7/5")
    assert r["status"] == "refuted" and len(r["witnesses"]) == 2
    a, b = r["witnesses"]
    assert all(type(w[k]) is Fraction for w in (a, b) for k in ("target", "candidate"))
    ratio = lambda w: w["candidate"] / w["target"]
    assert max(ratio(a), ratio(b)) / min(ratio(a), ratio(b)) > Fraction(49, 25)
    s = dp.prove("dice", "expr:(fp+fn)/(2*tp+fp+fn+1)", ratio_lower="1/2", ratio_upper=1)
    assert s["status"] == "proved"
    with pytest.raises(ValueError, match="not expressible"):
        dp.prove("dice", "expr:min(fp,fn)/(tp+1)", claim_factor=2)
    with pytest.raises(ValueError, match="exactly one claim"):
        dp.prove("dice", "jaccard", claim_factor=2, claim_abs="1/10")


def test_grid_compare_stops_on_ctrl_c():
    # A relaxed-domain grid of 2^9 labels × 9^9 predictions (2e11 points, forced)
    # cannot finish; grid enumeration asks the stop flag every few hundred points,
    # so the interrupt ends the call within a second, not after the 30 s grace.
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    t = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        dp.compare("soft-dice", "soft-jaccard", 9, grid=8, force=True)
    timer.cancel()
    assert time.perf_counter() - t < 1.5


def test_notebooks_call_the_package_not_the_cli():
    # Issue 17: the notebooks use `import diceproof`; none shells out to the binary.
    import json as _json
    from pathlib import Path

    nbs = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
    assert len(nbs) >= 6
    for nb in nbs:
        code = "\n".join("".join(c["source"]) for c in _json.loads(nb.read_text())["cells"]
                         if c["cell_type"] == "code")
        assert "import diceproof" in code, nb.name
        for banned in ("subprocess", "os.system", "os.popen", "\n!"):
            assert banned not in code, (nb.name, banned)
