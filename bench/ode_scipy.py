#!/usr/bin/env python3
"""Baseline of bench/ode.bench.ts: scipy solve_ivp (LSODA, rtol 1e-10, atol 1e-12) inside least_squares
(method 'lm', its default finite-difference Jacobian) on a case of test/fixtures/ode/scipy.json, from the
same start. symfit (which wraps scipy's odeint and differentiates the integrator numerically) is not
installable here (no PyPI), so this scipy fit stands in for it.

Prints the median time of one fit in milliseconds over `runs` fits after one warm-up fit.

Usage: python3 bench/ode_scipy.py CASE [runs]
"""
import json
import os
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import least_squares

HERE = os.path.dirname(os.path.abspath(__file__))


def solve(rhs, y0, times):
    order = np.argsort(times)
    ts = np.asarray(times, float)[order]
    sol = solve_ivp(rhs, (0.0, ts[-1]), y0, method="LSODA", t_eval=ts, rtol=1e-10, atol=1e-12)
    out = np.empty((len(y0), len(times)))
    out[:, order] = sol.y
    return out


def problem(case):
    d = {k: np.asarray(v) for k, v in case["data"].items()}
    if case["name"] == "chain":
        rhs = lambda p: (lambda _t, y: [-p[0] * y[0], p[0] * y[0] - p[1] * y[1]])
        return lambda p: np.concatenate([solve(rhs(p), [p[2], 0.0], d["tA"])[0] - d["yA"],
                                         solve(rhs(p), [p[2], 0.0], d["tB"])[1] - d["yB"]])
    if case["name"] == "lotka-volterra":
        rhs = lambda p: (lambda _t, y: [p[0] * y[0] - p[1] * y[0] * y[1], p[2] * y[0] * y[1] - p[3] * y[1]])
        return lambda p: np.concatenate(solve(rhs(p), [2.0, 1.0], d["t"]) - [d["x"], d["y"]])
    raise SystemExit(f"unknown case {case['name']}")


def main():
    name = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with open(os.path.join(HERE, "..", "test", "fixtures", "ode", "scipy.json")) as f:
        case = next(c for c in json.load(f)["cases"] if c["name"] == name)
    r = problem(case)
    p0 = np.array(list(case["start"].values()))
    fit = lambda: least_squares(r, p0, method="lm")
    fit()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fit()
        times.append(time.perf_counter() - t0)
    print(f"{1000 * float(np.median(times)):.6f}")


if __name__ == "__main__":
    main()
