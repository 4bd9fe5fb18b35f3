/**
 * Constraints and minimisers (docs/constraints.md) against scipy.optimize on the same problems in the same run
 * (when python3 with scipy is installed): the triangle fit with a + b + c = 180 (SLSQP), Rosenbrock by BFGS
 * and by trust-region Newton (trust-ncg), both with exact derivatives, and Rastrigin by differential evolution
 * (scipy defaults). Ratios are reported, not required.
 */
import { spawnSync } from 'node:child_process';
import { fit } from '../src/fit/fit.ts';
import { minimize } from '../src/fit/minimize.ts';
import type { BenchRow } from './types.ts';
import { timeMedian } from './types.ts';

const TRIANGLE = [
  [10.1, 9.0, 10.5, 11.2, 9.5, 9.6, 10.0],
  [102.1, 101.0, 100.4, 100.8, 99.2, 100.0, 100.8],
  [71.6, 73.2, 69.5, 70.2, 70.8, 70.6, 70.1],
];

const PY = `
import json, timeit, numpy as np
from scipy.optimize import minimize, differential_evolution, rosen, rosen_der, rosen_hess
d = np.array(${JSON.stringify(TRIANGLE)})
def tri():
    y = d.ravel()
    r = lambda p: np.repeat(p, 7) - y
    J = np.kron(np.eye(3), np.ones((7, 1)))
    minimize(lambda p: 0.5*r(p)@r(p), np.ones(3), jac=lambda p: J.T@r(p), method='SLSQP',
             constraints=[{'type': 'eq', 'fun': lambda p: p.sum() - 180, 'jac': lambda p: np.ones(3)}])
ras = lambda p: 20 + sum(v*v - 10*np.cos(2*np.pi*v) for v in p)
cases = {
  'triangle': tri,
  'bfgs': lambda: minimize(rosen, [-1.2, 1], jac=rosen_der, method='BFGS', options={'gtol': 1e-10}),
  'newton': lambda: minimize(rosen, [-1.2, 1], jac=rosen_der, hess=rosen_hess, method='trust-ncg', options={'gtol': 1e-10}),
  'de': lambda: differential_evolution(ras, [(-5.12, 5.12)] * 2, seed=1),
}
out = {}
for k, f in cases.items():
    n = 3 if k == 'de' else 30
    out[k] = 1000 * min(timeit.repeat(f, number=n, repeat=5)) / n
print(json.dumps(out))
`;

function scipyTimes(): Record<string, number> | null {
  const res = spawnSync('python3', ['-c', PY], { encoding: 'utf8', timeout: 300_000 });
  if (res.status !== 0) return null;
  return JSON.parse(res.stdout) as Record<string, number>;
}

const ROSENBROCK = '(1 - x)^2 + 100*(y - x^2)^2';
const RASTRIGIN = '20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)';
const BOX = { min: -5.12, max: 5.12 };

export async function run(): Promise<BenchRow[]> {
  const [a_i, b_i, c_i] = TRIANGLE;
  const triangle = (): unknown =>
    fit(
      'a_i = a; b_i = b; c_i = c',
      { a_i, b_i, c_i },
      { a: 1, b: 1, c: 1 },
      { constraints: ['a + b + c = 180'] },
    );
  // the fast rows: many runs after a long warm-up (the shared machine's load moves short timings a lot)
  const ours: Record<string, number> = {
    triangle: timeMedian(triangle, 100, 20),
    bfgs: timeMedian(() => minimize(ROSENBROCK, { x: -1.2, y: 1 }, { method: 'bfgs' }), 100, 20),
    newton: timeMedian(() => minimize(ROSENBROCK, { x: -1.2, y: 1 }, { method: 'newton' }), 100, 20),
    de: timeMedian(() => minimize(RASTRIGIN, { x: BOX, y: BOX }, { method: 'de' }), 5, 1),
  };

  const scipy = scipyTimes() ?? {};
  const names: Record<string, string> = {
    triangle: 'constrained fit, triangle a + b + c = 180 (scipy SLSQP)',
    bfgs: 'minimize Rosenbrock, BFGS (scipy BFGS)',
    newton: 'minimize Rosenbrock, trust-region Newton (scipy trust-ncg)',
    de: 'differential evolution, Rastrigin 2-D (scipy differential_evolution)',
  };
  return Object.entries(ours).map(([k, ms]) => {
    const baselineMs = scipy[k] ?? NaN;
    return { name: names[k], ms, baselineMs, ratio: ms / baselineMs };
  });
}
