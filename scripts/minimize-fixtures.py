"""Fixtures of test/fit/minimize.test.ts: scipy.optimize.minimize (BFGS, trust-ncg, Powell, L-BFGS-B, Nelder-Mead,
SLSQP) and differential_evolution (defaults, seed 1, polish) on Rosenbrock, Himmelblau, a bounded Rosenbrock,
Rastrigin, and two constrained problems (the scipy tutorial's and symfit's test_constrainedminimizers).
Run: /usr/bin/python3 scripts/minimize-fixtures.py > test/fixtures/minimize-scipy.json"""
import json
import numpy as np
import scipy
from scipy.optimize import differential_evolution, minimize, rosen, rosen_der, rosen_hess


def himmelblau(p):
    x, y = p
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def himmelblau_der(p):
    x, y = p
    a, b = x * x + y - 11, x + y * y - 7
    return np.array([4 * x * a + 2 * b, 2 * a + 4 * y * b])


def himmelblau_hess(p):
    x, y = p
    return np.array([[12 * x * x + 4 * y - 42, 4 * x + 4 * y], [4 * x + 4 * y, 4 * x + 12 * y * y - 26]])


def rastrigin(p):
    return 20 + sum(v * v - 10 * np.cos(2 * np.pi * v) for v in p)


def local(fun, jac, hess, x0):
    out = {}
    opts = {"BFGS": {"gtol": 1e-10}, "trust-ncg": {"gtol": 1e-10}, "Powell": {"xtol": 1e-10, "ftol": 1e-14},
            "L-BFGS-B": {"ftol": 1e-15, "gtol": 1e-12}, "Nelder-Mead": {"xatol": 1e-10, "fatol": 1e-14}}
    for method, o in opts.items():
        kw = {"jac": jac} if method in ("BFGS", "trust-ncg", "L-BFGS-B") else {}
        if method == "trust-ncg":
            kw["hess"] = hess
        r = minimize(fun, x0, method=method, options=o, **kw)
        out[method] = {"x": r.x.tolist(), "fun": float(r.fun), "nfev": int(r.nfev), "success": bool(r.success)}
    return out


bounded = [(-2, 0.5), (-2, 2)]
lb = minimize(rosen, [-1.2, 1], jac=rosen_der, method="L-BFGS-B", bounds=bounded, options={"ftol": 1e-15, "gtol": 1e-12})
pw = minimize(rosen, [-1.2, 1], method="Powell", bounds=bounded, options={"xtol": 1e-10, "ftol": 1e-14})
de = differential_evolution(rosen, bounded, seed=1)
de_r = differential_evolution(rastrigin, [(-5.12, 5.12)] * 2, seed=1)

tutorial = minimize(lambda p: (p[0] - 1) ** 2 + (p[1] - 2.5) ** 2, [2, 0], method="SLSQP", bounds=[(0, None), (0, None)],
                    constraints=[{"type": "ineq", "fun": lambda p: p[0] - 2 * p[1] + 2},
                                 {"type": "ineq", "fun": lambda p: -p[0] - 2 * p[1] + 6},
                                 {"type": "ineq", "fun": lambda p: -p[0] + 2 * p[1] + 2}],
                    options={"ftol": 1e-14})
neg = lambda p: -(2 * p[0] * p[1] + 2 * p[0] - p[0] ** 2 - 2 * p[1] ** 2)
symfit_free = minimize(neg, [-1, 1], method="SLSQP", options={"ftol": 1e-14})
symfit = minimize(neg, [-1, 1], method="SLSQP", options={"ftol": 1e-14},
                  constraints=[{"type": "ineq", "fun": lambda p: p[1] - 1}, {"type": "eq", "fun": lambda p: p[0] ** 3 - p[1]}])

t = np.array([0.3, 1.2, 0.7, 2.5, 0.1, 1.9, 0.8, 3.3, 0.4, 1.1])
out = {
    "scipy": scipy.__version__,
    "rosenbrock": {"x0": [-1.2, 1], "results": local(rosen, rosen_der, rosen_hess, [-1.2, 1])},
    "himmelblau": {"x0": [-2, 2], "results": local(himmelblau, himmelblau_der, himmelblau_hess, [-2, 2])},
    "bounded": {"bounds": bounded, "L-BFGS-B": {"x": lb.x.tolist(), "fun": float(lb.fun)},
                "Powell": {"x": pw.x.tolist(), "fun": float(pw.fun)},
                "de": {"x": de.x.tolist(), "fun": float(de.fun), "nfev": int(de.nfev)}},
    "rastrigin": {"x": de_r.x.tolist(), "fun": float(de_r.fun), "nfev": int(de_r.nfev)},
    "tutorial": {"x": tutorial.x.tolist(), "fun": float(tutorial.fun)},
    "symfit": {"free": symfit_free.x.tolist(), "x": symfit.x.tolist(), "fun": float(-symfit.fun)},
    "exponentialMle": {"t": t.tolist(), "tau": float(np.mean(t))},
}
print(json.dumps(out, indent=1))
