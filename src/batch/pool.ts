/**
 * Worker threads for batch fitting (node:worker_threads). One pool, of the last thread count asked for, is kept
 * for the life of the process — idle workers are unref'd, so they never keep it alive — and `closeBatchPool()`
 * ends it. A batch keeps the pool it started on until it is done, even when another thread count or
 * `closeBatchPool()` replaces that pool meanwhile. Besides batches, the workers answer calls (`callOnWorker`):
 * a function named in worker.ts (`CALLS`) run on the call's arguments (buffers named in the call moved, not
 * copied), its value sent back (the spots of a chunk of frames of an image stack, src/batch/spots/stack.ts); a
 * retired pool also waits for its unanswered calls.
 *
 * The worker entry is dist/batch-worker.js next to the bundle, or src/batch/worker.ts when exprfit runs from its
 * TypeScript sources (tests, `tsx`): then the worker loads it through tsx's `tsImport` (a `--import tsx` in a
 * worker's execArgv is not honoured by Node 20).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ExprfitError } from '../core/index.ts';
import { withoutFitData, type AfterFitJob } from './afterFitJob.ts';
import type { SolveOutput } from './lm.ts';
import { allocOutput, type BatchTask, type CallTask, type PreparedMany } from './problem.ts';

interface Pending {
  resolve(value: unknown): void;
  reject(e: Error): void;
}

/**
 * A range of fits of a batch, or one unit of after-fit work (a profile, a row of a 2-D region); a call may name
 * buffers of its arguments that are moved to the worker instead of copied.
 */
type Work =
  | { readonly task: BatchTask | CallTask; readonly transfer?: readonly ArrayBuffer[] }
  | { readonly afterFit: AfterFitJob };

type Job = Work & {
  readonly id: number;
  readonly done: Pending;
};

/** A worker's answer: done (with a result for a call), or failed (an ExprfitError as its parts). */
interface Answer {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
  readonly exprfit?: { code: ExprfitError['code']; message: string; hints: string[] };
}

function answerError(msg: Answer): Error {
  if (msg.exprfit)
    return new ExprfitError(msg.exprfit.code, msg.exprfit.message, { hints: msg.exprfit.hints });
  return new Error(`batch worker failed: ${msg.error}`);
}

/**
 * A fixed number of workers. Lifecycle: a pool serves batches until it is retired (another thread count is
 * asked for, a worker died, or `closeBatchPool()`); a retired pool takes no new batch, finishes the batches it
 * has, and then ends its workers. So a running batch always keeps its workers until it is done.
 */
class BatchPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<Worker, Job>();
  /** Batches each worker has been sent (the setup goes with a worker's first task of a batch). */
  private readonly seen = new Map<Worker, Set<number>>();
  private readonly setups = new Map<number, { setup: BatchTask['setup']; out: BatchTask['out'] }>();
  private nextId = 1;
  private nextBatch = 1;
  /** Work held open besides batches (groups of after-fit jobs, unanswered calls): a retired pool ends when it
   * and its batches are done. */
  private held = 0;
  private broken: Error | undefined;
  private retired = false;
  private ending = false;
  private resolveEnded: () => void = () => {};
  /** Resolves when the pool has ended its workers. */
  private readonly ended = new Promise<void>((resolve) => (this.resolveEnded = resolve));

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  private spawn(): void {
    const w = startWorker();
    w.on('message', (msg: Answer) => this.answered(w, msg));
    w.on('error', (e: Error) => this.fail(w, e));
    w.on('exit', (code) => {
      if (this.workers.includes(w)) this.fail(w, new Error(`batch worker exited with code ${code}`));
    });
    w.unref();
    this.workers.push(w);
    this.idle.push(w);
  }

  private answered(w: Worker, msg: Answer): void {
    const job = this.running.get(w);
    if (!job || job.id !== msg.id) return;
    this.running.delete(w);
    if (msg.error !== undefined || msg.exprfit) job.done.reject(answerError(msg));
    else job.done.resolve(msg.result);
    this.release(w);
  }

  /** A worker died: its task and the queued ones fail; the pool serves no new batch. */
  private fail(w: Worker, e: Error): void {
    this.broken = e;
    const job = this.running.get(w);
    this.running.delete(w);
    job?.done.reject(e);
    for (const q of this.queue.splice(0)) q.done.reject(e);
    remove(this.workers, w);
    remove(this.idle, w);
  }

  private release(w: Worker): void {
    const next = this.queue.shift();
    if (next) this.dispatch(w, next);
    else {
      w.unref();
      this.idle.push(w);
    }
  }

  private dispatch(w: Worker, job: Job): void {
    w.ref();
    this.running.set(w, job);
    if ('afterFit' in job) {
      w.postMessage({ id: job.id, afterFit: this.fitOnce(w, job.afterFit) });
      return;
    }
    let seen = this.seen.get(w);
    if (!seen) this.seen.set(w, (seen = new Set()));
    let task = job.task;
    if (!('call' in task) && !seen.has(task.batch)) {
      seen.add(task.batch);
      if (seen.size > 4) seen.delete(seen.values().next().value!);
      task = { ...task, ...this.setups.get(task.batch) };
    }
    w.postMessage({ id: job.id, task }, job.transfer as ArrayBuffer[] | undefined);
  }

  /** The fits each worker has been sent (the latest 4, as the worker keeps them). */
  private readonly fitsSeen = new Map<Worker, number[]>();

  /** An after-fit job with its fit's data the first time a worker gets that fit, without it after. */
  private fitOnce(w: Worker, job: AfterFitJob): AfterFitJob {
    let seen = this.fitsSeen.get(w);
    if (!seen) this.fitsSeen.set(w, (seen = []));
    if (seen.includes(job.fit.id)) return withoutFitData(job);
    seen.push(job.fit.id);
    if (seen.length > 4) seen.shift();
    return job;
  }

  /** Registers a batch's setup and output columns; tasks then name it by number. */
  addBatch(setup: NonNullable<BatchTask['setup']>, out: NonNullable<BatchTask['out']>): number {
    if (this.retired) throw new Error('internal: a batch was added to a retired worker pool');
    const id = this.nextBatch++;
    this.setups.set(id, { setup, out });
    return id;
  }

  /** A batch is done (all its tasks settled); a retired pool ends with its last batch. */
  endBatch(id: number): void {
    this.setups.delete(id);
    this.endIfDone();
  }

  private endIfDone(): void {
    if (this.retired && this.setups.size === 0 && this.held === 0) this.end();
  }

  /** Keeps the pool from ending (when retired) until `unhold`: after-fit groups and calls. */
  hold(): void {
    if (this.retired) throw new Error('internal: work was added to a retired worker pool');
    this.held++;
  }

  unhold(): void {
    this.held--;
    this.endIfDone();
  }

  run(task: BatchTask): Promise<void> {
    return this.enqueue({ task }).then(() => undefined);
  }

  /** Runs a call on a worker (moving the `transfer` buffers to it); the promise has its result. */
  async call(task: CallTask, transfer?: readonly ArrayBuffer[]): Promise<unknown> {
    this.hold();
    try {
      return await this.enqueue({ task, transfer });
    } finally {
      this.unhold();
    }
  }

  /** Runs one unit of after-fit work; resolves with its value. */
  runAfterFit(afterFit: AfterFitJob): Promise<unknown> {
    return this.enqueue({ afterFit });
  }

  private enqueue(work: Work): Promise<unknown> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<unknown>((resolve, reject) => {
      const job: Job = { ...work, id: this.nextId++, done: { resolve, reject } };
      const w = this.idle.pop();
      if (w) this.dispatch(w, job);
      else this.queue.push(job);
    });
  }

  get healthy(): boolean {
    return !this.broken && !this.retired && this.workers.length === this.size;
  }

  /** Takes no new batch; ends the workers once the running batches are done. Resolves when they have ended. */
  retire(): Promise<void> {
    this.retired = true;
    this.endIfDone();
    return this.ended;
  }

  private end(): void {
    if (this.ending) return;
    this.ending = true;
    const ws = this.workers.splice(0);
    this.idle.length = 0;
    Promise.all(ws.map((w) => w.terminate())).then(this.resolveEnded, this.resolveEnded);
  }
}

function remove<T>(list: T[], x: T): void {
  const i = list.indexOf(x);
  if (i >= 0) list.splice(i, 1);
}

/** Starts one worker: the bundled entry, or the TypeScript entry through tsx. */
function startWorker(): Worker {
  const here = import.meta.url;
  const workerData = { exprfitBatch: true };
  if (!here.endsWith('.ts')) return new Worker(new URL('./batch-worker.js', here), { workerData });
  let api: string;
  try {
    // The ESM build of tsx's API (its CommonJS build registers a path that does not exist from a worker).
    api = pathToFileURL(
      createRequire(here)
        .resolve('tsx/esm/api')
        .replace(/\.cjs$/, '.mjs'),
    ).href;
  } catch (e) {
    throw new ExprfitError(
      'usage',
      'threads > 1 from the TypeScript sources needs tsx (or run the built dist)',
      {
        cause: e,
      },
    );
  }
  const entry = new URL('./worker.ts', here).href;
  const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(here)}));`;
  return new Worker(code, { eval: true, workerData });
}

let pool: BatchPool | undefined;
/** Pools retired while batches ran on them (they end with their last batch). */
const retiring = new Set<Promise<void>>();

function retire(p: BatchPool): void {
  const ended = p.retire().then(() => {
    retiring.delete(ended);
  });
  retiring.add(ended);
}

function getPool(threads: number): BatchPool {
  if (pool && pool.size === threads && pool.healthy) return pool;
  if (pool) retire(pool);
  pool = new BatchPool(threads);
  return pool;
}

/**
 * Ends the worker threads of batch fitting (they are started again when needed). Batches still running keep
 * their workers until they are done; the promise resolves when every worker has ended.
 */
export async function closeBatchPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  if (p) retire(p);
  await Promise.all([...retiring]);
}

/**
 * Why worker threads cannot start here, or undefined when they can: a bundle whose worker file
 * (batch-worker.js next to it) is missing. `here` is the URL of this module (a parameter for the tests).
 */
export function missingWorkerEntry(here: string = import.meta.url): string | undefined {
  if (here.endsWith('.ts') || !here.startsWith('file:')) return undefined;
  const entry = new URL('./batch-worker.js', here);
  return existsSync(fileURLToPath(entry)) ? undefined : fileURLToPath(entry);
}

/** Solves a prepared (shared-memory) batch on `prep.threads` worker threads, in chunks, results in input order. */
export async function runThreaded(prep: PreparedMany): Promise<SolveOutput> {
  const s = prep.setup;
  const out = allocOutput(s.nFits, s.params.length, true);
  const p = getPool(prep.threads);
  const batch = p.addBatch(s, out);
  let done = 0;
  const jobs: Promise<void>[] = [];
  for (let from = 0; from < s.nFits; from += prep.chunkSize) {
    const to = Math.min(s.nFits, from + prep.chunkSize);
    jobs.push(
      p.run({ batch, from, to }).then(() => {
        done += to - from;
        prep.onProgress?.(done, s.nFits);
      }),
    );
  }
  // every task settles (a worker that dies fails its own and the queued ones) before the batch ends
  const settled = await Promise.allSettled(jobs);
  p.endBatch(batch);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return out;
}

/** How `runAfterFitJobs` reports: a job's value as it comes, and whether to start no more. */
export interface AfterFitControl {
  stopped(): boolean;
  done(index: number, value: unknown): void;
}

/**
 * Runs after-fit jobs on `threads` worker threads, at most `threads` at a time so that a stop leaves none
 * queued: each job's value goes to `control.done`; once `control.stopped()`, no further job starts (the running
 * ones finish). Resolves when every started job has settled.
 */
export async function runAfterFitJobs(
  threads: number,
  jobs: readonly AfterFitJob[],
  control: AfterFitControl,
): Promise<void> {
  const p = getPool(threads);
  p.hold();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length && !control.stopped()) {
      const i = next++;
      control.done(i, await p.runAfterFit(jobs[i]));
    }
  };
  try {
    const settled = await Promise.allSettled(Array.from({ length: Math.min(threads, jobs.length) }, lane));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    p.unhold();
  }
}

/**
 * Runs `call` of the workers (`CALLS` in worker.ts) on `args` on the pool of `threads` workers. The `transfer`
 * buffers (of `args`) are moved to the worker, not copied: the caller must not use them after.
 */
export function callOnWorker(
  threads: number,
  call: string,
  args: unknown,
  transfer?: readonly ArrayBuffer[],
): Promise<unknown> {
  return getPool(threads).call({ call, args }, transfer);
}
