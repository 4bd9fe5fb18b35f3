/**
 * One frame of an image stack through the spot pipeline (`runSpots`, one thread): what a worker thread runs for
 * `runSpotsStack` (stack.ts) and what that runs itself with one thread, so that both give the same rows.
 */
import { NdArray } from '../../data/index.ts';
import { runSpots } from './index.ts';
import type { SpotsOptions } from './options.ts';
import type { SpotColumn } from './report.ts';

/** A frame and the options of the pipeline (without functions: they are sent to a worker thread). */
export interface FrameArgs {
  readonly data: Float64Array;
  readonly shape: readonly [number, number];
  readonly options: Omit<SpotsOptions, 'onProgress'>;
}

/** The rows of one frame. */
export interface FrameRows {
  readonly columns: Readonly<Record<SpotColumn, Float64Array>>;
  readonly count: number;
}

export async function spotsOfFrame(args: FrameArgs): Promise<FrameRows> {
  const image = new NdArray(args.data, [...args.shape]);
  const res = await runSpots(image, { ...args.options, threads: 1 });
  return { columns: res.columns, count: res.count };
}
