"""Writes test/functions/fixtures/polygamma-scipy.json: polygamma at large orders and arguments.

`reference` is (-1)^(n+1) n! zeta(n+1, x) in mpmath at 150 and 200 digits (which must agree), rounded to a double (overflow to
+-Infinity, underflow to +-0); `scipy` is scipy.special.polygamma, which overflows in gamma(n+1) for n > 170
(NaN where that meets an underflowing zeta). Run: python3 scripts/polygamma-fixtures.py (needs scipy and
mpmath; the tests read the committed JSON; run prettier on it afterwards).
"""
import json
import math
import os

import mpmath
import scipy
from scipy.special import polygamma

CASES = [
    (1, 1e300), (2, 1e-300), (1e9, 1), (1e9 + 1, 1), (1e9, 2e9), (3, 7.5), (50, 0.1),
    (100, 1.5), (101, 0.5), (101, 1), (120, 1e5), (150, 3), (150, 170), (171, 200), (200, 1000),
    (300, 250), (500, 2.5), (1000, 50), (1000, 1500), (101, -2.5), (150, -0.3), (151, -7.2), (40, -3.7), (102, -2.5), (202, -3.5), (102, -2.3),
]


def encode(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def exact(n, x, digits):
    with mpmath.workdps(digits):
        return mpmath.mpf(-1) ** (int(n) + 1) * mpmath.factorial(int(n)) * mpmath.zeta(int(n) + 1, x)


def reference(n, x):
    # mpmath's Hurwitz zeta at large s needs far more working digits than it returns: compute at two
    # precisions and insist they agree
    v, w = exact(n, x, 150), exact(n, x, 200)
    assert abs(v - w) <= abs(w) * mpmath.mpf("1e-15"), (n, x, v, w)
    return float(v) if abs(v) < mpmath.mpf("1.8e308") else math.copysign(math.inf, v)


rows = [
    {"n": n, "x": x, "reference": encode(reference(n, x)), "scipy": encode(float(polygamma(n, x)))}
    for n, x in CASES
]
out = os.path.join(os.path.dirname(__file__), "..", "test", "functions", "fixtures", "polygamma-scipy.json")
with open(out, "w") as f:
    json.dump({"source": f"mpmath {mpmath.__version__} (reference), scipy {scipy.__version__}", "cases": rows}, f, indent=1)
    f.write("\n")
