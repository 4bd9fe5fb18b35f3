/**
 * Worker-thread entry of batch fitting and after-fit work (afterFitJob.ts: profiles, rows of a 2-D region;
 * bundled as dist/batch-worker.js; loaded through tsx's `tsImport` when exprfit runs from its TypeScript
 * sources). Each batch message names a range of fits of a batch whose data and result
 * columns live in SharedArrayBuffers; the worker compiles the model itself (cached per model, spec and layout)
 * and writes its fits' results in place, then answers with the message's id. A message may instead name a
 * function of `CALLS` (a `CallTask`): the worker answers with its value. Errors go back as the message of the
 * error, an ExprfitError as its code, message and hints.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runAfterFitJob, type AfterFitJob } from './afterFitJob.ts';
import type { SolveContext, SolveOutput } from './lm.ts';
import { solveRange } from './lm.ts';
import type { BatchTask, CallTask } from './problem.ts';
import { contextFor } from './problem.ts';
import { ExprfitError } from '../core/index.ts';

/**
 * A module loaded on first use, the same promise after: an `import()` per call would ask the module loader
 * again each time (from the TypeScript sources a round trip to tsx's loader thread per call).
 */
function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

const stackFrame = onFirstUse(() => import('./spots/stackFrame.ts'));

/** The functions a `CallTask` may name, by name (their modules are loaded when first called). */
const CALLS: Readonly<Record<string, (args: never) => Promise<unknown>>> = {
  spotsOfFrames: async (args: never) => (await stackFrame()).spotsOfFrames(args),
};

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

/** The answer to a failed task: an ExprfitError keeps its code, message and hints. */
function failure(id: number, e: unknown): Record<string, unknown> {
  if (e instanceof ExprfitError)
    return { id, exprfit: { code: e.code, message: e.message, hints: [...e.hints] } };
  return { id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}

/** Runs a `CallTask`: the named function on the task's arguments. */
async function runCallTask(task: CallTask): Promise<unknown> {
  const fn = CALLS[task.call];
  if (!fn) throw new Error(`no worker function '${task.call}'`);
  return fn(task.args as never);
}

if (parentPort && (workerData as { exprfitBatch?: boolean } | null)?.exprfitBatch) {
  const port = parentPort;
  port.on('message', (msg: { id: number; task?: BatchTask | CallTask; afterFit?: AfterFitJob }) => {
    const task = msg.task;
    if (task && 'call' in task) {
      runCallTask(task).then(
        (result) => port.postMessage({ id: msg.id, result }),
        (e: unknown) => port.postMessage(failure(msg.id, e)),
      );
      return;
    }
    try {
      if (msg.afterFit) return port.postMessage({ id: msg.id, result: runAfterFitJob(msg.afterFit) });
      runBatchTask(task!);
      port.postMessage({ id: msg.id });
    } catch (e) {
      port.postMessage(failure(msg.id, e));
    }
  });
}
