import { afterAll, describe, expect, it } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { compileModel } from '../../src/compile/kernel.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { OptionError } from '../../src/core/options.ts';
import { parseExpr } from '../../src/syntax/index.ts';
import { STATUS_NAMES, fitMany, fitManySync, reduceConstantAxes } from '../../src/batch/fitMany.ts';
import type { FitManyOptions } from '../../src/batch/fitMany.ts';
import { closeBatchPool } from '../../src/batch/pool.ts';
import { invertSpd } from '../../src/batch/lm.ts';
import { normal, poisson, rng } from './helpers.ts';

const GAUSS = 'z = A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + bg';
const W = 15;
const xs = new NdArray(
  Float64Array.from({ length: W }, (_v, i) => i),
  [1, W],
);
const ys = new NdArray(
  Float64Array.from({ length: W }, (_v, i) => i),
  [W, 1],
);

interface Stack {
  z: NdArray;
  truth: { A: number; x0: number; y0: number; s: number; bg: number }[];
}

function gaussStack(n: number, seed: number, noise: 'none' | 'poisson' | 'normal'): Stack {
  const u = rng(seed);
  const z = new Float64Array(n * W * W);
  const truth: Stack['truth'] = [];
  for (let i = 0; i < n; i++) {
    const t = { A: 300 + 400 * u(), x0: 6.5 + u(), y0: 6.5 + u(), s: 1.3 + 0.5 * u(), bg: 5 + 10 * u() };
    truth.push(t);
    for (let r = 0; r < W; r++) {
      for (let c = 0; c < W; c++) {
        const f = t.A * Math.exp(-((c - t.x0) ** 2 + (r - t.y0) ** 2) / (2 * t.s * t.s)) + t.bg;
        z[i * W * W + r * W + c] =
          noise === 'none' ? f : noise === 'poisson' ? poisson(u, f) : f + 2 * normal(u);
      }
    }
  }
  return { z: new NdArray(z, [n, W, W]), truth };
}

function perturbedStarts(truth: Stack['truth'], seed: number) {
  const u = rng(seed);
  const col = (f: (t: Stack['truth'][number]) => number) => Float64Array.from(truth, f);
  return {
    A: col((t) => t.A * (0.8 + 0.4 * u())),
    x0: col((t) => t.x0 + 1.5 * (u() - 0.5)),
    y0: col((t) => t.y0 + 1.5 * (u() - 0.5)),
    s: col((t) => t.s * (0.8 + 0.4 * u())),
    bg: col((t) => t.bg * (0.8 + 0.4 * u())),
  };
}

afterAll(async () => {
  await closeBatchPool();
});

describe('fitMany', () => {
  it('recovers exact parameters of noiseless data (least squares and Poisson, strict stopping)', async () => {
    const { z, truth } = gaussStack(50, 1, 'none');
    for (const estimator of ['lse', 'poisson'] as const) {
      const r = await fitMany(GAUSS, { z, x: xs, y: ys }, perturbedStarts(truth, 2), {
        estimator,
        stop: 'strict',
      });
      expect(r.n).toBe(50);
      expect(r.params).toEqual(['A', 'x0', 'y0', 's', 'bg']);
      expect(r.converged).toBe(50);
      // (The Poisson χ² is a sum of terms ~1e3 that cancel to 0: its rounding, ~1e-10, limits the resolution.)
      truth.forEach((t, i) => {
        expect(Math.abs(r.values.A[i] / t.A - 1)).toBeLessThan(1e-7);
        expect(r.values.x0[i]).toBeCloseTo(t.x0, 7);
        expect(r.values.y0[i]).toBeCloseTo(t.y0, 7);
        expect(r.values.s[i]).toBeCloseTo(t.s, 7);
        expect(Math.abs(r.values.bg[i] / t.bg - 1)).toBeLessThan(1e-6);
        expect(Math.abs(r.chi2[i])).toBeLessThan(1e-8);
      });
    }
  });

  it('follows the Gpufit stopping rule: at most 20 iterations, relative χ² change < 1e-4', () => {
    const { z, truth } = gaussStack(200, 3, 'poisson');
    const r = fitManySync(GAUSS, { z, x: xs, y: ys }, perturbedStarts(truth, 4));
    expect(r.converged).toBe(200);
    for (let i = 0; i < r.n; i++) {
      expect(r.iterations[i]).toBeGreaterThan(0);
      expect(r.iterations[i]).toBeLessThanOrEqual(20);
    }
    expect(r.stop).toMatchObject({ kind: 'gpufit', tol: 1e-4, maxIterations: 20 });
    // The strict rule lands within a tiny χ² of the Gpufit rule's result.
    const s = fitManySync(GAUSS, { z, x: xs, y: ys }, perturbedStarts(truth, 4), { stop: 'strict' });
    for (let i = 0; i < r.n; i++) {
      expect(s.chi2[i]).toBeLessThanOrEqual(r.chi2[i] * (1 + 1e-12));
      expect(r.chi2[i] - s.chi2[i]).toBeLessThan(1e-3 * Math.max(1, s.chi2[i]));
    }
    // A custom rule: one iteration is not enough.
    const one = fitManySync(GAUSS, { z, x: xs, y: ys }, perturbedStarts(truth, 4), {
      stop: { maxIterations: 1 },
    });
    expect(one.converged).toBeLessThan(200);
    expect([...one.status].filter((v) => v === 1).length).toBeGreaterThan(0);
  });

  it('standard errors: sqrt of the diagonal of s²(JᵀJ)⁻¹, or (JᵀWJ)⁻¹ with absoluteSigma', () => {
    const { z, truth } = gaussStack(3, 5, 'normal');
    const r = fitManySync(GAUSS, { z, x: xs, y: ys }, perturbedStarts(truth, 6), { stop: 'strict' });
    const ra = fitManySync(GAUSS, { z, x: xs, y: ys }, perturbedStarts(truth, 6), {
      stop: 'strict',
      sigma: 2,
      absoluteSigma: true,
    });
    const k = compileModel(parseExpr('A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + bg'), {
      params: ['A', 'x0', 'y0', 's', 'bg'],
      variables: ['x', 'y'],
    });
    const b = k.bind({ x: xs, y: ys });
    const n = W * W;
    for (let i = 0; i < 3; i++) {
      const p = Float64Array.from(r.params.map((q) => r.values[q][i]));
      const f = new Float64Array(n);
      const J = new Float64Array(n * 5);
      b.valuesAndJacobian(p, new Float64Array(0), f, J);
      const jtj = new Float64Array(25);
      for (let m = 0; m < n; m++)
        for (let a = 0; a < 5; a++) for (let c = 0; c < 5; c++) jtj[a * 5 + c] += J[m * 5 + a] * J[m * 5 + c];
      const cov = new Float64Array(25);
      invertSpd(jtj, 5, cov, new Float64Array(25));
      const s2 = r.chi2[i] / (n - 5);
      r.params.forEach((q, j) => {
        expect(r.stderr[q][i]).toBeCloseTo(Math.sqrt(cov[j * 6] * s2), 10);
        expect(ra.stderr[q][i]).toBeCloseTo(Math.sqrt(cov[j * 6] * 4), 8);
      });
      expect(ra.chi2[i]).toBeCloseTo(r.chi2[i] / 4, 8);
    }
  });

  it('per-fit starts from a function, per-fit bounds and fixed per-fit values', () => {
    const { z, truth } = gaussStack(20, 7, 'none');
    const r = fitManySync(
      GAUSS,
      { z, x: xs, y: ys },
      {
        A: (d) => Math.max(...d) - Math.min(...d),
        x0: { value: 7, min: 0, max: Float64Array.from({ length: 20 }, () => 14) },
        y0: 7,
        s: { value: 1.5, min: 0.5, max: 5 },
        bg: { value: Float64Array.from(truth, (t) => t.bg), fixed: true },
      },
      { stop: 'strict' },
    );
    expect(r.params).toEqual(['A', 'x0', 'y0', 's']);
    expect(r.values.bg).toBeUndefined();
    truth.forEach((t, i) => expect(r.values.x0[i]).toBeCloseTo(t.x0, 7));
    // A bound that excludes the optimum: the value ends on it, its error is not determined.
    const b = fitManySync(
      GAUSS,
      { z, x: xs, y: ys },
      { A: 400, x0: 7, y0: 7, s: { value: 1.5, max: 1.2 }, bg: 10 },
    );
    for (let i = 0; i < 20; i++) {
      expect(b.values.s[i]).toBeLessThanOrEqual(1.2);
      if (b.values.s[i] === 1.2) expect(b.stderr.s[i]).toBeNaN();
    }
  });

  it('leaves NaN points and zero weights out', () => {
    const { z, truth } = gaussStack(4, 8, 'none');
    const d = Float64Array.from(z.data);
    const w = new Float64Array(d.length).fill(1);
    for (let i = 0; i < d.length; i += 7) {
      d[i] = NaN;
      w[i] = 0;
    }
    // Garbage under the NaNs / zero weights must not matter.
    const d2 = Float64Array.from(d, (v) => (Number.isNaN(v) ? 1e6 : v));
    const starts = perturbedStarts(truth, 9);
    const a = fitManySync(GAUSS, { z: new NdArray(d, z.shape), x: xs, y: ys }, starts, { stop: 'strict' });
    const b = fitManySync(GAUSS, { z: new NdArray(d2, z.shape), x: xs, y: ys }, starts, {
      stop: 'strict',
      weights: new NdArray(w, z.shape),
    });
    for (let i = 0; i < 4; i++) {
      expect(a.values.x0[i]).toBeCloseTo(truth[i].x0, 8);
      expect(b.values.x0[i]).toBeCloseTo(truth[i].x0, 8);
      expect(a.npoints[i]).toBe(b.npoints[i]);
    }
    expect(a.npoints[0]).toBeLessThan(W * W);
  });

  it('Poisson: NaN counts are left out like zero weights (χ² with the same deviance constant)', () => {
    const { z, truth } = gaussStack(3, 21, 'poisson');
    const d = Float64Array.from(z.data);
    const w = new Float64Array(d.length).fill(1);
    for (let i = 3; i < d.length; i += 11) {
      d[i] = NaN;
      w[i] = 0;
    }
    const d2 = Float64Array.from(d, (v) => (Number.isNaN(v) ? 7 : v));
    const starts = perturbedStarts(truth, 4);
    const opts = { estimator: 'poisson', stop: 'strict' } as const;
    const a = fitManySync(GAUSS, { z: new NdArray(d, z.shape), x: xs, y: ys }, starts, opts);
    const b = fitManySync(GAUSS, { z: new NdArray(d2, z.shape), x: xs, y: ys }, starts, {
      ...opts,
      weights: new NdArray(w, z.shape),
    });
    const c = fitManySync(GAUSS, { z, x: xs, y: ys }, starts, opts);
    for (let i = 0; i < 3; i++) {
      expect(a.chi2[i]).toBe(b.chi2[i]);
      expect(a.values.x0[i]).toBe(b.values.x0[i]);
      // Without the NaNs: more points, a larger deviance, near the same centre.
      expect(c.chi2[i]).toBeGreaterThan(a.chi2[i]);
      expect(Math.abs(c.values.x0[i] - a.values.x0[i])).toBeLessThan(0.1);
    }
  });

  it('meshgrid coordinates are reduced to a row and a column (same results as 1-D coordinates)', () => {
    const X = new Float64Array(W * W);
    const Y = new Float64Array(W * W);
    for (let r = 0; r < W; r++) for (let c = 0; c < W; c++) [X[r * W + c], Y[r * W + c]] = [c, r];
    const gx = reduceConstantAxes(new NdArray(X, [W, W]), [W, W]);
    const gy = reduceConstantAxes(new NdArray(Y, [W, W]), [W, W]);
    expect(gx.shape).toEqual([1, W]);
    expect(gy.shape).toEqual([W, 1]);
    const { z, truth } = gaussStack(10, 10, 'poisson');
    const s = perturbedStarts(truth, 11);
    const a = fitManySync(GAUSS, { z, x: new NdArray(X, [W, W]), y: new NdArray(Y, [W, W]) }, s);
    const b = fitManySync(GAUSS, { z, x: xs, y: ys }, s);
    for (let i = 0; i < 10; i++) expect(a.values.x0[i]).toBe(b.values.x0[i]);
  });

  it('fits a rotated Gaussian (per-point exp in its own loop, same results as fused)', () => {
    const model =
      'z = A*exp(-((x - x0)*cos(t) + (y - y0)*sin(t))^2/(2*sx^2) - ((y - y0)*cos(t) - (x - x0)*sin(t))^2/(2*sy^2)) + bg';
    const n = 20;
    const u = rng(12);
    const z = new Float64Array(n * W * W);
    const truth: number[][] = [];
    for (let i = 0; i < n; i++) {
      const [A, x0, y0, sx, sy, t, bg] = [400, 6.5 + u(), 6.5 + u(), 2.2, 1.2, 0.3 + 0.4 * u(), 10];
      truth.push([x0, y0, t]);
      for (let r = 0; r < W; r++) {
        for (let c = 0; c < W; c++) {
          const uu = (c - x0) * Math.cos(t) + (r - y0) * Math.sin(t);
          const vv = (r - y0) * Math.cos(t) - (c - x0) * Math.sin(t);
          z[i * W * W + r * W + c] =
            A * Math.exp(-(uu * uu) / (2 * sx * sx) - (vv * vv) / (2 * sy * sy)) + bg;
        }
      }
    }
    const starts = { A: 350, x0: 7, y0: 7, sx: 2, sy: 1.4, t: 0.5, bg: 8 };
    const a = fitManySync(model, { z: new NdArray(z, [n, W, W]), x: xs, y: ys }, starts, { stop: 'strict' });
    const b = fitManySync(model, { z: new NdArray(z, [n, W, W]), x: xs, y: ys }, starts, {
      stop: 'strict',
      fusedTranscendentals: true,
    });
    expect(a.converged).toBe(n);
    for (let i = 0; i < n; i++) {
      expect(a.values.x0[i]).toBeCloseTo(truth[i][0], 8);
      expect(a.values.t[i]).toBeCloseTo(truth[i][2], 8);
      expect(b.values.x0[i]).toBeCloseTo(a.values.x0[i], 10);
    }
  });

  it('fits 1-D data sets (a stack of decays sharing t) with a bare expression', () => {
    const n = 30;
    const m = 40;
    const t = Float64Array.from({ length: m }, (_v, i) => i * 0.25);
    const y = new Float64Array(n * m);
    const taus = Float64Array.from({ length: n }, (_v, i) => 1 + i * 0.1);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < m; k++) y[i * m + k] = 5 * Math.exp(-t[k] / taus[i]) + 0.5;
    const r = fitManySync(
      'a*exp(-t/tau) + c',
      { y: new NdArray(y, [n, m]), t },
      { a: 4, tau: 2, c: 0 },
      { stop: 'strict' },
    );
    for (let i = 0; i < n; i++) expect(r.values.tau[i]).toBeCloseTo(taus[i], 8);
  });

  it('reports non-finite starts per fit instead of throwing', () => {
    const { z } = gaussStack(3, 13, 'none');
    const r = fitManySync(
      GAUSS,
      { z, x: xs, y: ys },
      { A: 400, x0: 7, y0: 7, s: Float64Array.of(1.5, 0, 1.5), bg: 10 },
    );
    expect([...r.status]).toEqual([0, 3, 0]);
    expect(r.iterations[1]).toBe(0);
  });

  it('fits with fewer valid points than free parameters get status too-few-points and NaN errors', async () => {
    const { z } = gaussStack(4, 15, 'normal');
    const d = Float64Array.from(z.data);
    const size = W * W;
    // fit 1: all but 4 points NaN (< 5 parameters); fit 2: all NaN; fit 3: exactly 5 points
    for (let k = 4; k < size; k++) d[size + k] = NaN;
    for (let k = 0; k < size; k++) d[2 * size + k] = NaN;
    for (let k = 5; k < size; k++) d[3 * size + k] = NaN;
    const data = { z: new NdArray(d, z.shape), x: xs, y: ys };
    const p = { A: 400, x0: 7, y0: 7, s: { value: 1.5, min: 0.3 }, bg: 10 };
    for (const estimator of ['lse', 'poisson'] as const) {
      const r = fitManySync(GAUSS, data, p, { estimator });
      expect([...r.npoints]).toEqual([size, 4, 0, 5]);
      expect(r.status[0]).toBe(0);
      expect(r.status[1]).toBe(4);
      expect(r.status[2]).toBe(4);
      expect(r.status[3]).not.toBe(4);
      expect(STATUS_NAMES[4]).toBe('too-few-points');
      expect(r.converged).toBe(r.status.filter((s) => s === 0).length);
      for (const f of [1, 2]) {
        expect(r.iterations[f]).toBe(0);
        expect(r.values.x0[f]).toBe(7);
        for (const name of r.params) expect(r.stderr[name][f]).toBeNaN();
      }
    }
    // the threaded path reports the same
    const t = await fitMany(GAUSS, data, p, { threads: 2, chunkSize: 1 });
    expect([...t.status.subarray(1, 3)]).toEqual([4, 4]);
    // a data set smaller than the number of parameters
    const tiny = fitManySync(
      'z = A*exp(-(x-x0)^2/(2*s^2)) + bg',
      { z: new NdArray(Float64Array.of(1, 2, 1, 3, 5, 3), [2, 3]), x: Float64Array.of(0, 1, 2) },
      { A: 1, x0: 1, s: 1, bg: 0 },
    );
    expect([...tiny.status]).toEqual([4, 4]);
  });

  it('rejects bad input with ExprfitErrors', () => {
    const { z } = gaussStack(2, 14, 'none');
    const data = { z, x: xs, y: ys };
    const p = { A: 1, x0: 7, y0: 7, s: 1, bg: 0 };
    const err = (f: () => unknown): ExprfitError => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ExprfitError);
        return e as ExprfitError;
      }
      throw new Error('no error');
    };
    expect(err(() => fitManySync(GAUSS, data, p, { estimtor: 'lse' } as never)).hints[0]).toContain(
      "'estimator'",
    );
    expect(err(() => fitManySync(GAUSS, data, { A: 1, x0: 7, y0: 7, s: 1 })).message).toContain("'bg'");
    expect(err(() => fitManySync(GAUSS, data, { ...p, q: 1 })).message).toContain("'q'");
    expect(err(() => fitManySync(GAUSS, { ...data, x: new Float64Array(7) }, p)).code).toBe('shape');
    expect(err(() => fitManySync(GAUSS, data, { ...p, x0: new Float64Array(5) })).code).toBe('shape');
    expect(err(() => fitManySync(GAUSS, data, p, { estimator: 'mle' as never })).code).toBe('option');
    const neg = new NdArray(
      Float64Array.from(z.data, (v, i) => (i === 3 ? -1 : v)),
      z.shape,
    );
    expect(err(() => fitManySync(GAUSS, { ...data, z: neg }, p, { estimator: 'poisson' })).message).toContain(
      '>= 0',
    );
    expect(err(() => fitManySync(GAUSS, data, { ...p, s: { value: 1, min: 2, max: 1 } })).message).toContain(
      'min',
    );
  });

  it('options go through fitManySchema: unknown keys (constructor too), values and rules in the one format', () => {
    const { z } = gaussStack(2, 14, 'none');
    const data = { z, x: xs, y: ys };
    const p = { A: 1, x0: 7, y0: 7, s: 1, bg: 0 };
    const fails = (options: unknown, message: RegExp): void => {
      expect(() => fitManySync(GAUSS, data, p, options as FitManyOptions)).toThrow(OptionError);
      expect(() => fitManySync(GAUSS, data, p, options as FitManyOptions)).toThrow(message);
    };
    fails({ constructor: 1 }, /^unknown fitMany option 'constructor'$/);
    fails(JSON.parse('{"__proto__": {"threads": 2}}'), /^unknown fitMany option '__proto__'$/);
    fails({ chunkSize: 0 }, /^fitMany option 'chunkSize' must be an integer >= 1, got 0$/);
    fails(
      { poissonHessian: 'fisherman' },
      /^fitMany option 'poissonHessian' must be one of 'gpufit' or 'fisher'/,
    );
    fails({ weights: 1, sigma: 1 }, /give weights or sigma, not both/);
    fails({ onProgress: 3 }, /'onProgress' must be a function/);
    expect(fitManySync(GAUSS, data, p, { estimator: 'lsq' }).estimator).toBe('lse');
  });

  it('threads: 2 gives bitwise the results of threads: 1, in input order, with progress', async () => {
    const { z, truth } = gaussStack(600, 15, 'poisson');
    const starts = perturbedStarts(truth, 16);
    for (const estimator of ['lse', 'poisson'] as const) {
      const one = await fitMany(GAUSS, { z, x: xs, y: ys }, starts, { estimator });
      const seen: number[] = [];
      const two = await fitMany(GAUSS, { z, x: xs, y: ys }, starts, {
        estimator,
        threads: 2,
        chunkSize: 50,
        onProgress: (done, total) => {
          expect(total).toBe(600);
          seen.push(done);
        },
      });
      expect(seen.length).toBe(12);
      expect(seen[seen.length - 1]).toBe(600);
      for (const q of one.params) {
        for (let i = 0; i < one.n; i++) {
          expect(Object.is(two.values[q][i], one.values[q][i])).toBe(true);
          expect(Object.is(two.stderr[q][i], one.stderr[q][i])).toBe(true);
        }
      }
      for (let i = 0; i < one.n; i++) {
        expect(Object.is(two.chi2[i], one.chi2[i])).toBe(true);
        expect(two.iterations[i]).toBe(one.iterations[i]);
        expect(two.status[i]).toBe(one.status[i]);
      }
    }
  });
});
