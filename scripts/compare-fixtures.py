"""Fixtures of test/fit/compare.test.ts: scipy.stats F and chi-square tails, and a nested-model comparison of
polynomial fits (numpy least squares). Run: python3 scripts/compare-fixtures.py > test/fixtures/compare-scipy.json"""
import json
import numpy as np
from scipy import stats

f_cases = [(1.5, 1, 98), (0.01, 2, 5), (3.2, 3, 17), (25.0, 2, 40), (120.0, 1, 10), (1e-3, 4, 4), (7.5, 10, 200)]
chi2_cases = [(0.5, 1), (3.84, 1), (10.0, 2), (2.0, 5), (40.0, 3), (1e-4, 1), (150.0, 100), (0.3, 7)]

x = np.linspace(0, 4, 25)
y = 1.0 + 0.5 * x + 0.08 * x**2 + 0.05 * np.sin(5 * x)
fits = []
for degree in (1, 2, 3):
    coef = np.polyfit(x, y, degree)
    chi2 = float(np.sum((np.polyval(coef, x) - y) ** 2))
    fits.append({"degree": degree, "k": degree + 1, "chi2": chi2})
N = len(x)
r, f = fits[0], fits[1]
F = ((r["chi2"] - f["chi2"]) / (f["k"] - r["k"])) / (f["chi2"] / (N - f["k"]))
lr = N * np.log(r["chi2"] / f["chi2"])
aic = [N * np.log(ft["chi2"] / N) + 2 * ft["k"] for ft in fits]
bic = [N * np.log(ft["chi2"] / N) + np.log(N) * ft["k"] for ft in fits]
w = lambda c: list(np.exp(-(np.array(c) - min(c)) / 2) / np.sum(np.exp(-(np.array(c) - min(c)) / 2)))
out = {
    "scipy": __import__("scipy").__version__,
    "fsf": [[v, d1, d2, float(stats.f.sf(v, d1, d2))] for v, d1, d2 in f_cases],
    "chi2sf": [[v, k, float(stats.chi2.sf(v, k))] for v, k in chi2_cases],
    "poly": {
        "x": x.tolist(),
        "y": y.tolist(),
        "fits": fits,
        "F": float(F),
        "Fp": float(stats.f.sf(F, f["k"] - r["k"], N - f["k"])),
        "LR": float(lr),
        "LRp": float(stats.chi2.sf(lr, f["k"] - r["k"])),
        "aicWeights": [float(v) for v in w(aic)],
        "bicWeights": [float(v) for v in w(bic)],
    },
}
print(json.dumps(out, indent=1))
