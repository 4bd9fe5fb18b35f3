import { describe, expect, it } from 'vitest';
import { minimizeNLL, type LikelihoodProblem } from '../../src/solver/nll.ts';

/** Exponential quantiles x_i = −5 ln(1 − (i + ½)/N): the unbinned-likelihood data (smaller N). */
function expData(N: number): Float64Array {
  return Float64Array.from({ length: N }, (_, i) => -5 * Math.log(1 - (i + 0.5) / N));
}

function expProblem(x: Float64Array, lower?: number[], upper?: number[]): LikelihoodProblem {
  const m = x.length;
  return {
    n: 1,
    m,
    lower,
    upper,
    pdf(p, out) {
      const b = p[0];
      for (let i = 0; i < m; i++) out[i] = Math.exp(-x[i] / b) / b;
    },
    pdfJacobian(p, P) {
      const b = p[0];
      for (let i = 0; i < m; i++) P[i] = (Math.exp(-x[i] / b) / b) * (x[i] / (b * b) - 1 / b);
    },
  };
}

describe('minimizeNLL', () => {
  const N = 100000;
  const x = expData(N);
  const mean = x.reduce((a, b) => a + b, 0) / N;

  it('exponential pdf, b start 4, min 3 → b = mean(x), stderr = b/sqrt(N)', () => {
    const s = minimizeNLL(expProblem(x, [3], [Infinity]), [4]);
    expect(s.success).toBe(true);
    expect(Math.abs(s.x[0] - mean) / mean).toBeLessThan(1e-10);
    expect(Math.abs(s.covariance.stderr[0] - mean / Math.sqrt(N)) / (mean / Math.sqrt(N))).toBeLessThan(1e-6);
    expect(s.informationType).toBe('observed');
    expect(s.activeMask).toEqual([false]);
  });

  it('outer-product (BHHH) information gives nearly the same stderr', () => {
    const s = minimizeNLL(expProblem(x, [3], [Infinity]), [4], { information: 'outer-product' });
    expect(Math.abs(s.covariance.stderr[0] - mean / Math.sqrt(N)) / (mean / Math.sqrt(N))).toBeLessThan(1e-3);
  });

  it('an active upper bound: stops on it, stderr not determined (NaN)', () => {
    const s = minimizeNLL(expProblem(x, [1], [4.5]), [2]);
    expect(s.x[0]).toBe(4.5);
    expect(s.atBound).toEqual(['upper']);
    expect(s.covariance.stderr[0]).toBeNaN();
  });

  it('Gaussian pdf: μ = mean, σ = rms deviation, stderr σ/√N and σ/√(2N)', () => {
    const M = 2000;
    // deterministic, symmetric-ish sample
    const t = Float64Array.from(
      { length: M },
      (_, i) => 1.5 + 0.7 * Math.sin(1.3 * i) + 0.4 * Math.cos(0.7 * i * i),
    );
    const mu = t.reduce((a, b) => a + b) / M;
    const sig = Math.sqrt(t.reduce((a, b) => a + (b - mu) ** 2, 0) / M);
    const s = minimizeNLL(
      {
        n: 2,
        m: M,
        lower: [-Infinity, 1e-6],
        pdf(p, out) {
          for (let i = 0; i < M; i++)
            out[i] = Math.exp(-0.5 * ((t[i] - p[0]) / p[1]) ** 2) / (p[1] * Math.sqrt(2 * Math.PI));
        },
        pdfJacobian(p, P) {
          for (let i = 0; i < M; i++) {
            const z = (t[i] - p[0]) / p[1];
            const f = Math.exp(-0.5 * z * z) / (p[1] * Math.sqrt(2 * Math.PI));
            P[2 * i] = (f * z) / p[1];
            P[2 * i + 1] = (f * (z * z - 1)) / p[1];
          }
        },
      },
      [1, 1],
    );
    expect(s.success).toBe(true);
    expect(s.x[0]).toBeCloseTo(mu, 10);
    expect(s.x[1]).toBeCloseTo(sig, 10);
    expect(s.covariance.stderr[0] / (sig / Math.sqrt(M))).toBeCloseTo(1, 6);
    expect(s.covariance.stderr[1] / (sig / Math.sqrt(2 * M))).toBeCloseTo(1, 6);
    expect(Math.abs(s.covariance.covariance[1])).toBeLessThan(1e-8);
  });

  it('never throws on a bad start: non-finite NLL is reported', () => {
    const s = minimizeNLL(expProblem(x), [-1]);
    expect(s.success).toBe(false);
    expect(s.termination).toBe('non-finite');
  });
});
