"""Writes test/functions/fixtures/special-scipy.json: the special functions of the registry on wide grids.

Each case holds the arguments, scipy.special's value (`scipy`) and the exact value (`exact`: mpmath at 60
digits, rounded to a double). The tests compare exprfit with both: the exact value to the stated tolerance,
and scipy to that tolerance plus scipy's own error. Run: python3 scripts/special-fixtures.py (needs scipy and
mpmath; the tests read the committed JSON).
"""
import json
import math
import os

import mpmath
import scipy
from scipy import special

mpmath.mp.dps = 60


def encode(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def w(x, y):
    z = mpmath.mpc(x, y)
    if abs(z) < 1e3:
        return mpmath.exp(-z * z) * mpmath.erfc(-1j * z)
    # asymptotic series (mpmath's erfc cannot take such arguments); y >= 0 here
    assert y >= 0
    term, total = mpmath.mpf(1), mpmath.mpf(1)
    for k in range(1, 12):
        term *= (2 * k - 1) / (2 * z * z)
        total += term
    return 1j / (mpmath.sqrt(mpmath.pi) * z) * total + (mpmath.exp(-z * z) if y == 0 else 0)


def voigt(x, sigma, gamma):
    return mpmath.re(w(mpmath.mpf(x) / (sigma * mpmath.sqrt(2)), mpmath.mpf(gamma) / (sigma * mpmath.sqrt(2)))) / (
        sigma * mpmath.sqrt(2 * mpmath.pi)
    )


def sinc(x):
    return mpmath.mpf(1) if x == 0 else mpmath.sinpi(x) / (mpmath.pi * x)


def logit(p):
    p = mpmath.mpf(p)
    return mpmath.log(p / (1 - p))


WX = [-30, -6.5, -1, 0, 1e-8, 0.3, 0.49, 0.51, 1, 1.5, 1.9, 2.5, 5, 6.5, 7.2, 8, 10, 20, 27, 29, 100, 1e4, 1e200]
WY = [0, 1e-12, 1e-6, 0.01, 0.5, 0.99, 1, 1.2, 1.4, 1.6, 1.8, 1.99, 2.9, 3.1, 7, 20, 1e3, 1e200]
WZ = [(x, y) for x in WX for y in WY] + [(x, y) for x in [0, 0.5, 2, 5] for y in [-0.1, -1, -3]]
VOIGT = [
    (x, s, g)
    for x in [-50, -3, -0.5, 0, 0.1, 1, 2.5, 10, 100, 1e4]
    for s in [1e-3, 0.3, 1, 5]
    for g in [1e-8, 1e-3, 0.2, 1, 10]
]
GRID_X = [0, 1e-300, 1e-10, 1e-3, 0.1, 0.5, 1, 2, 2.404825557695773, 3.5, 5, 7.5, 8, 10, 15, 20, 25, 30, 50, 100, 500, 700, 1e4, 1e8]
GRID_X = GRID_X + [-x for x in GRID_X if x > 0]
GA = [1e-3, 0.1, 0.5, 1, 1.5, 3, 10, 25.5, 100, 1000, 1e4]
GX = [0, 1e-5, 0.01, 0.5, 1, 2.5, 9, 10, 11, 30, 99, 100, 101, 200, 900, 1100, 1e4, 1e5]
def lower_gamma(a, x):
    """P(a, x); for large a as x^a e^-x / Gamma(a+1) 1F1(1; a+1; x) (mpmath's gammainc gives up there)."""
    if a <= 1e4:
        return mpmath.gammainc(a, 0, x, **REGULARISED)
    a, x = mpmath.mpf(a), mpmath.mpf(x)
    return mpmath.exp(a * mpmath.log(x) - x - mpmath.loggamma(a + 1)) * mpmath.hyp1f1(1, a + 1, x, maxterms=10**7)


# near x = a for large a (the uniform asymptotic expansion)
LARGE_A = [(a, a + k * math.sqrt(a)) for a in [5e4, 1e5, 2e6] for k in [-40, -3, -0.5, 0, 0.01, 1, 7]]
BA = [0.01, 0.5, 1, 2.5, 10, 60, 400]
BX = [0, 1e-10, 1e-3, 0.1, 0.3, 0.5, 0.7, 0.9, 0.999, 1 - 1e-9, 1]

REGULARISED = dict(regularized=True)
CASES = {
    "wofz_re": (WZ, lambda x, y: special.wofz(x + 1j * y).real, lambda x, y: mpmath.re(w(x, y))),
    "wofz_im": (WZ, lambda x, y: special.wofz(x + 1j * y).imag, lambda x, y: mpmath.im(w(x, y))),
    "voigt": (VOIGT, special.voigt_profile, voigt),
    "erfcx": (
        [(x,) for x in [-26, -5, -1, -0.3, 0, 1e-9, 0.3, 0.46875, 0.5, 1, 3.9, 4.1, 10, 27, 100, 1e5, 1e200]],
        special.erfcx,
        lambda x: mpmath.re(w(0, x)),
    ),
    "besseli0": ([(x,) for x in GRID_X if abs(x) <= 700], special.i0, lambda x: mpmath.besseli(0, x)),
    "besseli1": ([(x,) for x in GRID_X if abs(x) <= 700], special.i1, lambda x: mpmath.besseli(1, x)),
    "besselj0": ([(x,) for x in GRID_X], special.j0, lambda x: mpmath.besselj(0, x)),
    "besselj1": ([(x,) for x in GRID_X], special.j1, lambda x: mpmath.besselj(1, x)),
    "gammainc": (
        [(a, x) for a in GA for x in GX] + LARGE_A,
        special.gammainc,
        lambda a, x: lower_gamma(a, x),
    ),
    "gammaincc": (
        [(a, x) for a in GA for x in GX] + LARGE_A,
        special.gammaincc,
        lambda a, x: 1 - lower_gamma(a, x) if a > 1e4 else mpmath.gammainc(a, x, mpmath.inf, **REGULARISED),
    ),
    "betainc": (
        [(a, b, x) for a in BA for b in BA for x in BX],
        special.betainc,
        lambda a, b, x: mpmath.betainc(a, b, 0, x, **REGULARISED),
    ),
    "expit": ([(x,) for x in [-800, -700, -40, -1, -1e-9, 0, 1e-9, 0.5, 1, 20, 40, 800]], special.expit, lambda x: 1 / (1 + mpmath.exp(-x))),
    "logit": ([(p,) for p in [1e-300, 1e-10, 0.1, 0.3, 0.49, 0.5, 0.5000001, 0.6, 0.74, 0.76, 0.9, 1 - 1e-10]], special.logit, logit),
    "sinc": ([(x,) for x in [-1e6 - 0.5, -2.5, -1, -0.3, 0, 1e-9, 0.25, 1, 1.5, 3, 10.1, 1e6 + 0.5]], lambda x: float(__import__("numpy").sinc(x)), sinc),
}



def voigt_fit():
    """A noisy Voigt peak on a baseline, fitted by scipy.optimize.curve_fit (which uses scipy's voigt_profile)."""
    import numpy as np
    from scipy.optimize import curve_fit

    def model(x, A, c, sigma, gamma, b):
        return A * special.voigt_profile(x - c, sigma, gamma) + b

    x = np.linspace(-6, 7, 131)
    rng = np.random.default_rng(14)
    y = model(x, 3.0, 0.5, 0.8, 0.4, 0.1) + rng.normal(0, 0.01, x.size)
    start = dict(A=2.0, c=0.2, sigma=1.0, gamma=0.2, b=0.0)
    popt, pcov = curve_fit(model, x, y, p0=list(start.values()), xtol=1e-14, ftol=1e-14, gtol=1e-14)
    names = list(start)
    return {
        "model": "y = A*voigt(x - c, sigma, gamma) + b",
        "x": x.tolist(),
        "y": y.tolist(),
        "start": start,
        "params": {n: {"value": float(v), "stderr": float(math.sqrt(pcov[i][i]))} for i, (n, v) in enumerate(zip(names, popt))},
    }


out = {
    "source": f"scipy {scipy.__version__} (scipy), mpmath {mpmath.__version__} at 60 digits (exact)",
    "voigtFit": voigt_fit(),
    "functions": {
        name: [{"args": list(args), "scipy": encode(sp(*args)), "exact": encode(ex(*args))} for args in grid]
        for name, (grid, sp, ex) in CASES.items()
    },
}
path = os.path.join(os.path.dirname(__file__), "..", "test", "functions", "fixtures", "special-scipy.json")
with open(path, "w") as f:
    json.dump(out, f, indent=0)
    f.write("\n")
