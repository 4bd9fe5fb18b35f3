/**
 * Frames of an image stack through the spot pipeline (`runSpots`, one thread): what a worker thread runs for
 * `runSpotsStack` (stack.ts) — a chunk of consecutive frames per message — and what that runs itself with one
 * thread, so that both give the same rows. An error of the pipeline names its frame.
 */
import { ExprfitError } from '../../core/index.ts';
import { NdArray } from '../../data/index.ts';
import { runSpots } from './index.ts';
import type { SpotsOptions } from './options.ts';
import type { SpotColumn } from './report.ts';

/**
 * Consecutive frames `first, first + 1, …` of a stack (the values of each, of `shape`), and the options of the
 * pipeline (without functions: they are sent to a worker thread).
 */
export interface FramesArgs {
  readonly frames: readonly Float64Array[];
  readonly first: number;
  readonly shape: readonly [number, number];
  readonly options: Omit<SpotsOptions, 'onProgress'>;
}

/** The rows of one frame. */
export interface FrameRows {
  readonly columns: Readonly<Record<SpotColumn, Float64Array>>;
  readonly count: number;
}

/** An error of the pipeline on frame `k`, naming the frame. */
function inFrame(err: unknown, k: number): unknown {
  return err instanceof ExprfitError ? err.withMessage((m) => `frame ${k}: ${m}`) : err;
}

/** The spots of each frame of `args`, in frame order; the first frame that fails stops them (its error). */
export async function spotsOfFrames(args: FramesArgs): Promise<FrameRows[]> {
  const out: FrameRows[] = [];
  for (const [j, data] of args.frames.entries()) {
    try {
      const res = await runSpots(new NdArray(data, [...args.shape]), { ...args.options, threads: 1 });
      out.push({ columns: res.columns, count: res.count });
    } catch (err) {
      throw inFrame(err, args.first + j);
    }
  }
  return out;
}
