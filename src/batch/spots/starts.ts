/**
 * Start values and bounds of the fits: moments of each peak (in its Voronoi cell among the peaks of its
 * window), the width of isolated spots (for grouping and crowded starts), or the previous pass' fit.
 */
import type { ManyParamInput } from '../fitMany.ts';
import { median } from '../findPeaks.ts';
import type { BatchEstimator } from '../kernel.ts';
import { momentStartAmong, type MomentStart } from '../moments.ts';
import type { SpotModel } from '../models.ts';
import { neighbours, type NeighbourLists } from './group.ts';
import type { SpotsContext } from './options.ts';
import { rowOrder, type Group, type PeakPixels } from './regions.ts';
import { isConverged } from './status.ts';

export interface SpotMoments {
  /** Peaks within a window diagonal of each peak. */
  readonly near: NeighbourLists;
  readonly moments: MomentStart[];
  /** Median moment width of isolated spots (of all spots when fewer than 3 are isolated). */
  readonly sigmaEstimate: number;
  readonly groupDistance: number;
}

export function spotMoments(ctx: SpotsContext, { px, py }: PeakPixels): SpotMoments {
  const { img, W, H, half } = ctx;
  const near = neighbours(px, py, Math.SQRT2 * (2 * half + 1));
  let most = 0;
  for (let i = 0; i < px.length; i++) most = Math.max(most, near.start[i + 1] - near.start[i]);
  const others = { x: new Float64Array(most), y: new Float64Array(most), count: 0 };
  const n = px.length;
  const moments: MomentStart[] = new Array(n);
  const sigmas = new Float64Array(n);
  let isolated = 0;
  const reach2 = (2 * half) ** 2;
  for (const i of rowOrder(n, (k) => py[k], H)) {
    const from = near.start[i];
    const count = near.start[i + 1] - from;
    let alone = true;
    for (let k = 0; k < count; k++) {
      const j = near.list[from + k];
      others.x[k] = px[j];
      others.y[k] = py[j];
      // Integer pixels: the squared distance is exact (as is the comparison).
      if ((px[j] - px[i]) ** 2 + (py[j] - py[i]) ** 2 <= reach2) alone = false;
    }
    others.count = count;
    moments[i] = momentStartAmong(img, H, W, px[i], py[i], half, others, 1.5);
    if (alone) sigmas[isolated++] = moments[i].sigma;
  }
  const widths = isolated >= 3 ? sigmas.subarray(0, isolated) : Float64Array.from(moments, (m) => m.sigma);
  const sigmaEstimate = median(widths) || 1.5;
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
  column(name: string): Float64Array {
    let c = this.out.get(name);
    if (!c) this.out.set(name, (c = new Float64Array(this.m)));
    return c;
  }
}

/** The start columns of one spot slot of the multi-spot model, resolved once per class. */
interface SlotStarts {
  readonly amplitude?: Float64Array;
  readonly x?: Float64Array;
  readonly y?: Float64Array;
  readonly sigma?: Float64Array;
  readonly sigmaX?: Float64Array;
  readonly sigmaY?: Float64Array;
  readonly theta?: Float64Array;
  /** User start values of parameters without a role. */
  readonly user: readonly { readonly col: Float64Array; readonly value: number }[];
  /** Each model parameter's column (the background's undefined: it is the group's), made when first asked for. */
  readonly params: () => readonly (Float64Array | undefined)[];
}

function slotStarts(
  model: SpotModel,
  cols: StartColumns,
  names: ReadonlyMap<string, string>,
  user: { readonly params: readonly string[]; readonly start: Readonly<Record<string, number>> },
): SlotStarts {
  const r = model.roles;
  const col = (role: string | undefined): Float64Array | undefined =>
    role ? cols.column(names.get(role)!) : undefined;
  let params: (Float64Array | undefined)[] | undefined;
  return {
    amplitude: col(r.amplitude),
    x: col(r.x),
    y: col(r.y),
    sigma: col(r.sigma),
    sigmaX: col(r.sigmaX),
    sigmaY: col(r.sigmaY),
    theta: col(r.theta),
    user: user.params.map((p) => ({ col: cols.column(names.get(p) ?? p), value: user.start[p] })),
    params: () =>
      (params ??= model.params.map((p) => (p === r.background ? undefined : cols.column(names.get(p)!)))),
  };
}

/** Moment starts of a spot (crowded spots start at the typical width, unrotated). */
function momentStarts(slot: SlotStarts, f: number, g: Group, mo: MomentStart, sigmaEstimate: number): void {
  const crowded = g.members.length > 1;
  if (slot.amplitude) slot.amplitude[f] = mo.amplitude;
  if (slot.x) slot.x[f] = mo.x - g.bx;
  if (slot.y) slot.y[f] = mo.y - g.by;
  if (slot.sigma) slot.sigma[f] = crowded ? sigmaEstimate : mo.sigma;
  if (slot.theta) {
    if (slot.sigmaX) slot.sigmaX[f] = crowded ? sigmaEstimate : mo.sigmaMajor;
    if (slot.sigmaY) slot.sigmaY[f] = crowded ? sigmaEstimate : mo.sigmaMinor;
    slot.theta[f] = crowded ? 0 : mo.theta;
  } else {
    if (slot.sigmaX) slot.sigmaX[f] = crowded ? sigmaEstimate : mo.sigmaXAligned;
    if (slot.sigmaY) slot.sigmaY[f] = crowded ? sigmaEstimate : mo.sigmaYAligned;
  }
}

/** The previous pass' fit of spot `i` (a better start than moments), background aside. */
function priorStarts(
  model: SpotModel,
  slot: SlotStarts,
  f: number,
  g: Group,
  prior: PriorFit,
  i: number,
): void {
  const r = model.roles;
  const P = model.params.length;
  const params = slot.params();
  model.params.forEach((p, j) => {
    const col = params[j];
    if (!col) return;
    col[f] =
      p === r.x ? prior.cols.x[i] - g.bx : p === r.y ? prior.cols.y[i] - g.by : prior.params[i * P + j];
  });
}

/** The median of one value (as `median` gives it: NaN when not finite). */
function medianOfOne(v: number): number {
  return Number.isFinite(v) ? v : NaN;
}

/** The group's background: the median of its spots' previous fits, or of their moment backgrounds. */
function backgroundStart(ctx: SpotsContext, g: Group, input: StartInput): number {
  const { model, estimator } = ctx;
  const P = model.params.length;
  const b = model.params.indexOf(model.roles.background!);
  const bg =
    g.members.length === 1
      ? singleBackground(input, P, b, g.members[0])
      : groupBackground(input, P, b, g.members);
  return estimator === 'poisson' && !(bg > 0) ? 1e-3 : bg;
}

function singleBackground(input: StartInput, P: number, b: number, i: number): number {
  return usablePrior(input.prior, P, i)
    ? medianOfOne(input.prior.params[i * P + b])
    : medianOfOne(input.spots.moments[i].background);
}

function groupBackground(input: StartInput, P: number, b: number, members: readonly number[]): number {
  const fromPrior = members
    .filter((i) => usablePrior(input.prior, P, i))
    .map((i) => input.prior!.params[i * P + b]);
  return fromPrior.length ? median(fromPrior) : median(members.map((i) => input.spots.moments[i].background));
}

export function startParams(ctx: SpotsContext, input: StartInput): Map<string, Float64Array> {
  const { model } = ctx;
  const r = model.roles;
  const P = model.params.length;
  const start = ctx.options.start ?? {};
  const roleParams = new Set(Object.values(r));
  const user = { params: model.params.filter((p) => Object.hasOwn(start, p) && !roleParams.has(p)), start };
  const cols = new StartColumns(input.gis.length);
  const slots = input.rename.map((names) => slotStarts(model, cols, names, user));
  const bg = r.background ? cols.column(r.background) : undefined;
  const { moments, sigmaEstimate } = input.spots;
  for (let f = 0; f < input.gis.length; f++) {
    const g = input.groups[input.gis[f]];
    for (let s = 0; s < g.members.length; s++) {
      const i = g.members[s];
      const slot = slots[s];
      momentStarts(slot, f, g, moments[i], sigmaEstimate);
      for (const u of slot.user) u.col[f] = u.value;
      if (usablePrior(input.prior, P, i)) priorStarts(model, slot, f, g, input.prior, i);
    }
    if (bg) bg[f] = backgroundStart(ctx, g, input);
  }
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
