import { describe, expect, it } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import {
  erf,
  erfc,
  gaussian2d,
  gaussianUnion,
  gausskernel,
  grid,
  meshgrid,
  mvnpdf,
  mvnpdf2,
  normCdf,
  probUnion,
  sum,
  sumOfGaussians,
} from '../../src/arrays/index.ts';
import { expectClose, fixture } from './helpers.ts';

function throwsExprfit(f: () => unknown, code: string, text: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ExprfitError);
  expect((err as ExprfitError).code).toBe(code);
  expect((err as ExprfitError).message).toMatch(text);
}

describe('erf / erfc (Cody) against scipy.special', () => {
  const f = fixture('special.json');
  it('erf, erfc and the normal CDF to ~1e-15 relative', () => {
    const x: number[] = f.x;
    expectClose(x.map(erf), f.erf, 2e-15, 'rel');
    expectClose(x.map(erfc), f.erfc, 2e-15, 'rel');
    // Phi(t) = erfc(-t/sqrt 2)/2: the rounding of t/sqrt 2 is amplified by ~t^2 in the far tail (t = -30)
    expectClose(x.map(normCdf), f.ndtr, 5e-14, 'rel');
  });
});

describe('gausskernel against scipy.stats.norm.cdf differences / the exp formula', () => {
  const f = fixture('gausskernel.json');
  interface KCase {
    size: number[];
    sigma: number[];
    mode: 'sample' | 'integrate';
    expected: number[];
  }
  it.each((f.cases as KCase[]).map((c) => [c.size, c.sigma, c.mode, c] as const))(
    'size %j sigma %j %s',
    (size, sigma, mode, c) => {
      const k = gausskernel(size, sigma, mode);
      expect(k.shape).toEqual(size);
      expectClose(k.data, c.expected, 1e-12);
      expect(Math.abs(sum(k).data[0] - 1)).toBeLessThan(1e-14);
    },
  );

  it("the seed's corrected gkern(5, 2.5) (unit-sigma pixels of width 1 over +-2.5)", () => {
    // gkern(kernlen=5, nsig=2.5): edges linspace(-2.5, 2.5, 6) at sigma 1 = pixel edges at sigma 1
    const k = gausskernel(5, 1, 'integrate');
    expectClose(k.data, f.seedGkern5, 1e-12);
    expectClose([k.data[12] * 273], [41.0435344], 1e-7);
  });

  it('number size is a square kernel, 1-entry size a 1-D kernel', () => {
    expect(gausskernel(3, 1).shape).toEqual([3, 3]);
    expect(gausskernel([4], 1, 'integrate').shape).toEqual([4]);
  });

  it.each([
    [() => gausskernel(0, 1), 'value', /gausskernel size must be >= 1, got 0/],
    [() => gausskernel(3, -1), 'value', /gausskernel sigma must be > 0, got -1/],
    [() => gausskernel([3, 3], [1, 2, 3]), 'value', /list of 2 numbers/],
    [() => gausskernel(3, 1, 'box' as 'sample'), 'option', /'sample' or 'integrate', got "box"/],
  ])('errors %#', (fn, code, text) => throwsExprfit(fn, code, text));
});

describe('mvnpdf against scipy.stats.multivariate_normal.pdf', () => {
  const f = fixture('mvnpdf.json');
  interface MCase {
    d: number;
    points: number[];
    mean: number[];
    cov: number[];
    expected: number[];
  }
  it.each((f.cases as MCase[]).map((c) => [c.d, c] as const))('d = %d', (d, c) => {
    const pts = new NdArray(Float64Array.from(c.points), [c.points.length / d, d]);
    const cov = new NdArray(Float64Array.from(c.cov), [d, d]);
    const r = mvnpdf(pts, c.mean, cov);
    expectClose(r.data, c.expected, 1e-12, 'rel');
  });

  it('grid form mvnpdf2 on [1, w] x [h, 1] and on full meshgrids', () => {
    const g = f.grid;
    const { x, y } = grid([g.h, g.w]);
    const r = mvnpdf2(x, y, g.mean, g.cov);
    expect(r.shape).toEqual([g.h, g.w]);
    expectClose(r.data, g.expected, 1e-12, 'rel');
    const [X, Y] = meshgrid(x, y);
    expectClose(mvnpdf2(X, Y, g.mean, g.cov).data, g.expected, 1e-12, 'rel');
  });

  it('scalar and diagonal covariances', () => {
    const p = [
      [0.5, 1],
      [2, -1],
    ];
    const a = mvnpdf(p, [0, 0], 2).data;
    const b = mvnpdf(p, [0, 0], [2, 2]).data;
    const e = p.map(([u, v]) => Math.exp(-(u * u + v * v) / 4) / (4 * Math.PI));
    expectClose(a, e, 1e-15, 'rel');
    expectClose(b, e, 1e-15, 'rel');
  });

  it.each([
    [
      () =>
        mvnpdf(
          [[0, 0]],
          [0, 0],
          [
            [1, 2],
            [2, 1],
          ],
        ),
      'value',
      /not positive definite/,
    ],
    [
      () =>
        mvnpdf(
          [[0, 0]],
          [0, 0],
          [
            [1, 0.5],
            [0.4, 1],
          ],
        ),
      'value',
      /is not symmetric: \[1, 0\] = 0.4 but \[0, 1\] = 0.5/,
    ],
    [() => mvnpdf([[0, 0, 0]], [0, 0], 1), 'shape', /3 columns \(shape \[1, 3\]\) but the mean has length 2/],
    [() => mvnpdf([[0, 0]], [0, 0], [[1, 0, 0]]), 'shape', /must be 2x2/],
    [() => mvnpdf2([0, 1], [0, 1], [0, 0, 0], 1), 'shape', /2 entries/],
  ])('errors %#', (fn, code, text) => throwsExprfit(fn, code, text));
});

/** Straightforward per-pixel loop, the reference for the separable computations. */
function loopGaussian(
  h: number,
  w: number,
  mx: number,
  my: number,
  sx: number,
  sy: number,
  amp = 1,
  theta = 0,
): Float64Array {
  const out = new Float64Array(h * w);
  const c = Math.cos(theta);
  const s = Math.sin(theta);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const u = c * (j - mx) + s * (i - my);
      const v = -s * (j - mx) + c * (i - my);
      out[i * w + j] = amp * Math.exp(-(u * u) / (2 * sx * sx) - (v * v) / (2 * sy * sy));
    }
  }
  return out;
}

describe('heatmaps', () => {
  it('gaussian2d separable equals the per-pixel loop', () => {
    const { x, y } = grid([40, 60]);
    const g = gaussian2d(x, y, { mx: 20.3, my: 11.7, sx: 4, sy: 7, amplitude: 2.5 });
    expect(g.shape).toEqual([40, 60]);
    expectClose(g.data, loopGaussian(40, 60, 20.3, 11.7, 4, 7, 2.5), 1e-15);
  });

  it('gaussian2d rotated and on full grids', () => {
    const { x, y } = grid([30, 20], { full: true });
    const g = gaussian2d(x, y, { mx: 9, my: 14, sx: 2, sy: 5, theta: 0.6 });
    expectClose(g.data, loopGaussian(30, 20, 9, 14, 2, 5, 1, 0.6), 1e-15);
    const n = gaussian2d(x, y, { mx: 9, my: 14, sx: 2, sy: 5, normalize: true });
    expectClose(n.data, loopGaussian(30, 20, 9, 14, 2, 5, 1 / (2 * Math.PI * 10)), 1e-17);
  });

  it("the seed's I = 1 - (1 - P1)(1 - P2) on 1000 x 1000 equals the straightforward loop", () => {
    const h = 1000;
    const w = 1000;
    const k1 = { mx: 400, my: 500, sx: 30, sy: 30 };
    const k2 = { mx: 420, my: 480, sx: 60, sy: 150 };
    const { x, y } = grid([h, w]);
    const P1 = gaussian2d(x, y, { ...k1, normalize: true });
    const P2 = gaussian2d(x, y, { ...k2, normalize: true });
    const I = probUnion([P1, P2]);
    expect(I.shape).toEqual([h, w]);
    // the seed's loop: norm.pdf(y) * norm.pdf(x) per pixel
    const pdf = (v: number, m: number, s: number) =>
      Math.exp(-0.5 * ((v - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
    let worst = 0;
    for (let i = 0; i < h; i += 7) {
      for (let j = 0; j < w; j += 3) {
        const p1 = pdf(i, k1.my, k1.sy) * pdf(j, k1.mx, k1.sx);
        const p2 = pdf(i, k2.my, k2.sy) * pdf(j, k2.mx, k2.sx);
        const ref = 1 - (1 - p1) * (1 - p2);
        worst = Math.max(worst, Math.abs(I.data[i * w + j] - ref) / Math.max(ref, 1e-300));
      }
    }
    expect(worst).toBeLessThan(1e-13);
  });

  it('gaussianUnion (fused, separable) equals probUnion of gaussian2d, for 2 and 3 kernels and rotated ones', () => {
    const { x, y } = grid([60, 80]);
    const ks = [
      { mx: 30, my: 20, sx: 5, sy: 5, amplitude: 0.9 },
      { mx: 35, my: 25, sx: 8, sy: 15, amplitude: 0.6 },
      { mx: 60, my: 40, sx: 3, sy: 9, normalize: true },
    ];
    for (const set of [ks.slice(0, 2), ks, [{ ...ks[1], theta: 0.4 }, ks[0]]]) {
      const ref = probUnion(set.map((k) => gaussian2d(x, y, k)));
      const r = gaussianUnion(x, y, set);
      expect(r.shape).toEqual([60, 80]);
      expectClose(r.data, ref.data, 1e-15);
    }
  });

  it('probUnion broadcasts', () => {
    const r = probUnion([
      new NdArray(Float64Array.of(0.5, 0.2), [1, 2]),
      new NdArray(Float64Array.of(0.5, 0), [2, 1]),
    ]);
    expect(r.shape).toEqual([2, 2]);
    expectClose(r.data, [0.75, 0.6, 0.5, 0.2], 1e-16);
  });

  it('sumOfGaussians with an infinite window equals the sum of full kernels', () => {
    const centres = [
      [10, 20],
      [30.5, 5],
      [-3, 12],
    ];
    const sig = [
      [2, 3],
      [4, 1.5],
      [5, 5],
    ];
    const amps = [1, 0.5, 2];
    const r = sumOfGaussians([25, 40], centres, sig, amps, { truncate: Infinity });
    const ref = new Float64Array(25 * 40);
    centres.forEach(([mx, my], k) => {
      const g = loopGaussian(25, 40, mx, my, sig[k][0], sig[k][1], amps[k]);
      for (let i = 0; i < ref.length; i++) ref[i] += g[i];
    });
    expectClose(r.data, ref, 1e-15);
    // default +-4 sigma windows: dropped tails are below exp(-8) of each peak
    const t = sumOfGaussians([25, 40], centres, sig, amps);
    expectClose(t.data, ref, Math.exp(-8) * 3.5);
  });

  it('sumOfGaussians with one sigma for all, normalised', () => {
    const r = sumOfGaussians([50, 50], [[25, 25]], 3, 1, { normalize: true, truncate: 12 });
    expect(Math.abs(sum(r).data[0] - 1)).toBeLessThan(1e-12);
  });

  it.each([
    [
      () => gaussian2d([0, 1], [0, 1], { mx: 0, my: 0, sx: 0, sy: 1 }),
      'value',
      /gaussian2d sx must be > 0, got 0/,
    ],
    [
      () =>
        gaussian2d(new NdArray(new Float64Array(6), [2, 3]), new NdArray(new Float64Array(4), [4, 1]), {
          mx: 0,
          my: 0,
          sx: 1,
          sy: 1,
        }),
      'shape',
      /\[2, 3\].*\[4, 1\]/,
    ],
    [() => sumOfGaussians([10, 10], [[1, 2, 3]], 1), 'shape', /\[k, 2\] rows \(x, y\), got shape \[1, 3\]/],
    // the size limit (2^28 values) on every constructor and broadcast result
    [() => sumOfGaussians([1e5, 1e5], [[1, 2]], 1), 'value', /^sumOfGaussians: shape \[100000, 100000\] has/],
    [() => gausskernel(1e5, 1), 'value', /^gausskernel: shape \[100000, 100000\] has 10000000000 values/],
    [() => gausskernel([3e8], 1), 'value', /^gausskernel: shape \[300000000\]/],
    [
      () => gaussian2d(new Float64Array(2e4), new Float64Array(2e4), { mx: 0, my: 0, sx: 1, sy: 1 }),
      'value',
      /^gaussian2d: shape \[20000, 20000\] has 400000000 values, more than the limit/,
    ],
    [
      () => mvnpdf2(new Float64Array(2e4), new Float64Array(2e4), [0, 0], 1),
      'value',
      /^mvnpdf2: shape \[20000, 20000\]/,
    ],
    [
      () =>
        probUnion([
          new NdArray(new Float64Array(2e4), [1, 2e4]),
          new NdArray(new Float64Array(2e4), [2e4, 1]),
        ]),
      'value',
      /^probUnion: shape \[20000, 20000\]/,
    ],
    [
      () => sumOfGaussians([10, 10], [[1, 2]], 1, 1, { trunc: 3 } as never),
      'option',
      /unknown sumOfGaussians option 'trunc'/,
    ],
    [() => sumOfGaussians([10, 10], [[1, 2]], [1, 2]), 'shape', /1 numbers or \[1, 2\] rows/],
    [
      () => sumOfGaussians([10, 10], [[1, 2]], 1, [1, 2]),
      'shape',
      /amplitudes must be a number or 1 numbers, got 2/,
    ],
    [
      () => probUnion([new NdArray(new Float64Array(2)), new NdArray(new Float64Array(3))]),
      'shape',
      /array #1 \[2\], array #2 \[3\]/,
    ],
  ])('errors %#', (fn, code, text) => throwsExprfit(fn, code, text));
});
