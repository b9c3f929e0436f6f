"""Type stubs of the diceproof package (see __init__.py for the documentation)."""

from fractions import Fraction
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, TypedDict, Union

import numpy as np

__version__: str

Number = Union[int, float, Fraction, str]
Exact = Union[Fraction, float]  # float only for nan (empty="nan") or inf (unbounded)

class MetricValue(TypedDict):
    similarity: Exact
    loss: Exact

class MeasureResult(TypedDict):
    tp: Optional[int]
    fp: Optional[int]
    fn: Optional[int]
    tn: Optional[int]
    n: int
    metrics: Dict[str, MetricValue]
    shape: List[int]
    threshold: Optional[Fraction]
    empty_policy: str

class Ratio(TypedDict):
    min: Optional[Fraction]
    min_witness: Optional[Dict[str, Any]]
    max: Union[Fraction, float, None]
    max_witness: Optional[Dict[str, Any]]
    unbounded: bool
    max_finite: Optional[Fraction]
    max_finite_witness: Optional[Dict[str, Any]]
    spread: Union[Fraction, float, None]

class AbsGap(TypedDict):
    max: Optional[Fraction]
    witness: Optional[Dict[str, Any]]

class SpreadResult(TypedDict, total=False):
    target: str
    candidate: str
    n: int
    mode: str
    empty: str
    grid: int
    soft_labels: bool
    configurations: int
    tuples: int
    skipped: int
    ratio: Ratio
    abs_gap: AbsGap

class AuditResult(SpreadResult, total=False):
    domain: str
    framework: str
    all_reproduced: bool
    exactness: str

def measure(
    gt: Any,
    pred: Any,
    metrics: Union[str, Iterable[str]] = ...,
    empty: str = ...,
    threshold: Optional[Number] = ...,
) -> MeasureResult: ...
def compare(
    target: str,
    candidate: str,
    n: int,
    mode: str = ...,
    empty: str = ...,
    grid: Optional[int] = ...,
    soft_labels: bool = ...,
    force: bool = ...,
) -> SpreadResult: ...
def search(
    target: str,
    candidate: str,
    claim_factor: Optional[Number] = ...,
    claim_abs: Optional[Number] = ...,
    max_n: Union[int, str] = ...,
    min_n: int = ...,
    seed: int = ...,
    budget_s: float = ...,
    max_evals: Union[int, str] = ...,
    nonempty_gt: bool = ...,
) -> Dict[str, Any]: ...
def check(names: Optional[Union[str, Sequence[str]]] = ..., n: Optional[int] = ...) -> List[Dict[str, Any]]: ...
def prove(
    target: str,
    candidate: str,
    claim_factor: Optional[Number] = ...,
    claim_abs: Optional[Number] = ...,
    ratio_lower: Optional[Number] = ...,
    ratio_upper: Optional[Number] = ...,
    empty: str = ...,
    nonempty_gt: bool = ...,
    min_n: int = ...,
    timeout_s: float = ...,
) -> Dict[str, Any]: ...
def risk(
    probs: Union[Sequence[Number], np.ndarray],
    metric: str = ...,
    pred: Optional[Union[str, Sequence[int], np.ndarray]] = ...,
    threshold: Optional[Number] = ...,
    weight: Optional[Number] = ...,
    empty: str = ...,
    pooled: bool = ...,
) -> Dict[str, Any]: ...
def claims() -> List[Dict[str, Any]]: ...
def specs() -> Dict[str, Any]: ...
def audit(
    loss_fn: Callable[[Any, Any], Any],
    target: str = ...,
    n: int = ...,
    domain: str = ...,
    batch: int = ...,
    framework: str = ...,
    empty: str = ...,
) -> AuditResult: ...
