/**
 * One pass of fits: moments → groups → fit classes → one `fitMany` batch per class (one spot, or several
 * jointly as a sum of Gaussians over their merged region with one background) → the spot columns.
 */
import { NdArray } from '../../data/index.ts';
import type { Expr } from '../../ast/index.ts';
import { crowdedApplies, crowdedContext, type CrowdedLayout } from '../crowded.ts';
import {
  fitMany,
  fitPreparedWith,
  prepareMany,
  type FitManyOptions,
  type FitManyResult,
  type ManyParamInput,
} from '../fitMany.ts';
import { multiSpotModel, type SpotModel } from '../models.ts';
import { fitClasses, groupPeaks, type FitClass } from './group.ts';
import type { SpotsContext } from './options.ts';
import { fillRegion, rowOrder, regionAxes, type Group, type PeakPixels } from './regions.ts';
import { SPOT_COLUMNS, type SpotColumn, type SpotTable } from './report.ts';
import { boundParams, spotMoments, startParams, type PriorFit, type SpotMoments } from './starts.ts';

export interface PassResult extends SpotTable, PriorFit {
  readonly cols: Record<SpotColumn, Float64Array>;
  readonly groups: readonly Group[];
  /** Standard error of each spot's width (symmetric model; NaN otherwise). */
  readonly sigmaErr: Float64Array;
  /** Data points of the fit of each spot's group. */
  readonly npoints: Float64Array;
}

/** Which pass this is, of how many at most (for progress). */
export interface PassIndex {
  readonly index: number;
  readonly total: number;
}

/** The columns a pass fills, spot by spot. */
export interface PassColumns {
  readonly cols: Record<SpotColumn, Float64Array>;
  readonly params: Float64Array;
  readonly sigmaErr: Float64Array;
  readonly clipped: Uint8Array;
  readonly npoints: Float64Array;
}

/** What the fits of some groups read. */
export interface GroupsInput {
  readonly peaks: PeakPixels;
  readonly groups: readonly Group[];
  readonly spots: SpotMoments;
  readonly prior?: PriorFit;
}

/** What the fits of one class read. */
interface ClassInput extends GroupsInput {
  /** Progress inside the class's batch: fits done. */
  readonly onProgress?: (fitsDone: number) => void;
}

export function emptyColumns(n: number, P: number): PassColumns {
  const cols = Object.fromEntries(SPOT_COLUMNS.map((c) => [c, new Float64Array(n).fill(NaN)])) as Record<
    SpotColumn,
    Float64Array
  >;
  for (let i = 0; i < n; i++) cols.id[i] = i;
  return {
    cols,
    params: new Float64Array(n * P).fill(NaN),
    sigmaErr: new Float64Array(n).fill(NaN),
    clipped: new Uint8Array(n),
    npoints: new Float64Array(n).fill(NaN),
  };
}

/** `onProgress` of the options as spots done (over all passes), given the spots done in this pass. */
function passProgress(ctx: SpotsContext, at: PassIndex, n: number): ((done: number) => void) | undefined {
  const report = ctx.options.onProgress;
  if (!report) return undefined;
  return (done) => report(((at.index + done / Math.max(1, n)) / at.total) * n, n);
}

/** Moments, grouping and the fits of all spots at the given peak pixels. */
export async function fitPass(
  ctx: SpotsContext,
  peaks: PeakPixels,
  at: PassIndex,
  prior?: PriorFit,
): Promise<PassResult> {
  const n = peaks.px.length;
  const spots = spotMoments(ctx, peaks);
  const { groups, groupOf, groupSize } = groupPeaks(peaks, spots.near, {
    ...ctx,
    groupDistance: spots.groupDistance,
    maskReach: Math.min(ctx.half, 4 * spots.sigmaEstimate),
  });
  const out = emptyColumns(n, ctx.model.params.length);
  const input = { peaks, groups, spots, ...(prior ? { prior } : {}) };
  await fitGroups(ctx, input, groups.keys(), out, passProgress(ctx, at, n));
  return {
    ...out,
    group: groupOf,
    groupSize,
    groups,
    sigmaEstimate: spots.sigmaEstimate,
    groupDistance: spots.groupDistance,
    crowdedGroups: groups.filter((g) => g.members.length > 1).length,
  };
}

/** Fits the groups `gis` (one `fitMany` batch per fit class) and writes their spots' columns into `out`. */
export async function fitGroups(
  ctx: SpotsContext,
  input: GroupsInput,
  gis: Iterable<number>,
  out: PassColumns,
  progress?: (done: number) => void,
): Promise<void> {
  let done = 0;
  for (const { cls, groups: members } of fitClasses(input.groups, gis, ctx).values()) {
    const onProgress = progress && ((d: number) => progress(done + d * cls.spots));
    await fitClass(ctx, cls, members, { ...input, ...(onProgress ? { onProgress } : {}) }, out);
    done += members.length * cls.spots;
    progress?.(done);
  }
}

/** The regions of the class's groups, one after another, and the amplitude bound of each. */
function regionStack(
  ctx: SpotsContext,
  cls: FitClass,
  gis: readonly number[],
  input: ClassInput,
): { stack: Float64Array; amax: Float64Array } {
  const size = cls.bh * cls.bw;
  const stack = new Float64Array(gis.length * size);
  const amax = new Float64Array(gis.length);
  const { groups } = input;
  for (const f of rowOrder(gis.length, (k) => groups[gis[k]].by, ctx.H))
    amax[f] = fillRegion(stack, f * size, ctx.img, ctx.W, groups[gis[f]], input.peaks);
  return { stack, amax };
}

function fixedValuesOf(spec: Record<string, unknown>): Map<string, number> {
  const fixed = new Map<string, number>();
  for (const [name, v] of Object.entries(spec)) {
    if (typeof v === 'object' && v !== null && 'fixed' in v && v.fixed && 'value' in v)
      fixed.set(name, v.value as number);
  }
  return fixed;
}

/** Fits the groups of one class in one batch and writes their spots' columns. */
async function fitClass(
  ctx: SpotsContext,
  cls: FitClass,
  gis: readonly number[],
  input: ClassInput,
  out: PassColumns,
): Promise<void> {
  const { model, estimator, options } = ctx;
  const multi = multiSpotModel(model, cls.spots, options.sharedWidth);
  const { stack, amax } = regionStack(ctx, cls, gis, input);
  const starts = startParams(ctx, {
    rename: multi.rename,
    gis,
    groups: input.groups,
    spots: input.spots,
    ...(input.prior ? { prior: input.prior } : {}),
  });
  const spec = boundParams(starts, model, multi.rename, cls, estimator, amax);
  const axes = regionAxes(cls.bw, cls.bh);
  const data = { z: new NdArray(stack, [gis.length, cls.bh, cls.bw]), x: axes.x, y: axes.y };
  const fitOptions = {
    estimator,
    threads: options.threads,
    stop: options.stop,
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
  };
  const res = sparseJoint(model, cls)
    ? fitCrowded(multi.expr, data, spec, fitOptions, { model, rename: multi.rename, bw: cls.bw, bh: cls.bh })
    : await fitMany(multi.expr, data, spec, fitOptions);
  const fits: ClassFits = {
    res,
    rename: multi.rename,
    gis,
    groups: input.groups,
    fixedValues: fixedValuesOf(spec),
  };
  collect(model, fits, out);
  collectSigmaErr(model, fits, out.sigmaErr);
}

/**
 * Joint groups of at least this many spots (of a built-in model) are evaluated sparsely (crowded.ts). Measured
 * on rows and lattices of spots 4 px (2.7σ) apart, kernels compiled: the dense kernel is as fast or faster up
 * to 5 spots (P ≤ 21), the sparse evaluation faster from 6 on (and it compiles no kernel per group size).
 */
const SPARSE_FROM = 6;

function sparseJoint(model: SpotModel, cls: FitClass): boolean {
  return cls.spots >= SPARSE_FROM && crowdedApplies(model);
}

/** One class's joint fits with the sparse evaluation of crowded.ts, on this thread. */
function fitCrowded(
  expr: Expr,
  data: Record<string, NdArray>,
  spec: Record<string, ManyParamInput>,
  options: FitManyOptions,
  layout: CrowdedLayout,
): FitManyResult {
  const prep = prepareMany(expr, data, spec, { ...options, threads: 1 });
  return fitPreparedWith(prep, crowdedContext(prep.setup, layout));
}

/** The fits of one class and how to read them. */
interface ClassFits {
  readonly res: FitManyResult;
  readonly rename: readonly ReadonlyMap<string, string>[];
  readonly gis: readonly number[];
  readonly groups: readonly Group[];
  readonly fixedValues: ReadonlyMap<string, number>;
}

function collectSigmaErr(model: SpotModel, fits: ClassFits, sigmaErr: Float64Array): void {
  const sigma = model.roles.sigma;
  if (!sigma) return;
  fits.rename.forEach((names, s) => {
    const err = fits.res.stderr[names.get(sigma)!];
    fits.gis.forEach((gi, f) => {
      const i = fits.groups[gi].members[s];
      if (i !== undefined) sigmaErr[i] = err?.[f] ?? NaN;
    });
  });
}

/** A fitted column of every fit of a class: the values, a fixed value repeated, or NaN without one. */
function fitColumn(fits: ClassFits, name: string | undefined): Float64Array {
  const v = name === undefined ? undefined : fits.res.values[name];
  if (v) return v;
  const fixed = name === undefined ? undefined : fits.fixedValues.get(name);
  return new Float64Array(fits.gis.length).fill(fixed ?? NaN);
}

/** The standard errors of a parameter over a class's fits (NaN without them). */
function errColumn(fits: ClassFits, name: string | undefined): Float64Array {
  const v = name === undefined ? undefined : fits.res.stderr[name];
  return v ?? new Float64Array(fits.gis.length).fill(NaN);
}

/** The columns of one spot slot (of one role each) of a class's fits. */
interface SlotColumns {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly amp: Float64Array;
  readonly sx: Float64Array;
  readonly sy: Float64Array;
  readonly th: Float64Array | undefined;
  readonly bg: Float64Array;
  readonly ex: Float64Array;
  readonly ey: Float64Array;
  readonly eamp: Float64Array;
  readonly params: readonly Float64Array[];
}

function slotColumns(model: SpotModel, fits: ClassFits, names: ReadonlyMap<string, string>): SlotColumns {
  const r = model.roles;
  const name = (role: string | undefined): string | undefined =>
    role === undefined ? undefined : (names.get(role) ?? role);
  const value = (role: string | undefined): Float64Array => fitColumn(fits, name(role));
  const err = (role: string | undefined): Float64Array => errColumn(fits, name(role));
  return {
    x: value(r.x),
    y: value(r.y),
    amp: value(r.amplitude),
    sx: value(r.sigma ?? r.sigmaX),
    sy: value(r.sigma ?? r.sigmaY),
    th: r.theta ? value(r.theta) : undefined,
    bg: fitColumn(fits, r.background),
    ex: err(r.x),
    ey: err(r.y),
    eamp: err(r.amplitude),
    params: model.params.map((p) => value(p)),
  };
}

/**
 * Widths and angle of spot i: |sigma|, or |sigma_x| >= |sigma_y| and theta in [0, pi) (the major axis); theta
 * NaN for a model without widths.
 */
function writeShape(
  cols: Record<SpotColumn, Float64Array>,
  i: number,
  c: SlotColumns,
  f: number,
  widthless: boolean,
): void {
  const sx = c.sx[f];
  const sy = c.sy[f];
  if (c.th === undefined) {
    cols.sigma_x[i] = Math.abs(sx);
    cols.sigma_y[i] = Math.abs(sy);
    cols.theta[i] = widthless ? NaN : 0;
    return;
  }
  const swap = Math.abs(sy) > Math.abs(sx);
  const t = swap ? c.th[f] + Math.PI / 2 : c.th[f];
  cols.sigma_x[i] = Math.abs(swap ? sy : sx);
  cols.sigma_y[i] = Math.abs(swap ? sx : sy);
  cols.theta[i] = widthless ? NaN : t - Math.PI * Math.floor(t / Math.PI);
}

/** Writes the columns and parameters of every spot of the class's fits. */
function collect(model: SpotModel, fits: ClassFits, out: PassColumns): void {
  const { res } = fits;
  const { cols } = out;
  const r = model.roles;
  const P = model.params.length;
  const widthless = !r.sigma && !r.sigmaX;
  fits.rename.forEach((names, s) => {
    const c = slotColumns(model, fits, names);
    for (let f = 0; f < fits.gis.length; f++) {
      const g = fits.groups[fits.gis[f]];
      const i = g.members[s];
      writeShape(cols, i, c, f, widthless);
      cols.x[i] = c.x[f] + g.bx;
      cols.y[i] = c.y[f] + g.by;
      cols.amplitude[i] = c.amp[f];
      cols.background[i] = c.bg[f];
      cols.x_err[i] = c.ex[f];
      cols.y_err[i] = c.ey[f];
      cols.amplitude_err[i] = c.eamp[f];
      cols.chi2[i] = res.chi2[f];
      cols.iterations[i] = res.iterations[f];
      out.npoints[i] = res.npoints[f];
      cols.status[i] = res.status[f];
      out.clipped[i] = g.clipped ? 1 : 0;
      for (let j = 0; j < P; j++) out.params[i * P + j] = c.params[j][f];
    }
  });
}
