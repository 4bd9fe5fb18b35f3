import { describe, expect, it } from 'vitest';
import { minimizeLBFGSB } from '../../src/solver/lbfgsb.ts';
import { minimizeNelderMead } from '../../src/solver/neldermead.ts';

/** Extended Rosenbrock, f and gradient. */
function rosen(x: Float64Array, g?: Float64Array): number {
  const n = x.length;
  let f = 0;
  if (g) g.fill(0);
  for (let i = 0; i < n - 1; i++) {
    const a = 1 - x[i];
    const b = x[i + 1] - x[i] * x[i];
    f += a * a + 100 * b * b;
    if (g) {
      g[i] += -2 * a - 400 * x[i] * b;
      g[i + 1] += 200 * b;
    }
  }
  return f;
}
const rosenFG = (x: Float64Array, g: Float64Array) => rosen(x, g);
const rosenF = (x: Float64Array) => rosen(x);

describe('minimizeLBFGSB', () => {
  it('Rosenbrock 2D from (−1.2, 1) without bounds', () => {
    const s = minimizeLBFGSB(rosenFG, [-1.2, 1]);
    expect(s.success).toBe(true);
    expect(s.x[0]).toBeCloseTo(1, 8);
    expect(s.x[1]).toBeCloseTo(1, 8);
    expect(s.cost).toBeLessThan(1e-16);
    expect(s.atBound).toEqual([null, null]);
    expect(s.method).toMatch(/L-BFGS-B/);
  });

  it('Rosenbrock 10D without bounds', () => {
    const x0 = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const s = minimizeLBFGSB(rosenFG, x0);
    expect(s.success).toBe(true);
    for (const v of s.x) expect(v).toBeCloseTo(1, 7);
  });

  it('Rosenbrock with x ≤ 0.5: stops on the bound at (0.5, 0.25)', () => {
    const s = minimizeLBFGSB(rosenFG, [-1.2, 1], { lower: [-2, -2], upper: [0.5, 2] });
    expect(s.success).toBe(true);
    expect(s.x[0]).toBe(0.5);
    expect(s.x[1]).toBeCloseTo(0.25, 9);
    expect(s.cost).toBeCloseTo(0.25, 12);
    expect(s.atBound).toEqual(['upper', null]);
    expect(s.optimality).toBeLessThan(1e-9);
  });

  it('a separable quadratic in a box ends at the clipped minimiser with several active bounds', () => {
    const c = [3, -2, 0.5, 10, -7];
    const w = [1, 10, 0.1, 2, 5];
    const lo = [0, -1, -1, -5, -10];
    const hi = [2, 1, 1, 5, 10];
    const s = minimizeLBFGSB(
      (x, g) => {
        let f = 0;
        for (let j = 0; j < 5; j++) {
          f += w[j] * (x[j] - c[j]) ** 2;
          g[j] = 2 * w[j] * (x[j] - c[j]);
        }
        return f;
      },
      [1, 0, 0, 0, 0],
      { lower: lo, upper: hi },
    );
    expect(s.success).toBe(true);
    expect(Array.from(s.x)).toEqual([2, -1, 0.5, 5, -7].map((v, j) => (j === 2 || j === 4 ? s.x[j] : v)));
    expect(s.x[2]).toBeCloseTo(0.5, 9);
    expect(s.x[4]).toBeCloseTo(-7, 9);
    expect(s.atBound).toEqual(['upper', 'lower', null, 'upper', null]);
  });

  it('steps into a region where f is not finite are rejected', () => {
    // f = x − ln x, minimum at 1, NaN for x < 0; the first steepest-descent step from 0.05 overshoots
    const s = minimizeLBFGSB(
      (x, g) => {
        g[0] = 1 - 1 / x[0];
        return x[0] - Math.log(x[0]);
      },
      [0.05],
    );
    expect(s.success).toBe(true);
    expect(s.x[0]).toBeCloseTo(1, 8);
  });

  it('reports non-finite start, maxfev and user stops without throwing', () => {
    expect(minimizeLBFGSB(() => NaN, [1]).termination).toBe('non-finite');
    const a = minimizeLBFGSB(rosenFG, [-1.2, 1], { maxFunctionEvaluations: 10 });
    expect(a.termination).toBe('maxfev');
    expect(a.success).toBe(false);
    const b = minimizeLBFGSB(rosenFG, [-1.2, 1], { callback: (i) => i.iteration === 3 });
    expect(b.termination).toBe('user');
    expect(b.iterations).toBe(3);
    expect(b.briefReport()).toMatch(/NO CONVERGENCE \(user\)/);
  });
});

describe('minimizeLBFGSB terminations (issue 10)', () => {
  it('a line search that lands on an objective of exactly 0 succeeds', () => {
    // 14·(a − 2)²: the first steepest-descent step from a = 1 lands on a = 2 exactly, f = 0
    const s = minimizeLBFGSB(
      (x, g) => {
        g[0] = 28 * (x[0] - 2);
        return 14 * (x[0] - 2) ** 2;
      },
      [1],
    );
    expect(s.x[0]).toBe(2);
    expect(s.cost).toBe(0);
    expect(s.success).toBe(true);
  });

  it('a budget that runs out inside a line search ends as maxfev, not line-search', () => {
    // x² from 0.1: the first trial (x = −0.1) fails Armijo, the backtrack has no evaluation left
    const s = minimizeLBFGSB(
      (x, g) => {
        g[0] = 2 * x[0];
        return x[0] * x[0];
      },
      [0.1],
      { maxFunctionEvaluations: 2 },
    );
    expect(s.nfev).toBe(2);
    expect(s.termination).toBe('maxfev');
    expect(s.success).toBe(false);
  });
});

describe('minimizeNelderMead', () => {
  it('Rosenbrock 2D from (−1.2, 1) without bounds', () => {
    const s = minimizeNelderMead(rosenF, [-1.2, 1]);
    expect(s.success).toBe(true);
    expect(s.x[0]).toBeCloseTo(1, 7);
    expect(s.x[1]).toBeCloseTo(1, 7);
    expect(s.njev).toBe(0);
    expect(s.gradient[0]).toBeNaN();
  });

  it('Rosenbrock 4D without bounds', () => {
    const s = minimizeNelderMead(rosenF, [-1.2, 1, -1.2, 1]);
    expect(s.success).toBe(true);
    for (const v of s.x) expect(v).toBeCloseTo(1, 5);
  });

  it('Rosenbrock with x ≤ 0.5 ends on the bound', () => {
    const s = minimizeNelderMead(rosenF, [-1.2, 1], { upper: [0.5, Infinity] });
    expect(s.success).toBe(true);
    expect(s.x[0]).toBe(0.5);
    expect(s.x[1]).toBeCloseTo(0.25, 7);
    expect(s.atBound).toEqual(['upper', null]);
  });

  it('starting on a bound builds the simplex inside the box', () => {
    const s = minimizeNelderMead((x) => (x[0] - 0.3) ** 2 + (x[1] - 2) ** 2, [0, 2], {
      lower: [0, 0],
      upper: [1, 2],
    });
    expect(s.x[0]).toBeCloseTo(0.3, 8);
    expect(s.x[1]).toBe(2);
  });

  it('treats non-finite values as +Infinity and reports a non-finite start', () => {
    const s = minimizeNelderMead((x) => (x[0] > 2 ? NaN : (x[0] - 1.9) ** 2), [0.5]);
    expect(s.x[0]).toBeCloseTo(1.9, 7);
    expect(minimizeNelderMead(() => Infinity, [1]).termination).toBe('non-finite');
    expect(minimizeNelderMead(rosenF, [-1.2, 1], { maxFunctionEvaluations: 20 }).termination).toBe('maxfev');
  });
});
