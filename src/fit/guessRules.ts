/**
 * The numeric side of the named models' start guesses (lmfit's `guess()`): peak features, least squares of
 * linear models, log-linear fits, lmfit's rules for steps, rectangles, sines and thermal distributions.
 * Inputs are finite points sorted by x; each rule returns start values by unprefixed parameter name.
 */
import type { PeakFeatures } from '../models/index.ts';

/** Points of one model use: its variable values and the data (or residual) to explain. */
export interface GuessPoints {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

function range(a: Float64Array): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of a) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

function mean(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return a.length ? s / a.length : 0;
}

/** y smoothed with a 3-point moving average (peak finding on noisy data); short data unchanged. */
function smooth3(y: Float64Array): Float64Array {
  if (y.length < 20) return y;
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const lo = Math.max(0, i - 1);
    const hi = Math.min(y.length - 1, i + 1);
    let s = 0;
    for (let j = lo; j <= hi; j++) s += y[j];
    out[i] = s / (hi - lo + 1);
  }
  return out;
}

function argmax(y: Float64Array): number {
  let k = 0;
  for (let i = 1; i < y.length; i++) if (y[i] > y[k]) k = i;
  return k;
}

/** Where y falls to `level` walking from index `i` in direction `step` (linear interpolation), or the end. */
function crossing(x: Float64Array, y: Float64Array, i: number, step: 1 | -1, level: number): number {
  let j = i;
  while (j + step >= 0 && j + step < y.length && y[j + step] > level) j += step;
  const k = j + step;
  if (k < 0 || k >= y.length) return x[j];
  const t = (y[j] - level) / (y[j] - y[k]);
  return x[j] + t * (x[k] - x[j]);
}

/**
 * The largest peak of y away from `baseline`: its position, height and full width at half maximum. A dip
 * deeper than the highest peak is a negative peak (negative height), as lmfit's `guess(negative=True)`.
 */
export function peakFeatures(p: GuessPoints, baseline: number): PeakFeatures {
  const ys = smooth3(p.y);
  const up = ys[argmax(ys)] - baseline;
  const down = baseline - Math.min(...ys);
  if (down <= up) return positivePeak(p.x, p.y, ys, baseline);
  const flip = (a: Float64Array): Float64Array => a.map((v) => 2 * baseline - v);
  const f = positivePeak(p.x, flip(p.y), flip(ys), baseline);
  return { ...f, height: -f.height };
}

/** The highest peak of y (`ys`: y smoothed) above `baseline`. */
function positivePeak(x: Float64Array, y: Float64Array, ys: Float64Array, baseline: number): PeakFeatures {
  const i = argmax(ys);
  const height = Math.max(y[i] - baseline, ys[i] - baseline);
  const half = baseline + height / 2;
  const left = crossing(x, ys, i, -1, half);
  const right = crossing(x, ys, i, 1, half);
  const span = range(x);
  const minWidth = (span.max - span.min) / Math.max(1, x.length - 1);
  const fwhm = right - left > 0 ? Math.max(right - left, minWidth) : (span.max - span.min) / 3;
  const center = right > left ? 0.5 * (left + right) : x[i];
  return { center, height, fwhm };
}

/** Least-squares coefficients of `columns` for y (modified Gram-Schmidt QR; 0 for a dependent column). */
export function leastSquares(columns: readonly Float64Array[], y: Float64Array): number[] {
  const n = columns.length;
  const q = columns.map((c) => Float64Array.from(c));
  const r: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const keep: boolean[] = [];
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      if (!keep[k]) continue;
      r[k][j] = dot(q[k], q[j]);
      for (let i = 0; i < y.length; i++) q[j][i] -= r[k][j] * q[k][i];
    }
    const norm = Math.sqrt(dot(q[j], q[j]));
    keep[j] = norm > 1e-12 * Math.sqrt(dot(columns[j], columns[j])) && norm > 0;
    r[j][j] = norm;
    if (keep[j]) for (let i = 0; i < y.length; i++) q[j][i] /= norm;
  }
  const c = q.map((qj, j) => (keep[j] ? dot(qj, y) : 0));
  const out = new Array<number>(n).fill(0);
  for (let j = n - 1; j >= 0; j--) {
    if (!keep[j]) continue;
    let s = c[j];
    for (let k = j + 1; k < n; k++) s -= r[j][k] * out[k];
    out[j] = s / r[j][j];
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Slope and intercept of the straight line through (u, v) by least squares. */
function lineFit(u: Float64Array, v: Float64Array): { slope: number; intercept: number } {
  const [slope, intercept] = leastSquares([u, new Float64Array(u.length).fill(1)], v);
  return { slope, intercept };
}

/** lmfit's ExponentialModel guess: a line through log(|y|) against x. */
export function guessExponential(p: GuessPoints): Record<string, number> {
  const { slope, intercept } = lineFit(
    p.x,
    p.y.map((v) => Math.log(Math.abs(v) + 1e-15)),
  );
  return { amplitude: Math.exp(intercept), decay: slope !== 0 ? -1 / slope : 1 };
}

/** lmfit's PowerLawModel guess: a line through log(y) against log(x) (positive points). */
export function guessPowerlaw(p: GuessPoints): Record<string, number> {
  const keep = [...p.x.keys()].filter((i) => p.x[i] > 0 && p.y[i] > 0);
  if (keep.length < 2) return { amplitude: 1, exponent: 1 };
  const u = Float64Array.from(keep, (i) => Math.log(p.x[i]));
  const v = Float64Array.from(keep, (i) => Math.log(p.y[i]));
  const { slope, intercept } = lineFit(u, v);
  return { amplitude: Math.exp(intercept), exponent: slope };
}

/** The first x where y passes the middle of its range (from below when rising, from above when falling). */
function midCrossing(p: GuessPoints, mid: number, rising: boolean): number {
  for (let i = 0; i < p.y.length; i++) if (rising ? p.y[i] >= mid : p.y[i] <= mid) return p.x[i];
  return mean(p.x);
}

/** A step: amplitude = range of y, center where y passes half way, sigma = range of x/7 (negative: falls). */
export function guessStep(p: GuessPoints): Record<string, number> {
  const xr = range(p.x);
  const yr = range(p.y);
  const n = p.y.length;
  const tenth = Math.max(1, Math.floor(n / 10));
  const rising = mean(p.y.subarray(n - tenth)) >= mean(p.y.subarray(0, tenth));
  const center = midCrossing(p, 0.5 * (yr.min + yr.max), rising);
  const sigma = ((xr.max - xr.min) / 7) * (rising ? 1 : -1);
  return { amplitude: yr.max - yr.min, center, sigma };
}

/** A rectangle: amplitude = range of y, the edges where y first and last exceeds half way. */
export function guessRectangle(p: GuessPoints): Record<string, number> {
  const xr = range(p.x);
  const yr = range(p.y);
  const mid = 0.5 * (yr.min + yr.max);
  const above = [...p.y.keys()].filter((i) => p.y[i] > mid);
  const width = (xr.max - xr.min) / 7;
  const center1 = above.length ? p.x[above[0]] : xr.min + (xr.max - xr.min) / 4;
  const center2 = above.length ? p.x[above[above.length - 1]] : xr.min + (3 * (xr.max - xr.min)) / 4;
  return { amplitude: yr.max - yr.min, center1, center2, sigma1: width, sigma2: width };
}

/** lmfit's ThermalDistributionModel guess. */
export function guessThermal(p: GuessPoints): Record<string, number> {
  const xr = range(p.x);
  return { amplitude: 1, center: mean(p.x), kt: (xr.max - xr.min) / 10 };
}

/** lmfit's SineModel guess: the strongest Fourier component (uniform x), then the best of 11 shifts. */
export function guessSine(all: GuessPoints): Record<string, number> {
  const p = everyKth(all, Math.ceil(all.y.length / MAX_SINE_POINTS));
  const n = p.y.length;
  const m = mean(p.y);
  const y = p.y.map((v) => v - m);
  const dx = Math.abs(p.x[n - 1] - p.x[0]) / Math.max(1, n - 1);
  let best = { k: 1, power: -1 };
  for (let k = 1; k <= n / 2; k++) {
    const power = Math.hypot(...fourier(y, k));
    if (power > best.power) best = { k, power };
  }
  const amplitude = (2 * best.power) / n;
  const frequency = (2 * Math.PI * best.k) / (n * (dx || 1));
  let shift = 0;
  let err = Infinity;
  for (let s = 0; s < 11; s++) {
    const sh = (2 * Math.PI * s) / 11;
    let e = 0;
    for (let i = 0; i < n; i++) e += (amplitude * Math.sin(frequency * p.x[i] + sh) - y[i]) ** 2;
    if (e < err) [err, shift] = [e, sh];
  }
  return { amplitude, frequency, shift };
}

/** The Fourier transform is computed directly (O(n^2)): on at most this many points. */
const MAX_SINE_POINTS = 2048;

function everyKth(p: GuessPoints, k: number): GuessPoints {
  if (k <= 1) return p;
  const pick = (a: Float64Array): Float64Array => a.filter((_, i) => i % k === 0);
  return { x: pick(p.x), y: pick(p.y) };
}

function fourier(y: Float64Array, k: number): [number, number] {
  let re = 0;
  let im = 0;
  const w = (2 * Math.PI * k) / y.length;
  for (let i = 0; i < y.length; i++) {
    re += y[i] * Math.cos(w * i);
    im -= y[i] * Math.sin(w * i);
  }
  return [re, im];
}

/** A 2-D peak: center at the maximum of z; sigmas from the spread of the points above half maximum. */
export function guessPeak2d(x: Float64Array, y: Float64Array, z: Float64Array): Record<string, number> {
  const i = argmax(z);
  const zr = range(z);
  const half = 0.5 * (zr.min + zr.max);
  const above = [...z.keys()].filter((k) => z[k] > half);
  const spread = (a: Float64Array): number => {
    const r = range(a);
    if (above.length < 3) return (r.max - r.min) / 6;
    const v = Float64Array.from(above, (k) => a[k]);
    const mu = mean(v);
    const variance = mean(v.map((t) => (t - mu) ** 2));
    return Math.sqrt((2 * variance) / Math.LN2) || (r.max - r.min) / 6;
  };
  return { centerx: x[i], centery: y[i], sigmax: spread(x), sigmay: spread(y) };
}
