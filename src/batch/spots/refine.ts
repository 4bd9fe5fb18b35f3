/**
 * Refinement after the first pass: blends (a spot fitted much wider than the others) are split in two by
 * targeted refits of their groups (split.ts), and peaks of the residual image become new spots; after each
 * residual pass everything is fitted again from the previous fits, and components the joint fit made
 * insignificant or put onto another spot are dropped.
 */
import { gaussfilter, gaussianWeights } from '../../arrays/index.ts';
import { num } from '../../ast/index.ts';
import { compileValues } from '../../compile/index.ts';
import { NdArray } from '../../data/index.ts';
import { simplify, substitute } from '../../symbolic/index.ts';
import { findPeaks, median, parseThreshold, robustStats } from '../findPeaks.ts';
import { fitPass, type PassIndex, type PassResult } from './fit.ts';
import type { SpotsContext } from './options.ts';
import { clampInt } from './regions.ts';
import { SPOT_COLUMNS, type Refinement, type SpotColumn } from './report.ts';
import { splitBlends, type PeakSet } from './split.ts';
import { STATUS } from './status.ts';

/** Numbers the passes (for progress): `next()` is the index of the next one. */
export interface PassCounter {
  readonly total: number;
  next(): number;
}

/** Peaks to add (pixels), and the spots they replace. */
interface PeakEdit {
  readonly remove: ReadonlySet<number>;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

/** The most passes the refinement may run (1, 1 per blend round, 2 per residual pass). */
export function totalPasses(ctx: SpotsContext): number {
  return 1 + 2 * ctx.options.residualPasses + (ctx.splitBlends ? 3 : 0);
}

export function passCounter(total: number): PassCounter {
  let index = 0;
  return { total, next: () => index++ };
}

/** Splits blends (split.ts) and adds residual peaks (`residualPasses` times), refitting after each. */
export async function refineSpots(
  ctx: SpotsContext,
  first: PeakSet,
  counter: PassCounter,
): Promise<{ final: PeakSet } & Refinement> {
  const blends = ctx.splitBlends ? await splitBlends(ctx, first, () => at(counter)) : undefined;
  let set = blends?.set ?? first;
  const split = blends?.split ?? 0;
  let added = 0;
  for (let r = 0; r < ctx.options.residualPasses; r++) {
    const extra = residualPeaks(ctx, set);
    if (extra.x.length === 0) break;
    const refit = await refitAfterEdit(ctx, set, { remove: new Set(), ...extra }, counter);
    added += refit.kept;
    set = refit.set;
  }
  return { final: set, split, added };
}

/**
 * Refits after an edit of the peak list (spots removed, peaks added), from the previous fits; when some
 * spots do not survive, the rest is fitted once more. `kept`: the new peaks that survived.
 */
async function refitAfterEdit(
  ctx: SpotsContext,
  set: PeakSet,
  edit: PeakEdit,
  counter: PassCounter,
): Promise<{ set: PeakSet; kept: number }> {
  const { model, W, H } = ctx;
  const P = model.params.length;
  const keepOld = Array.from({ length: set.px.length }, (_v, i) => i).filter((i) => !edit.remove.has(i));
  const px = Int32Array.from([...keepOld.map((i) => set.px[i]), ...edit.x]);
  const py = Int32Array.from([...keepOld.map((i) => set.py[i]), ...edit.y]);
  const prior = subsetPass(set.pass, [...keepOld, ...edit.x.map(() => -1)], P);
  const next = await fitPass(ctx, { px, py }, at(counter), prior);
  const keep = survivors(ctx, next);
  const kept = keep.filter((i) => i >= keepOld.length).length;
  const again = at(counter);
  if (keep.length === px.length) return { set: { px, py, pass: next }, kept };
  const kx = Int32Array.from(keep, (i) => clampInt(Math.round(next.cols.x[i]), 0, W - 1, px[i]));
  const ky = Int32Array.from(keep, (i) => clampInt(Math.round(next.cols.y[i]), 0, H - 1, py[i]));
  const pass = await fitPass(ctx, { px: kx, py: ky }, again, subsetPass(next, keep, P));
  return { set: { px: kx, py: ky, pass }, kept };
}

function at(counter: PassCounter): PassIndex {
  return { index: counter.next(), total: counter.total };
}

/** Amplitudes in decreasing order (non-finite last), ties by index. */
function brightestFirst(amplitude: Float64Array): number[] {
  const a = (i: number): number => (Number.isFinite(amplitude[i]) ? amplitude[i] : -Infinity);
  return Array.from({ length: amplitude.length }, (_v, i) => i).sort((p, q) => a(q) - a(p) || p - q);
}

/**
 * The spots to keep after a refit: every spot except one whose fitted amplitude became insignificant (below
 * 3 standard errors, or not finite), or that sits within 0.5·σ of a brighter spot (two components on one spot).
 */
function survivors(ctx: SpotsContext, pass: PassResult): number[] {
  const c = pass.cols;
  const hasAmp = ctx.model.roles.amplitude !== undefined;
  const kept = new KeptGrid(c.x, c.y);
  for (const i of brightestFirst(c.amplitude)) {
    const a = c.amplitude[i];
    const e = c.amplitude_err[i];
    if (!Number.isFinite(c.x[i]) || !Number.isFinite(c.y[i])) continue;
    if (hasAmp && (!(a > 0) || (Number.isFinite(e) && a < 3 * e))) continue;
    const s = Math.max(0.5, Math.min(c.sigma_x[i], c.sigma_y[i]) || pass.sigmaEstimate);
    if (!kept.within(i, 0.5 * s)) kept.add(i);
  }
  return kept.list.sort((a, b) => a - b);
}

/** Kept spots in a grid of 1-pixel cells: which lie within a radius of a spot. */
class KeptGrid {
  readonly list: number[] = [];
  private readonly cells = new Map<number, number[]>();
  constructor(
    private readonly x: Float64Array,
    private readonly y: Float64Array,
  ) {}
  private key(cx: number, cy: number): number {
    return cy * 1_048_576 + cx;
  }
  add(i: number): void {
    const k = this.key(Math.floor(this.x[i]), Math.floor(this.y[i]));
    const l = this.cells.get(k);
    if (l) l.push(i);
    else this.cells.set(k, [i]);
    this.list.push(i);
  }
  within(i: number, r: number): boolean {
    const { x, y } = this;
    const reach = Math.ceil(r);
    const cx = Math.floor(x[i]);
    const cy = Math.floor(y[i]);
    for (let gy = cy - reach; gy <= cy + reach; gy++)
      for (let gx = cx - reach; gx <= cx + reach; gx++)
        for (const j of this.cells.get(this.key(gx, gy)) ?? [])
          if ((x[j] - x[i]) ** 2 + (y[j] - y[i]) ** 2 < r * r) return true;
    return false;
  }
}

/**
 * The part of a pass that start values read (fits and status) for the spots `keep` (renumbered in that order;
 * -1: a new spot without a previous fit).
 */
function subsetPass(pass: PassResult, keep: readonly number[], P: number): PassResult {
  const cols = Object.fromEntries(
    SPOT_COLUMNS.map((k) => [k, Float64Array.from(keep, (i) => (i < 0 ? NaN : pass.cols[k][i]))]),
  ) as Record<SpotColumn, Float64Array>;
  const params = new Float64Array(keep.length * P).fill(NaN);
  keep.forEach((i, j) => {
    if (i >= 0) params.set(pass.params.subarray(i * P, (i + 1) * P), j * P);
  });
  return {
    ...pass,
    cols,
    params,
    sigmaErr: Float64Array.from(keep, (i) => (i < 0 ? NaN : pass.sigmaErr[i])),
    npoints: Float64Array.from(keep, (i) => (i < 0 ? NaN : pass.npoints[i])),
  };
}

/** The values of one spot's model, bound to a square window of a given size (rebound when the size changes). */
class WindowModel {
  static readonly maxR = 64;
  readonly wx = new Float64Array(2 * WindowModel.maxR + 1);
  readonly wy = new Float64Array(2 * WindowModel.maxR + 1);
  readonly out = new Float64Array((2 * WindowModel.maxR + 1) ** 2);
  private bound: ReturnType<ReturnType<typeof compileValues>['bind']> | undefined;
  private boundSize = -1;
  constructor(private readonly values: ReturnType<typeof compileValues>) {}

  evaluate(p: Float64Array, size: number): Float64Array {
    if (size !== this.boundSize) {
      this.bound = this.values.bind({
        x: new NdArray(this.wx.subarray(0, size), [1, size]),
        y: new NdArray(this.wy.subarray(0, size), [size, 1]),
      });
      this.boundSize = size;
    }
    this.bound!.values(p, new Float64Array(0), this.out);
    return this.out;
  }
}

/** The parameters of spot `i` when all are finite and the fit is not non-finite. */
function spotParams(pass: PassResult, i: number, p: Float64Array): boolean {
  if (pass.cols.status[i] === STATUS.nonFinite) return false;
  const P = p.length;
  for (let j = 0; j < P; j++) p[j] = pass.params[i * P + j];
  return p.every(Number.isFinite);
}

/** The fitted spots (without background) painted over windows of 4 widths around each. */
function spotModelImage(ctx: SpotsContext, pass: PassResult): Float64Array {
  const { W, H, model } = ctx;
  const bgName = model.roles.background;
  const spot = bgName ? simplify(substitute(model.expr, new Map([[bgName, num(0)]]))) : model.expr;
  const win = new WindowModel(compileValues(spot, { params: model.params, variables: ['x', 'y'] }));
  const mImg = new Float64Array(W * H);
  const p = new Float64Array(model.params.length);
  for (let i = 0; i < pass.cols.x.length; i++) {
    if (!spotParams(pass, i, p)) continue;
    const s = Math.max(pass.cols.sigma_x[i], pass.cols.sigma_y[i]);
    const r = Math.min(WindowModel.maxR, Math.ceil(4 * (Number.isFinite(s) ? s : pass.sigmaEstimate)) + 1);
    const cx = Math.round(pass.cols.x[i]);
    const cy = Math.round(pass.cols.y[i]);
    if (!Number.isFinite(cx) || !Number.isFinite(cy)) continue;
    const g = pass.groups[pass.group[i]];
    const size = 2 * r + 1;
    // Coordinates in the spot's fitted region.
    for (let t = 0; t < size; t++) {
      win.wx[t] = cx - r + t - g.bx;
      win.wy[t] = cy - r + t - g.by;
    }
    paint(mImg, W, H, win.evaluate(p, size), { x0: cx - r, y0: cy - r, size });
  }
  return mImg;
}

/** Adds the finite values of a size x size window at (x0, y0) to the image, clipped at its edges. */
function paint(
  mImg: Float64Array,
  W: number,
  H: number,
  out: Float64Array,
  at: { x0: number; y0: number; size: number },
): void {
  const { x0, y0, size } = at;
  for (let a = 0; a < size; a++) {
    const y = y0 + a;
    if (y < 0 || y >= H) continue;
    for (let b = 0; b < size; b++) {
      const x = x0 + b;
      if (x < 0 || x >= W) continue;
      const v = out[a * size + b];
      if (Number.isFinite(v)) mImg[y * W + x] += v;
    }
  }
}

/**
 * Background of the residual: the median of image − spots over each group's region (robust to the few
 * pixels of spots not fitted yet, and to a background a poor fit got wrong), the global median elsewhere.
 */
function residualBackground(ctx: SpotsContext, pass: PassResult, mImg: Float64Array): Float64Array {
  const { img, W, H } = ctx;
  const diff = new Float64Array(W * H);
  for (let k = 0; k < diff.length; k++) diff[k] = img[k] - mImg[k];
  const bImg = new Float64Array(W * H).fill(median(diff));
  for (const g of pass.groups) {
    const vals: number[] = [];
    for (let y = g.by; y < g.by + g.bh; y++)
      for (let x = g.bx; x < g.bx + g.bw; x++) vals.push(diff[y * W + x]);
    const b = median(vals);
    if (!Number.isFinite(b)) continue;
    for (let y = g.by; y < g.by + g.bh; y++) for (let x = g.bx; x < g.bx + g.bw; x++) bImg[y * W + x] = b;
  }
  return bImg;
}

/**
 * The significance of the residual: smoothed like the detection image and divided by its standard deviation —
 * noise² + gain·(spot model), the gain estimated as noise²/background (1 for counts).
 */
function significance(ctx: SpotsContext, mImg: Float64Array, bImg: Float64Array): NdArray {
  const { img, W, H } = ctx;
  const rawStats = robustStats(img);
  const noise2 = rawStats.sigma * rawStats.sigma;
  const gain = rawStats.median > 0 ? noise2 / rawStats.median : 0;
  const res = new Float64Array(W * H);
  const vr = new Float64Array(W * H);
  for (let k = 0; k < res.length; k++) {
    const v = img[k];
    res[k] = Number.isFinite(v) ? v - mImg[k] - bImg[k] : 0;
    vr[k] = noise2 + gain * Math.max(0, mImg[k]);
  }
  const smooth = ctx.options.smooth;
  let sres = new NdArray(res, [H, W]);
  let svar = new NdArray(vr, [H, W]);
  if (smooth > 0) {
    const w1 = gaussianWeights(smooth);
    let s2 = w1[0] * w1[0];
    for (let k = 1; k < w1.length; k++) s2 += 2 * w1[k] * w1[k];
    sres = gaussfilter(sres, smooth, 'nearest');
    svar = gaussfilter(svar, smooth / Math.SQRT2, 'nearest');
    const sv = svar.data;
    for (let k = 0; k < sv.length; k++) sv[k] *= s2 * s2;
  }
  const sig = new Float64Array(W * H);
  for (let k = 0; k < sig.length; k++) sig[k] = sres.data[k] / Math.sqrt(Math.max(svar.data[k], 1e-300));
  return new NdArray(sig, [H, W]);
}

/** Local maxima of the significance above the detection's k, not near a fitted spot or on a peak pixel. */
function significancePeaks(ctx: SpotsContext, set: PeakSet, sig: NdArray): { x: number[]; y: number[] } {
  const { W, options } = ctx;
  const n = set.px.length;
  const th = parseThreshold(options.threshold);
  const found = findPeaks(sig, {
    minDistance: options.minDistance,
    threshold: 'sigma' in th ? th.sigma : 5,
    smooth: 0,
    border: options.border,
  });
  const taken = new Set<number>();
  for (let i = 0; i < n; i++) taken.add(set.py[i] * W + set.px[i]);
  const fx = set.pass.cols.x;
  const fy = set.pass.cols.y;
  const xs: number[] = [];
  const ys: number[] = [];
  const near = (x: number, y: number, ax: ArrayLike<number>, ay: ArrayLike<number>, m: number): boolean => {
    for (let i = 0; i < m; i++) if ((ax[i] - x) ** 2 + (ay[i] - y) ** 2 < 2.25) return true;
    return false;
  };
  const limit = options.maxPeaks ?? Infinity;
  for (let j = 0; j < found.count && n + xs.length < limit; j++) {
    const x = found.x[j];
    const y = found.y[j];
    if (taken.has(y * W + x) || near(x, y, fx, fy, n) || near(x, y, xs, ys, xs.length)) continue;
    xs.push(x);
    ys.push(y);
  }
  return { x: xs, y: ys };
}

/**
 * Peaks of the residual image (the image minus every fitted spot and its group's background): spots hidden
 * in the shoulders of brighter ones, or pairs fitted as one. Its significance's local maxima above the
 * detection's k (5 by default) become new peaks, unless within 1.5 pixels of a fitted spot or on an existing
 * peak pixel.
 */
function residualPeaks(ctx: SpotsContext, set: PeakSet): { x: number[]; y: number[] } {
  const mImg = spotModelImage(ctx, set.pass);
  const bImg = residualBackground(ctx, set.pass, mImg);
  return significancePeaks(ctx, set, significance(ctx, mImg, bImg));
}
