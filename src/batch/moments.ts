/**
 * Non-iterative start values of a spot from image moments.
 *
 * In the window of half-width `half` around a peak pixel (clipped to the image):
 * - background b: the median of the window's outer ring (robust to the spot and to stray neighbours),
 *   noise: MAD·1.4826 of the ring;
 * - amplitude: the peak pixel minus b;
 * - centre, widths and angle: intensity-weighted first and second moments of (v − b) over the pixels brighter
 *   than b + q·amplitude (q = 0.2) — optionally only the pixels nearer to this peak than to any other given
 *   peak (its Voronoi cell, for crowded fields). A 2-D Gaussian cut at the level q·A has second moments
 *   σ²·(1 − q(1 + ln(1/q)))/(1 − q) along each axis, so the measured variances are divided by that factor;
 * - axes and angle from the eigen-decomposition of the 2x2 covariance: θ = ½·atan2(2c_xy, c_xx − c_yy).
 */
import { medianInPlace } from './select.ts';

export interface MomentStart {
  /** Peak height above the background. */
  readonly amplitude: number;
  /** Centre (image pixel coordinates, 0-based pixel centres). */
  readonly x: number;
  readonly y: number;
  /** Width of a symmetric spot: sqrt((c_xx + c_yy)/2). */
  readonly sigma: number;
  /** Axis-aligned widths sqrt(c_xx), sqrt(c_yy). */
  readonly sigmaXAligned: number;
  readonly sigmaYAligned: number;
  /** Principal widths (major along theta) and the angle of the major axis from +x towards +y. */
  readonly sigmaMajor: number;
  readonly sigmaMinor: number;
  readonly theta: number;
  readonly background: number;
  readonly noise: number;
  /** Number of pixels used for the moments. */
  readonly pixels: number;
}

const Q = 0.2;
const TRUNC = (1 - Q * (1 + Math.log(1 / Q))) / (1 - Q);

export interface MomentOptions {
  /** Other peaks (image coordinates): pixels nearer to one of them than to this peak are not used. */
  readonly others?: { readonly x: ArrayLike<number>; readonly y: ArrayLike<number> };
  /** Width to use when the moments are not determined (too few pixels); default 1.5. */
  readonly fallbackSigma?: number;
}

/** Scratch of the ring's values (grown as needed: no allocation per spot). */
let ringScratch = new Float64Array(64);

/** The finite values on the border of the window [x0, x1] x [y0, y1], in the scratch (their count). */
function ringValues(img: Float64Array, w: number, box: Box): number {
  const { x0, x1, y0, y1 } = box;
  const most = 2 * (x1 - x0 + 1) + 2 * (y1 - y0 + 1);
  if (ringScratch.length < most) ringScratch = new Float64Array(most);
  const ring = ringScratch;
  let n = 0;
  // (No closure for the pushes: this runs once per spot.)
  for (let x = x0; x <= x1; x++) n = pushFinite(ring, n, img[y0 * w + x]);
  if (y1 > y0) for (let x = x0; x <= x1; x++) n = pushFinite(ring, n, img[y1 * w + x]);
  for (let y = y0 + 1; y < y1; y++) {
    n = pushFinite(ring, n, img[y * w + x0]);
    if (x1 > x0) n = pushFinite(ring, n, img[y * w + x1]);
  }
  return n;
}

/** Appends v at ring[n] when finite; the new count. */
function pushFinite(ring: Float64Array, n: number, v: number): number {
  if (v - v !== 0) return n;
  ring[n] = v;
  return n + 1;
}

interface Box {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/** Background (median, 0 when none) and noise (MAD·1.4826) of the window's outer ring. */
function ringStats(img: Float64Array, w: number, box: Box): { bg: number; noise: number } {
  const n = ringValues(img, w, box);
  if (n === 0) return { bg: 0, noise: 0 };
  const ring = ringScratch.subarray(0, n);
  const bg = medianInPlace(ring);
  for (let i = 0; i < n; i++) ring[i] = Math.abs(ring[i] - bg);
  return { bg, noise: 1.4826 * medianInPlace(ring) };
}

/** Moment start values of the spot whose peak pixel is (px, py) in image `img` (row-major h x w). */
export function momentStart(
  img: Float64Array,
  h: number,
  w: number,
  px: number,
  py: number,
  half: number,
  options: MomentOptions = {},
): MomentStart {
  const others = options.others;
  const near: OtherPeaks = others
    ? { x: others.x, y: others.y, count: others.x.length }
    : { x: NO_PEAKS, y: NO_PEAKS, count: 0 };
  return momentStartAmong(img, h, w, px, py, half, near, options.fallbackSigma ?? 1.5);
}

/** The first `count` of other peaks' coordinates. */
export interface OtherPeaks {
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly count: number;
}

const NO_PEAKS = new Float64Array(0);

/**
 * A quarter of the least squared distance D² from the peak c = (px, py) to the other peaks, less a relative
 * margin: a pixel p whose squared distance d from the peak is below it (|p − c| < D/2) is nearer to the peak
 * than to any other (|p − o| ≥ D − |p − c| > |p − c|), so its Voronoi test is skipped; the margin keeps the
 * rounding of fractional peak positions out of it. NaN (never skipping) when a position is NaN.
 */
function cellCore(px: number, py: number, others: OtherPeaks): number {
  let d2 = Infinity;
  for (let k = 0; k < others.count; k++) {
    const dx = others.x[k] - px;
    const dy = others.y[k] - py;
    d2 = Math.min(d2, dx * dx + dy * dy);
  }
  return d2 / (4 * (1 + 1e-9));
}

/** Whether pixel (x, y), at squared distance d from the peak, is nearer to one of the other peaks. */
function inOtherCell(x: number, y: number, d: number, others: OtherPeaks): boolean {
  const { x: ox, y: oy, count } = others;
  for (let k = 0; k < count; k++) {
    const e = (x - ox[k]) * (x - ox[k]) + (y - oy[k]) * (y - oy[k]);
    if (e < d) return true;
  }
  return false;
}

/** A width within [0.5, hi]. */
function clampWidth(s: number, hi: number): number {
  return Math.min(Math.max(s, 0.5), hi);
}

/**
 * `momentStart` with the other peaks given as the first `count` of two coordinate arrays (no allocation for
 * them) and the fallback width.
 */
export function momentStartAmong(
  img: Float64Array,
  h: number,
  w: number,
  px: number,
  py: number,
  half: number,
  others: OtherPeaks,
  fallback: number,
): MomentStart {
  const x0 = Math.max(0, px - half);
  const x1 = Math.min(w - 1, px + half);
  const y0 = Math.max(0, py - half);
  const y1 = Math.min(h - 1, py + half);
  const { bg, noise } = ringStats(img, w, { x0, x1, y0, y1 });
  let peak = img[py * w + px] - bg;
  if (!(peak > 0)) {
    for (let y = Math.max(y0, py - 1); y <= Math.min(y1, py + 1); y++) {
      for (let x = Math.max(x0, px - 1); x <= Math.min(x1, px + 1); x++) {
        const v = img[y * w + x] - bg;
        if (v > peak) peak = v;
      }
    }
  }
  if (!(peak > 0)) peak = Math.max(noise, 1e-12);
  const level = Q * peak;
  const no = others.count;
  const core = no ? cellCore(px, py, others) : Infinity;
  let s0 = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let count = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const v = img[y * w + x] - bg;
      if (!(v > level)) continue;
      const dx = x - px;
      const dy = y - py;
      const d = dx * dx + dy * dy;
      if (!(d < core) && no && inOtherCell(x, y, d, others)) continue;
      s0 += v;
      sx += v * dx;
      sy += v * dy;
      sxx += v * dx * dx;
      syy += v * dy * dy;
      sxy += v * dx * dy;
      count++;
    }
  }
  let cx = px;
  let cy = py;
  let vxx = fallback * fallback;
  let vyy = vxx;
  let vxy = 0;
  if (count >= 3 && s0 > 0) {
    const mx = sx / s0;
    const my = sy / s0;
    cx = px + mx;
    cy = py + my;
    const cxx = (sxx / s0 - mx * mx) / TRUNC;
    const cyy = (syy / s0 - my * my) / TRUNC;
    const cxy = (sxy / s0 - mx * my) / TRUNC;
    if (cxx > 0 && cyy > 0) {
      vxx = cxx;
      vyy = cyy;
      vxy = cxy;
    }
  }
  const lim = Math.max(half, 1);
  const tr = (vxx + vyy) / 2;
  const det = Math.sqrt(((vxx - vyy) / 2) ** 2 + vxy * vxy);
  const theta = 0.5 * Math.atan2(2 * vxy, vxx - vyy);
  return {
    amplitude: peak,
    x: Math.min(Math.max(cx, x0 - 0.5), x1 + 0.5),
    y: Math.min(Math.max(cy, y0 - 0.5), y1 + 0.5),
    sigma: clampWidth(Math.sqrt(tr), lim),
    sigmaXAligned: clampWidth(Math.sqrt(vxx), lim),
    sigmaYAligned: clampWidth(Math.sqrt(vyy), lim),
    sigmaMajor: clampWidth(Math.sqrt(tr + det), lim),
    sigmaMinor: clampWidth(Math.sqrt(Math.max(tr - det, 1e-6)), lim),
    theta,
    background: bg,
    noise,
    pixels: count,
  };
}
