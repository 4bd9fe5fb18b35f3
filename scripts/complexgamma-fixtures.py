"""Writes test/functions/fixtures/complexgamma-scipy.json: Re log Gamma(a + ib) and the complex digamma and
trigamma functions on a wide grid, from scipy.special.loggamma, psi and polygamma(1, .) of complex arguments
(scipy's complex trigamma is not available: it is written as the derivative-free sum below, to 1e-16).
Run: /usr/bin/python3 scripts/complexgamma-fixtures.py (scipy 1.10; the tests read the committed JSON).
"""
import json
import math
import os

import scipy
from scipy import special

A = [-30.5, -7.25, -2.5, -0.75, -1e-3, 0, 1e-6, 0.01, 0.5, 0.6, 1, 1.5, 2, 2.5, 3.7, 9.99, 10, 17, 50.5, 150, 1e3, 1e5]
B = [0, 1e-8, 0.01, 0.5, 1, -1, 2.5, -6, 9.5, 20, -45, 100, 1e3, 1e6]


def trigamma(z):
    """psi'(z) = sum 1/(z+k)^2 for k < 40, plus the asymptotic tail at z + 40 (Re z > -40 here)."""
    total = sum(1 / (z + k) ** 2 for k in range(60))
    w = z + 60
    bern = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6]
    tail = 1 / w + 1 / (2 * w * w) + sum(b / w ** (2 * i + 3) for i, b in enumerate(bern))
    return total + tail


def encode(v):
    v = float(v)
    return v if math.isfinite(v) else ("NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity"))


cases = []
for a in A:
    for b in B:
        z = complex(a, b)
        if b == 0 and a <= 0 and a == round(a):
            continue
        lg = special.loggamma(z)
        psi = special.psi(z)
        cases.append(
            {
                "args": [a, b],
                "lgamma_re": encode(lg.real),
                "digamma_re": encode(psi.real),
                "digamma_im": encode(psi.imag),
            }
        )

trig = []
for a in [-7.25, -2.5, -0.75, 0.01, 0.5, 1, 2.5, 3.7, 9.99, 17, 150]:
    for b in [0, 0.01, 0.5, -1, 2.5, 9.5, -45, 1e3]:
        t = trigamma(complex(a, b)) if a > -40 else None
        trig.append({"args": [a, b], "trigamma_re": encode(t.real), "trigamma_im": encode(t.imag)})

out = os.path.join(os.path.dirname(__file__), "..", "test", "functions", "fixtures", "complexgamma-scipy.json")
with open(out, "w") as f:
    json.dump({"scipy": scipy.__version__, "cases": cases, "trigamma": trig}, f, indent=1)
    f.write("\n")
