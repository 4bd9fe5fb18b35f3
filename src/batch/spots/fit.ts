/**
 * One pass of fits: moments → groups → fit classes → one `fitMany` batch per class (one spot, or several
 * jointly as a sum of Gaussians over their merged region with one background) → the spot columns.
 */
import { NdArray } from '../../data/index.ts';
import { fitMany, type FitManyResult } from '../fitMany.ts';
import { multiSpotModel, type SpotModel } from '../models.ts';
import { fitClasses, groupPeaks, type FitClass } from './group.ts';
import type { SpotsContext } from './options.ts';
import { amplitudeCaps, fillRegion, regionAxes, type Group, type PeakPixels } from './regions.ts';
import { SPOT_COLUMNS, type SpotColumn, type SpotTable } from './report.ts';
import { boundParams, spotMoments, startParams, type PriorFit, type SpotMoments } from './starts.ts';

export interface PassResult extends SpotTable, PriorFit {
  readonly cols: Record<SpotColumn, Float64Array>;
  readonly groups: readonly Group[];
  /** Standard error of each spot's width (symmetric model; NaN otherwise). */
  readonly sigmaErr: Float64Array;
}

/** Which pass this is, of how many at most (for progress). */
export interface PassIndex {
  readonly index: number;
  readonly total: number;
}

/** The columns a pass fills, spot by spot. */
interface PassColumns {
  readonly cols: Record<SpotColumn, Float64Array>;
  readonly params: Float64Array;
  readonly sigmaErr: Float64Array;
  readonly clipped: Uint8Array;
}

/** What the fits of one class read. */
interface ClassInput {
  readonly peaks: PeakPixels;
  readonly groups: readonly Group[];
  readonly spots: SpotMoments;
  readonly prior?: PriorFit;
  /** Progress inside the class's batch: fits done. */
  readonly onProgress?: (fitsDone: number) => void;
}

function emptyColumns(n: number, P: number): PassColumns {
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
  });
  const out = emptyColumns(n, ctx.model.params.length);
  const progress = passProgress(ctx, at, n);
  let done = 0;
  for (const { cls, groups: gis } of fitClasses(groups, ctx.img, ctx.W).values()) {
    const onProgress = progress && ((d: number) => progress(done + d * cls.spots));
    await fitClass(
      ctx,
      cls,
      gis,
      { peaks, groups, spots, ...(prior ? { prior } : {}), ...(onProgress ? { onProgress } : {}) },
      out,
    );
    done += gis.length * cls.spots;
    progress?.(done);
  }
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

/** The regions of the class's groups, one after another. */
function regionStack(
  ctx: SpotsContext,
  cls: FitClass,
  gis: readonly number[],
  input: ClassInput,
): Float64Array {
  const size = cls.bh * cls.bw;
  const stack = new Float64Array(gis.length * size);
  gis.forEach((gi, f) => fillRegion(stack, f * size, ctx.img, ctx.W, input.groups[gi], input.peaks));
  return stack;
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
  const stack = regionStack(ctx, cls, gis, input);
  const amax = amplitudeCaps(stack, gis.length, cls.bh * cls.bw);
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
  const res = await fitMany(multi.expr, data, spec, {
    estimator,
    threads: options.threads,
    stop: options.stop,
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
  });
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
  fits.gis.forEach((gi, f) =>
    fits.groups[gi].members.forEach((i, s) => {
      sigmaErr[i] = fits.res.stderr[fits.rename[s].get(sigma)!]?.[f] ?? NaN;
    }),
  );
}

/** Widths and angle of a spot: |sigma|, or |sigma_x|, |sigma_y| and theta normalised to (-pi/2, pi/2]. */
function shapeOf(
  model: SpotModel,
  val: (role: string | undefined) => number,
): { sx: number; sy: number; th: number } {
  const r = model.roles;
  const sx = Math.abs(val(r.sigma ?? r.sigmaX));
  const sy = Math.abs(val(r.sigma ?? r.sigmaY));
  if (r.theta) {
    const t = val(r.theta);
    return { sx, sy, th: t - Math.PI * Math.ceil(t / Math.PI - 0.5) };
  }
  return { sx, sy, th: !r.sigma && !r.sigmaX ? NaN : 0 };
}

/** Writes the columns and parameters of every spot of the class's fits. */
function collect(model: SpotModel, fits: ClassFits, out: PassColumns): void {
  const { res, fixedValues } = fits;
  const { cols } = out;
  const r = model.roles;
  const P = model.params.length;
  fits.gis.forEach((gi, f) => {
    const g = fits.groups[gi];
    const val = (name: string | undefined): number =>
      name ? (res.values[name]?.[f] ?? fixedValues.get(name) ?? NaN) : NaN;
    const err = (name: string | undefined): number => (name ? (res.stderr[name]?.[f] ?? NaN) : NaN);
    g.members.forEach((i, s) => {
      const names = fits.rename[s];
      const nm = (role: string | undefined): string | undefined => (role ? names.get(role) : undefined);
      const shape = shapeOf(model, (role) => val(nm(role)));
      cols.x[i] = val(nm(r.x)) + g.bx;
      cols.y[i] = val(nm(r.y)) + g.by;
      cols.amplitude[i] = val(nm(r.amplitude));
      cols.sigma_x[i] = shape.sx;
      cols.sigma_y[i] = shape.sy;
      cols.theta[i] = shape.th;
      cols.background[i] = r.background ? val(r.background) : NaN;
      cols.x_err[i] = err(nm(r.x));
      cols.y_err[i] = err(nm(r.y));
      cols.amplitude_err[i] = err(nm(r.amplitude));
      cols.chi2[i] = res.chi2[f];
      cols.iterations[i] = res.iterations[f];
      cols.status[i] = res.status[f];
      out.clipped[i] = g.clipped ? 1 : 0;
      model.params.forEach((p, j) => (out.params[i * P + j] = val(names.get(p))));
    });
  });
}
