"""Reference numbers for src/stats/wilcoxon/tests.rs, from scipy.stats.wilcoxon.

Run: python3 -m venv /tmp/v && /tmp/v/bin/pip install scipy && /tmp/v/bin/python benches/peer/wilcoxon_scipy.py
The Rust tests hold the printed numbers as constants; they never run Python.
Exact p-values with ties are checked by brute force over all 2^n sign patterns
(average ranks), since SciPy's exact method assumes untied ranks.
"""
import itertools
from fractions import Fraction

import scipy
from scipy.stats import rankdata, wilcoxon

D1 = [0.5, -1.2, 2.3, 3.1, -0.4, 1.7, 2.9, 0.8, -2.2, 4.0, 1.1, 3.6]
D2 = [0, 0, 1, -1, 2, 2, -3, 4, 4, 4, 5, -6, 7, 8, 0, 9]
D3 = [((i * 7919) % 1000) / 10 - 30 for i in range(1, 61)]


def brute_exact(d, zero_method):
    if zero_method == "wilcox":
        d = [x for x in d if x != 0]
    r2 = [int(2 * r) for r in rankdata([abs(x) for x in d])]
    used = [(r, x) for r, x in zip(r2, d) if x != 0]
    wp = sum(r for r, x in used if x > 0)
    wm = sum(r for r, x in used if x < 0)
    t = min(wp, wm)
    ranks = [r for r, _ in used]
    cnt = sum(1 for signs in itertools.product((0, 1), repeat=len(ranks))
              if sum(r for r, s in zip(ranks, signs) if s) <= t)
    return Fraction(wp, 2), Fraction(wm, 2), min(Fraction(1), Fraction(2 * cnt, 2 ** len(ranks)))


print("scipy", scipy.__version__)
print("D1 exact", wilcoxon(D1, method="exact"))
print("D1 approx cc", wilcoxon(D1, method="approx", correction=True))
print("D1 approx", wilcoxon(D1, method="approx", correction=False))
print("D1 brute", brute_exact(D1, "wilcox"))
print("D2 wilcox approx cc", wilcoxon(D2, zero_method="wilcox", method="approx", correction=True))
print("D2 wilcox approx", wilcoxon(D2, zero_method="wilcox", method="approx", correction=False))
print("D2 pratt approx cc", wilcoxon(D2, zero_method="pratt", method="approx", correction=True))
print("D2 pratt approx", wilcoxon(D2, zero_method="pratt", method="approx", correction=False))
print("D2 wilcox brute", brute_exact(D2, "wilcox"))
print("D2 pratt brute", brute_exact(D2, "pratt"))
print("D3 n", len(D3), "distinct |d|", len(set(abs(x) for x in D3)), "zeros", D3.count(0))
print("D3 approx cc", wilcoxon(D3, method="approx", correction=True))
print("D3 approx", wilcoxon(D3, method="approx", correction=False))
print("D3 exact", wilcoxon([x for x in D3 if x != 0], method="exact"))
print("D3 values", D3)


def exact_fraction(d):
    """Exact two-sided p for untied, nonzero d by the subset-count DP on Fractions."""
    a = sorted(d, key=abs)
    n = len(a)
    wp = sum(i + 1 for i, x in enumerate(a) if x > 0)
    t = min(wp, n * (n + 1) // 2 - wp)
    total = n * (n + 1) // 2
    c = [1] + [0] * total
    for r in range(1, n + 1):
        for s in range(total, r - 1, -1):
            c[s] += c[s - r]
    return min(Fraction(1), Fraction(2 * sum(c[: t + 1]), 2 ** n))


D3_TENTHS = [((i * 7919) % 1000) - 300 for i in range(1, 61)]
print("D3 exact (Fraction)", exact_fraction(D3_TENTHS), float(exact_fraction(D3_TENTHS)))
