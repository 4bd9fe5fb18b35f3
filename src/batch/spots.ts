/**
 * The spot pipeline: find peaks, estimate start values from moments, group crowded spots, fit every group
 * (one spot, or several jointly as a sum of Gaussians over their merged region with one background) with
 * `fitMany`, and report one row per spot. See docs/batch.md.
 */
import type { Expr } from '../ast/expr.ts';
import { NdArray } from '../data/ndarray.ts';
import { ExprfitError } from '../syntax/span.ts';
import { didYouMean } from '../syntax/suggest.ts';
import type { FitManyResult, ManyParamInput, StopOption } from './fitMany.ts';
import { fitMany } from './fitMany.ts';
import type { FindPeaksOptions, Peaks } from './findPeaks.ts';
import { findPeaks, median } from './findPeaks.ts';
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

export interface SpotsResult {
  /** One row per spot (peak order, brightest first): the columns of {@link SPOT_COLUMNS}. */
  readonly columns: Readonly<Record<SpotColumn, Float64Array>>;
  readonly count: number;
  /** Status codes of the `status` column: 0 converged, 1 max-iterations, 2 singular, 3 non-finite. */
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
  readonly elapsedMs: number;
  /** One line: spots found, converged, groups. */
  readonly summary: string;
  /** The columns as CSV text (status as a number). */
  toCsv(): string;
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
  if (options === null || typeof options !== 'object') throw new ExprfitError('option', 'options must be an object');
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.includes(k)) {
      const g = didYouMean(k, OPTION_KEYS);
      throw new ExprfitError('option', `unknown spots option '${k}'`, g ? { hints: [`did you mean '${g}'?`] } : {});
    }
  }
  const [H, W] = image.shape;
  const img = image.data;
  const half = posInt('roi', options.roi ?? 7, 1);
  const model = spotModel(options.model ?? 'symmetric');
  const estimator: BatchEstimator =
    options.estimator === 'poisson' ? 'poisson' : options.estimator === undefined || options.estimator === 'lse' || options.estimator === 'lsq' ? 'lse' : (() => {
      throw new ExprfitError('option', `estimator must be 'lse' or 'poisson', got ${String(options.estimator)}`);
    })();
  const joint = options.joint ?? true;
  const maxGroup = posInt('maxGroupSize', options.maxGroupSize ?? 25, 1);
  const roles = model.roles;
  for (const p of model.params) {
    const hasRole = Object.values(roles).includes(p);
    if (!hasRole && !(options.start && Object.hasOwn(options.start, p))) {
      throw new ExprfitError('value', `no start value for the model parameter '${p}'`, {
        hints: [`give one with start: { ${p}: ... } (spots find starts for amplitude, x0, y0, sigma..., theta, background)`],
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
    if (!gx || !gy || gx.length !== gy.length) throw new ExprfitError('option', 'peaks needs x and y of equal length');
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
  const n = px.length;

  // 2. Moments (each in its Voronoi cell among the peaks of its window) and the width of isolated spots.
  const near = neighbours(px, py, Math.SQRT2 * (2 * half + 1));
  const moments: MomentStart[] = [];
  for (let i = 0; i < n; i++) {
    const others = near[i];
    moments.push(
      momentStart(img, H, W, px[i], py[i], half, others.length ? { others: { x: others.map((j) => px[j]), y: others.map((j) => py[j]) } } : {}),
    );
  }
  const isolated = moments.filter((_m, i) => !near[i].some((j) => Math.hypot(px[j] - px[i], py[j] - py[i]) <= 2 * half));
  const sigmaEstimate = median((isolated.length >= 3 ? isolated : moments).map((m) => m.sigma)) || 1.5;
  const groupDistance = options.groupDistance ?? 6 * sigmaEstimate;
  if (typeof groupDistance !== 'number' || !(groupDistance >= 0)) {
    throw new ExprfitError('option', `groupDistance must be a number >= 0, got ${String(groupDistance)}`);
  }

  // 3. Groups.
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
          if (px[j] >= x0 - half && px[j] <= x1 + half && py[j] >= y0 - half && py[j] <= y1 + half) others.push(j);
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

  // 4. Classes of equal fits: spots per group, region size, masked or not.
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
  const clippedCol = new Uint8Array(n);
  for (let i = 0; i < n; i++) cols.id[i] = i;
  let done = 0;
  const sharedWidth = options.sharedWidth ?? false;
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
    const params = startParams(model, multi.rename, gis, groups, moments, sigmaEstimate, estimator, options.start ?? {});
    const xs = new NdArray(Float64Array.from({ length: bw }, (_v, i) => i), [1, bw]);
    const ys = new NdArray(Float64Array.from({ length: bh }, (_v, i) => i), [bh, 1]);
    const res = await fitMany(
      multi.expr,
      { z: new NdArray(stack, [m, bh, bw]), x: xs, y: ys },
      boundParams(params, model, multi.rename, bw, bh, estimator),
      {
        estimator,
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
        ...(options.stop !== undefined ? { stop: options.stop } : {}),
        ...(options.onProgress
          ? {
              onProgress: (d: number) => {
                options.onProgress!(done + d * k, n);
              },
            }
          : {}),
      },
    );
    collect(res, model, multi.rename, gis, groups, cols, clippedCol);
    done += m * k;
    options.onProgress?.(done, n);
  }
  // Peak order.
  let converged = 0;
  for (let i = 0; i < n; i++) if (cols.status[i] === 0) converged++;
  const elapsedMs = performance.now() - t0;
  const nGroups = groups.filter((g) => g.members.length > 1).length;
  const summary = `${n} spot${n === 1 ? '' : 's'}, ${converged} converged, ${nGroups} crowded group${nGroups === 1 ? '' : 's'} fitted jointly, ${(elapsedMs / 1000).toFixed(2)} s`;
  const result: SpotsResult = {
    columns: cols,
    count: n,
    statusNames: STATUS_NAMES,
    group: groupOf,
    groupSize,
    clipped: clippedCol,
    ...(peaks ? { peaks } : {}),
    model,
    sigmaEstimate,
    groupDistance,
    elapsedMs,
    summary,
    toCsv: () => spotsCsv(cols),
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

function regionHasNaN(img: Float64Array, W: number, g: Group): boolean {
  for (let y = g.by; y < g.by + g.bh; y++) {
    for (let x = g.bx; x < g.bx + g.bw; x++) if (!Number.isFinite(img[y * W + x])) return true;
  }
  return false;
}

/** Copies a group's region into the stack; pixels in the Voronoi cell of a peak outside the group become NaN. */
function fillRegion(stack: Float64Array, off: number, img: Float64Array, W: number, g: Group, px: Int32Array, py: Int32Array): void {
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
): Map<string, Float64Array> {
  const m = gis.length;
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
        if (Object.hasOwn(userStart, p) && !Object.values(r).includes(p)) col(names.get(p) ?? p)[f] = userStart[p];
      }
    });
    if (r.background) {
      let bg = median(g.members.map((i) => moments[i].background));
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
): Record<string, ManyParamInput> {
  const r = model.roles;
  const bounds = new Map<string, [number, number]>();
  const big = Math.max(bw, bh);
  for (const names of rename) {
    if (r.amplitude) bounds.set(names.get(r.amplitude)!, [0, Infinity]);
    bounds.set(names.get(r.x)!, [-0.5, bw - 0.5]);
    bounds.set(names.get(r.y)!, [-0.5, bh - 0.5]);
    for (const s of [r.sigma, r.sigmaX, r.sigmaY]) if (s) bounds.set(names.get(s)!, [0.3, big]);
  }
  if (r.background && estimator === 'poisson') bounds.set(r.background, [0, Infinity]);
  const out: Record<string, ManyParamInput> = {};
  for (const [name, v] of starts) {
    const b = bounds.get(name);
    if (b) {
      for (let i = 0; i < v.length; i++) v[i] = Math.min(Math.max(v[i], b[0]), b[1]);
      out[name] = { value: v, min: b[0], max: b[1] };
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
): void {
  const r = model.roles;
  const val = (name: string | undefined, f: number): number => (name ? (res.values[name]?.[f] ?? NaN) : NaN);
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
    if (typeof x !== 'number' || Number.isNaN(x)) throw new ExprfitError('option', `${k} must be a number, got ${JSON.stringify(v)}`);
    return x;
  };
  const int = (k: string, v: unknown): number => {
    const x = num(k, v);
    if (!Number.isInteger(x)) throw new ExprfitError('option', `${k} must be an integer, got ${JSON.stringify(v)}`);
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
        if (s !== 'gpufit' && s !== 'strict') throw new ExprfitError('option', `stop must be gpufit or strict, got ${JSON.stringify(v)}`);
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
        throw new ExprfitError('option', `unknown spots option '${k0}'`, g ? { hints: [`did you mean '${g}'?`] } : {});
      }
    }
  }
  return { options, ...(out !== undefined ? { out } : {}), ...(overlay !== undefined ? { overlay } : {}) };
}
