/** The result of the spot pipeline: the table (one row per spot), its CSV text, the summary and the overlay. */
import { printExpr } from '../../ast/index.ts';
import { type NdArray, plainArrays } from '../../data/index.ts';
import type { Peaks } from '../findPeaks.ts';
import type { SpotModel } from '../models.ts';
import type { OverlayOptions } from '../overlay.ts';
import { isConverged, STATUS_NAMES } from './status.ts';

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
  /** PNG bytes of the image with the fitted ellipses drawn on it (scaled by `overlayScale` unless given). */
  overlayPng(options?: OverlayOptions): Promise<Uint8Array>;
  writeOverlay(file: string, options?: OverlayOptions): Promise<void>;
  writeCsv(file: string): Promise<void>;
}

/** What the last pass of the fits gives the result. */
export interface SpotTable {
  readonly cols: Record<SpotColumn, Float64Array>;
  readonly group: Int32Array;
  readonly groupSize: Int32Array;
  readonly clipped: Uint8Array;
  readonly sigmaEstimate: number;
  readonly groupDistance: number;
  readonly crowdedGroups: number;
}

/** What the refinement after the first pass did. */
export interface Refinement {
  /** Spots added by splitting blends (two for one) and found in the residuals. */
  readonly split: number;
  readonly added: number;
}

function fmt(v: number): string {
  return Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v);
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

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `412 spots (6 blends split) (3 found in the residuals), 412 converged, 93 crowded groups fitted jointly, 0.52 s`. */
function summaryLine(table: SpotTable, refined: Refinement, elapsedMs: number): string {
  const n = table.cols.id.length;
  let converged = 0;
  for (let i = 0; i < n; i++) if (isConverged(table.cols.status[i])) converged++;
  const split = refined.split > 0 ? ` (${plural(refined.split, 'blend')} split)` : '';
  const added = refined.added ? ` (${refined.added} found in the residuals)` : '';
  return (
    `${plural(n, 'spot')}${split}${added}, ${converged} converged, ` +
    `${plural(table.crowdedGroups, 'crowded group')} fitted jointly, ${(elapsedMs / 1000).toFixed(2)} s`
  );
}

export function makeResult(
  image: NdArray,
  table: SpotTable,
  refined: Refinement,
  run: {
    readonly model: SpotModel;
    readonly peaks?: Peaks;
    readonly t0: number;
    readonly overlayScale?: number;
  },
): SpotsResult {
  const cols = table.cols;
  const overlay = (o?: OverlayOptions): OverlayOptions =>
    run.overlayScale === undefined ? (o ?? {}) : { scale: run.overlayScale, ...o };
  const elapsedMs = performance.now() - run.t0;
  const result: SpotsResult = {
    columns: cols,
    count: cols.id.length,
    statusNames: STATUS_NAMES,
    group: table.group,
    groupSize: table.groupSize,
    clipped: table.clipped,
    ...(run.peaks ? { peaks: run.peaks } : {}),
    model: run.model,
    sigmaEstimate: table.sigmaEstimate,
    groupDistance: table.groupDistance,
    residualPeaks: refined.added,
    elapsedMs,
    summary: summaryLine(table, refined, elapsedMs),
    toCsv: () => spotsCsv(cols),
    toJSON: () => spotsJson(result),
    overlayPng: async (o?: OverlayOptions) =>
      (await import('../overlay.ts')).overlayPng(image, cols, overlay(o)),
    writeOverlay: async (file: string, o?: OverlayOptions) => {
      const { overlayPng } = await import('../overlay.ts');
      const { writeBytes } = await import('../../data/index.ts');
      await writeBytes(file, await overlayPng(image, cols, overlay(o)));
    },
    writeCsv: async (file: string) => {
      const { writeTable } = await import('../../data/index.ts');
      await writeTable(file, cols);
    },
  };
  return result;
}
