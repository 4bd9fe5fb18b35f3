/**
 * Poisson maximum likelihood (solvePoisson).
 *
 * Reference: a Gaussian spot on a 9x9 pixel grid, f = A·exp(−((x−x0)² + (y−y0)²)/(2s²)) + B at
 * pixel centres (i + 0.5), truth A=120, x0=4.3, y0=4.7, s=1.2, B=3, counts drawn with
 * numpy.random.default_rng(20240611).poisson (one count is 0). The MLE, the inverse Fisher
 * information and the deviance were computed with python3 / sympy / mpmath: Newton's method on the
 * exact Poisson NLL with the exact Hessian in 40-digit arithmetic (gradient < 1e-37).
 */
import { describe, expect, it } from 'vitest';
import { devianceResidual, poissonQ, solvePoisson, type PoissonProblem } from '../../src/solver/poisson.ts';
import { ExprfitError } from '../../src/core/errors.ts';

const COUNTS = [
  4, 2, 4, 5, 3, 6, 3, 4, 2, 3, 6, 1, 5, 6, 7, 5, 1, 0, 3, 1, 11, 17, 27, 19, 7, 3, 4, 5, 9, 30, 63, 73, 40,
  9, 10, 1, 2, 17, 38, 115, 106, 72, 23, 7, 3, 2, 11, 34, 78, 91, 63, 18, 6, 2, 5, 7, 17, 33, 40, 28, 13, 3,
  2, 1, 2, 6, 8, 10, 12, 4, 4, 3, 4, 4, 3, 3, 5, 2, 2, 5, 3,
];
const MLE = [115.55118722348297, 4.248270924389439, 4.71058298928186, 1.218661681276621, 2.9402915597879606];
const STDERR = [
  5.532997693160486, 0.04182745773497274, 0.04182710299979575, 0.027728616065428306, 0.29912608450684824,
];
const DEVIANCE = 57.86895932718723;

const N = 9;
const PX = Float64Array.from({ length: N * N }, (_, i) => (i % N) + 0.5);
const PY = Float64Array.from({ length: N * N }, (_, i) => Math.floor(i / N) + 0.5);

function spot(lower?: number[], upper?: number[]): PoissonProblem {
  return {
    n: 5,
    m: N * N,
    counts: COUNTS,
    lower,
    upper,
    model(p, f) {
      for (let i = 0; i < N * N; i++) {
        f[i] = p[0] * Math.exp(-((PX[i] - p[1]) ** 2 + (PY[i] - p[2]) ** 2) / (2 * p[3] * p[3])) + p[4];
      }
    },
    modelJacobian(p, F) {
      for (let i = 0; i < N * N; i++) {
        const dx = PX[i] - p[1];
        const dy = PY[i] - p[2];
        const s2 = p[3] * p[3];
        const e = Math.exp(-(dx * dx + dy * dy) / (2 * s2));
        const a = p[0] * e;
        F[5 * i] = e;
        F[5 * i + 1] = (a * dx) / s2;
        F[5 * i + 2] = (a * dy) / s2;
        F[5 * i + 3] = (a * (dx * dx + dy * dy)) / (s2 * p[3]);
        F[5 * i + 4] = 1;
      }
    },
  };
}

describe('solvePoisson', () => {
  it.each([
    ['near the truth', [120, 4.3, 4.7, 1.2, 3]],
    ['far start', [50, 3.5, 5.5, 2, 1]],
  ])(
    'Gaussian spot MLE, inverse Fisher stderr and deviance match the 40-digit reference (%s)',
    (_label, x0) => {
      const s = solvePoisson(spot([0, 0, 0, 0.1, 0], [Infinity, 9, 9, 5, Infinity]), x0);
      expect(s.success).toBe(true);
      MLE.forEach((v, j) => expect(Math.abs(s.x[j] - v) / v).toBeLessThan(1e-10));
      STDERR.forEach((v, j) => expect(Math.abs(s.covariance.stderr[j] - v) / v).toBeLessThan(1e-8));
      expect(Math.abs(s.deviance - DEVIANCE) / DEVIANCE).toBeLessThan(1e-12);
      expect(s.deviance).toBeCloseTo(2 * s.cost, 12);
      expect(s.covariance.rank).toBe(5);
      expect(s.expected).toHaveLength(81);
      expect(s.method).toMatch(/Poisson deviance/);
      expect(s.briefReport()).toMatch(/Poisson deviance: CONVERGENCE/);
    },
  );

  it('a constant model gives the mean count, with stderr sqrt(mean/m)', () => {
    const y = [3, 0, 5, 2, 7, 1, 4, 4];
    const m = y.length;
    const s = solvePoisson(
      { n: 1, m, counts: y, model: (p, f) => f.fill(p[0]), modelJacobian: (_p, F) => F.fill(1) },
      [1],
    );
    const mean = y.reduce((a, b) => a + b) / m;
    expect(s.x[0]).toBeCloseTo(mean, 12);
    expect(s.covariance.stderr[0]).toBeCloseTo(Math.sqrt(mean / m), 12);
  });

  it('rejects steps where the model is not positive instead of failing', () => {
    // f = a + b·i with counts that drive the line towards 0 at the right end
    const y = [9, 7, 6, 4, 2, 1, 0, 0];
    const m = y.length;
    const s = solvePoisson(
      {
        n: 2,
        m,
        counts: y,
        model: (p, f) => f.forEach((_, i) => (f[i] = p[0] + p[1] * i)),
        modelJacobian: (_p, F) => F.forEach((_, k) => (F[k] = k % 2 === 0 ? 1 : Math.floor(k / 2))),
      },
      [5, 0],
    );
    expect(s.success).toBe(true);
    for (let i = 0; i < m; i++) expect(s.expected[i]).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(s.cost)).toBe(true);
  });

  it('rejects invalid counts and a robust loss', () => {
    const bad = { ...spot(), counts: COUNTS.map((c, i) => (i === 3 ? -1 : c)) };
    expect(() => solvePoisson(bad, MLE)).toThrow(ExprfitError);
    expect(() => solvePoisson(bad, MLE)).toThrow(/count 3 must be a finite number >= 0, got -1/);
    expect(() => solvePoisson(spot(), MLE, { loss: 'huber' })).toThrow(
      /solver option 'loss' must be 'linear' for the Poisson objective, got 'huber'/,
    );
    expect(() => solvePoisson({ ...spot(), counts: [1, 2] }, MLE)).toThrow(/counts have 2 values/);
  });
});

describe('deviance residuals', () => {
  it('square to the deviance terms and have the right derivative (incl. y = 0 and the series branch)', () => {
    const out = new Float64Array(2);
    for (const [f, y] of [
      [3, 5],
      [5.0001, 5],
      [4.6, 5],
      [5.4, 5],
      [2, 0],
      [1e-3, 7],
      [40, 3],
    ]) {
      devianceResidual(f, y, out);
      const dev = y > 0 ? 2 * (f - y - y * Math.log(f / y)) : 2 * f;
      // the closed-form reference itself cancels for f ≈ y: allow its rounding, 8·eps·(f + y)
      expect(Math.abs(out[0] * out[0] - dev)).toBeLessThan(1e-13 * dev + 8 * 2.2e-16 * (f + y));
      expect(Math.sign(out[0])).toBe(Math.sign(f - y) || 1);
      const h = 1e-6 * f;
      const rp = new Float64Array(2);
      const rm = new Float64Array(2);
      devianceResidual(f + h, y, rp);
      devianceResidual(f - h, y, rm);
      expect(Math.abs(out[1] - (rp[0] - rm[0]) / (2 * h))).toBeLessThan(1e-6 * Math.abs(out[1]) + 1e-9);
    }
    devianceResidual(-1, 3, out);
    expect(out[0]).toBeNaN();
    devianceResidual(0, 3, out);
    expect(out[0]).toBeNaN();
    devianceResidual(0, 0, out);
    expect(out[0]).toBe(0);
  });

  it('q(t) is continuous across the series / closed-form switch and q(0) = 1', () => {
    expect(poissonQ(0)).toBe(1);
    for (const t of [0.0999999, -0.0999999]) {
      const a = poissonQ(t);
      const b = (2 * (t - Math.log1p(t))) / (t * t);
      expect(Math.abs(a - b)).toBeLessThan(1e-13);
    }
    // tiny t: the closed form cancels, the series does not
    expect(poissonQ(1e-9)).toBeCloseTo(1 - (2 / 3) * 1e-9, 15);
  });
});
