/**
 * Peak finding in images, like scikit-image's `peak_local_max`: a pixel is a peak when it is the maximum of the
 * (2·minDistance + 1)² square around it (in a lightly smoothed copy of the image), lies above the threshold and
 * outside the excluded border; peaks closer than `minDistance` (Chebyshev distance <= minDistance) to a higher
 * one are dropped (plateaus keep their first pixel in raster order). The threshold is absolute, or `k·sigma`
 * above a robust background: the median of the smoothed image plus k times its MAD·1.4826.
 */
import { gaussfilter } from '../arrays/index.ts';
import { defineOptions, ExprfitError, opt, type OptionsInput, validateOptions } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import { largeMedian, largeRobust, medianInPlace } from './select.ts';

/** Whether `t` is a threshold that {@link parseThreshold} reads (a number, `'5sigma'`, `{ sigma: 5 }`). */
function isThreshold(t: unknown): t is number | string | { sigma: number } {
  try {
    parseThreshold(t);
    return true;
  } catch {
    return false;
  }
}

/** The options of {@link findPeaks} (and of the detection step of spots). */
export const findPeaksSchema = defineOptions('findPeaks', {
  minDistance: opt.integer({
    doc: 'peaks are more than this many pixels apart (Chebyshev distance)',
    default: 1,
    min: 1,
  }),
  threshold: opt.custom<number | string | { sigma: number }, true>({
    doc: "detection threshold: k robust sigmas above the median like '5sigma', or an absolute value (may be negative)",
    default: '5sigma',
    accept: isThreshold,
    expected: "a number (absolute, may be negative) or k·sigma with k >= 0 like '5sigma'",
  }),
  border: opt.integer({ doc: 'peaks closer than this to the image edge are left out', default: 0, min: 0 }),
  maxPeaks: opt.integer({ doc: 'at most this many peaks, the highest first (default all)', min: 1 }),
  smooth: opt.number({
    doc: 'Gaussian smoothing (sigma in pixels) before detection; 0 for none',
    default: 0.5,
    min: 0,
  }),
});

export type FindPeaksOptions = OptionsInput<typeof findPeaksSchema>;

export interface Peaks {
  /** Column (x) and row (y) of each peak, highest first. */
  readonly x: Int32Array;
  readonly y: Int32Array;
  /** Value of the smoothed image at each peak. */
  readonly value: Float64Array;
  readonly count: number;
  /** Robust background (median) and noise (MAD·1.4826) of the smoothed image. */
  readonly background: number;
  readonly noise: number;
  /** The threshold used (absolute). */
  readonly threshold: number;
  /** The smoothed image. */
  readonly smoothed: NdArray;
}

/**
 * Parses `'5sigma'`, `'5 sigma'`, `'5σ'`, `{ sigma: 5 }` (→ 5) or a number/numeric string (→ absolute).
 * k must be >= 0: a negative k puts the threshold below the median background, where most noise maxima are.
 * A negative absolute threshold is allowed (background-subtracted images).
 */
export function parseThreshold(t: unknown): { sigma: number } | { absolute: number } {
  const kSigma = (k: number): { sigma: number } => {
    if (!Number.isFinite(k)) throw new ExprfitError('option', `threshold sigma must be finite, got ${k}`);
    if (k < 0) {
      throw new ExprfitError(
        'option',
        `threshold ${k}sigma is below the background: k in k·sigma must be >= 0`,
        {
          hints: [
            'k counts robust standard deviations above the median; for an absolute threshold (it may be negative) give a number',
          ],
        },
      );
    }
    return { sigma: k };
  };
  if (typeof t === 'number') {
    if (!Number.isFinite(t)) throw new ExprfitError('option', `threshold must be finite, got ${t}`);
    return { absolute: t };
  }
  if (typeof t === 'object' && t !== null && typeof (t as { sigma?: unknown }).sigma === 'number') {
    return kSigma((t as { sigma: number }).sigma);
  }
  if (typeof t === 'string') {
    const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*(sigma|σ|sd)?\s*$/i.exec(t);
    if (m) return m[2] ? kSigma(Number(m[1])) : parseThreshold(Number(m[1]));
  }
  throw new ExprfitError(
    'option',
    `threshold must be a number (absolute) or like '5sigma', got ${JSON.stringify(t)}`,
    {
      hints: [
        "write e.g. threshold='5sigma' (5 robust standard deviations above the median) or threshold=120",
      ],
    },
  );
}

/** Above this many values, medians are selected without copying them (select.ts). */
const COPY_LIMIT = 16_384;

/**
 * Working arrays of this thread reused from call to call (never returned, never held across an `await`): a
 * spot pipeline runs detection on every frame of a stack, and a fresh image-sized array per step and frame
 * costs allocation, zeroing and garbage collection on the worker threads and V8's helper threads (which the
 * frames' threads then share the cores with). Arrays above `REUSE_LIMIT` values are allocated each time
 * (they are not kept alive between calls).
 */
const REUSE_LIMIT = 1 << 18;
const reusable: Float64Array[] = [];

/** Working array `slot`, `n` values long (holding whatever an earlier call left there). */
function working(slot: number, n: number): Float64Array {
  if (n > REUSE_LIMIT) return new Float64Array(n);
  let a = reusable[slot];
  if (!a || a.length < n) reusable[slot] = a = new Float64Array(n);
  return a.length === n ? a : a.subarray(0, n);
}

/** The median of the first `n` values of `a` (all finite; NaN when none), reordering them in place. */
function medianOfFirst(a: Float64Array, n: number): number {
  return n === 0 ? NaN : medianInPlace(a.subarray(0, n));
}

/** Median of the finite values (NaN when none). */
export function median(values: ArrayLike<number>): number {
  if (values.length > COPY_LIMIT) return largeMedian(values);
  const a = working(0, values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) a[n++] = v;
  }
  return medianOfFirst(a, n);
}

/** Median and MAD·1.4826 (a robust standard deviation) of the finite values. */
export function robustStats(values: ArrayLike<number>): { median: number; sigma: number } {
  if (values.length > COPY_LIMIT) {
    const { median: m, mad } = largeRobust(values);
    return { median: m, sigma: 1.4826 * mad };
  }
  const med = median(values);
  // the finite deviations |v − median| (those of the finite values), in a working array of their own
  const dev = working(1, values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const d = Math.abs(values[i] - med);
    if (Number.isFinite(d)) dev[n++] = d;
  }
  return { median: med, sigma: 1.4826 * medianOfFirst(dev, n) };
}

/**
 * An image spots can be found in: at least one pixel, and at least one finite pixel (NaN pixels are left out
 * of detection and fits; an image of nothing else has no background, noise or peaks to speak of).
 */
export function checkSpotImage(img: NdArray, what = 'the image'): void {
  const shape = `[${img.shape.join(', ')}]`;
  if (img.size === 0) {
    throw new ExprfitError(
      'shape',
      `${what} is empty (shape ${shape}): there are no pixels to find spots in`,
    );
  }
  const d = img.data;
  for (let i = 0; i < d.length; i++) if (Number.isFinite(d[i])) return;
  throw new ExprfitError(
    'value',
    `${what} has no finite pixels: all ${img.size} pixels (shape ${shape}) are NaN or infinite`,
    { hints: ['NaN pixels are left out of detection and fits; at least some must be numbers'] },
  );
}

/**
 * Square maximum filter of half-width r, edges clipped, by van Herk/Gil-Werman: about three comparisons per
 * pixel and pass whatever r. Each pass splits its axis (padded with −∞ by r at both ends) into blocks of
 * k = 2r + 1; the maximum over a window [p, p + 2r] is max(suffix maximum of p's block from p, prefix maximum
 * of the next block up to p + 2r). Rows are filtered as columns of the transposed problem: both passes run
 * along columns over whole rows at a time (contiguous memory).
 */
function maxFilter(src: Float64Array, h: number, w: number, r: number): Float64Array {
  const tmp = working(2, h * w);
  const out = working(3, h * w);
  const scratch = new Float64Array(Math.max(2 * (2 * r + 1) * w, 3 * (w + 2 * r)));
  for (let y = 0; y < h; y++)
    rowMax(src.subarray(y * w, (y + 1) * w), tmp.subarray(y * w, (y + 1) * w), r, scratch);
  columnMax(tmp, out, { h, w, r }, scratch);
  return out;
}

/** Running maximum along one row (windows of 2r + 1, clipped), van Herk/Gil-Werman. */
function rowMax(src: Float64Array, out: Float64Array, r: number, scratch: Float64Array): void {
  const n = src.length;
  const k = 2 * r + 1;
  const L = n + 2 * r;
  const pad = scratch.subarray(0, L);
  const g = scratch.subarray(L, 2 * L);
  const s = scratch.subarray(2 * L, 3 * L);
  pad.fill(-Infinity, 0, r);
  pad.set(src, r);
  pad.fill(-Infinity, n + r, L);
  for (let b = 0; b < L; b += k) {
    const e = Math.min(b + k, L);
    let m = -Infinity;
    for (let p = b; p < e; p++) g[p] = m = pad[p] > m ? pad[p] : m;
    m = -Infinity;
    for (let p = e - 1; p >= b; p--) s[p] = m = pad[p] > m ? pad[p] : m;
  }
  for (let x = 0; x < n; x++) {
    const a = s[x];
    const c = g[x + 2 * r];
    out[x] = a > c ? a : c;
  }
}

/** Running maximum down the columns, whole rows at a time: block suffix rows, next block's prefix rows. */
function columnMax(
  src: Float64Array,
  out: Float64Array,
  { h, w, r }: { h: number; w: number; r: number },
  scratch: Float64Array,
): void {
  const k = 2 * r + 1;
  const suffix = scratch.subarray(0, k * w);
  const prefix = scratch.subarray(k * w, 2 * k * w);
  /** Padded row p (image row p − r, or −∞ outside) max-combined into row j of `buf` with row `from` of it. */
  const combine = (buf: Float64Array, j: number, from: number, p: number): void => {
    const y = p - r;
    const o = j * w;
    const f = from * w;
    if (y < 0 || y >= h) {
      if (from < 0) buf.fill(-Infinity, o, o + w);
      else buf.copyWithin(o, f, f + w);
    } else if (from < 0) {
      buf.set(src.subarray(y * w, y * w + w), o);
    } else {
      for (let x = 0; x < w; x++) {
        const v = src[y * w + x];
        const m = buf[f + x];
        buf[o + x] = v > m ? v : m;
      }
    }
  };
  for (let b = 0; b < h; b += k) {
    for (let j = k - 1; j >= 0; j--) combine(suffix, j, j === k - 1 ? -1 : j + 1, b + j);
    for (let j = 0; j < k; j++) combine(prefix, j, j - 1, b + k + j);
    for (let j = 0; j < k && b + j < h; j++) {
      const o = (b + j) * w;
      if (j === 0) out.set(suffix.subarray(0, w), o);
      else
        for (let x = 0; x < w; x++) {
          const a = suffix[j * w + x];
          const c = prefix[(j - 1) * w + x];
          out[o + x] = a > c ? a : c;
        }
    }
  }
}

/** Finds local maxima of a 2-D image (see the module comment). */
export function findPeaks(img: NdArray, options: FindPeaksOptions = {}): Peaks {
  if (!(img instanceof NdArray) || img.ndim !== 2) {
    throw new ExprfitError(
      'shape',
      `findPeaks needs a 2-D image [rows, cols]${img instanceof NdArray ? `, got shape [${img.shape.join(', ')}]` : ''}`,
    );
  }
  checkSpotImage(img);
  const o = validateOptions(findPeaksSchema, options);
  const [h, w] = img.shape;
  const { minDistance, border, smooth } = o;
  const maxPeaks = o.maxPeaks ?? Infinity;
  const th = parseThreshold(o.threshold);
  // NaN pixels: replaced by the median for smoothing, never peaks.
  const raw = img.data;
  let hasNaN = false;
  for (let i = 0; i < raw.length; i++) if (!Number.isFinite(raw[i])) hasNaN = true;
  let base = img;
  if (hasNaN) {
    const med = median(raw);
    base = new NdArray(
      raw.map((v) => (Number.isFinite(v) ? v : med)),
      [h, w],
    );
  }
  const sm = smooth > 0 ? gaussfilter(base, smooth, 'nearest') : base;
  const s = sm.data;
  const stats = robustStats(s);
  const threshold = 'absolute' in th ? th.absolute : stats.median + th.sigma * stats.sigma;
  const mx = maxFilter(s, h, w, minDistance);
  const cand: number[] = [];
  for (let y = border; y < h - border; y++) {
    for (let x = border; x < w - border; x++) {
      const k = y * w + x;
      if (s[k] === mx[k] && s[k] > threshold && Number.isFinite(raw[k])) cand.push(k);
    }
  }
  cand.sort((a, b) => s[b] - s[a] || a - b);
  // Greedy suppression: keep a candidate unless a kept peak is within minDistance (Chebyshev).
  const keptX: number[] = [];
  const keptY: number[] = [];
  const keptV: number[] = [];
  const cell = minDistance + 1;
  const gw = Math.ceil(w / cell);
  const grid = new Map<number, number[]>();
  for (const k of cand) {
    if (keptX.length >= maxPeaks) break;
    const y = (k / w) | 0;
    const x = k - y * w;
    const gx = (x / cell) | 0;
    const gy = (y / cell) | 0;
    let clash = false;
    for (let dy = -1; dy <= 1 && !clash; dy++) {
      for (let dx = -1; dx <= 1 && !clash; dx++) {
        const list = grid.get((gy + dy) * gw + (gx + dx));
        if (!list) continue;
        for (const j of list) {
          if (Math.max(Math.abs(keptX[j] - x), Math.abs(keptY[j] - y)) <= minDistance) {
            clash = true;
            break;
          }
        }
      }
    }
    if (clash) continue;
    const id = keptX.length;
    keptX.push(x);
    keptY.push(y);
    keptV.push(s[k]);
    const key = gy * gw + gx;
    const list = grid.get(key);
    if (list) list.push(id);
    else grid.set(key, [id]);
  }
  return {
    x: Int32Array.from(keptX),
    y: Int32Array.from(keptY),
    value: Float64Array.from(keptV),
    count: keptX.length,
    background: stats.median,
    noise: stats.sigma,
    threshold,
    smoothed: sm,
  };
}
