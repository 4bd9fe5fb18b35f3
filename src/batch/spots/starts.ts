/**
 * Start values and bounds of the fits: moments of each peak (in its Voronoi cell among the peaks of its
 * window), the width of isolated spots (for grouping and crowded starts), or the previous pass' fit.
 */
import type { ManyParamInput } from '../fitMany.ts';
import { median } from '../findPeaks.ts';
import type { BatchEstimator } from '../kernel.ts';
import { momentStart, type MomentStart } from '../moments.ts';
import type { SpotModel } from '../models.ts';
import { neighbours } from './group.ts';
import type { SpotsContext } from './options.ts';
import type { Group, PeakPixels } from './regions.ts';
import { isConverged } from './status.ts';

export interface SpotMoments {
  /** Peaks within a window diagonal of each peak. */
  readonly near: number[][];
  readonly moments: MomentStart[];
  /** Median moment width of isolated spots (of all spots when fewer than 3 are isolated). */
  readonly sigmaEstimate: number;
  readonly groupDistance: number;
}

export function spotMoments(ctx: SpotsContext, { px, py }: PeakPixels): SpotMoments {
  const { img, W, H, half } = ctx;
  const near = neighbours(px, py, Math.SQRT2 * (2 * half + 1));
  const most = near.reduce((m, l) => Math.max(m, l.length), 0);
  const ox = new Float64Array(most);
  const oy = new Float64Array(most);
  const moments = near.map((others, i) => {
    others.forEach((j, k) => {
      ox[k] = px[j];
      oy[k] = py[j];
    });
    const k = others.length;
    const opts = k ? { others: { x: ox.subarray(0, k), y: oy.subarray(0, k) } } : {};
    return momentStart(img, H, W, px[i], py[i], half, opts);
  });
  const isolated = moments.filter(
    (_m, i) => !near[i].some((j) => Math.hypot(px[j] - px[i], py[j] - py[i]) <= 2 * half),
  );
  const sigmaEstimate = median((isolated.length >= 3 ? isolated : moments).map((m) => m.sigma)) || 1.5;
  const groupDistance = ctx.options.groupDistance ?? 6 * sigmaEstimate;
  return { near, moments, sigmaEstimate, groupDistance };
}

/** The fits of a previous pass that start values read. */
export interface PriorFit {
  readonly cols: { readonly x: Float64Array; readonly y: Float64Array; readonly status: Float64Array };
  /** Every model parameter of every spot (row-major [n, params]). */
  readonly params: Float64Array;
}

/** The groups of one fit class and where their starts come from. */
export interface StartInput {
  readonly rename: readonly ReadonlyMap<string, string>[];
  readonly gis: readonly number[];
  readonly groups: readonly Group[];
  readonly spots: SpotMoments;
  readonly prior?: PriorFit;
}

function usablePrior(prior: PriorFit | undefined, P: number, i: number): prior is PriorFit {
  if (!prior || i >= prior.cols.x.length || !isConverged(prior.cols.status[i])) return false;
  for (let j = 0; j < P; j++) if (!Number.isFinite(prior.params[i * P + j])) return false;
  return true;
}

/** Start columns by parameter name (of the multi-spot model), one value per group. */
class StartColumns {
  readonly out = new Map<string, Float64Array>();
  constructor(readonly m: number) {}
  set(name: string, f: number, v: number): void {
    let c = this.out.get(name);
    if (!c) this.out.set(name, (c = new Float64Array(this.m)));
    c[f] = v;
  }
}

/** Moment starts of spot `i` (crowded spots start at the typical width, unrotated). */
function momentStarts(
  model: SpotModel,
  cols: StartColumns,
  names: ReadonlyMap<string, string>,
  f: number,
  g: Group,
  mo: MomentStart,
  sigmaEstimate: number,
): void {
  const r = model.roles;
  const crowded = g.members.length > 1;
  const set = (role: string | undefined, v: number): void => {
    if (role) cols.set(names.get(role)!, f, v);
  };
  set(r.amplitude, mo.amplitude);
  set(r.x, mo.x - g.bx);
  set(r.y, mo.y - g.by);
  set(r.sigma, crowded ? sigmaEstimate : mo.sigma);
  if (r.theta) {
    set(r.sigmaX, crowded ? sigmaEstimate : mo.sigmaMajor);
    set(r.sigmaY, crowded ? sigmaEstimate : mo.sigmaMinor);
    set(r.theta, crowded ? 0 : mo.theta);
  } else {
    set(r.sigmaX, crowded ? sigmaEstimate : mo.sigmaXAligned);
    set(r.sigmaY, crowded ? sigmaEstimate : mo.sigmaYAligned);
  }
}

/** The previous pass' fit of spot `i` (a better start than moments), background aside. */
function priorStarts(
  model: SpotModel,
  cols: StartColumns,
  names: ReadonlyMap<string, string>,
  f: number,
  g: Group,
  prior: PriorFit,
  i: number,
): void {
  const r = model.roles;
  const P = model.params.length;
  model.params.forEach((p, j) => {
    if (p === r.background) return;
    const v =
      p === r.x ? prior.cols.x[i] - g.bx : p === r.y ? prior.cols.y[i] - g.by : prior.params[i * P + j];
    cols.set(names.get(p)!, f, v);
  });
}

/** The group's background: the median of its spots' previous fits, or of their moment backgrounds. */
function backgroundStart(ctx: SpotsContext, g: Group, input: StartInput): number {
  const { model, estimator } = ctx;
  const P = model.params.length;
  const b = model.params.indexOf(model.roles.background!);
  const fromPrior = g.members
    .filter((i) => usablePrior(input.prior, P, i))
    .map((i) => input.prior!.params[i * P + b]);
  const bg = fromPrior.length
    ? median(fromPrior)
    : median(g.members.map((i) => input.spots.moments[i].background));
  return estimator === 'poisson' && !(bg > 0) ? 1e-3 : bg;
}

export function startParams(ctx: SpotsContext, input: StartInput): Map<string, Float64Array> {
  const { model } = ctx;
  const r = model.roles;
  const userStart = ctx.options.start ?? {};
  const roleParams = new Set(Object.values(r));
  const userParams = model.params.filter((p) => Object.hasOwn(userStart, p) && !roleParams.has(p));
  const cols = new StartColumns(input.gis.length);
  input.gis.forEach((gi, f) => {
    const g = input.groups[gi];
    g.members.forEach((i, s) => {
      const names = input.rename[s];
      momentStarts(model, cols, names, f, g, input.spots.moments[i], input.spots.sigmaEstimate);
      for (const p of userParams) cols.set(names.get(p) ?? p, f, userStart[p]);
      if (usablePrior(input.prior, model.params.length, i))
        priorStarts(model, cols, names, f, g, input.prior, i);
    });
    if (r.background) cols.set(r.background, f, backgroundStart(ctx, g, input));
  });
  return cols.out;
}

/** Bounds of the fitted parameters (starts clamped into them): amplitudes, centres in the region, widths. */
export function boundParams(
  starts: Map<string, Float64Array>,
  model: SpotModel,
  rename: readonly ReadonlyMap<string, string>[],
  region: { readonly bw: number; readonly bh: number },
  estimator: BatchEstimator,
  amax: Float64Array,
): Record<string, ManyParamInput> {
  const { bw, bh } = region;
  const r = model.roles;
  const bounds = new Map<string, [number, number | Float64Array]>();
  const big = Math.max(bw, bh);
  for (const names of rename) {
    if (r.amplitude) bounds.set(names.get(r.amplitude)!, [0, amax]);
    bounds.set(names.get(r.x)!, [-0.5, bw - 0.5]);
    bounds.set(names.get(r.y)!, [-0.5, bh - 0.5]);
    for (const s of [r.sigma, r.sigmaX, r.sigmaY]) if (s) bounds.set(names.get(s)!, [0.3, big]);
  }
  if (r.background && estimator === 'poisson') bounds.set(r.background, [0, Infinity]);
  const out: Record<string, ManyParamInput> = {};
  for (const [name, v] of starts) {
    const b = bounds.get(name);
    if (b) {
      const hi = b[1];
      for (let i = 0; i < v.length; i++)
        v[i] = Math.min(Math.max(v[i], b[0]), typeof hi === 'number' ? hi : hi[i]);
      out[name] = { value: v, min: b[0], max: hi };
    } else out[name] = v;
  }
  return out;
}
