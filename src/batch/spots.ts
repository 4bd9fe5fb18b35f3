/**
 * The spot pipeline: find peaks, estimate start values from moments, group crowded spots, fit every group
 * (one spot, or several jointly as a sum of Gaussians over their merged region with one background) with
 * `fitMany`, and report one row per spot. See docs/batch.md.
 */
import { num } from '../ast/build.ts';
import type { Expr } from '../ast/expr.ts';
import { gaussfilter, gaussianWeights } from '../arrays/filter.ts';
import { compileValues } from '../compile/kernel.ts';
import { NdArray, plainArrays } from '../data/ndarray.ts';
import { printExpr } from '../ast/print.ts';
import { simplify, substitute } from '../symbolic/index.ts';
import { ExprfitError } from '../syntax/span.ts';
import { didYouMean } from '../syntax/suggest.ts';
import type { FitManyResult, ManyParamInput, StopOption } from './fitMany.ts';
import { fitMany } from './fitMany.ts';
import type { FindPeaksOptions, Peaks } from './findPeaks.ts';
import { checkSpotImage, findPeaks, median, parseThreshold, robustStats } from './findPeaks.ts';
import type { BatchEstimator } from './kernel.ts';
import { STATUS_NAMES } from './lm.ts';
import type { MomentStart } from './moments.ts';
import { momentStart } from './moments.ts';
import type { SpotModel } from './models.ts';
import { multiSpotModel, spotModel } from './models.ts';
import type { OverlayOptions } from './overlay.ts';

export interface SpotsOptions extends FindPeaksOptions {
  /** `symmetric` (default, 5 parameters), `elliptical` (6), `rotated` (7) or an expression in x and y. */
  model?: string | Expr;
  /** Half-width of the fitted region around each peak: (2·roi + 1)² pixels, clipped at the image edge. Default 7. */
  roi?: number;
  /** `lse` (default) or `poisson` (maximum likelihood for counts). */
  estimator?: BatchEstimator | 'lsq';
  /** Worker threads for the fits (default 1). */
  threads?: number;
  /** Stopping rule of the fits (default `gpufit`). */
  stop?: StopOption;
  /** Fit spots closer than `groupDistance` jointly (default true). */
  joint?: boolean;
  /** Peaks closer than this (pixels) form one group; default 6·σ (σ: the median width of isolated spots). */
  groupDistance?: number;
  /** Groups with more spots are fitted spot by spot (each in its Voronoi cell); default 25. */
  maxGroupSize?: number;
  /** Joint fits: one width (and angle) for all spots of a group (default false). */
  sharedWidth?: boolean;
  /** Start values of user-model parameters that have no role (e.g. a Moffat exponent). */
  start?: Record<string, number>;
  /** Use these peak positions (pixels) instead of detecting peaks. */
  peaks?: { x: ArrayLike<number>; y: ArrayLike<number> };
  /**
   * Passes of residual detection after the first fit (default 1 with detected peaks and joint fitting, else
   * 0): peaks of the significance of the residual image become new spots and everything is fitted again.
   */
  residualPasses?: number;
  /**
   * Split blends (default: with joint fitting and a symmetric model): a spot fitted much wider than isolated
   * spots is refitted as two (kept when both stay significant).
   */
  splitBlends?: boolean;
  /** Progress of the fits: spots done, total. */
  onProgress?: (done: number, total: number) => void;
}

/** The output table columns, in order. */
export const SPOT_COLUMNS = [
  'id',
  'x',
  'y',
  'amplitude',
  'sigma_x',
  'sigma_y',
  'theta',
  'background',
  'x_err',
  'y_err',
  'amplitude_err',
  'chi2',
  'iterations',
  'status',
] as const;
export type SpotColumn = (typeof SPOT_COLUMNS)[number];

/** The JSON form of a {@link SpotsResult}. */
export interface SpotsJSON {
  count: number;
  columns: Record<SpotColumn, number[]>;
  statusNames: readonly string[];
  group: number[];
  groupSize: number[];
  clipped: number[];
  peaks?: { x: number[]; y: number[]; value: number[]; background: number; noise: number; threshold: number };
  model: { name: string; params: string[]; text: string };
  sigmaEstimate: number;
  groupDistance: number;
  residualPeaks: number;
  elapsedMs: number;
  summary: string;
}

export interface SpotsResult {
  /** One row per spot (peak order, brightest first): the columns of {@link SPOT_COLUMNS}. */
  readonly columns: Readonly<Record<SpotColumn, Float64Array>>;
  readonly count: number;
  /**
   * Status codes of the `status` column: 0 converged, 1 max-iterations, 2 singular, 3 non-finite,
   * 4 too-few-points (fewer valid pixels than parameters).
   */
  readonly statusNames: readonly string[];
  /** Group of each spot (spots fitted together share it) and its size. */
  readonly group: Int32Array;
  readonly groupSize: Int32Array;
  /** Whether the spot's region was clipped by the image edge. */
  readonly clipped: Uint8Array;
  /** Detection: background, noise and threshold (undefined when peaks were given). */
  readonly peaks?: Peaks;
  readonly model: SpotModel;
  /** Width estimate of isolated spots used for grouping and crowded start values. */
  readonly sigmaEstimate: number;
  readonly groupDistance: number;
  /** Spots added by residual detection. */
  readonly residualPeaks: number;
  readonly elapsedMs: number;
  /** One line: spots found, converged, groups. */
  readonly summary: string;
  /** The columns as CSV text (status as a number). */
  toCsv(): string;
  /**
   * `JSON.stringify` form: the columns and per-spot arrays as plain arrays (NaN → null), the model as its
   * name, parameters and expression text, and the detection numbers (without the smoothed image).
   */
  toJSON(): SpotsJSON;
  /** PNG bytes of the image with the fitted ellipses drawn on it. */
  overlayPng(options?: OverlayOptions): Promise<Uint8Array>;
  writeOverlay(file: string, options?: OverlayOptions): Promise<void>;
  writeCsv(file: string): Promise<void>;
}

const OPTION_KEYS = [
  'minDistance',
  'threshold',
  'border',
  'maxPeaks',
  'smooth',
  'model',
  'roi',
  'estimator',
  'threads',
  'stop',
  'joint',
  'groupDistance',
  'maxGroupSize',
  'sharedWidth',
  'start',
  'peaks',
  'residualPasses',
  'splitBlends',
  'onProgress',
];

function posInt(name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new ExprfitError('option', `${name} must be an integer >= ${min}, got ${String(v)}`);
  }
  return v;
}

class UnionFind {
  readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]];
      i = this.parent[i];
    }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** Peaks within `radius` (Euclidean) of each peak, by a cell grid. */
function neighbours(px: Int32Array, py: Int32Array, radius: number): number[][] {
  const n = px.length;
  const cell = Math.max(1, radius);
  const grid = new Map<string, number[]>();
  const key = (gx: number, gy: number): string => `${gx},${gy}`;
  for (let i = 0; i < n; i++) {
    const k = key(Math.floor(px[i] / cell), Math.floor(py[i] / cell));
    const l = grid.get(k);
    if (l) l.push(i);
    else grid.set(k, [i]);
  }
  const out: number[][] = [];
  const r2 = radius * radius;
  for (let i = 0; i < n; i++) {
    const gx = Math.floor(px[i] / cell);
    const gy = Math.floor(py[i] / cell);
    const list: number[] = [];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (const j of grid.get(key(gx + dx, gy + dy)) ?? []) {
          if (j !== i && (px[j] - px[i]) ** 2 + (py[j] - py[i]) ** 2 <= r2) list.push(j);
        }
      }
    }
    out.push(list);
  }
  return out;
}

interface Group {
  readonly members: number[];
  readonly bx: number;
  readonly by: number;
  readonly bw: number;
  readonly bh: number;
  /** Peaks outside the group whose Voronoi cells are masked out of the region. */
  readonly others: number[];
  readonly clipped: boolean;
  /** Fitted spot by spot inside its Voronoi cell (group too large). */
}

/** Finds and fits the spots of a 2-D image. */
export async function runSpots(image: NdArray, options: SpotsOptions = {}): Promise<SpotsResult> {
  const t0 = performance.now();
  if (!(image instanceof NdArray) || image.ndim !== 2) {
    throw new ExprfitError(
      'shape',
      `spots needs a 2-D image [rows, cols]${image instanceof NdArray ? `, got shape [${image.shape.join(', ')}]` : ''}`,
    );
  }
  checkSpotImage(image);
  if (options === null || typeof options !== 'object')
    throw new ExprfitError('option', 'options must be an object');
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.includes(k)) {
      const g = didYouMean(k, OPTION_KEYS);
      throw new ExprfitError('option', `unknown spots option '${k}'`, g ? { hints: [g] } : {});
    }
  }
  const [H, W] = image.shape;
  const img = image.data;
  const half = posInt('roi', options.roi ?? 7, 1);
  const model = spotModel(options.model ?? 'symmetric');
  const estimator: BatchEstimator =
    options.estimator === 'poisson'
      ? 'poisson'
      : options.estimator === undefined || options.estimator === 'lse' || options.estimator === 'lsq'
        ? 'lse'
        : (() => {
            throw new ExprfitError(
              'option',
              `estimator must be 'lse' or 'poisson', got ${String(options.estimator)}`,
            );
          })();
  const joint = options.joint ?? true;
  const maxGroup = posInt('maxGroupSize', options.maxGroupSize ?? 25, 1);
  const roles = model.roles;
  const roleParams = new Set<string>(Object.values(roles).filter((r): r is string => r !== undefined));
  for (const [name, v] of Object.entries(options.start ?? {})) {
    if (!model.params.includes(name)) {
      const g = didYouMean(name, model.params);
      throw new ExprfitError(
        'value',
        `start value for '${name}': the model has no such parameter (its parameters: ${model.params.join(', ')})`,
        g ? { hints: [g] } : {},
      );
    }
    if (roleParams.has(name)) {
      throw new ExprfitError(
        'value',
        `start value for '${name}': spots estimates this parameter itself (amplitude, centre, widths, angle and background); start values are for the model's other parameters`,
      );
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ExprfitError('value', `start value for '${name}' must be a finite number, got ${String(v)}`);
    }
  }
  for (const p of model.params) {
    if (!roleParams.has(p) && !(options.start && Object.hasOwn(options.start, p))) {
      throw new ExprfitError('value', `no start value for the model parameter '${p}'`, {
        hints: [
          `give one with start: { ${p}: ... } (spots finds starts for amplitude, x0, y0, sigma..., theta, background)`,
        ],
      });
    }
  }

  // 1. Peaks.
  let peaks: Peaks | undefined;
  let px: Int32Array;
  let py: Int32Array;
  if (options.peaks) {
    const gx = options.peaks.x;
    const gy = options.peaks.y;
    if (!gx || !gy || gx.length !== gy.length)
      throw new ExprfitError('option', 'peaks needs x and y of equal length');
    px = new Int32Array(gx.length);
    py = new Int32Array(gx.length);
    for (let i = 0; i < gx.length; i++) {
      const x = Math.round(gx[i]);
      const y = Math.round(gy[i]);
      if (!(x >= 0 && x < W && y >= 0 && y < H)) {
        throw new ExprfitError('value', `peak ${i} at (${gx[i]}, ${gy[i]}) is outside the ${W}x${H} image`);
      }
      px[i] = x;
      py[i] = y;
    }
  } else {
    const fp: FindPeaksOptions = {};
    if (options.minDistance !== undefined) fp.minDistance = options.minDistance;
    if (options.threshold !== undefined) fp.threshold = options.threshold;
    if (options.border !== undefined) fp.border = options.border;
    if (options.maxPeaks !== undefined) fp.maxPeaks = options.maxPeaks;
    if (options.smooth !== undefined) fp.smooth = options.smooth;
    peaks = findPeaks(image, fp);
    px = peaks.x;
    py = peaks.y;
  }
  const ctx: PassContext = {
    img,
    W,
    H,
    half,
    model,
    estimator,
    joint,
    maxGroup,
    options,
  };
  const passes = options.residualPasses ?? 0;
  if (!Number.isInteger(passes) || passes < 0) {
    throw new ExprfitError('option', `residualPasses must be an integer >= 0, got ${String(passes)}`);
  }
  const splitBlends = options.splitBlends ?? (joint && model.roles.sigma !== undefined);
  const totalPasses = 1 + 2 * (passes + (splitBlends ? 3 : 0));
  let passIndex = 0;
  let pass = await fitPass(ctx, px, py, passIndex++, totalPasses);
  let added = 0;
  let split = 0;
  // Refits after edits of the peak list (spots removed, peaks added), from the previous fits; components the
  // joint fit made insignificant or put onto another spot are dropped and the rest fitted once more.
  const refit = async (
    remove: ReadonlySet<number>,
    ax: readonly number[],
    ay: readonly number[],
  ): Promise<number> => {
    const keepOld = Array.from({ length: px.length }, (_v, i) => i).filter((i) => !remove.has(i));
    const nx = Int32Array.from([...keepOld.map((i) => px[i]), ...ax]);
    const ny = Int32Array.from([...keepOld.map((i) => py[i]), ...ay]);
    const prior = subsetPass(pass, [...keepOld, ...ax.map(() => -1)], model.params.length);
    let next = await fitPass(ctx, nx, ny, passIndex++, totalPasses, prior);
    const keep = survivors(next, model);
    const newKept = keep.filter((i) => i >= keepOld.length).length;
    if (keep.length < nx.length) {
      const sub = subsetPass(next, keep, model.params.length);
      const kx = Int32Array.from(keep, (i) => clampInt(Math.round(next.cols.x[i]), 0, W - 1, nx[i]));
      const ky = Int32Array.from(keep, (i) => clampInt(Math.round(next.cols.y[i]), 0, H - 1, ny[i]));
      next = await fitPass(ctx, kx, ky, passIndex++, totalPasses, sub);
      px = kx;
      py = ky;
    } else {
      px = nx;
      py = ny;
      passIndex++;
    }
    pass = next;
    return newKept;
  };
  for (let round = 0; splitBlends && round < 3; round++) {
    const b = blends(ctx, pass, px, py);
    if (!b.remove.size) break;
    split += (await refit(b.remove, b.x, b.y)) - b.remove.size;
  }
  for (let r = 0; r < passes; r++) {
    const extra = residualPeaks(ctx, pass, px, py);
    if (extra.x.length === 0) break;
    added += await refit(new Set(), extra.x, extra.y);
  }
  const n = px.length;
  const cols = pass.cols;
  let converged = 0;
  for (let i = 0; i < n; i++) if (cols.status[i] === 0) converged++;
  const elapsedMs = performance.now() - t0;
  const nGroups = pass.crowdedGroups;
  const summary =
    `${n} spot${n === 1 ? '' : 's'}${split > 0 ? ` (${split} blend${split === 1 ? '' : 's'} split)` : ''}${added ? ` (${added} found in the residuals)` : ''}, ${converged} converged, ` +
    `${nGroups} crowded group${nGroups === 1 ? '' : 's'} fitted jointly, ${(elapsedMs / 1000).toFixed(2)} s`;
  const result: SpotsResult = {
    columns: cols,
    count: n,
    statusNames: STATUS_NAMES,
    group: pass.group,
    groupSize: pass.groupSize,
    clipped: pass.clipped,
    ...(peaks ? { peaks } : {}),
    model,
    sigmaEstimate: pass.sigmaEstimate,
    groupDistance: pass.groupDistance,
    residualPeaks: added,
    elapsedMs,
    summary,
    toCsv: () => spotsCsv(cols),
    toJSON: () => spotsJson(result),
    overlayPng: async (o?: OverlayOptions) => (await import('./overlay.ts')).overlayPng(image, cols, o),
    writeOverlay: async (file: string, o?: OverlayOptions) => {
      const { overlayPng } = await import('./overlay.ts');
      const { writeBytes } = await import('../data/io.ts');
      await writeBytes(file, await overlayPng(image, cols, o));
    },
    writeCsv: async (file: string) => {
      const { writeTable } = await import('../data/table.ts');
      await writeTable(file, cols);
    },
  };
  return result;
}

function spotsJson(r: SpotsResult): SpotsJSON {
  const { count, statusNames, sigmaEstimate, groupDistance, residualPeaks, elapsedMs, summary } = r;
  const perSpot = plainArrays({ group: r.group, groupSize: r.groupSize, clipped: r.clipped });
  const model = { name: r.model.name, params: [...r.model.params], text: printExpr(r.model.expr) };
  const head = { count, columns: plainArrays(r.columns), statusNames, ...perSpot };
  const tail = { model, sigmaEstimate, groupDistance, residualPeaks, elapsedMs, summary };
  return r.peaks ? { ...head, peaks: peaksJson(r.peaks), ...tail } : { ...head, ...tail };
}

function peaksJson(p: Peaks): NonNullable<SpotsJSON['peaks']> {
  const { background, noise, threshold } = p;
  return { ...plainArrays({ x: p.x, y: p.y, value: p.value }), background, noise, threshold };
}

function clampInt(v: number, lo: number, hi: number, fallback: number): number {
  return Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : fallback;
}

/**
 * The spots to keep after a pass that added residual peaks: every spot from before that pass, except one whose
 * fitted amplitude became insignificant (below 3 standard errors, or not finite), or that sits within 0.5·σ of a
 * brighter spot (two components on one spot); new spots under the same rules.
 */
function survivors(pass: PassResult, model: SpotModel): number[] {
  const c = pass.cols;
  const n = c.x.length;
  const order = Array.from({ length: n }, (_v, i) => i).sort(
    (a, b) =>
      (Number.isFinite(c.amplitude[b]) ? c.amplitude[b] : -Infinity) -
        (Number.isFinite(c.amplitude[a]) ? c.amplitude[a] : -Infinity) || a - b,
  );
  const kept: number[] = [];
  const hasAmp = model.roles.amplitude !== undefined;
  for (const i of order) {
    const a = c.amplitude[i];
    const e = c.amplitude_err[i];
    if (!Number.isFinite(c.x[i]) || !Number.isFinite(c.y[i])) continue;
    if (hasAmp && (!(a > 0) || (Number.isFinite(e) && a < 3 * e))) continue;
    const s = Math.max(0.5, Math.min(c.sigma_x[i], c.sigma_y[i]) || pass.sigmaEstimate);
    let dup = false;
    for (const j of kept) {
      if ((c.x[j] - c.x[i]) ** 2 + (c.y[j] - c.y[i]) ** 2 < (0.5 * s) ** 2) {
        dup = true;
        break;
      }
    }
    if (!dup) kept.push(i);
  }
  return kept.sort((a, b) => a - b);
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
  };
}

/**
 * Blends: spots whose fitted width (symmetric model) is well above the median fitted width σ — more than 1.1
 * times it and by more than 5 standard errors — are two spots fitted as one. Each is replaced by two peaks on
 * the major axis of its moments, separated by d = 2·sqrt(major² − σ²) (the second moment of a pair of
 * Gaussians along its axis is σ² + d²/4), at least 1.5·σ.
 */
function blends(
  ctx: PassContext,
  pass: PassResult,
  px: Int32Array,
  py: Int32Array,
): { remove: Set<number>; x: number[]; y: number[] } {
  const { img, W, H, half } = ctx;
  const c = pass.cols;
  // The typical width: the median fitted width (most spots are resolved; moments of crowded spots are not).
  const widths: number[] = [];
  for (let i = 0; i < c.x.length; i++)
    if (c.status[i] === 0 && Number.isFinite(c.sigma_x[i])) widths.push(c.sigma_x[i]);
  const s0 = widths.length ? median(widths) : pass.sigmaEstimate;
  const remove = new Set<number>();
  const xs: number[] = [];
  const ys: number[] = [];
  const n = c.x.length;
  for (let i = 0; i < n; i++) {
    const sg = c.sigma_x[i];
    const err = pass.sigmaErr[i];
    if (c.status[i] !== 0 || !(sg > 1.1 * s0)) continue;
    if (Number.isFinite(err) ? sg - s0 < 5 * err : sg < 1.25 * s0) continue;
    const cx = clampInt(Math.round(c.x[i]), 0, W - 1, px[i]);
    const cy = clampInt(Math.round(c.y[i]), 0, H - 1, py[i]);
    const others: { x: number[]; y: number[] } = { x: [], y: [] };
    for (let j = 0; j < n; j++) {
      if (j !== i && Math.abs(c.x[j] - cx) <= 2 * half && Math.abs(c.y[j] - cy) <= 2 * half) {
        others.x.push(c.x[j]);
        others.y.push(c.y[j]);
      }
    }
    const mo = momentStart(img, H, W, cx, cy, Math.min(half, Math.ceil(4 * sg)), {
      others,
      fallbackSigma: s0,
    });
    const d = Math.max(1.5 * s0, 2 * Math.sqrt(Math.max(0, mo.sigmaMajor ** 2 - s0 * s0)));
    const ux = Math.cos(mo.theta) * (d / 2);
    const uy = Math.sin(mo.theta) * (d / 2);
    let ax = clampInt(Math.round(c.x[i] + ux), 0, W - 1, cx);
    const ay = clampInt(Math.round(c.y[i] + uy), 0, H - 1, cy);
    let bx = clampInt(Math.round(c.x[i] - ux), 0, W - 1, cx);
    const by = clampInt(Math.round(c.y[i] - uy), 0, H - 1, cy);
    if (ax === bx && ay === by) {
      ax = clampInt(ax + 1, 0, W - 1, ax);
      bx = clampInt(bx - 1, 0, W - 1, bx);
    }
    remove.add(i);
    xs.push(ax, bx);
    ys.push(ay, by);
  }
  return { remove, x: xs, y: ys };
}

interface PassContext {
  readonly img: Float64Array;
  readonly W: number;
  readonly H: number;
  readonly half: number;
  readonly model: SpotModel;
  readonly estimator: BatchEstimator;
  readonly joint: boolean;
  readonly maxGroup: number;
  readonly options: SpotsOptions;
}

interface PassResult {
  readonly cols: Record<SpotColumn, Float64Array>;
  /** Every model parameter of every spot (row-major [n, params]; the group's background for it). */
  readonly params: Float64Array;
  readonly group: Int32Array;
  readonly groupSize: Int32Array;
  readonly clipped: Uint8Array;
  readonly groups: readonly Group[];
  readonly sigmaEstimate: number;
  readonly groupDistance: number;
  readonly crowdedGroups: number;
  /** Standard error of each spot's width (symmetric model; NaN otherwise). */
  readonly sigmaErr: Float64Array;
}

/** Moments, grouping and the fits of all spots at the given peak pixels. */
async function fitPass(
  ctx: PassContext,
  px: Int32Array,
  py: Int32Array,
  passIndex: number,
  passes: number,
  prior?: PassResult,
): Promise<PassResult> {
  const { img, W, H, half, model, estimator, joint, maxGroup, options } = ctx;
  const n = px.length;
  // Moments (each in its Voronoi cell among the peaks of its window) and the width of isolated spots.
  const near = neighbours(px, py, Math.SQRT2 * (2 * half + 1));
  const moments: MomentStart[] = [];
  for (let i = 0; i < n; i++) {
    const others = near[i];
    moments.push(
      momentStart(
        img,
        H,
        W,
        px[i],
        py[i],
        half,
        others.length ? { others: { x: others.map((j) => px[j]), y: others.map((j) => py[j]) } } : {},
      ),
    );
  }
  const isolated = moments.filter(
    (_m, i) => !near[i].some((j) => Math.hypot(px[j] - px[i], py[j] - py[i]) <= 2 * half),
  );
  const sigmaEstimate = median((isolated.length >= 3 ? isolated : moments).map((m) => m.sigma)) || 1.5;
  const groupDistance = options.groupDistance ?? 6 * sigmaEstimate;
  if (typeof groupDistance !== 'number' || !(groupDistance >= 0)) {
    throw new ExprfitError('option', `groupDistance must be a number >= 0, got ${String(groupDistance)}`);
  }

  // Groups.
  const uf = new UnionFind(n);
  if (joint) {
    const close = neighbours(px, py, groupDistance);
    for (let i = 0; i < n; i++) for (const j of close[i]) uf.union(i, j);
  }
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    const l = byRoot.get(r);
    if (l) l.push(i);
    else byRoot.set(r, [i]);
  }
  const groups: Group[] = [];
  const groupOf = new Int32Array(n);
  const groupSize = new Int32Array(n);
  const makeGroup = (members: number[], voronoi: boolean): Group => {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const i of members) {
      x0 = Math.min(x0, px[i] - half);
      y0 = Math.min(y0, py[i] - half);
      x1 = Math.max(x1, px[i] + half);
      y1 = Math.max(y1, py[i] + half);
    }
    const clipped = x0 < 0 || y0 < 0 || x1 >= W || y1 >= H;
    x0 = Math.max(0, x0);
    y0 = Math.max(0, y0);
    x1 = Math.min(W - 1, x1);
    y1 = Math.min(H - 1, y1);
    const others: number[] = [];
    if (voronoi) {
      const set = new Set(members);
      const seen = new Set<number>();
      for (const i of members) {
        for (const j of near[i]) {
          if (set.has(j) || seen.has(j)) continue;
          seen.add(j);
          // Only peaks whose cell can reach into the region.
          if (px[j] >= x0 - half && px[j] <= x1 + half && py[j] >= y0 - half && py[j] <= y1 + half)
            others.push(j);
        }
      }
    }
    return { members, bx: x0, by: y0, bw: x1 - x0 + 1, bh: y1 - y0 + 1, others, clipped };
  };
  for (const members of byRoot.values()) {
    if (members.length > maxGroup) {
      for (const i of members) groups.push(makeGroup([i], true));
    } else {
      groups.push(makeGroup(members, joint));
    }
  }
  groups.forEach((g, gi) => {
    for (const i of g.members) {
      groupOf[i] = gi;
      groupSize[i] = g.members.length;
    }
  });

  // Classes of equal fits: spots per group, region size, masked or not.
  const classes = new Map<string, number[]>();
  groups.forEach((g, gi) => {
    const key = `${g.members.length}|${g.bh}|${g.bw}|${g.others.length > 0 || regionHasNaN(img, W, g) ? 1 : 0}`;
    const l = classes.get(key);
    if (l) l.push(gi);
    else classes.set(key, [gi]);
  });

  const cols = Object.fromEntries(SPOT_COLUMNS.map((c) => [c, new Float64Array(n).fill(NaN)])) as Record<
    SpotColumn,
    Float64Array
  >;
  const params = new Float64Array(n * model.params.length).fill(NaN);
  const sigmaErr = new Float64Array(n).fill(NaN);
  const clippedCol = new Uint8Array(n);
  for (let i = 0; i < n; i++) cols.id[i] = i;
  let done = 0;
  const sharedWidth = options.sharedWidth ?? false;
  const progress = (d: number): void =>
    options.onProgress?.(((passIndex + d / Math.max(1, n)) / passes) * n, n);
  for (const [key, gis] of classes) {
    const [kStr, hStr, wStr] = key.split('|');
    const k = Number(kStr);
    const bh = Number(hStr);
    const bw = Number(wStr);
    const multi = multiSpotModel(model, k, sharedWidth);
    const m = gis.length;
    const size = bh * bw;
    const stack = new Float64Array(m * size);
    gis.forEach((gi, f) => fillRegion(stack, f * size, img, W, groups[gi], px, py));
    // Amplitudes are bounded by 4x the region's range (no joint fit can need more; it stops runaway steps).
    const amax = new Float64Array(m);
    for (let f = 0; f < m; f++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = f * size; k < (f + 1) * size; k++) {
        const v = stack[k];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      amax[f] = hi > lo ? 4 * (hi - lo) + 1 : Infinity;
    }
    const starts = startParams(
      model,
      multi.rename,
      gis,
      groups,
      moments,
      sigmaEstimate,
      estimator,
      options.start ?? {},
      prior,
    );
    const xs = new NdArray(
      Float64Array.from({ length: bw }, (_v, i) => i),
      [1, bw],
    );
    const ys = new NdArray(
      Float64Array.from({ length: bh }, (_v, i) => i),
      [bh, 1],
    );
    const spec = boundParams(starts, model, multi.rename, bw, bh, estimator, amax);
    const fixedValues = new Map<string, number>();
    for (const [name, v] of Object.entries(spec)) {
      if (typeof v === 'object' && v !== null && 'fixed' in v && v.fixed)
        fixedValues.set(name, v.value as number);
    }
    const res = await fitMany(multi.expr, { z: new NdArray(stack, [m, bh, bw]), x: xs, y: ys }, spec, {
      estimator,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.stop !== undefined ? { stop: options.stop } : {}),
      ...(options.onProgress ? { onProgress: (d: number) => progress(done + d * k) } : {}),
    });
    collect(res, model, multi.rename, gis, groups, cols, clippedCol, params, fixedValues);
    if (model.roles.sigma) {
      gis.forEach((gi, f) =>
        groups[gi].members.forEach((i, sIdx) => {
          sigmaErr[i] = res.stderr[multi.rename[sIdx].get(model.roles.sigma!)!]?.[f] ?? NaN;
        }),
      );
    }
    done += m * k;
    progress(done);
  }
  return {
    cols,
    params,
    sigmaErr,
    group: groupOf,
    groupSize,
    clipped: clippedCol,
    groups,
    sigmaEstimate,
    groupDistance,
    crowdedGroups: groups.filter((g) => g.members.length > 1).length,
  };
}

/**
 * Peaks of the residual image (the image minus every fitted spot and its group's background): spots hidden
 * in the shoulders of brighter ones, or pairs fitted as one. The residual is smoothed like the detection image
 * and divided by its standard deviation — noise² + gain·(spot model), the gain estimated as noise²/background
 * (1 for counts) — and its local maxima above the detection's k (5 by default) become new peaks, unless within
 * 1.5 pixels of a fitted spot or on an existing peak pixel.
 */
function residualPeaks(
  ctx: PassContext,
  pass: PassResult,
  px: Int32Array,
  py: Int32Array,
): { x: number[]; y: number[] } {
  const { img, W, H, model, options } = ctx;
  const n = px.length;
  const P = model.params.length;
  const bgName = model.roles.background;
  const spot = bgName ? simplify(substitute(model.expr, new Map([[bgName, num(0)]]))) : model.expr;
  const values = compileValues(spot, { params: model.params, variables: ['x', 'y'] });
  const mImg = new Float64Array(W * H);
  // Spot models, each over a window of 4 widths.
  const maxR = 64;
  const wx = new Float64Array(2 * maxR + 1);
  const wy = new Float64Array(2 * maxR + 1);
  let bound: ReturnType<typeof values.bind> | undefined;
  let boundSize = -1;
  const out = new Float64Array((2 * maxR + 1) ** 2);
  const p = new Float64Array(P);
  for (let i = 0; i < n; i++) {
    if (pass.cols.status[i] === 3) continue;
    let ok = true;
    for (let j = 0; j < P; j++) {
      p[j] = pass.params[i * P + j];
      if (!Number.isFinite(p[j])) ok = false;
    }
    if (!ok) continue;
    const s = Math.max(pass.cols.sigma_x[i], pass.cols.sigma_y[i]);
    const r = Math.min(maxR, Math.ceil(4 * (Number.isFinite(s) ? s : pass.sigmaEstimate)) + 1);
    const cx = Math.round(pass.cols.x[i]);
    const cy = Math.round(pass.cols.y[i]);
    if (!Number.isFinite(cx) || !Number.isFinite(cy)) continue;
    const g = pass.groups[pass.group[i]];
    const size = 2 * r + 1;
    if (size !== boundSize) {
      bound = values.bind({
        x: new NdArray(wx.subarray(0, size), [1, size]),
        y: new NdArray(wy.subarray(0, size), [size, 1]),
      });
      boundSize = size;
    }
    // Coordinates in the spot's fitted region.
    for (let t = 0; t < size; t++) {
      wx[t] = cx - r + t - g.bx;
      wy[t] = cy - r + t - g.by;
    }
    bound!.values(p, new Float64Array(0), out);
    for (let a = 0; a < size; a++) {
      const y = cy - r + a;
      if (y < 0 || y >= H) continue;
      for (let b = 0; b < size; b++) {
        const x = cx - r + b;
        if (x < 0 || x >= W) continue;
        const v = out[a * size + b];
        if (Number.isFinite(v)) mImg[y * W + x] += v;
      }
    }
  }
  // Background of the residual: the median of image − spots over each group's region (robust to the few
  // pixels of spots not fitted yet, and to a background a poor fit got wrong), the global median elsewhere.
  const rawStats = robustStats(img);
  const bImg = new Float64Array(W * H);
  const diff = new Float64Array(W * H);
  for (let k = 0; k < diff.length; k++) diff[k] = img[k] - mImg[k];
  bImg.fill(median(diff));
  for (const g of pass.groups) {
    const vals: number[] = [];
    for (let y = g.by; y < g.by + g.bh; y++)
      for (let x = g.bx; x < g.bx + g.bw; x++) vals.push(diff[y * W + x]);
    const b = median(vals);
    if (!Number.isFinite(b)) continue;
    for (let y = g.by; y < g.by + g.bh; y++) for (let x = g.bx; x < g.bx + g.bw; x++) bImg[y * W + x] = b;
  }
  const noise2 = rawStats.sigma * rawStats.sigma;
  const gain = rawStats.median > 0 ? noise2 / rawStats.median : 0;
  const res = new Float64Array(W * H);
  const vr = new Float64Array(W * H);
  for (let k = 0; k < res.length; k++) {
    const v = img[k];
    res[k] = Number.isFinite(v) ? v - mImg[k] - bImg[k] : 0;
    vr[k] = noise2 + gain * Math.max(0, mImg[k]);
  }
  const smooth = options.smooth ?? 0.5;
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
  const th = parseThreshold(options.threshold ?? '5sigma');
  const kSigma = 'sigma' in th ? th.sigma : 5;
  const found = findPeaks(new NdArray(sig, [H, W]), {
    minDistance: options.minDistance ?? 1,
    threshold: kSigma,
    smooth: 0,
    border: options.border ?? 0,
  });
  const taken = new Set<number>();
  for (let i = 0; i < n; i++) taken.add(py[i] * W + px[i]);
  const xs: number[] = [];
  const ys: number[] = [];
  const fx = pass.cols.x;
  const fy = pass.cols.y;
  const limit = options.maxPeaks ?? Infinity;
  for (let j = 0; j < found.count && n + xs.length < limit; j++) {
    const x = found.x[j];
    const y = found.y[j];
    if (taken.has(y * W + x)) continue;
    let close = false;
    for (let i = 0; i < n && !close; i++) if ((fx[i] - x) ** 2 + (fy[i] - y) ** 2 < 2.25) close = true;
    for (let i = 0; i < xs.length && !close; i++)
      if ((xs[i] - x) ** 2 + (ys[i] - y) ** 2 < 2.25) close = true;
    if (close) continue;
    xs.push(x);
    ys.push(y);
  }
  return { x: xs, y: ys };
}

function regionHasNaN(img: Float64Array, W: number, g: Group): boolean {
  for (let y = g.by; y < g.by + g.bh; y++) {
    for (let x = g.bx; x < g.bx + g.bw; x++) if (!Number.isFinite(img[y * W + x])) return true;
  }
  return false;
}

/** Copies a group's region into the stack; pixels in the Voronoi cell of a peak outside the group become NaN. */
function fillRegion(
  stack: Float64Array,
  off: number,
  img: Float64Array,
  W: number,
  g: Group,
  px: Int32Array,
  py: Int32Array,
): void {
  let k = off;
  for (let y = g.by; y < g.by + g.bh; y++) {
    for (let x = g.bx; x < g.bx + g.bw; x++) {
      let v = img[y * W + x];
      if (!Number.isFinite(v)) v = NaN;
      else if (g.others.length) {
        let dm = Infinity;
        for (const i of g.members) dm = Math.min(dm, (x - px[i]) ** 2 + (y - py[i]) ** 2);
        for (const j of g.others) {
          if ((x - px[j]) ** 2 + (y - py[j]) ** 2 < dm) {
            v = NaN;
            break;
          }
        }
      }
      stack[k++] = v;
    }
  }
}

function startParams(
  model: SpotModel,
  rename: readonly ReadonlyMap<string, string>[],
  gis: readonly number[],
  groups: readonly Group[],
  moments: readonly MomentStart[],
  sigmaEstimate: number,
  estimator: BatchEstimator,
  userStart: Record<string, number>,
  prior?: PassResult,
): Map<string, Float64Array> {
  const m = gis.length;
  const P = model.params.length;
  const usable = (i: number): boolean => {
    if (!prior || i >= prior.cols.x.length || prior.cols.status[i] !== 0) return false;
    for (let j = 0; j < P; j++) if (!Number.isFinite(prior.params[i * P + j])) return false;
    return true;
  };
  const out = new Map<string, Float64Array>();
  const col = (name: string): Float64Array => {
    let c = out.get(name);
    if (!c) out.set(name, (c = new Float64Array(m)));
    return c;
  };
  const r = model.roles;
  gis.forEach((gi, f) => {
    const g = groups[gi];
    const crowded = g.members.length > 1;
    g.members.forEach((i, s) => {
      const mo = moments[i];
      const names = rename[s];
      const set = (role: string | undefined, v: number): void => {
        if (role) col(names.get(role)!)[f] = v;
      };
      set(r.amplitude, mo.amplitude);
      set(r.x, mo.x - g.bx);
      set(r.y, mo.y - g.by);
      const sig = crowded ? sigmaEstimate : mo.sigma;
      set(r.sigma, sig);
      if (r.theta) {
        set(r.sigmaX, crowded ? sigmaEstimate : mo.sigmaMajor);
        set(r.sigmaY, crowded ? sigmaEstimate : mo.sigmaMinor);
        set(r.theta, crowded ? 0 : mo.theta);
      } else {
        set(r.sigmaX, crowded ? sigmaEstimate : mo.sigmaXAligned);
        set(r.sigmaY, crowded ? sigmaEstimate : mo.sigmaYAligned);
      }
      for (const p of model.params) {
        if (Object.hasOwn(userStart, p) && !Object.values(r).includes(p))
          col(names.get(p) ?? p)[f] = userStart[p];
      }
      if (usable(i)) {
        // The previous pass' fit (a better start than moments).
        model.params.forEach((p, j) => {
          if (p === r.background) return;
          const v =
            p === r.x
              ? prior!.cols.x[i] - g.bx
              : p === r.y
                ? prior!.cols.y[i] - g.by
                : prior!.params[i * P + j];
          col(names.get(p)!)[f] = v;
        });
      }
    });
    if (r.background) {
      const fromPrior = g.members
        .filter(usable)
        .map((i) => prior!.params[i * P + model.params.indexOf(r.background!)]);
      let bg = fromPrior.length ? median(fromPrior) : median(g.members.map((i) => moments[i].background));
      if (estimator === 'poisson' && !(bg > 0)) bg = 1e-3;
      col(r.background)[f] = bg;
    }
  });
  return out;
}

function boundParams(
  starts: Map<string, Float64Array>,
  model: SpotModel,
  rename: readonly ReadonlyMap<string, string>[],
  bw: number,
  bh: number,
  estimator: BatchEstimator,
  amax: Float64Array,
): Record<string, ManyParamInput> {
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

function collect(
  res: FitManyResult,
  model: SpotModel,
  rename: readonly ReadonlyMap<string, string>[],
  gis: readonly number[],
  groups: readonly Group[],
  cols: Record<SpotColumn, Float64Array>,
  clipped: Uint8Array,
  all: Float64Array,
  fixedValues: ReadonlyMap<string, number>,
): void {
  const r = model.roles;
  const val = (name: string | undefined, f: number): number =>
    name ? (res.values[name]?.[f] ?? fixedValues.get(name) ?? NaN) : NaN;
  const err = (name: string | undefined, f: number): number => (name ? (res.stderr[name]?.[f] ?? NaN) : NaN);
  gis.forEach((gi, f) => {
    const g = groups[gi];
    g.members.forEach((i, s) => {
      const names = rename[s];
      const nm = (role: string | undefined): string | undefined => (role ? names.get(role) : undefined);
      cols.x[i] = val(nm(r.x), f) + g.bx;
      cols.y[i] = val(nm(r.y), f) + g.by;
      cols.amplitude[i] = val(nm(r.amplitude), f);
      let sx: number;
      let sy: number;
      let th = 0;
      if (r.sigma) sx = sy = Math.abs(val(nm(r.sigma), f));
      else {
        sx = Math.abs(val(nm(r.sigmaX), f));
        sy = Math.abs(val(nm(r.sigmaY), f));
      }
      if (r.theta) {
        th = val(nm(r.theta), f);
        // Normalise to (-pi/2, pi/2].
        th = th - Math.PI * Math.ceil(th / Math.PI - 0.5);
      } else if (!r.sigma && !r.sigmaX) th = NaN;
      cols.sigma_x[i] = sx;
      cols.sigma_y[i] = sy;
      cols.theta[i] = th;
      cols.background[i] = r.background ? val(r.background, f) : NaN;
      cols.x_err[i] = err(nm(r.x), f);
      cols.y_err[i] = err(nm(r.y), f);
      cols.amplitude_err[i] = err(nm(r.amplitude), f);
      cols.chi2[i] = res.chi2[f];
      cols.iterations[i] = res.iterations[f];
      cols.status[i] = res.status[f];
      clipped[i] = g.clipped ? 1 : 0;
      const P = model.params.length;
      model.params.forEach((p, j) => (all[i * P + j] = val(names.get(p), f)));
    });
  });
}

/** CSV text of spot columns (numbers as `formatNumber` writes them). */
export function spotsCsv(cols: Readonly<Record<SpotColumn, Float64Array>>): string {
  const lines = [SPOT_COLUMNS.join(',')];
  const n = cols.id.length;
  for (let i = 0; i < n; i++) {
    lines.push(SPOT_COLUMNS.map((c) => fmt(cols[c][i])).join(','));
  }
  return lines.join('\n') + '\n';
}

function fmt(v: number): string {
  return Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v);
}

/**
 * Options of the `spots` command and `.fit` statement from loose key/value pairs (CLI flags as strings,
 * script options as numbers or strings): `model, roi, min-distance, threshold, smooth, border, max-peaks,
 * estimator, threads, stop, joint, group-distance, max-group, shared-width`, plus `out` and `overlay` (file
 * names, returned separately). Keys may be written kebab-case, snake_case or camelCase.
 */
export function spotsOptionsFrom(raw: Readonly<Record<string, unknown>>): {
  options: SpotsOptions;
  out?: string;
  overlay?: string;
} {
  const options: SpotsOptions = {};
  let out: string | undefined;
  let overlay: string | undefined;
  const canon = (k: string): string => k.replace(/[-_]([a-z])/g, (_m, c: string) => c.toUpperCase());
  const num = (k: string, v: unknown): number => {
    const x = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof x !== 'number' || Number.isNaN(x))
      throw new ExprfitError('option', `${k} must be a number, got ${JSON.stringify(v)}`);
    return x;
  };
  const int = (k: string, v: unknown): number => {
    const x = num(k, v);
    if (!Number.isInteger(x))
      throw new ExprfitError('option', `${k} must be an integer, got ${JSON.stringify(v)}`);
    return x;
  };
  const bool = (k: string, v: unknown): boolean => {
    if (typeof v === 'boolean') return v;
    if (v === 1 || v === 'true' || v === 'yes' || v === '1' || v === 'on') return true;
    if (v === 0 || v === 'false' || v === 'no' || v === '0' || v === 'off') return false;
    throw new ExprfitError('option', `${k} must be true or false, got ${JSON.stringify(v)}`);
  };
  const known = [
    'model',
    'roi',
    'minDistance',
    'threshold',
    'smooth',
    'border',
    'maxPeaks',
    'estimator',
    'threads',
    'stop',
    'joint',
    'groupDistance',
    'maxGroup',
    'maxGroupSize',
    'sharedWidth',
    'out',
    'overlay',
  ];
  for (const [k0, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    const k = canon(k0);
    switch (k) {
      case 'model':
        options.model = String(v);
        break;
      case 'roi':
        options.roi = int(k0, v);
        break;
      case 'minDistance':
        options.minDistance = int(k0, v);
        break;
      case 'threshold':
        options.threshold = typeof v === 'number' ? v : String(v);
        break;
      case 'smooth':
        options.smooth = num(k0, v);
        break;
      case 'border':
        options.border = int(k0, v);
        break;
      case 'maxPeaks':
        options.maxPeaks = int(k0, v);
        break;
      case 'estimator': {
        const e = String(v).toLowerCase();
        if (e !== 'lse' && e !== 'lsq' && e !== 'poisson' && e !== 'mle') {
          throw new ExprfitError('option', `estimator must be lse or poisson, got ${JSON.stringify(v)}`);
        }
        options.estimator = e === 'mle' ? 'poisson' : (e as 'lse' | 'lsq' | 'poisson');
        break;
      }
      case 'threads':
        options.threads = int(k0, v);
        break;
      case 'stop': {
        const s = String(v);
        if (s !== 'gpufit' && s !== 'strict')
          throw new ExprfitError('option', `stop must be gpufit or strict, got ${JSON.stringify(v)}`);
        options.stop = s;
        break;
      }
      case 'joint':
        options.joint = bool(k0, v);
        break;
      case 'groupDistance':
        options.groupDistance = num(k0, v);
        break;
      case 'maxGroup':
      case 'maxGroupSize':
        options.maxGroupSize = int(k0, v);
        break;
      case 'sharedWidth':
        options.sharedWidth = bool(k0, v);
        break;
      case 'out':
        out = String(v);
        break;
      case 'overlay':
        overlay = String(v);
        break;
      default: {
        const g = didYouMean(k, known);
        throw new ExprfitError('option', `unknown spots option '${k0}'`, g ? { hints: [g] } : {});
      }
    }
  }
  return { options, ...(out !== undefined ? { out } : {}), ...(overlay !== undefined ? { overlay } : {}) };
}
