/**
 * The spot pipeline on seeded synthetic images (Poisson counts of Gaussians sampled at pixel centres):
 * acceptance tests of issue 5 (localisation against the Cramér–Rao bound, crowded fields) and the parts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { parsePng } from '../../src/data/png.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { findPeaks, findPeaksSchema, parseThreshold, robustStats } from '../../src/batch/findPeaks.ts';
import { spotsSchema } from '../../src/batch/spots/options.ts';
import { OptionError } from '../../src/core/options.ts';
import { momentStart } from '../../src/batch/moments.ts';
import { multiSpotModel, spotModel } from '../../src/batch/models.ts';
import { runSpots, SPOT_COLUMNS, spotsOptionsFrom } from '../../src/batch/spots/index.ts';
import { gaussianSpotCrb } from '../../src/batch/crb.ts';
import { closeBatchPool } from '../../src/batch/pool.ts';
import { printExpr } from '../../src/ast/print.ts';
import type { TrueSpot } from './helpers.ts';
import { matchSpots, poissonImage, rng, spotImage } from './helpers.ts';

afterAll(async () => {
  await closeBatchPool();
});

/** 1024 isolated spots (amplitude 500, sigma 1.5, background 10) on a 20-pixel grid with random sub-pixel offsets. */
function isolatedField(seed: number): { img: NdArray; truth: TrueSpot[] } {
  const u = rng(seed);
  const truth: TrueSpot[] = [];
  for (let gy = 0; gy < 32; gy++) {
    for (let gx = 0; gx < 32; gx++) {
      truth.push({
        x: 10 + 20 * gx + (u() - 0.5),
        y: 10 + 20 * gy + (u() - 0.5),
        amplitude: 500,
        sigmaX: 1.5,
        sigmaY: 1.5,
        theta: 0,
      });
    }
  }
  return { img: poissonImage(u, spotImage(640, 640, truth, 10), 640, 640), truth };
}

/**
 * 144 clusters of 2 or 3 spots (amplitudes 400..600, sigma 1.5), neighbours 2.5 to 3 sigma apart along a
 * random walk; clusters 40 pixels apart; background 10.
 */
function crowdedField(seed: number): { img: NdArray; truth: TrueSpot[] } {
  const u = rng(seed);
  const truth: TrueSpot[] = [];
  const sig = 1.5;
  for (let gy = 0; gy < 12; gy++) {
    for (let gx = 0; gx < 12; gx++) {
      let px = 20 + gx * 40 + (u() - 0.5) * 4;
      let py = 20 + gy * 40 + (u() - 0.5) * 4;
      let ang = u() * 2 * Math.PI;
      const k = 2 + Math.floor(u() * 2);
      for (let i = 0; i < k; i++) {
        truth.push({ x: px, y: py, amplitude: 500 * (0.8 + 0.4 * u()), sigmaX: sig, sigmaY: sig, theta: 0 });
        const d = sig * (2.5 + 0.5 * u());
        ang += (u() - 0.5) * 1.5;
        px += d * Math.cos(ang);
        py += d * Math.sin(ang);
      }
    }
  }
  return { img: poissonImage(u, spotImage(480, 480, truth, 10), 480, 480), truth };
}

describe('acceptance: isolated spots', () => {
  const { img, truth } = isolatedField(2024);
  // Expected error of each spot, from its true sub-pixel position in its 15x15 region (see src/batch/crb.ts).
  const expected = (estimator: 'poisson' | 'lse'): number => {
    let v = 0;
    for (const t of truth) {
      const bx = Math.round(t.x) - 7;
      const by = Math.round(t.y) - 7;
      const crb = gaussianSpotCrb(
        { amplitude: 500, x0: t.x - bx, y0: t.y - by, sigma: 1.5, background: 10 },
        { width: 15, height: 15 },
        { estimator },
      );
      v += crb.sd.x0 ** 2 + crb.sd.y0 ** 2;
    }
    return Math.sqrt(v / (2 * truth.length));
  };

  for (const estimator of ['poisson', 'lse'] as const) {
    it(`${estimator}: every spot found and converged; RMS localisation error within 1.1x of ${estimator === 'poisson' ? 'the Cramér–Rao bound' : 'the expected least-squares error'}`, async () => {
      const r = await runSpots(img, { estimator });
      expect(r.count).toBe(truth.length);
      const m = matchSpots(truth, r.columns.x, r.columns.y, 1);
      expect(m.length).toBe(truth.length);
      for (let i = 0; i < r.count; i++) expect(r.columns.status[i]).toBe(0);
      let se = 0;
      let amp = 0;
      for (const [t, f] of m) {
        se += (r.columns.x[f] - truth[t].x) ** 2 + (r.columns.y[f] - truth[t].y) ** 2;
        amp += r.columns.amplitude[f];
      }
      const rms = Math.sqrt(se / (2 * m.length));
      const bound = expected(estimator);
      const ratio = rms / bound;
      // ~2% sampling error of an RMS over 2048 coordinates: [0.9, 1.1] is a 4-sigma band around 1.
      expect(ratio).toBeGreaterThan(0.9);
      expect(ratio).toBeLessThan(1.1);
      expect(Math.abs(amp / m.length / 500 - 1)).toBeLessThan(0.01);
      // Poisson: the reported errors (from the curvature at the optimum) agree with the scatter. (Unweighted
      // least squares assumes one variance for all pixels and underestimates them on Poisson counts.)
      if (estimator === 'poisson') {
        let rep = 0;
        for (const [, f] of m) rep += r.columns.x_err[f] ** 2 + r.columns.y_err[f] ** 2;
        expect(Math.sqrt(rep / (2 * m.length)) / rms).toBeGreaterThan(0.9);
        expect(Math.sqrt(rep / (2 * m.length)) / rms).toBeLessThan(1.1);
      }
    });
  }

  it('the Poisson bound is below the least-squares error', () => {
    const v = { amplitude: 500, x0: 7, y0: 7, sigma: 1.5, background: 10 };
    const a = gaussianSpotCrb(v, { width: 15, height: 15 });
    const b = gaussianSpotCrb(v, { width: 15, height: 15 }, { estimator: 'lse' });
    expect(a.sd.x0).toBeLessThan(b.sd.x0);
    // sigma/sqrt(N) with N = 2π σ² A photons is the background-free, unpixelated limit.
    expect(a.sd.x0).toBeGreaterThan(1.5 / Math.sqrt(2 * Math.PI * 1.5 * 1.5 * 500));
  });
});

describe('acceptance: crowded field', () => {
  const { img, truth } = crowdedField(11);
  for (const estimator of ['lse', 'poisson'] as const) {
    it(`${estimator}: recall and precision >= 98%, amplitudes unbiased within 2%`, async () => {
      const r = await runSpots(img, { estimator });
      const m = matchSpots(truth, r.columns.x, r.columns.y, 1.5);
      expect(m.length / truth.length).toBeGreaterThanOrEqual(0.98);
      expect(m.length / r.count).toBeGreaterThanOrEqual(0.98);
      let rel = 0;
      for (const [t, f] of m) rel += r.columns.amplitude[f] / truth[t].amplitude - 1;
      expect(Math.abs(rel / m.length)).toBeLessThan(0.02);
      expect(r.groupSize.some((g) => g >= 2)).toBe(true);
    });
  }

  it('fitting each spot alone (at the true spots) is biased; jointly it is not', async () => {
    const peaks = { x: truth.map((t) => t.x), y: truth.map((t) => t.y) };
    const joint = await runSpots(img, { peaks });
    const alone = await runSpots(img, { peaks, joint: false });
    const bias = (r: typeof joint): number => {
      let s = 0;
      for (let i = 0; i < truth.length; i++) s += Math.abs(r.columns.amplitude[i] / truth[i].amplitude - 1);
      return s / truth.length;
    };
    expect(bias(joint)).toBeLessThan(0.03);
    expect(bias(alone)).toBeGreaterThan(0.1);
    let shift = 0;
    for (let i = 0; i < truth.length; i++)
      shift += Math.hypot(alone.columns.x[i] - truth[i].x, alone.columns.y[i] - truth[i].y);
    expect(shift / truth.length).toBeGreaterThan(0.5);
  });
});

describe('findPeaks', () => {
  const u = rng(1);
  const truth: TrueSpot[] = [
    { x: 10, y: 10, amplitude: 100, sigmaX: 1.2, sigmaY: 1.2, theta: 0 },
    { x: 30.4, y: 12.2, amplitude: 60, sigmaX: 1.2, sigmaY: 1.2, theta: 0 },
    { x: 20, y: 30, amplitude: 80, sigmaX: 1.2, sigmaY: 1.2, theta: 0 },
    { x: 1, y: 38, amplitude: 90, sigmaX: 1.2, sigmaY: 1.2, theta: 0 },
  ];
  const img = poissonImage(u, spotImage(40, 40, truth, 5), 40, 40);

  it('finds the spots, highest first, above k robust sigmas', () => {
    const p = findPeaks(img, { minDistance: 2 });
    expect(p.count).toBe(4);
    expect([p.x[0], p.y[0]]).toEqual([10, 10]);
    for (const t of truth) {
      expect(Array.from(p.x).some((x, i) => Math.abs(x - t.x) <= 1 && Math.abs(p.y[i] - t.y) <= 1)).toBe(
        true,
      );
    }
    for (let i = 1; i < p.count; i++) expect(p.value[i]).toBeLessThanOrEqual(p.value[i - 1]);
    expect(p.background).toBeGreaterThan(3);
    expect(p.background).toBeLessThan(7);
    expect(p.threshold).toBeCloseTo(p.background + 5 * p.noise, 10);
  });

  it('border, maxPeaks, absolute thresholds and minDistance', () => {
    expect(findPeaks(img, { border: 3 }).count).toBe(3);
    expect(findPeaks(img, { maxPeaks: 2 }).count).toBe(2);
    expect(findPeaks(img, { threshold: 70 }).count).toBe(3);
    expect(findPeaks(img, { threshold: '1000 sigma' }).count).toBe(0);
    // Two equal plateaus pixels: one peak; peaks within minDistance: the higher one.
    const a = new Float64Array(100);
    a[44] = a[45] = 10;
    a[47] = 8;
    const p = findPeaks(new NdArray(a, [10, 10]), { threshold: 1, smooth: 0, minDistance: 1 });
    expect(Array.from(p.x)).toEqual([4, 7]);
    expect(findPeaks(new NdArray(a, [10, 10]), { threshold: 1, smooth: 0, minDistance: 3 }).count).toBe(1);
  });

  it('parses thresholds and rejects bad options', () => {
    expect(parseThreshold('5sigma')).toEqual({ sigma: 5 });
    expect(parseThreshold('2.5 σ')).toEqual({ sigma: 2.5 });
    expect(parseThreshold({ sigma: 3 })).toEqual({ sigma: 3 });
    expect(parseThreshold(12)).toEqual({ absolute: 12 });
    expect(parseThreshold('12')).toEqual({ absolute: 12 });
    expect(() => parseThreshold('five')).toThrow(ExprfitError);
    // k·sigma thresholds below the background are rejected; absolute ones may be negative
    for (const t of ['-5sigma', '-0.5 sigma', { sigma: -1 }]) {
      expect(() => parseThreshold(t)).toThrow(
        /threshold -[\d.]+sigma is below the background: k .* must be >= 0/,
      );
    }
    expect(() => findPeaks(img, { threshold: '-5sigma' })).toThrow(ExprfitError);
    expect(parseThreshold('0sigma')).toEqual({ sigma: 0 });
    expect(parseThreshold(-5)).toEqual({ absolute: -5 });
    expect(parseThreshold('-5')).toEqual({ absolute: -5 });
    expect(() => parseThreshold('1e400')).toThrow(/finite/);
    expect(() => findPeaks(img, { minDistance: 0 })).toThrow(/minDistance/);
    expect(() => findPeaks(img, { radius: 2 } as never)).toThrow(/unknown findPeaks option/);
    expect(() => findPeaks(new NdArray(new Float64Array(8), [2, 2, 2]))).toThrow(ExprfitError);
    const s = robustStats(Float64Array.of(1, 2, 3, 4, 100));
    expect(s.median).toBe(3);
    expect(s.sigma).toBeCloseTo(1.4826, 10);
  });
});

describe('images without pixels to find spots in', () => {
  const empty = [
    new NdArray(new Float64Array(0), [0, 0]),
    new NdArray(new Float64Array(0), [0, 7]),
    new NdArray(new Float64Array(0), [5, 0]),
  ];
  const allNaN = new NdArray(new Float64Array(100).fill(NaN), [10, 10]);
  const nonFinite = new NdArray(
    Float64Array.from({ length: 12 }, (_v, i) => (i % 2 ? Infinity : NaN)),
    [3, 4],
  );

  it('an empty image is an error (it used to give an empty table)', async () => {
    for (const img of empty) {
      const shape = `\\[${img.shape.join(', ')}\\]`;
      expect(() => findPeaks(img)).toThrow(new RegExp(`^the image is empty \\(shape ${shape}\\)`));
      await expect(runSpots(img)).rejects.toThrow(/^the image is empty/);
      await expect(runSpots(img, { peaks: { x: [], y: [] } })).rejects.toThrow(/^the image is empty/);
    }
  });

  it('an image without a finite pixel is an error naming the problem', async () => {
    for (const img of [allNaN, nonFinite]) {
      expect(() => findPeaks(img)).toThrow(
        /^the image has no finite pixels: all \d+ pixels .* are NaN or infinite/,
      );
      const err = await runSpots(img).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExprfitError);
      expect((err as ExprfitError).code).toBe('value');
      expect((err as ExprfitError).message).toMatch(/no finite pixels/);
    }
    await expect(runSpots(allNaN, { peaks: { x: [5], y: [5] } })).rejects.toThrow(/no finite pixels/);
  });

  it('an image with some NaN pixels is fine', () => {
    const d = new Float64Array(100).fill(NaN);
    d[55] = 100;
    for (let i = 0; i < 50; i++) d[i] = i % 3;
    const p = findPeaks(new NdArray(d, [10, 10]), { smooth: 0, threshold: 50 });
    expect([p.count, p.x[0], p.y[0]]).toEqual([1, 5, 5]);
  });
});

describe('moment start values', () => {
  it('estimate centre, widths and angle of a rotated spot', () => {
    const t: TrueSpot = { x: 20.3, y: 19.6, amplitude: 1000, sigmaX: 2.5, sigmaY: 1.2, theta: 0.5 };
    const mean = spotImage(41, 41, [t], 10);
    const m = momentStart(mean, 41, 41, 20, 20, 10);
    expect(Math.abs(m.x - 20.3)).toBeLessThan(0.15);
    expect(Math.abs(m.y - 19.6)).toBeLessThan(0.15);
    expect(m.background).toBeCloseTo(10, 3);
    expect(m.amplitude).toBeGreaterThan(900);
    expect(m.sigmaMajor / 2.5).toBeGreaterThan(0.85);
    expect(m.sigmaMajor / 2.5).toBeLessThan(1.15);
    expect(m.sigmaMinor / 1.2).toBeGreaterThan(0.8);
    expect(m.sigmaMinor / 1.2).toBeLessThan(1.25);
    expect(m.theta).toBeCloseTo(0.5, 1);
  });
});

describe('spot models', () => {
  it('built-in models and user expressions have roles', () => {
    expect(spotModel('symmetric').params).toEqual(['amplitude', 'x0', 'y0', 'sigma', 'background']);
    expect(spotModel('rotated').roles).toMatchObject({
      sigmaX: 'sigma_x',
      sigmaY: 'sigma_y',
      theta: 'theta',
    });
    const u = spotModel('N*exp(-((x-xc)^2+(y-yc)^2)/(2*w^2))/(2*pi*w^2) + b');
    expect(u.roles).toMatchObject({ amplitude: 'N', x: 'xc', y: 'yc', sigma: 'w', background: 'b' });
    expect(() => spotModel('gaussian')).toThrow(/unknown spot model/);
    expect(() => spotModel('A*exp(-(x-x0)^2) + c')).toThrow(/both x and y/);
  });

  it('a model text resolved before is the same model (not parsed again); a bad one fails every time', () => {
    const text = 'h*exp(-((x-x0)^2+(y-y0)^2)/(2*s^2)) + bg';
    expect(spotModel(text)).toBe(spotModel(text));
    expect(spotModel(text).roles).toMatchObject({ amplitude: 'h', sigma: 's', background: 'bg' });
    for (let i = 0; i < 2; i++) expect(() => spotModel('A*exp(-(x-x0)^2) + c')).toThrow(/both x and y/);
  });

  it('a parameter the model does not depend on is the same clear error for isolated and joint fits', async () => {
    // (before: isolated fits ran, joint fits failed with "parameter 'beta_1' is not in the model")
    const spot = { amplitude: 500, sigmaX: 1.5, sigmaY: 1.5, theta: 0 };
    const truth = [
      { ...spot, x: 20, y: 20 },
      { ...spot, x: 23, y: 21 },
      { ...spot, x: 50, y: 50 },
    ];
    const img = poissonImage(rng(3), spotImage(80, 80, truth, 10), 80, 80);
    for (const model of [
      'A*exp(-((x-x0)^2+(y-y0)^2)/(2*s^2)) + 0*beta + bg',
      'A*exp(-((x-x0)^2+(y-y0)^2)/(2*s^2))*beta^0 + bg',
    ]) {
      for (const joint of [false, true]) {
        const run = runSpots(img, { model, joint, start: { beta: 1 } });
        await expect(run).rejects.toThrow(ExprfitError);
        await expect(run).rejects.toThrow(
          `the spot model '${model}' does not depend on its parameter 'beta'`,
        );
      }
    }
  });

  it('builds the multi-spot model by renaming parameters, one background', () => {
    const m = multiSpotModel(spotModel('symmetric'), 2);
    expect(printExpr(m.expr)).toBe(
      'amplitude_1*exp(-((x - x0_1)^2 + (y - y0_1)^2)/(2*sigma_1^2)) + amplitude_2*exp(-((x - x0_2)^2 + (y - y0_2)^2)/(2*sigma_2^2)) + background',
    );
    expect(m.rename[1].get('x0')).toBe('x0_2');
    const shared = multiSpotModel(spotModel('symmetric'), 2, true);
    expect(printExpr(shared.expr)).toContain('(2*sigma^2)) + amplitude_2');
    expect(() => multiSpotModel(spotModel('A*exp(-((x-x0)^2+(y-y0)^2)) * bg'), 2)).toThrow(/\(spot\) \+ bg/);
  });
});

describe('runSpots', () => {
  it('fits elliptical and rotated spots and reports sigma_x, sigma_y, theta', async () => {
    const u = rng(21);
    const truth: TrueSpot[] = [];
    for (let i = 0; i < 16; i++) {
      truth.push({
        x: 15 + 30 * (i % 4) + u(),
        y: 15 + 30 * Math.floor(i / 4) + u(),
        amplitude: 800,
        sigmaX: 3,
        sigmaY: 1.5,
        theta: 0.6,
      });
    }
    const img = poissonImage(u, spotImage(120, 120, truth, 20), 120, 120);
    const r = await runSpots(img, { model: 'rotated', roi: 9, estimator: 'poisson' });
    expect(r.count).toBe(16);
    const m = matchSpots(truth, r.columns.x, r.columns.y, 0.5);
    expect(m.length).toBe(16);
    for (const [, f] of m) {
      expect(r.columns.sigma_x[f]).toBeCloseTo(3, 0);
      expect(r.columns.sigma_y[f]).toBeCloseTo(1.5, 0);
      expect(r.columns.theta[f]).toBeCloseTo(0.6, 1);
      expect(r.columns.status[f]).toBe(0);
    }
    const e = await runSpots(img, { model: 'elliptical', roi: 9 });
    expect(e.count).toBe(16);
    for (let i = 0; i < e.count; i++) expect(e.columns.theta[i]).toBe(0);
  });

  it('clips regions at the image edge instead of dropping spots', async () => {
    const u = rng(5);
    const truth: TrueSpot[] = [
      { x: 1.2, y: 2.1, amplitude: 600, sigmaX: 1.5, sigmaY: 1.5, theta: 0 },
      { x: 28.6, y: 14, amplitude: 600, sigmaX: 1.5, sigmaY: 1.5, theta: 0 },
      { x: 15, y: 15, amplitude: 600, sigmaX: 1.5, sigmaY: 1.5, theta: 0 },
    ];
    const img = poissonImage(u, spotImage(30, 30, truth, 10), 30, 30);
    const r = await runSpots(img, {});
    expect(r.count).toBe(3);
    const m = matchSpots(truth, r.columns.x, r.columns.y, 0.3);
    expect(m.length).toBe(3);
    for (const [t, f] of m) {
      expect(r.clipped[f]).toBe(t === 2 ? 0 : 1);
      expect(r.columns.status[f]).toBe(0);
    }
  });

  it('fits user expressions, with start values for parameters without a role', async () => {
    const u = rng(8);
    const truth: TrueSpot[] = [
      { x: 12.3, y: 11.6, amplitude: 500, sigmaX: 1.5, sigmaY: 1.5, theta: 0 },
      { x: 32.5, y: 30.2, amplitude: 500, sigmaX: 1.5, sigmaY: 1.5, theta: 0 },
    ];
    const img = poissonImage(u, spotImage(45, 45, truth, 10), 45, 45);
    const model = 'A*exp(-(((x-x0)^2 + (y-y0)^2)/(2*s^2))^q) + bg';
    await expect(runSpots(img, { model })).rejects.toThrow(/'q'/);
    // start values for parameters the model does not have, or that spots estimates, are errors
    await expect(runSpots(img, { model, start: { q: 1.1, qq: 2 } })).rejects.toThrow(
      /^start value for 'qq': the model has no such parameter \(its parameters: /,
    );
    await expect(runSpots(img, { model, start: { q: 1.1, s: 2 } })).rejects.toThrow(
      /^start value for 's': spots estimates this parameter itself/,
    );
    await expect(runSpots(img, { model, start: { q: NaN } })).rejects.toThrow(/must be a finite number/);
    const r = await runSpots(img, { model, start: { q: 1.1 } });
    expect(matchSpots(truth, r.columns.x, r.columns.y, 0.2).length).toBe(2);
    expect(r.columns.sigma_x[0]).toBeCloseTo(1.5, 0);
  });

  it('writes CSV, an overlay PNG with the ellipses, and parses CLI/.fit options', async () => {
    const u = rng(9);
    const truth: TrueSpot[] = [{ x: 16, y: 16, amplitude: 500, sigmaX: 2, sigmaY: 2, theta: 0 }];
    const img = poissonImage(u, spotImage(32, 32, truth, 10), 32, 32);
    const r = await runSpots(img, {});
    const csv = r.toCsv().split('\n');
    expect(csv[0]).toBe(SPOT_COLUMNS.join(','));
    expect(csv[1].split(',').length).toBe(SPOT_COLUMNS.length);
    const png = await r.overlayPng({ scale: 4 });
    const rgb = await parsePng(png);
    expect(rgb.shape.slice(0, 2)).toEqual([128, 128]);
    // A green ellipse pixel at 2 sigma right of the centre.
    const px = (y: number, x: number) => Array.from({ length: rgb.shape[2] }, (_v, c) => rgb.get(y, x, c));
    const [r0, g0, b0] = px(
      Math.round((16 + 0.5) * 4),
      Math.round((r.columns.x[0] + 0.5 + 2 * r.columns.sigma_x[0]) * 4),
    );
    expect(g0).toBeGreaterThan(200);
    expect(r0).toBeLessThan(100);
    expect(b0).toBeLessThan(100);

    const o = spotsOptionsFrom({
      model: 'rotated',
      roi: '9',
      'min-distance': '2',
      threshold: '4sigma',
      estimator: 'mle',
      threads: 2,
      joint: 'false',
      out: 'spots.csv',
      overlay: 'spots.png',
    });
    expect(o).toEqual({
      options: {
        model: 'rotated',
        roi: 9,
        minDistance: 2,
        threshold: '4sigma',
        estimator: 'poisson',
        threads: 2,
        joint: false,
      },
      out: 'spots.csv',
      overlay: 'spots.png',
    });
    expect(() => spotsOptionsFrom({ rois: 7 })).toThrow(/unknown spots option 'rois'/);
    expect(() => spotsOptionsFrom({ roi: 'seven' })).toThrow(
      /spots option 'roi' must be an integer >= 1, got 'seven'/,
    );
    await expect(runSpots(img, { roi: 0 })).rejects.toThrow(/roi/);
    await expect(runSpots(img, { thresold: 3 } as never)).rejects.toMatchObject({
      message: "unknown spots option 'thresold'",
      hints: ["did you mean 'threshold'?"],
    });
  });

  it('option errors name the key as the API writes it, with the structured detail', async () => {
    const img = new NdArray(new Float64Array(64).fill(1), [8, 8]);
    const cases: [Record<string, unknown>, string, Record<string, unknown>][] = [
      [
        { maxGroupSize: 0 },
        "spots option 'maxGroupSize' must be an integer >= 1, got 0",
        { key: 'maxGroupSize', problem: 'invalid', value: 0 },
      ],
      [{ max_group_size: 3 }, "unknown spots option 'max_group_size'", { problem: 'unknown' }],
      [
        { estimator: 'poison' },
        "spots option 'estimator' must be one of 'lse' or 'poisson', got 'poison'",
        { key: 'estimator', suggestions: ['poisson'] },
      ],
      [
        { groupDistance: -1 },
        "spots option 'groupDistance' must be a finite number >= 0, got -1",
        { key: 'groupDistance' },
      ],
      [
        { residualPasses: 1.5 },
        "spots option 'residualPasses' must be an integer >= 0, got 1.5",
        { key: 'residualPasses' },
      ],
      [
        { peaks: { x: [1, 2], y: [1] } },
        "spots option 'peaks' must be { x, y } arrays of equal length, got object",
        { key: 'peaks' },
      ],
    ];
    for (const [options, message, detail] of cases) {
      const err = await runSpots(img, options as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OptionError);
      expect((err as OptionError).message).toBe(message);
      expect((err as OptionError).detail).toMatchObject({ kind: 'option', scope: 'spots', ...detail });
    }
    expect(spotsOptionsFrom({ max_group: '4', split_blends: 'no', residual_passes: 2 }).options).toEqual({
      maxGroupSize: 4,
      splitBlends: false,
      residualPasses: 2,
    });
    expect(findPeaksSchema.specs).toMatchObject(
      Object.fromEntries(Object.keys(findPeaksSchema.specs).map((k) => [k, spotsSchema.specs[k as 'roi']])),
    );
  });

  it('residual detection finds faint spots in the shoulders of bright ones', async () => {
    const u = rng(4);
    const truth: TrueSpot[] = [];
    for (let i = 0; i < 9; i++) {
      const cx = 20 + 40 * (i % 3);
      const cy = 20 + 40 * Math.floor(i / 3);
      truth.push({ x: cx, y: cy, amplitude: 1000, sigmaX: 1.5, sigmaY: 1.5, theta: 0 });
      truth.push({ x: cx + 5.5, y: cy + 1, amplitude: 150, sigmaX: 1.5, sigmaY: 1.5, theta: 0 });
    }
    const img = poissonImage(u, spotImage(120, 120, truth, 10), 120, 120);
    // Heavy smoothing and a wide minDistance hide the faint spots from detection.
    const a = await runSpots(img, { smooth: 2, minDistance: 4 });
    expect(matchSpots(truth, a.columns.x, a.columns.y, 1).length).toBe(9);
    const b = await runSpots(img, { smooth: 2, minDistance: 4, residualPasses: 1 });
    expect(matchSpots(truth, b.columns.x, b.columns.y, 1).length).toBe(18);
    expect(b.count).toBeLessThanOrEqual(20);
    expect(b.residualPeaks).toBeGreaterThanOrEqual(9);
  });

  it('threads: 2 gives the same spots as threads: 1', async () => {
    const { img } = crowdedField(12);
    const a = await runSpots(img, { threads: 1 });
    const b = await runSpots(img, { threads: 2 });
    expect(b.count).toBe(a.count);
    for (const c of SPOT_COLUMNS) {
      for (let i = 0; i < a.count; i++) expect(Object.is(b.columns[c][i], a.columns[c][i])).toBe(true);
    }
  });
});
