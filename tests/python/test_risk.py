"""diceproof.risk: the CLI's `risk --probs ... --json` with Fractions, and its errors."""
import json
import subprocess
from fractions import Fraction

import numpy as np
import pytest

import diceproof as dp

PROBS = ["9/10", "4/5", "1/2", "1/10", "0.35"]


def cli_risk(cli, *args):
    res = subprocess.run([cli, "risk", *map(str, args), "--json"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


CASES = [
    ((), {}),
    (("--weight", "1/4"), {"weight": "1/4"}),
    (("--threshold", "0.3"), {"threshold": Fraction(3, 10)}),
    (("--pred", "01010"), {"pred": "01010"}),
    (("--metric", "jaccard", "--threshold", "1/2"), {"metric": "jaccard", "threshold": 0.5}),
    (("--metric", "tversky:a=3/10,b=7/10", "--empty", "zero"), {"metric": "tversky:a=3/10,b=7/10", "empty": "zero"}),
    (("--pooled",), {"pooled": True}),
    (("--pooled", "--metric", "jaccard", "--pred", "11000"), {"pooled": True, "metric": "jaccard", "pred": [1, 1, 0, 0, 0]}),
]


@pytest.mark.parametrize("args,kwargs", CASES, ids=[" ".join(c[0]) or "default" for c in CASES])
def test_risk_equals_cli_json(cli, args, kwargs):
    want = cli_risk(cli, "--probs", ",".join(PROBS), *args)
    got = dp.risk(PROBS, **kwargs)
    assert set(got) == set(want)
    for key, value in want.items():
        if isinstance(value, dict):
            assert set(got[key]) == set(value), key
            for k, v in value.items():
                if k == "pred":
                    assert got[key][k] == v
                elif isinstance(v, str):
                    assert got[key][k] == Fraction(v) and type(got[key][k]) is Fraction, (key, k)
                else:
                    assert got[key][k] == v, (key, k)
        elif isinstance(value, str) and key != "metric":
            assert got[key] == Fraction(value) and type(got[key]) is Fraction, key
        else:
            assert got[key] == value, key


def test_floats_are_taken_exactly_and_arrays_work():
    p = np.array([0.9, 0.8, 0.5, 0.1])
    a = dp.risk(p)
    b = dp.risk([Fraction(x) for x in p.tolist()])
    assert a == b
    # 0.9 as a double is not 9/10, so the exact expectation differs from the decimal one.
    assert dp.risk(["0.9", "0.8", "0.5", "0.1"])["decision"]["expected"] != a["decision"]["expected"]
    assert dp.risk(np.array([1, 0, 1]))["optimal"]["expected"] == 1


def test_risk_errors_are_the_cli_messages():
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]|outside \[0, 1\]|\[0, 1\]"):
        dp.risk([0.5, 1.5])
    with pytest.raises(ValueError, match="at most one of pred, threshold and weight"):
        dp.risk(PROBS, pred="01010", weight="1/4")
    with pytest.raises(ValueError, match="the prediction has 3 voxels but there are 5"):
        dp.risk(PROBS, pred="010")
    with pytest.raises(ValueError, match="unknown risk metric"):
        dp.risk(PROBS, metric="dise")
    with pytest.raises(ValueError, match="nan-if-gt-empty"):
        dp.risk(PROBS, empty="nan-if-gt-empty")
    with pytest.raises(ValueError, match="only 0 and 1"):
        dp.risk(PROBS, pred=[0, 2, 0, 0, 0])
    with pytest.raises(TypeError, match="not one string"):
        dp.risk("9/10,1/2")
    with pytest.raises(ValueError, match="at least one probability"):
        dp.risk([])
