/**
 * Image stacks through the spot pipeline, frame by frame: `runSpotsStack(stack, options)` reads one frame at a
 * time (a `FrameStack` from src/data/stack.ts, a file name, or a 3-D array [frames, rows, cols]), runs
 * `runSpots` on it (stackFrame.ts) and gives one table with a `frame` column. With `threads` > 1 the frames are
 * spread over the worker pool (src/batch/pool.ts) in chunks of consecutive frames (about 20 ms of work each, so
 * that messages cost little; smaller at the end to balance the threads), the frames read from a file moved to the
 * worker, not copied (those of an array are copied); a few chunks are in flight at a time (memory stays
 * bounded by them). The rows are in frame order and the same as with one thread. `onProgress` counts frames.
 */
import { ExprfitError, validateOptions } from '../../core/index.ts';
import { NdArray } from '../../data/index.ts';
import { type FrameStack, openStack } from '../../data/node.ts';
import { spotModel } from '../models.ts';
import { callOnWorker } from '../pool.ts';
import { checkStartValues, spotsSchema, type SpotsOptions } from './options.ts';
import { SPOT_COLUMNS, type SpotColumn } from './report.ts';
import { spotsOfFrames, type FrameRows, type FramesArgs } from './stackFrame.ts';
import { isConverged, STATUS_NAMES } from './status.ts';

/** The columns of a stack's table: the frame (0-based), then those of one image's. */
export const STACK_COLUMNS = ['frame', ...SPOT_COLUMNS] as const;
/** A column of a stack's table. */
export type StackColumn = (typeof STACK_COLUMNS)[number];

/**
 * The frames of a stack, read one at a time. `fresh`: each read gives values in a buffer of their own that
 * nothing else holds (the readers of stack files), so it may be moved to a worker without a copy.
 */
type Frames = Pick<FrameStack, 'count' | 'frameShape' | 'read'> & { readonly fresh?: boolean };

/** The result of {@link runSpotsStack}: one table of every frame's spots. */
export interface SpotsStackResult {
  /** One row per spot, frame by frame (in each frame as `runSpots` orders them). */
  readonly columns: Readonly<Record<StackColumn, Float64Array>>;
  readonly count: number;
  readonly frames: number;
  /** Spots of each frame. */
  readonly perFrame: Int32Array;
  readonly statusNames: readonly string[];
  readonly elapsedMs: number;
  /** One line: spots, frames, converged, time. */
  readonly summary: string;
  toCsv(): string;
  writeCsv(file: string): Promise<void>;
}

/** A 3-D array [frames, rows, cols] as frames (views, no copies). */
function arrayFrames(a: NdArray): Frames {
  if (a.ndim !== 3) {
    throw new ExprfitError(
      'shape',
      `a stack is a 3-D array [frames, rows, cols], got shape [${a.shape.join(', ')}]`,
    );
  }
  const [count, rows, cols] = a.shape;
  const n = rows * cols;
  const read = async (k: number): Promise<NdArray> =>
    new NdArray(a.data.subarray(k * n, (k + 1) * n), [rows, cols]);
  return { count, frameShape: [rows, cols], read };
}

/** The options each frame runs with: validated here (errors before any frame), without `onProgress`. */
function frameOptions(options: SpotsOptions): FramesArgs['options'] {
  const valid = validateOptions(spotsSchema, options);
  checkStartValues(spotModel(valid.model), valid.start ?? {});
  const { onProgress: _onProgress, ...rest } = valid;
  return rest;
}

/** About 20 ms of work of the pipeline (128² frames with a few dozen spots take about 5 ms each). */
const CHUNK_PIXELS = 1 << 16;

/**
 * Frames in the next message to a worker: about `CHUNK_PIXELS` of frames (so that the messages cost little
 * against the work they carry), fewer towards the end so that the last chunks spread over the threads.
 */
export function chunkFrames(framePixels: number, remaining: number, threads: number): number {
  const full = Math.max(1, Math.floor(CHUNK_PIXELS / framePixels));
  return Math.max(1, Math.min(full, remaining, Math.floor(remaining / (2 * threads))));
}

/** Frames `first … first + count - 1`, each in a buffer of its own (a copy unless the read gave one). */
async function readChunk(frames: Frames, first: number, count: number): Promise<Float64Array[]> {
  const out: Float64Array[] = [];
  for (let j = 0; j < count; j++) {
    const data = (await frames.read(first + j)).data;
    out.push(frames.fresh && data.byteLength === data.buffer.byteLength ? data : data.slice());
  }
  return out;
}

/** The rows of frames `first …` on a worker (their buffers moved there, not copied). */
function fitOnWorker(threads: number, args: FramesArgs): Promise<FrameRows[]> {
  const buffers = args.frames.map((f) => f.buffer as ArrayBuffer);
  return callOnWorker(threads, 'spotsOfFrames', args, buffers) as Promise<FrameRows[]>;
}

/**
 * Runs the frames and gives their rows in frame order. One thread: frame by frame (one frame in memory). More:
 * `2 × threads` lanes each read a chunk of consecutive frames and send it to a worker, so that a chunk is ready
 * whenever a worker is free and at most `2 × threads` chunks are in memory. `onFrames(n)`: n more frames done.
 * The first frame that fails stops the run with its error.
 */
async function runFrames(
  frames: Frames,
  options: FramesArgs['options'],
  threads: number,
  onFrames: (n: number) => void,
): Promise<FrameRows[]> {
  const rows: FrameRows[] = new Array(frames.count);
  const errors = new Map<number, unknown>();
  const [h, w] = frames.frameShape;
  let next = 0;
  const fitChunk = async (first: number, count: number): Promise<FrameRows[]> => {
    if (threads === 1) {
      const data = (await frames.read(first)).data;
      return spotsOfFrames({ frames: [data], first, shape: frames.frameShape, options });
    }
    const chunk = await readChunk(frames, first, count);
    return fitOnWorker(threads, { frames: chunk, first, shape: frames.frameShape, options });
  };
  const lane = async (): Promise<void> => {
    while (next < frames.count && errors.size === 0) {
      const first = next;
      const count = threads === 1 ? 1 : chunkFrames(h * w, frames.count - first, threads);
      next += count;
      try {
        const got = await fitChunk(first, count);
        got.forEach((r, j) => (rows[first + j] = r));
        onFrames(count);
      } catch (err) {
        errors.set(first, err);
      }
    }
  };
  const lanes = threads > 1 ? 2 * threads : 1;
  await Promise.all(Array.from({ length: Math.min(lanes, frames.count) }, lane));
  if (errors.size) throw errors.get(Math.min(...errors.keys()));
  return rows;
}

/** The frames' rows as one table with the frame column. */
function joinRows(rows: readonly FrameRows[]): {
  columns: Record<StackColumn, Float64Array>;
  perFrame: Int32Array;
} {
  const perFrame = Int32Array.from(rows, (r) => r.count);
  const total = perFrame.reduce((a, b) => a + b, 0);
  const columns = Object.fromEntries(STACK_COLUMNS.map((c) => [c, new Float64Array(total)])) as Record<
    StackColumn,
    Float64Array
  >;
  let at = 0;
  rows.forEach((r, k) => {
    columns.frame.fill(k, at, at + r.count);
    for (const c of SPOT_COLUMNS) columns[c].set(r.columns[c as SpotColumn], at);
    at += r.count;
  });
  return { columns, perFrame };
}

function fmt(v: number): string {
  return Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v);
}

function stackCsv(cols: Readonly<Record<StackColumn, Float64Array>>): string {
  const lines = [STACK_COLUMNS.join(',')];
  for (let i = 0; i < cols.frame.length; i++) lines.push(STACK_COLUMNS.map((c) => fmt(cols[c][i])).join(','));
  return lines.join('\n') + '\n';
}

function summaryLine(cols: Readonly<Record<StackColumn, Float64Array>>, frames: number, ms: number): string {
  const n = cols.frame.length;
  let converged = 0;
  for (let i = 0; i < n; i++) if (isConverged(cols.status[i])) converged++;
  const s = (k: number, w: string): string => `${k} ${w}${k === 1 ? '' : 's'}`;
  return `${s(n, 'spot')} in ${s(frames, 'frame')}, ${converged} converged, ${(ms / 1000).toFixed(2)} s`;
}

function makeStackResult(rows: readonly FrameRows[], t0: number): SpotsStackResult {
  const { columns, perFrame } = joinRows(rows);
  const elapsedMs = performance.now() - t0;
  return {
    columns,
    count: columns.frame.length,
    frames: rows.length,
    perFrame,
    statusNames: STATUS_NAMES,
    elapsedMs,
    summary: summaryLine(columns, rows.length, elapsedMs),
    toCsv: () => stackCsv(columns),
    writeCsv: async (file: string) => {
      const { writeTable } = await import('../../data/index.ts');
      await writeTable(file, columns);
    },
  };
}

/**
 * Finds and fits the spots of every frame of a stack: a `FrameStack`, the name of a multi-page TIFF or 3-D
 * `.npy` file (read frame by frame), or a 3-D array [frames, rows, cols]. Options are those of `runSpots`;
 * `threads` spreads the frames over worker threads; `onProgress(framesDone, frames)`.
 */
export async function runSpotsStack(
  stack: FrameStack | NdArray | string,
  options: SpotsOptions = {},
): Promise<SpotsStackResult> {
  const t0 = performance.now();
  const args = frameOptions(options);
  const opened = typeof stack === 'string' ? await openStack(stack) : undefined;
  const frames: Frames = opened
    ? { count: opened.count, frameShape: opened.frameShape, read: (k) => opened.read(k), fresh: true }
    : stack instanceof NdArray
      ? arrayFrames(stack)
      : (stack as FrameStack);
  let done = 0;
  const progress = options.onProgress;
  progress?.(0, frames.count);
  try {
    const onFrames = (n: number): void => {
      for (let j = 0; j < n; j++) progress?.(++done, frames.count);
    };
    const rows = await runFrames(frames, args, args.threads ?? 1, onFrames);
    return makeStackResult(rows, t0);
  } finally {
    await opened?.close();
  }
}
