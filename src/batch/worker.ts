/**
 * Worker-thread entry of batch fitting (bundled as dist/batch-worker.js). Each task names a range of fits of a
 * batch whose data and result columns live in SharedArrayBuffers; the worker compiles the model itself (cached
 * per model, spec and layout) and writes its fits' results in place.
 */
import type { SolveOutput } from './lm.ts';
import { solveRange } from './lm.ts';
import type { BatchSetup } from './problem.ts';
import { contextFor } from './problem.ts';

export interface BatchTask {
  readonly setup: BatchSetup;
  readonly out: SolveOutput;
  readonly from: number;
  readonly to: number;
}

export default function runBatchTask(task: BatchTask): number {
  solveRange(contextFor(task.setup), task.out, task.from, task.to);
  return task.to - task.from;
}
