/**
 * Overlay PNG of a spot fit: the image in grey (robust range: the 0.5th to 99.9th percentile), upscaled by an
 * integer factor, with each fitted spot drawn as its ellipse at `nsigma` standard deviations (axes sigma_x,
 * sigma_y, rotated by theta) and a small cross at its centre — green when the fit converged, red otherwise.
 */
import { ExprfitError } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import { encodeRgbaPng } from '../data/node.ts';
import { quickselect } from './select.ts';
import { STATUS } from './lm.ts';

export interface OverlayOptions {
  /** Integer upscaling (default: the largest of 1..8 that keeps the image within about 1000 pixels). */
  scale?: number;
  /** Ellipse size in standard deviations (default 2). */
  nsigma?: number;
  /** Grey range; default the 0.5th..99.9th percentile of the finite pixels. */
  range?: readonly [number, number];
}

export interface SpotColumns {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly sigma_x: Float64Array;
  readonly sigma_y: Float64Array;
  readonly theta: Float64Array;
  readonly status: Float64Array;
}

function percentile(values: Float64Array, q: number): number {
  const a = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) a[n++] = values[i];
  if (n === 0) return NaN;
  return quickselect(a.subarray(0, n), Math.min(n - 1, Math.max(0, Math.round(q * (n - 1)))));
}

/** RGBA bytes of the overlay (see the module comment). */
export function overlayRgba(
  image: NdArray,
  cols: SpotColumns,
  options: OverlayOptions = {},
): { rgba: Uint8Array; width: number; height: number; scale: number } {
  if (image.ndim !== 2) throw new ExprfitError('shape', 'an overlay needs a 2-D image');
  const [H, W] = image.shape;
  const s = options.scale ?? Math.max(1, Math.min(8, Math.floor(1000 / Math.max(W, H))));
  if (!Number.isInteger(s) || s < 1 || s > 64)
    throw new ExprfitError('option', `overlay scale must be an integer from 1 to 64, got ${s}`);
  const nsig = options.nsigma ?? 2;
  let [lo, hi] = options.range ?? [percentile(image.data, 0.005), percentile(image.data, 0.999)];
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (hi <= lo) hi = lo + 1;
  const w = W * s;
  const h = H * s;
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const row = ((y / s) | 0) * W;
    for (let x = 0; x < w; x++) {
      const v = image.data[row + ((x / s) | 0)];
      const g = Number.isFinite(v) ? Math.round(255 * Math.min(1, Math.max(0, (v - lo) / (hi - lo)))) : 0;
      const o = (y * w + x) * 4;
      rgba[o] = g;
      rgba[o + 1] = g;
      rgba[o + 2] = Number.isFinite(v) ? g : 80;
      rgba[o + 3] = 255;
    }
  }
  const thick = s >= 4 ? 1 : 0;
  const plot = (x: number, y: number, r: number, gr: number, b: number): void => {
    for (let dy = -thick; dy <= thick; dy++) {
      for (let dx = -thick; dx <= thick; dx++) {
        const X = Math.round(x) + dx;
        const Y = Math.round(y) + dy;
        if (X < 0 || Y < 0 || X >= w || Y >= h) continue;
        const o = (Y * w + X) * 4;
        rgba[o] = r;
        rgba[o + 1] = gr;
        rgba[o + 2] = b;
      }
    }
  };
  const n = cols.x.length;
  for (let i = 0; i < n; i++) {
    const cx = (cols.x[i] + 0.5) * s;
    const cy = (cols.y[i] + 0.5) * s;
    if (!Number.isFinite(cx) || !Number.isFinite(cy)) continue;
    const ok = cols.status[i] === STATUS.converged;
    const [r, g, b] = ok ? [40, 255, 40] : [255, 40, 40];
    let a = nsig * cols.sigma_x[i] * s;
    let bb = nsig * cols.sigma_y[i] * s;
    if (!Number.isFinite(a) || !Number.isFinite(bb)) a = bb = 2 * s;
    const th = Number.isFinite(cols.theta[i]) ? cols.theta[i] : 0;
    const c = Math.cos(th);
    const sn = Math.sin(th);
    const steps = Math.min(20000, Math.ceil((2 * Math.PI * Math.max(a, bb)) / 0.5) + 8);
    for (let k = 0; k < steps; k++) {
      const t = (2 * Math.PI * k) / steps;
      const u = a * Math.cos(t);
      const v = bb * Math.sin(t);
      plot(cx + u * c - v * sn, cy + u * sn + v * c, r, g, b);
    }
    const arm = Math.max(1, s);
    for (let d = -arm; d <= arm; d++) {
      plot(cx + d, cy, r, g, b);
      plot(cx, cy + d, r, g, b);
    }
  }
  return { rgba, width: w, height: h, scale: s };
}

/** PNG bytes of the overlay. */
export async function overlayPng(
  image: NdArray,
  cols: SpotColumns,
  options: OverlayOptions = {},
): Promise<Uint8Array> {
  const { rgba, width, height, scale } = overlayRgba(image, cols, options);
  return encodeRgbaPng(rgba, width, height, { 'exprfit:overlay': `spots ${cols.x.length} scale ${scale}` });
}
