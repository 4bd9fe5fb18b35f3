#!/usr/bin/env python3
"""MGH test set: scipy.optimize.least_squares (method 'lm' and 'trf', default options, the same
analytic Jacobians) next to exprfit's solver (xScale 'jac' and 'unit'), from x0, 10*x0 and 100*x0.

The problems are evaluated by exprfit's own code (bench/mgh_server.ts, through `node --import tsx`),
so every solver sees identical residuals and Jacobians. Writes test/fixtures/mgh-scipy.json (one record per
run) and prints the summary table recorded in bench/README.md.

A run is solved when F = sum r^2 is within 1e-4 (relative, plus 1e-12 absolute) of a known minimum
(test/solver/mgh/problems.ts); a false success reports success without being solved.

Usage (from the repository root): python3 bench/mgh_scipy.py
"""
import json
import os
import subprocess
import sys
import warnings

import numpy as np
from scipy.optimize import least_squares

RTOL, ATOL = 1e-4, 1e-12
FACTORS = (1, 10, 100)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Server:
    def __init__(self):
        self.proc = subprocess.Popen(
            ["node", "--import", "tsx", "bench/mgh_server.ts"],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.problems = json.loads(self.proc.stdout.readline())

    def ask(self, req):
        self.proc.stdin.write(json.dumps(req) + "\n")
        return json.loads(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def as_array(values):
    return np.array([float(v) for v in values])


def encode(x):
    """x as JSON numbers, non-finite ones as strings ("nan", "inf", "-inf")."""
    return [float(v) if np.isfinite(v) else str(float(v)) for v in x]


def solved(fstar, F):
    return bool(np.isfinite(F)) and any(abs(F - s) <= RTOL * s + ATOL for s in fstar)


def run_scipy(server, i, p, factor, method):
    fun = lambda x: as_array(server.ask({"p": i, "x": encode(x), "what": "f"}))
    jac = lambda x: as_array(server.ask({"p": i, "x": encode(x), "what": "J"})).reshape(p["m"], p["n"])
    x0 = np.array(p["x0"], dtype=float) * factor
    try:
        r = least_squares(fun, x0, jac=jac, method=method)
        return {"F": float(2 * r.cost), "success": bool(r.success), "status": int(r.status),
                "nfev": int(r.nfev), "njev": int(r.njev or 0)}
    except ValueError as e:  # e.g. residuals not finite at x0
        return {"F": float("nan"), "success": False, "status": None, "nfev": 1, "njev": 0, "error": str(e)}


def main():
    warnings.simplefilter("ignore", RuntimeWarning)  # overflow in the plateau / divergent runs
    server = Server()
    records = []
    for i, p in enumerate(server.problems):
        for k in FACTORS:
            for solver in ("exprfit jac", "exprfit unit", "scipy lm", "scipy trf"):
                if solver.startswith("exprfit"):
                    r = server.ask({"p": i, "factor": k, "xScale": solver.split()[1]})
                    r["F"] = float(r["F"]) if r["F"] is not None else float("nan")
                else:
                    r = run_scipy(server, i, p, k, solver.split()[1])
                r.update({"problem": p["name"], "id": p["id"], "factor": k, "solver": solver,
                          "solved": solved(p["fStar"], r["F"])})
                records.append(r)
    server.close()
    with open(os.path.join(ROOT, "test", "fixtures", "mgh-scipy.json"), "w") as f:
        f.write(json.dumps({"rtol": RTOL, "atol": ATOL})[:-1] + ', "runs": [\n')
        f.write(",\n".join(json.dumps(r) for r in records) + "\n]}\n")
    solvers = ("exprfit jac", "exprfit unit", "scipy lm", "scipy trf")
    key = lambda r: (r["problem"], r["factor"])
    common = set.intersection(*({key(r) for r in records if r["solver"] == s and r["solved"]} for s in solvers))
    print(f"| solver | solved | false success | evaluations, all 129 runs | evaluations, the {len(common)} runs all solve |")
    print("| --- | --- | --- | --- | --- |")
    for solver in solvers:
        rs = [r for r in records if r["solver"] == solver]
        ok = [r for r in rs if r["solved"]]
        false = [r for r in rs if r["success"] and not r["solved"]]
        print(f"| {solver} | {len(ok)}/{len(rs)} | {len(false)} | {sum(r['nfev'] for r in rs)} | "
              f"{sum(r['nfev'] for r in rs if key(r) in common)} |")
        for r in false:
            print(f"{solver}: false success on {r['problem']} from {r['factor']}·x0, F = {r['F']:.6g}",
                  file=sys.stderr)

if __name__ == "__main__":
    main()
