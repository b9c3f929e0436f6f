"""diceproof: exact answers about segmentation losses and the Dice/Jaccard metrics.

The functions mirror the ``diceproof`` command line (``measure``, ``compare``,
``search``, ``check``, ``claims``, ``prove``, ``risk``, ``specs``) and return plain Python objects:
dicts, lists and :class:`fractions.Fraction` (certified intervals as pairs of
``Fraction``). :func:`audit` checks a loss written in Python (numpy or PyTorch)
against an exact target on every configuration of a small image.

Bad input raises ``ValueError`` (``TypeError`` for an unsupported array type)
with the command line's message. Long calls release the GIL and stop on Ctrl-C.

>>> import numpy as np, diceproof
>>> r = diceproof.measure(np.array([0, 1, 1, 0]), np.array([0, 1, 0, 0]))
>>> r["metrics"]["dice"]["similarity"]
Fraction(2, 3)
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Rational
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np

from . import _native

__all__ = [
    "measure",
    "compare",
    "search",
    "check",
    "claims",
    "prove",
    "risk",
    "specs",
    "audit",
    "__version__",
]

__version__: str = _native.__version__

Number = Union[int, float, Fraction, str]


def _exact_text(x: Number, what: str) -> str:
    """An exact number as text the library parses: floats are taken exactly
    (0.1 is 3602879701896397/36028797018963968), strings as written."""
    if isinstance(x, bool):
        raise TypeError(f"{what} must be a number, got {x!r}")
    if isinstance(x, str):
        return x
    if isinstance(x, (int, float, Rational)):
        f = Fraction(x)
        return f"{f.numerator}/{f.denominator}"
    raise TypeError(f"{what} must be an int, float, Fraction or str such as '1/2', got {type(x).__name__}")


def _specs(metrics: Union[str, Iterable[str]], what: str) -> List[str]:
    if isinstance(metrics, str):
        return [metrics]
    out = list(metrics)
    for m in out:
        if not isinstance(m, str):
            raise TypeError(f"{what} must be spec strings such as 'dice', got {m!r}")
    return out


def _raw(x: Any, name: str) -> np.ndarray:
    if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch tensor
        x = x.detach().cpu().numpy()
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy array (or a torch tensor), got {type(x).__name__}")
    return x


def measure(
    gt: Any,
    pred: Any,
    metrics: Union[str, Iterable[str]] = ("dice", "jaccard"),
    empty: str = "one",
    threshold: Optional[Number] = None,
) -> Dict[str, Any]:
    """Confusion counts and exact metrics of a ground truth and a prediction.

    ``gt`` and ``pred`` are numpy arrays (or torch tensors) of the same shape, of
    any bool, integer or float dtype and any memory order; voxels are compared by
    logical index. The ground truth's foreground is ``gt != 0`` (a float ``gt``
    must hold only 0 and 1, as in ``diceproof measure``). The prediction's
    foreground is ``pred != 0`` under the same rule, or ``pred >= threshold``
    when ``threshold`` is given (compared exactly: a float threshold is the
    double it is, a string such as ``"1/3"`` the rational it names).

    ``metrics`` are measure specs (``dice``, ``jaccard``, ``tversky:a=1/2,b=1/2``,
    …) and soft-loss specs (``soft-dice``, ``soft-jaccard:eps=1``, ``jml``,
    ``lovasz-jaccard``, …; see :func:`specs`). Soft specs are computed exactly on
    a probability map ``pred`` (every value in [0, 1]): each float is the dyadic
    rational it stores and the sums are exact. ``empty`` is what a 0/0 is worth:
    ``"one"``, ``"zero"``, ``"nan"`` or ``"error"``.

    Returns ``{"tp", "fp", "fn", "tn", "n", "metrics", "shape", "threshold",
    "empty_policy"}`` where ``metrics[spec] = {"similarity": Fraction, "loss":
    Fraction}`` keyed by the canonical spec (``float('nan')`` under
    ``empty="nan"``). The counts are ``None`` when only soft specs were asked on
    a probability map without a threshold.
    """
    g, p = _raw(gt, "gt"), _raw(pred, "pred")
    t = None if threshold is None else _exact_text(threshold, "threshold")
    specs = _specs(metrics, "metrics")
    if (g.ndim > 1 and g.shape == p.shape and g.flags.f_contiguous and p.flags.f_contiguous
            and not (g.flags.c_contiguous and p.flags.c_contiguous)):
        # Both stored first axis fastest (nibabel's arrays): read in place through
        # the transposes, which pair the same voxels; errors still give C indices.
        return _native.measure(g.T, p.T, specs, empty, t, list(g.shape))
    return _native.measure(np.ascontiguousarray(g), np.ascontiguousarray(p), specs, empty, t)


def compare(
    target: str,
    candidate: str,
    n: int,
    mode: str = "counts",
    empty: str = "one",
    grid: Optional[int] = None,
    soft_labels: bool = False,
    force: bool = False,
) -> Dict[str, Any]:
    """Exact inf/sup of candidate/target and sup |candidate − target| over every
    configuration on ``n`` voxels, with witnesses (``diceproof compare``).

    ``mode`` is ``"counts"`` (every count tuple with its multiplicity) or
    ``"voxels"`` (every pair of masks; witnesses carry ``gt``/``pred`` bit
    strings). Soft specs, or ``grid=K``, compare on the relaxed domain: every
    prediction in {0, 1/K, …, 1}ⁿ for every hard label (``soft_labels=True``:
    labels on the grid too); witnesses are ``{"y": [...], "p": [...]}`` of
    ``Fraction``. Returns ``{"target", "candidate", "n", "mode", "configurations",
    "skipped", "ratio": {"min", "max", "unbounded", "min_witness",
    "max_witness", "max_finite", "max_finite_witness", "spread"}, "abs_gap":
    {"max", "witness"}}``; ``max`` and ``spread`` are ``float('inf')`` when the
    ratio is unbounded (target 0 < candidate).
    """
    return _native.compare(target, candidate, int(n), mode, empty, grid, soft_labels, force)


def search(
    target: str,
    candidate: str,
    claim_factor: Optional[Number] = None,
    claim_abs: Optional[Number] = None,
    max_n: Union[int, str] = 1_000_000,
    min_n: int = 1,
    seed: int = 1,
    budget_s: float = 10.0,
    max_evals: Union[int, str] = "1e12",
    nonempty_gt: bool = False,
) -> Dict[str, Any]:
    """Find, verify exactly and shrink counterexamples to "candidate approximates
    target within factor K" (``claim_factor``) or "within E" (``claim_abs``); with
    neither, report the largest spread found (``diceproof search``).

    Returns ``{"found", "evaluations", "seconds", "best_spread", "best_gap",
    "witnesses", "shrink_steps"}``; exact values are ``Fraction``, certified
    irrational values (``whamming:sqrt``) are ``(lo, hi)`` pairs of ``Fraction``.
    """
    k = None if claim_factor is None else _exact_text(claim_factor, "claim_factor")
    e = None if claim_abs is None else _exact_text(claim_abs, "claim_abs")
    return _native.search(
        target, candidate, k, e, str(max_n), int(min_n), int(seed), float(budget_s),
        str(max_evals), bool(nonempty_gt),
    )


def check(names: Optional[Union[str, Sequence[str]]] = None, n: Optional[int] = None) -> List[Dict[str, Any]]:
    """Check registered claims exactly up to a size (``diceproof check``): all, or
    those named. Each result has ``name``, ``statement``, ``status``,
    ``expected``, ``as_expected``, ``n``, ``constant`` (a ``Fraction`` when
    rational), ``witness``, ``details``, ``proof`` and ``seconds``."""
    if names is None:
        names = []
    elif isinstance(names, str):
        names = [names]
    return _native.check(list(names), None if n is None else int(n))


def prove(
    target: str,
    candidate: str,
    claim_factor: Optional[Number] = None,
    claim_abs: Optional[Number] = None,
    ratio_lower: Optional[Number] = None,
    ratio_upper: Optional[Number] = None,
    empty: str = "one",
    nonempty_gt: bool = False,
    min_n: int = 1,
    timeout_s: float = 10.0,
) -> Dict[str, Any]:
    """Prove for every image size, with the SMT solvers z3 and cvc5, that
    ``candidate`` approximates ``target`` (``diceproof prove``): within a factor
    (``claim_factor=K``), within an absolute gap (``claim_abs=E``), or between
    two multiples (``ratio_lower=A, ratio_upper=B``); or refute it with verified,
    shrunk integer witnesses.

    Returns ``{"target", "candidate", "claim", "status", "solvers", "witnesses",
    "smt", "note", "queries"}``: ``status`` is ``"proved"`` only when a solver
    answered unsat (and none sat), ``"refuted"`` with witnesses whose
    ``target``/``candidate`` are ``Fraction``, otherwise ``"unknown"`` with the
    reason in ``note``. Raises ``ValueError`` for a spec that cannot be stated to a
    solver, or when no solver is installed (the message names the packages).
    """
    t = lambda x, what: None if x is None else _exact_text(x, what)
    return _native.prove(
        target, candidate, t(claim_factor, "claim_factor"), t(claim_abs, "claim_abs"),
        t(ratio_lower, "ratio_lower"), t(ratio_upper, "ratio_upper"), str(empty),
        bool(nonempty_gt), int(min_n), float(timeout_s),
    )


def _bits(pred: Any, n: int) -> str:
    """A decision as the CLI's bit string: a "0110" string as it is, else a
    sequence or array of 0/1 or booleans."""
    if isinstance(pred, str):
        return pred
    arr = np.asarray(_raw(pred, "pred") if hasattr(pred, "detach") else pred).ravel()
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"pred must be a bit string such as '0110' or a sequence of 0/1, got {arr.dtype}")
    if not np.isin(arr, (0, 1)).all():
        bad = arr[~np.isin(arr, (0, 1))][0]
        raise ValueError(f"pred must hold only 0 and 1 (one decision bit per probability), got {bad!r}")
    return "".join("1" if v else "0" for v in arr)


def risk(
    probs: Any,
    metric: str = "dice",
    pred: Any = None,
    threshold: Optional[Number] = None,
    weight: Optional[Number] = None,
    empty: str = "one",
    pooled: bool = False,
) -> Dict[str, Any]:
    """Exact expected Dice (or Jaccard, or any measure spec) of a hard decision
    when the labels are independent Bernoulli(π_i), the optimal top-k decision
    and the regret (``diceproof risk --probs``).

    ``probs`` are the foreground probabilities π: a sequence or 1-D array of
    ints, floats (each taken exactly as the double it stores: ``0.1`` is
    3602879701896397/2^55), ``Fraction`` or strings such as ``"9/10"`` or
    ``"0.9"`` (the decimal 9/10). The decision is ``pred`` (a bit string such as
    ``"0110"`` or a sequence of 0/1), or ``[π > threshold]`` (default 1/2), or
    the weighted-CE Bayes rule ``[π > 1 − weight]``; give at most one of the
    three. ``metric`` is ``"dice"``, ``"jaccard"`` or a measure spec
    (``"tversky:a=3/10,b=7/10"``); ``empty`` is what two empty masks are worth
    (``"one"``, ``"zero"``, ``"nan"``, ``"error"``).

    Returns the CLI's ``--json`` document with ``Fraction`` values:
    ``{"metric", "n", "decision": {"pred", "expected"}, "optimal": {"pred", "k",
    "expected"}, "regret"}``; with ``pooled=True`` the data-set level metric
    (ratio of expected counts) ``{"metric", "n", "pooled", "decision": {"pred",
    "value"}, "optimal": {"pred", "k", "value", "threshold"}, "regret"}``, whose
    optimum is the threshold F*/2. Bit strings put voxel 0 first.

    >>> import diceproof
    >>> r = diceproof.risk(["9/10", "4/5", "1/2", "1/10"], weight="1/4")
    >>> r["decision"]["pred"], r["optimal"]["pred"]
    ('1100', '1110')
    """
    if isinstance(probs, str):
        raise TypeError("probs must be a sequence of probabilities, not one string (use a list such as ['9/10', '1/2'])")
    if hasattr(probs, "detach") and hasattr(probs, "cpu"):
        probs = probs.detach().cpu().numpy()
    if isinstance(probs, np.ndarray):
        if probs.ndim != 1:
            raise ValueError(f"probs must be one-dimensional (one probability per voxel), got shape {probs.shape}")
        items = probs.tolist()
    else:
        items = list(probs)
    texts = [_exact_text(x, f"probability {i + 1}") for i, x in enumerate(items)]
    t = lambda x, what: None if x is None else _exact_text(x, what)
    bits = None if pred is None else _bits(pred, len(texts))
    return _native.risk(texts, str(metric), bits, t(threshold, "threshold"), t(weight, "weight"),
                        str(empty), bool(pooled))


def claims() -> List[Dict[str, Any]]:
    """The registered claims (``diceproof claims``)."""
    return _native.claims()


def specs() -> Dict[str, Any]:
    """The measure specs, soft-loss specs and empty-mask policies understood
    everywhere a spec is taken (``diceproof specs``)."""
    return _native.specs()


def _to_numpy_losses(v: Any, rows: int) -> np.ndarray:
    if hasattr(v, "detach") and hasattr(v, "cpu"):
        v = v.detach().cpu().numpy()
    a = np.asarray(v, dtype=np.float64).reshape(-1)
    if a.shape[0] != rows:
        raise ValueError(
            f"loss_fn must return one loss per row: it got {rows} rows and returned "
            f"{a.shape[0]} values (shape {np.shape(v)})"
        )
    return np.ascontiguousarray(a)


def audit(
    loss_fn: Callable[[Any, Any], Any],
    target: str = "dice",
    n: int = 8,
    domain: str = "masks",
    batch: int = 65536,
    framework: str = "numpy",
    empty: str = "one",
) -> Dict[str, Any]:
    """Audit a loss written in Python against an exact target on every
    configuration of an n-voxel image.

    ``loss_fn(p, y)`` receives two float64 arrays of shape (B, n) — predictions
    and labels, numpy arrays or (``framework="torch"``) torch tensors — and
    returns B losses. ``domain="masks"`` visits every pair of binary masks (4ⁿ
    points); ``domain="grid:K"`` every prediction in {0, 1/K, …, 1}ⁿ for every
    hard label (the target must then be a soft spec such as ``soft-dice``).

    Returns the fields of :func:`compare` (inf/sup of loss/target with
    witnesses, ``unbounded`` when target 0 < loss, the max absolute gap with its
    witness). Each witness is ``{"index", "y", "p", "loss", "target",
    "recheck", "reproduced"}``: the loss values are the callable's floats (taken
    exactly as the dyadic rationals they are), the target is exact, and every
    witness is evaluated again in a separate one-row call whose value is
    ``recheck``; ``reproduced`` says whether it equals the batched value. The
    result's ``"exactness"`` says this in words and ``"all_reproduced"`` sums it
    up.
    """
    if framework not in ("numpy", "torch"):
        raise ValueError(f'framework must be "numpy" or "torch", got {framework!r}')
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable, got {type(loss_fn).__name__}")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ValueError(f"batch must be a positive integer, got {batch!r}")
    if framework == "torch":
        try:
            import torch
        except ImportError as e:
            raise ImportError(
                'framework="torch" needs PyTorch, which is not importable here '
                f"({e}); install torch or use framework=\"numpy\""
            ) from None
        conv: Callable[[np.ndarray], Any] = torch.from_numpy
    else:
        conv = lambda a: a  # noqa: E731

    a = _native.Audit(target, int(n), domain, empty)
    start = 0
    while start < a.size:
        count = min(batch, a.size - start)
        p, y = a.points(start, count)
        a.feed(start, _to_numpy_losses(loss_fn(conv(p), conv(y)), count))
        start += count
    out = a.result()

    # Re-evaluate every witness in a call of its own.
    seen: Dict[int, Any] = {}
    all_ok = True
    for w in _witnesses(out):
        i = w["index"]
        if i not in seen:
            p, y = a.points(i, 1)
            seen[i] = float(_to_numpy_losses(loss_fn(conv(p), conv(y)), 1)[0])
        w["recheck"] = seen[i]
        w["reproduced"] = seen[i] == w["loss"] or (seen[i] != seen[i] and w["loss"] != w["loss"])
        all_ok &= w["reproduced"]
    out.update(
        target=a.target,
        n=int(n),
        domain=domain,
        framework=framework,
        all_reproduced=all_ok,
        exactness=(
            "loss values are the callable's floats, each taken exactly as the dyadic "
            "rational it is; the target is exact; ratios and gaps are exact rationals "
            "of the two; every witness was re-evaluated in a separate one-row call "
            "(recheck, reproduced)"
        ),
    )
    return out


def _witnesses(out: Dict[str, Any]) -> Iterable[Dict[str, Any]]:
    r = out["ratio"]
    for key in ("min_witness", "max_witness", "max_finite_witness"):
        if r.get(key) is not None:
            yield r[key]
    if out["abs_gap"].get("witness") is not None:
        yield out["abs_gap"]["witness"]
