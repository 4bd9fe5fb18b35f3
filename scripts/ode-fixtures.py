#!/usr/bin/python3
"""Reference fits of ODE models for test/ode/scipy.test.ts: scipy's solve_ivp (LSODA, rtol 1e-10,
atol 1e-12) inside least_squares, on the problems of symfit's tests/test_ode.py and a few more.

    /usr/bin/python3 scripts/ode-fixtures.py   # writes test/fixtures/ode/scipy.json

stderr: sqrt(diag((J^T J)^-1) * chi2 / (m - n)) with J by central differences of the integrated model
(relative step 1e-4), the same definition as exprfit's default (covariance scaled by the reduced chi^2).
Data with noise are generated here with a fixed seed and stored in the JSON, so the tests need no Python.
"""
import json
import os

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import least_squares

RTOL, ATOL = 1e-10, 1e-12
ROBERTSON_ATOL = 1e-18


def solve(rhs, y0, t0, times, atol=ATOL):
    """The states at `times` (sorted internally), integrated from t0 with LSODA."""
    order = np.argsort(times)
    ts = np.asarray(times, float)[order]
    sol = solve_ivp(rhs, (t0, ts[-1]), y0, method="LSODA", t_eval=ts, rtol=RTOL, atol=atol)
    assert sol.success, sol.message
    out = np.empty((len(y0), len(times)))
    out[:, order] = sol.y
    return out


def central_jacobian(residuals, p):
    """Central differences with relative step 1e-4: above the integrator's noise (rtol 1e-10)."""
    J = np.empty((len(residuals(p)), len(p)))
    for j in range(len(p)):
        h = 1e-4 * max(abs(p[j]), 1e-8)
        up, down = p.copy(), p.copy()
        up[j] += h
        down[j] -= h
        J[:, j] = (residuals(up) - residuals(down)) / (2 * h)
    return J


def fit_case(name, text, residuals, p0, names, data, note, scale=None):
    """least_squares (MINPACK's lm, central-difference Jacobian) on parameters divided by `scale`."""
    scale = np.ones(len(p0)) if scale is None else np.asarray(scale, float)
    scaled = lambda q: residuals(q * scale)
    res = least_squares(scaled, np.asarray(p0, float) / scale, jac=lambda q: central_jacobian(scaled, q),
                        method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=2000)
    p = res.x * scale
    J = central_jacobian(residuals, p)
    m, n = J.shape
    fun = residuals(p)
    chi2 = float(fun @ fun)
    cov = np.linalg.inv(J.T @ J) * chi2 / (m - n)
    return {
        "name": name,
        "model": text,
        "note": note,
        "start": dict(zip(names, map(float, p0))),
        "data": {k: [float(v) for v in a] for k, a in data.items()},
        "values": dict(zip(names, map(float, p))),
        "stderr": dict(zip(names, map(float, np.sqrt(np.diag(cov))))),
        "chi2": chi2,
    }


def kinetics():
    """symfit test_simple_kinetics: a' = -k a^2, b' = k a^2, a(0) = 5.4e-3."""
    t = np.array([10, 26, 44, 70, 120], float)
    a = 10e-4 * np.array([44, 34, 27, 20, 14], float)
    rhs = lambda _t, y, k: [-k * y[0] ** 2, k * y[0] ** 2]
    r = lambda p: solve(lambda tt, y: rhs(tt, y, p[0]), [54 * 10e-4, 0.0], 0.0, t)[0] - a
    text = "D(a, t) = -k*a^2; D(b, t) = k*a^2; a(0) = 54*10e-4; b(0) = 0; adata = a"
    return fit_case("kinetics", text, r, [0.01], ["k"], {"t": t, "adata": a},
                    "symfit tests/test_ode.py test_simple_kinetics", scale=[0.01])


def decay():
    """symfit test_known_solution (fewer points): y' = -p y, y(0) = y0."""
    rng = np.random.default_rng(6)
    t = np.linspace(0, 3, 41)
    y = np.exp(-3.22 * t) + rng.normal(0, 0.005, t.shape)
    r = lambda p: solve(lambda tt, s: [-p[0] * s[0]], [p[1]], 0.0, t)[0] - y
    return fit_case("decay", "D(u, t) = -p*u; u(0) = u0; y = u", r, [3.0, 1.0], ["p", "u0"],
                    {"t": t, "y": y}, "symfit test_known_solution, 41 points")


def chain():
    """A -> B -> (k1, k2), A0 a parameter; A and B observed at different times (unequal lengths)."""
    rng = np.random.default_rng(7)
    tA = np.linspace(0, 8, 12)
    tB = np.array([0.5, 1.5, 2.5, 4.0, 6.0, 9.0, 12.0])
    rhs = lambda p: (lambda _t, y: [-p[0] * y[0], p[0] * y[0] - p[1] * y[1]])
    truth = [0.7, 0.25, 2.0]
    yA = solve(rhs(truth), [truth[2], 0.0], 0.0, tA)[0] + rng.normal(0, 0.01, tA.shape)
    yB = solve(rhs(truth), [truth[2], 0.0], 0.0, tB)[1] + rng.normal(0, 0.01, tB.shape)

    def r(p):
        return np.concatenate([solve(rhs(p), [p[2], 0.0], 0.0, tA)[0] - yA,
                               solve(rhs(p), [p[2], 0.0], 0.0, tB)[1] - yB])

    text = "D(A, t) = -k1*A; D(B, t) = k1*A - k2*B; A(0) = A0; B(0) = 0; yA = A(tA); yB = B(tB)"
    return fit_case("chain", text, r, [1.0, 0.5, 1.0], ["k1", "k2", "A0"],
                    {"tA": tA, "yA": yA, "tB": tB, "yB": yB}, "two outputs of unequal lengths")


def lotka_volterra():
    rng = np.random.default_rng(8)
    t = np.linspace(0, 12, 40)
    rhs = lambda p: (lambda _t, y: [p[0] * y[0] - p[1] * y[0] * y[1], p[2] * y[0] * y[1] - p[3] * y[1]])
    truth = [1.0, 0.5, 0.2, 0.6]
    s = solve(rhs(truth), [2.0, 1.0], 0.0, t)
    x = s[0] + rng.normal(0, 0.05, t.shape)
    y = s[1] + rng.normal(0, 0.05, t.shape)
    r = lambda p: np.concatenate(solve(rhs(p), [2.0, 1.0], 0.0, t) - [x, y])
    text = "D(u, t) = a*u - b*u*v; D(v, t) = c*u*v - d*v; u(0) = 2; v(0) = 1; x = u; y = v"
    return fit_case("lotka-volterra", text, r, [0.9, 0.45, 0.25, 0.5], ["a", "b", "c", "d"],
                    {"t": t, "x": x, "y": y}, "Lotka-Volterra, both populations observed")


def robertson():
    """The stiff Robertson kinetics: fit k1 and k3 (k2 = 3e7 fixed) to y1 and y3 + 2*y2."""
    rng = np.random.default_rng(9)
    t = np.geomspace(0.01, 100, 15)

    def rhs(p):
        k1, k3 = p
        return lambda _t, y: [-k1 * y[0] + k3 * y[1] * y[2],
                              k1 * y[0] - k3 * y[1] * y[2] - 3e7 * y[1] ** 2,
                              3e7 * y[1] ** 2]

    s = solve(rhs([0.04, 1e4]), [1.0, 0.0, 0.0], 0.0, t)
    y1 = s[0] * (1 + rng.normal(0, 1e-3, t.shape))
    y3 = (s[2] + 2 * s[1]) * (1 + rng.normal(0, 1e-3, t.shape))

    def r(p):
        # B falls to 1e-8: atol 1e-12 would leave it 1e-4 relative error, which moves k1 by 2e-5
        q = solve(rhs(p), [1.0, 0.0, 0.0], 0.0, t, atol=ROBERTSON_ATOL)
        return np.concatenate([q[0] - y1, q[2] + 2 * q[1] - y3])

    text = ("D(A, t) = -k1*A + k3*B*C; D(B, t) = k1*A - k3*B*C - 3e7*B^2; D(C, t) = 3e7*B^2; "
            "A(0) = 1; B(0) = 0; C(0) = 0; y1 = A; y3 = C + 2*B")
    return fit_case("robertson", text, r, [0.03, 2e4], ["k1", "k3"], {"t": t, "y1": y1, "y3": y3},
                    "stiff Robertson kinetics", scale=[0.01, 1e4])


def main():
    cases = [kinetics(), decay(), chain(), lotka_volterra(), robertson()]
    out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "ode", "scipy.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"generator": "scripts/ode-fixtures.py", "rtol": RTOL, "atol": ATOL, "cases": cases}, f, indent=1)
        f.write("\n")
    for c in cases:
        print(c["name"], c["values"], c["stderr"])


if __name__ == "__main__":
    main()
