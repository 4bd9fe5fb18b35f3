/**
 * Writes the example data sets in this folder (run once; the files are committed):
 *   npx tsx examples/data/make-data.ts
 * Every data set is synthetic, from a seeded generator, with the true values noted below (the example
 * scripts' tests check the fits recover them).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NdArray } from '../../src/data/ndarray.ts';
import { encodeNpy } from '../../src/data/npy.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** mulberry32: a small seeded uniform generator. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates (Box-Muller). */
function gauss(seed: number): () => number {
  const u = rng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

const round = (v: number, digits = 6) => Number(v.toPrecision(digits));

function csv(file: string, columns: Record<string, number[]>): void {
  const names = Object.keys(columns);
  const n = columns[names[0]].length;
  const rows = [names.join(',')];
  for (let i = 0; i < n; i++) rows.push(names.map((k) => String(round(columns[k][i]))).join(','));
  writeFileSync(join(here, file), rows.join('\n') + '\n');
}

function npy(file: string, h: number, w: number, f: (x: number, y: number) => number): void {
  const out = new Float64Array(h * w);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) out[i * w + j] = round(f(j, i), 8);
  writeFileSync(join(here, file), encodeNpy(new NdArray(out, [h, w])));
}

// spot.npy (quickstart): 21x21, A = 80, x0 = 9.3, y0 = 10.6, s = 2.2, c = 10, noise sd 2
{
  const n = gauss(1);
  npy(
    'spot.npy',
    21,
    21,
    (x, y) => 80 * Math.exp(-((x - 9.3) ** 2 + (y - 10.6) ** 2) / (2 * 2.2 ** 2)) + 10 + 2 * n(),
  );
}

// gauss2d.csv: x, y, z on a 30x30 grid; A = 50, x0 = 14.2, y0 = 16.8, sx = 3.1, sy = 1.5*sx, c = 5, noise sd 1
{
  const n = gauss(2);
  const x: number[] = [];
  const y: number[] = [];
  const z: number[] = [];
  for (let i = 0; i < 30; i++) {
    for (let j = 0; j < 30; j++) {
      const sx = 3.1;
      const sy = 1.5 * sx;
      x.push(j);
      y.push(i);
      z.push(50 * Math.exp(-((j - 14.2) ** 2 / (2 * sx * sx) + (i - 16.8) ** 2 / (2 * sy * sy))) + 5 + n());
    }
  }
  csv('gauss2d.csv', { x, y, z });
}

// tilted.npy: 40x50 image, background plane 20 + 0.3*x - 0.2*y, a spot (amplitude 60, s = 3) at (25, 26), noise sd 0.5
{
  const n = gauss(3);
  npy(
    'tilted.npy',
    40,
    50,
    (x, y) => 20 + 0.3 * x - 0.2 * y + 60 * Math.exp(-((x - 25) ** 2 + (y - 26) ** 2) / 18) + 0.5 * n(),
  );
}

// set1.csv, set2.csv (global fit): y = A*exp(-k*t) + c with a shared k = 0.35; A1 = 10, c1 = 1; A2 = 4, c2 = 2.5
{
  const n = gauss(4);
  const make = (A: number, c: number, count: number, tmax: number) => {
    const t: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < count; i++) {
      const ti = (tmax * i) / (count - 1);
      t.push(ti);
      y.push(A * Math.exp(-0.35 * ti) + c + 0.1 * n());
    }
    return { t, y };
  };
  csv('set1.csv', make(10, 1, 40, 12));
  csv('set2.csv', make(4, 2.5, 25, 15));
}

// decay.csv: t, y, sigma; y = 12*exp(-t/3.5) + 0.8 with noise sd = sigma = 0.05 + 0.04*y
{
  const n = gauss(5);
  const t: number[] = [];
  const y: number[] = [];
  const sigma: number[] = [];
  for (let i = 0; i < 50; i++) {
    const ti = 0.3 * i;
    const yi = 12 * Math.exp(-ti / 3.5) + 0.8;
    const s = 0.05 + 0.04 * yi;
    t.push(ti);
    y.push(yi + s * n());
    sigma.push(round(s, 3));
  }
  csv('decay.csv', { t, y, sigma });
}

// noisy.csv: x in [0, 10], y = sin(x) + 0.3*x + noise sd 0.2
{
  const n = gauss(6);
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < 80; i++) {
    const xi = (10 * i) / 79;
    x.push(xi);
    y.push(Math.sin(xi) + 0.3 * xi + 0.2 * n());
  }
  csv('noisy.csv', { x, y });
}

// spots.npy (spots.fit): 64x64 Poisson counts, background 10, 13 symmetric Gaussian spots (x, y, amplitude,
// sigma) with three close pairs about 4.2 px (2.8 sigma) apart; pixel values are the model at the pixel centres.
const SPOTS_TRUTH: readonly (readonly [number, number, number, number])[] = [
  [10.3, 9.7, 400, 1.5],
  [31.6, 8.2, 250, 1.4],
  [52.4, 11.5, 500, 1.6],
  [20.6, 20.4, 300, 1.5],
  [8.8, 33.1, 300, 1.5],
  [54.7, 50.3, 350, 1.5],
  [12.2, 54.6, 450, 1.5],
  [28.4, 30.2, 400, 1.5],
  [32.5, 31.1, 300, 1.5],
  [45.3, 27.6, 350, 1.5],
  [46.1, 31.8, 500, 1.5],
  [30.2, 52.3, 450, 1.5],
  [34.0, 54.1, 250, 1.5],
];
{
  const u = rng(7);
  /** A Poisson deviate by inversion (exact for the means used here, all below 700). */
  const poisson = (mean: number): number => {
    const v = u();
    let k = 0;
    let p = Math.exp(-mean);
    let f = p;
    while (v > f && k < 10 * mean + 100) {
      k++;
      p *= mean / k;
      f += p;
    }
    return k;
  };
  npy('spots.npy', 64, 64, (x, y) => {
    let m = 10;
    for (const [x0, y0, a, s] of SPOTS_TRUTH)
      m += a * Math.exp(-((x - x0) ** 2 + (y - y0) ** 2) / (2 * s * s));
    return poisson(m);
  });
}

// peaks.csv (peaks.fit): x = 0, 0.1, ..., 50; five peaks on a line 2 - 0.01*x, noise sd 0.05:
// Gaussians (area, center, sigma) (6, 8, 0.8), (4, 21, 1.2), (5, 42, 0.9); a Lorentzian (8, 15, 0.7);
// a Voigt (7, 33, sigma = gamma = 0.6) — see PEAKS_TRUTH
export const PEAKS_TRUTH = {
  g1: [6, 8, 0.8],
  l2: [8, 15, 0.7],
  g3: [4, 21, 1.2],
  v4: [7, 33, 0.6],
  g5: [5, 42, 0.9],
  line: [-0.01, 2],
} as const;
{
  const n = gauss(8);
  const gaussian = (x: number, [a, c, s]: readonly number[]) =>
    (a / (Math.sqrt(2 * Math.PI) * s)) * Math.exp(-((x - c) ** 2) / (2 * s * s));
  const lorentzian = (x: number, [a, c, s]: readonly number[]) =>
    a / (Math.PI * s * (1 + ((x - c) / s) ** 2));
  // the Voigt profile with gamma = sigma, by numerical convolution (fine enough for example data)
  const voigt = (x: number, [a, c, s]: readonly number[]) => {
    let sum = 0;
    const h = s / 10;
    for (let t = -2000 * s; t <= 2000 * s; t += h)
      sum += gaussian(t, [1, 0, s]) * lorentzian(x - c - t, [1, 0, s]) * h;
    return a * sum;
  };
  const x: number[] = [];
  const y: number[] = [];
  const T = PEAKS_TRUTH;
  for (let i = 0; i <= 500; i++) {
    const t = i / 10;
    x.push(t);
    const peaks =
      gaussian(t, T.g1) + lorentzian(t, T.l2) + gaussian(t, T.g3) + voigt(t, T.v4) + gaussian(t, T.g5);
    y.push(peaks + T.line[0] * t + T.line[1] + 0.05 * n());
  }
  csv('peaks.csv', { x, y });
}
