/**
 * The sparse evaluation of large joint spot fits (src/batch/crowded.ts) against the dense joint model of the
 * same group (one generated kernel of all parameters): fitted to convergence (stop 'strict'), both must find
 * the same minimum and the same standard errors; the only difference is the truncation of each spot at ±5σ.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { fitMany, fitPreparedWith, prepareMany, type FitManyResult } from '../../src/batch/fitMany.ts';
import { crowdedContext } from '../../src/batch/crowded.ts';
import { multiSpotModel, spotModel } from '../../src/batch/models.ts';
import { runSpots } from '../../src/batch/spots/index.ts';
import { BUILTIN_MODELS } from '../../src/batch/models.ts';
import { closeBatchPool } from '../../src/batch/pool.ts';
import { contextFor } from '../../src/batch/problem.ts';
import type { TrueSpot } from './helpers.ts';
import { poissonImage, rng, spotImage } from './helpers.ts';

afterAll(async () => {
  await closeBatchPool();
});

/** Spots on a cols × rows lattice 4 px (2.7σ) apart, jittered, amplitude 500, σ 1.5, background 10. */
function lattice(cols: number, rows: number, seed: number): { img: NdArray; truth: TrueSpot[]; n: number } {
  const u = rng(seed);
  const truth: TrueSpot[] = [];
  for (let k = 0; k < cols * rows; k++) {
    truth.push({
      x: 7 + 4 * (k % cols) + (u() - 0.5) * 0.5,
      y: 7 + 4 * Math.floor(k / cols) + (u() - 0.5) * 0.5,
      amplitude: 500,
      sigmaX: 1.6,
      sigmaY: 1.4,
      theta: 0.3,
    });
  }
  const n = 15 + 4 * (Math.max(cols, rows) - 1);
  return { img: poissonImage(u, spotImage(n, n, truth, 10), n, n), truth, n };
}

interface Case {
  readonly model: 'symmetric' | 'elliptical' | 'rotated';
  readonly estimator: 'lse' | 'poisson';
  readonly sharedWidth?: boolean;
  /** Widths and background held fixed (read from the fixed values, not differentiated). */
  readonly fixed?: boolean;
  /** Some pixels NaN (masked: weight 0). */
  readonly masked?: boolean;
  /** Poisson: the expected information as the curvature. */
  readonly fisher?: boolean;
}

/** The joint fit of the lattice's spots, dense (fitMany) and sparse, from the same rounded starts. */
async function bothFits(c: Case): Promise<{ dense: FitManyResult; sparse: FitManyResult }> {
  const { img, truth, n } = lattice(3, 2, 11);
  const model = spotModel(c.model);
  const multi = multiSpotModel(model, truth.length, c.sharedWidth);
  const spec: Record<string, unknown> = {
    background: c.fixed ? { value: 10, fixed: true } : { value: 9, min: 0 },
  };
  truth.forEach((t, s) => {
    const r = multi.rename[s];
    spec[r.get('amplitude')!] = { value: 400, min: 0 };
    spec[r.get('x0')!] = Math.round(t.x);
    spec[r.get('y0')!] = Math.round(t.y);
    for (const w of ['sigma', 'sigma_x', 'sigma_y'])
      if (r.has(w)) {
        const value = w === 'sigma_y' ? 1.3 : 1.5;
        spec[r.get(w)!] = c.fixed ? { value, fixed: true } : { value, min: 0.3, max: n };
      }
    if (r.has('theta')) spec[r.get('theta')!] = 0.2;
  });
  if (c.masked) for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) img.data[(8 + y) * n + 9 + x] = NaN;
  const axis = Float64Array.from({ length: n }, (_v, i) => i);
  const data = {
    z: new NdArray(img.data, [1, n, n]),
    x: new NdArray(axis, [1, n]),
    y: new NdArray(axis, [n, 1]),
  };
  const options = {
    estimator: c.estimator,
    stop: 'strict' as const,
    ...(c.fisher ? { poissonHessian: 'fisher' as const } : {}),
  };
  const prep = prepareMany(multi.expr, data, spec as never, options);
  const ctx = crowdedContext(prep.setup, { model, rename: multi.rename, bw: n, bh: n });
  // The dense fit starts where the sparse one does (its amplitudes and background solved linearly).
  const dense = await fitMany(
    multi.expr,
    data,
    withStarts(spec, prep.setup.params, ctx.start) as never,
    options,
  );
  const sparse = fitPreparedWith(prep, ctx);
  return { dense, sparse };
}

/** `spec` with the start values of `params` replaced by `start`. */
function withStarts(
  spec: Record<string, unknown>,
  params: readonly string[],
  start: Float64Array,
): Record<string, unknown> {
  const out = { ...spec };
  params.forEach((p, j) => {
    const v = spec[p];
    out[p] = typeof v === 'number' ? start[j] : { ...(v as object), value: start[j] };
  });
  return out;
}

/** Largest |Δvalue| / stderr and largest relative difference of the standard errors. */
function agreement(dense: FitManyResult, sparse: FitManyResult): { value: number; stderr: number } {
  let value = 0;
  let stderr = 0;
  for (const p of dense.params) {
    const e = dense.stderr[p][0];
    value = Math.max(value, Math.abs(sparse.values[p][0] - dense.values[p][0]) / e);
    stderr = Math.max(stderr, Math.abs(sparse.stderr[p][0] / e - 1));
  }
  return { value, stderr };
}

describe('sparse joint spot fits (crowded.ts) against the dense joint model', () => {
  const cases: Case[] = [
    { model: 'symmetric', estimator: 'lse' },
    { model: 'symmetric', estimator: 'poisson' },
    { model: 'symmetric', estimator: 'lse', sharedWidth: true, masked: true },
    { model: 'rotated', estimator: 'lse' },
    { model: 'elliptical', estimator: 'poisson', fixed: true, fisher: true },
  ];
  for (const c of cases) {
    const what = `${c.model}, ${c.estimator}${c.sharedWidth ? ', shared width' : ''}${c.fixed ? ', fixed widths and background' : ''}${c.masked ? ', masked pixels' : ''}${c.fisher ? ', Fisher' : ''}`;
    it(`${what}: same minimum, same standard errors`, async () => {
      const { dense, sparse } = await bothFits(c);
      expect(dense.status[0]).toBe(0);
      expect(sparse.status[0]).toBe(0);
      expect(sparse.params).toEqual(dense.params);
      // χ² to the dense fit's precision; values within 1% of a standard error; errors within 0.1%.
      expect(Math.abs(sparse.chi2[0] - dense.chi2[0])).toBeLessThan(1e-6 * dense.chi2[0]);
      const a = agreement(dense, sparse);
      expect(a.value).toBeLessThan(0.01);
      expect(a.stderr).toBeLessThan(1e-3);
      for (const p of dense.params) expect(Number.isFinite(sparse.stderr[p][0])).toBe(true);
      // The same steps (the ordered, profile Cholesky solves the same systems): least squares takes the same
      // path. Poisson's dense kernel sums its logarithms approximately (fastlog.ts), so its path differs.
      if (c.estimator === 'lse')
        expect(Math.abs(sparse.iterations[0] - dense.iterations[0])).toBeLessThanOrEqual(1);
    });
  }
});

describe('the linear start of a joint fit (crowded.ts)', () => {
  it('solves the amplitudes and the background at the start centres and widths', () => {
    // Noise-free spots, centres and widths at the truth: the amplitudes and background are a linear fit.
    const u = rng(3);
    const truth: TrueSpot[] = Array.from({ length: 6 }, (_v, k) => ({
      x: 7 + 4 * (k % 3) + (u() - 0.5) * 0.5,
      y: 7 + 4 * Math.floor(k / 3) + (u() - 0.5) * 0.5,
      amplitude: 300 + 50 * k,
      sigmaX: 1.6,
      sigmaY: 1.4,
      theta: 0.3,
    }));
    const n = 23;
    const model = spotModel('rotated');
    const multi = multiSpotModel(model, truth.length);
    const spec: Record<string, unknown> = { background: { value: 4, min: 0 } };
    truth.forEach((t, s) => {
      const r = multi.rename[s];
      spec[r.get('amplitude')!] = { value: 900, min: 0 };
      spec[r.get('x0')!] = t.x;
      spec[r.get('y0')!] = t.y;
      spec[r.get('sigma_x')!] = t.sigmaX;
      spec[r.get('sigma_y')!] = t.sigmaY;
      spec[r.get('theta')!] = t.theta;
    });
    const axis = Float64Array.from({ length: n }, (_v, i) => i);
    const data = {
      z: new NdArray(spotImage(n, n, truth, 10), [1, n, n]),
      x: new NdArray(axis, [1, n]),
      y: new NdArray(axis, [n, 1]),
    };
    const prep = prepareMany(multi.expr, data, spec as never, { estimator: 'lse' });
    const ctx = crowdedContext(prep.setup, { model, rename: multi.rename, bw: n, bh: n });
    const at = (name: string): number => ctx.start[prep.setup.params.indexOf(name)];
    // Exact but for the spots' tails beyond ±5σ (below 4·10⁻⁶ of the amplitude).
    expect(Math.abs(at('background') - 10)).toBeLessThan(1e-3);
    truth.forEach((t, s) =>
      expect(Math.abs(at(multi.rename[s].get('amplitude')!) / t.amplitude - 1)).toBeLessThan(1e-5),
    );
    // The centres and widths are left as they were.
    expect(at(multi.rename[0].get('x0')!)).toBe(truth[0].x);
    prep.release?.();
  });
});

describe('runSpots: crowded groups through the sparse path', () => {
  it('a lattice of 3×2 spots: the same table as the dense joint fit of the same expression', async () => {
    const { img } = lattice(3, 2, 5);
    const opts = { stop: 'strict' as const, residualPasses: 0, splitBlends: false };
    // The built-in model takes the sparse path from 6 spots; the same expression typed in takes the dense one.
    const sparse = await runSpots(img, { ...opts, model: 'rotated' });
    const dense = await runSpots(img, { ...opts, model: BUILTIN_MODELS.rotated });
    expect(sparse.columns.x.length).toBe(6);
    expect(dense.columns.x.length).toBe(6);
    const c = sparse.columns;
    const d = dense.columns;
    for (let i = 0; i < 6; i++) {
      expect(Math.abs(c.x[i] - d.x[i])).toBeLessThan(0.01 * d.x_err[i]);
      expect(Math.abs(c.y[i] - d.y[i])).toBeLessThan(0.01 * d.y_err[i]);
      expect(Math.abs(c.amplitude[i] - d.amplitude[i])).toBeLessThan(0.01 * d.amplitude_err[i]);
      expect(Math.abs(c.x_err[i] / d.x_err[i] - 1)).toBeLessThan(1e-3);
      expect(c.status[i]).toBe(d.status[i]);
    }
  });
});

describe('Poisson χ² of the sparse evaluation at a background of 0 or below (crowded.ts)', () => {
  /** 6 spots of amplitude 50 on a 23×23 region, `img(spots)` the counts; the sparse and the dense context. */
  function contexts(img: (spots: number) => number) {
    const n = 23;
    const model = spotModel('symmetric');
    const multi = multiSpotModel(model, 6);
    const spec: Record<string, unknown> = { background: { value: 1, min: -100 } };
    const truth: TrueSpot[] = [];
    for (let s = 0; s < 6; s++) {
      const t = {
        x: 7 + 4 * (s % 3),
        y: 7 + 4 * Math.floor(s / 3),
        amplitude: 50,
        sigmaX: 1.5,
        sigmaY: 1.5,
        theta: 0,
      };
      truth.push(t);
      const r = multi.rename[s];
      spec[r.get('amplitude')!] = t.amplitude;
      spec[r.get('x0')!] = t.x;
      spec[r.get('y0')!] = t.y;
      spec[r.get('sigma')!] = t.sigmaX;
    }
    const z = spotImage(n, n, truth, 0).map(img);
    const axis = Float64Array.from({ length: n }, (_v, i) => i);
    const data = { z: new NdArray(z, [1, n, n]), x: new NdArray(axis, [1, n]), y: new NdArray(axis, [n, 1]) };
    const prep = prepareMany(multi.expr, data, spec as never, { estimator: 'poisson' });
    const s = prep.setup;
    const P = s.params.length;
    const chi = (ctx: ReturnType<typeof contextFor>, bg: number): number => {
      const p = s.start.slice(0, P);
      p[s.params.indexOf('background')] = bg;
      return ctx.evaluate(p, new Float64Array(0), 0, new Float64Array(P * P), new Float64Array(P), s.cst![0]);
    };
    const sparse = crowdedContext(s, { model, rename: multi.rename, bw: n, bh: n });
    return { sparse: (bg: number) => chi(sparse, bg), dense: (bg: number) => chi(contextFor(s), bg) };
  }

  it('background 0 (its Poisson bound), a count outside every window: finite, as the dense model', () => {
    // A count wherever the spots are below 1e-6 (beyond ±5σ, outside their windows): only their tails make f > 0.
    const { sparse, dense } = contexts((v) => (v < 1e-6 ? 1 : Math.round(v)));
    const d = dense(0);
    expect(Number.isFinite(d)).toBe(true);
    expect(Math.abs(sparse(0) - d)).toBeLessThan(1e-9 * d);
  });

  it('a negative mean where the counts are 0: NaN, as the dense model', () => {
    // Counts only where the spots alone are >= 1: with a background of -0.5, f < 0 only where y = 0.
    const { sparse, dense } = contexts((v) => (v < 1 ? 0 : Math.round(v)));
    expect(dense(-0.5)).toBeNaN();
    expect(sparse(-0.5)).toBeNaN();
    expect(Number.isFinite(sparse(0.5))).toBe(true);
  });
});
