/**
 * Worker-thread entry of batch fitting and after-fit work (afterFitJob.ts: profiles, rows of a 2-D region;
 * bundled as dist/batch-worker.js; loaded through tsx's `tsImport` when exprfit runs from its TypeScript
 * sources). Each batch message names a range of fits of a batch whose data and result
 * columns live in SharedArrayBuffers; the worker compiles the model itself (cached per model, spec and layout)
 * and writes its fits' results in place, then answers with the message's id.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runAfterFitJob, type AfterFitJob } from './afterFitJob.ts';
import type { SolveContext, SolveOutput } from './lm.ts';
import { solveRange } from './lm.ts';
import type { BatchSetup } from './problem.ts';
import { contextFor } from './problem.ts';

export interface BatchTask {
  /** The batch: its setup and output columns are sent with the first task a worker gets of it. */
  readonly batch: number;
  readonly setup?: BatchSetup;
  readonly out?: SolveOutput;
  readonly from: number;
  readonly to: number;
}

/** The batches this worker has seen (the latest few): their solver context and output columns. */
const batches = new Map<number, { ctx: SolveContext; out: SolveOutput }>();

/** Solves one task's fits in place; returns how many. */
export function runBatchTask(task: BatchTask): number {
  let b = batches.get(task.batch);
  if (!b) {
    if (!task.setup || !task.out) throw new Error(`batch ${task.batch} is unknown to this worker`);
    b = { ctx: contextFor(task.setup), out: task.out };
    batches.set(task.batch, b);
    while (batches.size > 4) batches.delete(batches.keys().next().value!);
  }
  solveRange(b.ctx, b.out, task.from, task.to);
  return task.to - task.from;
}

if (parentPort && (workerData as { exprfitBatch?: boolean } | null)?.exprfitBatch) {
  const port = parentPort;
  port.on('message', (msg: { id: number; task?: BatchTask; afterFit?: AfterFitJob }) => {
    try {
      if (msg.afterFit) return port.postMessage({ id: msg.id, value: runAfterFitJob(msg.afterFit) });
      runBatchTask(msg.task!);
      port.postMessage({ id: msg.id });
    } catch (e) {
      port.postMessage({ id: msg.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  });
}
