"""Fixtures of test/fit/constraints.test.ts: constrained least-squares fits solved by scipy.optimize.minimize
(method='SLSQP', exact gradients, ftol 1e-14), with the KKT multipliers (least squares on the active constraints'
gradients) and the covariance projected onto the active constraints' tangent space,
C = s² Z (Zᵀ H Z)⁻¹ Zᵀ with H = JᵀJ − Σ ν ∇²c (the Gauss–Newton Hessian of the Lagrangian), s² = χ²/(N − k + r),
computed with numpy/scipy.linalg.null_space.
Run: /usr/bin/python3 scripts/constraints-fixtures.py > test/fixtures/constraints-scipy.json"""
import json
import numpy as np
import scipy
from scipy.optimize import minimize
from scipy.linalg import null_space

TRIANGLE = [
    [10.1, 9.0, 10.5, 11.2, 9.5, 9.6, 10.0],
    [102.1, 101.0, 100.4, 100.8, 99.2, 100.0, 100.8],
    [71.6, 73.2, 69.5, 70.2, 70.8, 70.6, 70.1],
]


def solve(case, residuals, jac, cons, x0, bounds=None, hessians=None):
    """cons: list of (type, fun, grad) with scipy's convention fun >= 0 / fun == 0; hessians: per constraint
    the Hessian of c (one row), for the nonlinear ones."""
    f = lambda p: 0.5 * float(np.sum(residuals(p) ** 2))
    g = lambda p: jac(p).T @ residuals(p)
    sc = [{"type": t, "fun": fun, "jac": gr} for t, fun, gr in cons]
    res = minimize(f, x0, jac=g, constraints=sc, method="SLSQP", bounds=bounds,
                   options={"ftol": 1e-14, "maxiter": 1000})
    assert res.success, res.message
    p = res.x
    values = [float(np.min(np.atleast_1d(fun(p)))) for _, fun, _ in cons]
    rows, owner, row_index = [], [], []
    for i, (t, fun, gr) in enumerate(cons):
        v = np.atleast_1d(fun(p))
        G = np.atleast_2d(gr(p))
        for q in range(len(v)):
            if t == "eq" or v[q] <= 1e-7:
                rows.append(G[q])
                owner.append(i)
                row_index.append(q)
    A = np.array(rows) if rows else np.zeros((0, len(p)))
    nu = np.linalg.lstsq(A.T, g(p), rcond=None)[0] if rows else np.zeros(0)
    multipliers = [float(sum(nu[q] for q in range(len(owner)) if owner[q] == i)) for i in range(len(cons))]
    J = jac(p)
    r = residuals(p)
    Z = null_space(A) if rows else np.eye(len(p))
    rank = len(p) - Z.shape[1]
    chi2 = float(r @ r)
    s2 = chi2 / (len(r) - len(p) + rank)
    H = J.T @ J
    for q, i in enumerate(owner):
        if hessians and hessians.get(i) is not None:
            H = H - nu[q] * hessians[i](p)
    C = s2 * Z @ np.linalg.pinv(Z.T @ H @ Z) @ Z.T
    case.update({"x": p.tolist(), "chi2": chi2, "constraintValues": values, "multipliers": multipliers,
                 "stderr": np.sqrt(np.diag(C)).tolist(), "covariance": C.tolist()})
    return case


def triangle(with_c):
    d = TRIANGLE if with_c else TRIANGLE[:2]
    k = len(d)
    y = np.concatenate(d)

    def residuals(p):
        return np.concatenate([np.full(7, p[j]) for j in range(k)]) - y

    def jac(p):
        J = np.zeros((7 * k, 3))
        for j in range(k):
            J[7 * j:7 * j + 7, j] = 1
        return J

    con = ("eq", lambda p: p[0] + p[1] + p[2] - 180, lambda p: np.ones(3))
    case = {"name": f"triangle{'' if with_c else ' without c data'}", "data": d, "constraints": ["a + b + c = 180"]}
    return solve(case, residuals, jac, [con], np.ones(3))


def theta():
    """symfit issue #165 (test_fixed_and_constrained): theta1 >= theta2 with phi1, phi2 fixed."""
    x = np.array([0., 0.000376, 0.000752, 0.0015, 0.00301, 0.00601, 0.00902])
    y = np.array([1., 1.07968041, 1.08990638, 1.12151629, 1.13068452, 1.15484109, 1.19883952])
    phi1, phi2 = 0.845251484373516, 0.7105427053026403

    def parts(p):
        t1, t2 = p
        num = 1 + x * t1 + t2 * x**2
        den = 1 + phi1 * x * t1 + phi2 * t2 * x**2
        return num, den

    def residuals(p):
        num, den = parts(p)
        return num / den - y

    def jac(p):
        num, den = parts(p)
        d1 = (x * den - num * phi1 * x) / den**2
        d2 = (x**2 * den - num * phi2 * x**2) / den**2
        return np.column_stack([d1, d2])

    con = ("ineq", lambda p: p[0] - p[1], lambda p: np.array([1.0, -1.0]))
    case = {"name": "symfit #165 theta1 >= theta2", "x_data": x.tolist(), "y": y.tolist(),
            "phi1": phi1, "phi2": phi2, "constraints": ["theta1 >= theta2"]}
    return solve(case, residuals, jac, [con], np.array([1.0, 1.0]))


def decay():
    """y = a*exp(-b*t) + c with a + c <= 2 (active) and 0 <= b <= 0.5."""
    t = np.linspace(0, 10, 21)
    y = 2.5 * np.exp(-0.4 * t) + 0.3 + 0.02 * np.sin(3 * t)
    residuals = lambda p: p[0] * np.exp(-p[1] * t) + p[2] - y
    jac = lambda p: np.column_stack([np.exp(-p[1] * t), -p[0] * t * np.exp(-p[1] * t), np.ones_like(t)])
    con = ("ineq", lambda p: 2 - p[0] - p[2], lambda p: np.array([-1.0, 0.0, -1.0]))
    case = {"name": "decay a + c <= 2", "t": t.tolist(), "y": y.tolist(), "constraints": ["a + c <= 2"],
            "bounds": {"b": [0, 0.5]}}
    return solve(case, residuals, jac, [con], np.array([1.0, 0.2, 0.1]), bounds=[(None, None), (0, 0.5), (None, None)])


def line_nonnegative():
    """A line y = a + b*x whose unconstrained fit is negative at x = 0: constrained to y >= 0 at every point."""
    x = np.linspace(0, 4, 9)
    y = np.array([0.1, 0.05, 1.2, 1.3, 2.4, 2.2, 3.5, 3.3, 4.6]) - 0.4
    residuals = lambda p: p[0] + p[1] * x - y
    jac = lambda p: np.column_stack([np.ones_like(x), x])
    con = ("ineq", lambda p: p[0] + p[1] * x, lambda p: np.column_stack([np.ones_like(x), x]))
    case = {"name": "line y >= 0", "x_data": x.tolist(), "y": y.tolist(), "constraints": ["y >= 0"]}
    return solve(case, residuals, jac, [con], np.array([1.0, 1.0]))


def circle():
    """A point (x0, y0) fitted to scattered points inside the unit circle, constrained to x0² + y0² >= r², r = 1."""
    u = np.array([0.3, 0.5, 0.1, 0.4, 0.2, 0.35])
    v = np.array([0.2, 0.1, 0.3, 0.25, 0.15, 0.3])
    y = np.concatenate([u, v])
    residuals = lambda p: np.concatenate([np.full(6, p[0]), np.full(6, p[1])]) - y
    jac = lambda p: np.vstack([np.column_stack([np.ones(6), np.zeros(6)]), np.column_stack([np.zeros(6), np.ones(6)])])
    con = ("ineq", lambda p: p[0] ** 2 + p[1] ** 2 - 1, lambda p: np.array([2 * p[0], 2 * p[1]]))
    case = {"name": "circle x0^2 + y0^2 >= r^2", "u": u.tolist(), "v": v.tolist(), "r": 1.0,
            "constraints": ["x0^2 + y0^2 >= r^2"]}
    return solve(case, residuals, jac, [con], np.array([1.0, 1.0]), hessians={0: lambda p: 2 * np.eye(2)})


out = {
    "scipy": scipy.__version__,
    "cases": [triangle(True), triangle(False), theta(), decay(), line_nonnegative(), circle()],
}
print(json.dumps(out, indent=1))
