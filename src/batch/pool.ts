/**
 * Worker threads for batch fitting (node:worker_threads). A pool per thread count is kept for the life of the
 * process — idle workers are unref'd, so they never keep it alive — and `closeBatchPool()` ends it.
 *
 * The worker entry is dist/batch-worker.js next to the bundle, or src/batch/worker.ts when exprfit runs from its
 * TypeScript sources (tests, `tsx`): then the worker loads it through tsx's `tsImport` (a `--import tsx` in a
 * worker's execArgv is not honoured by Node 20).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ExprfitError } from '../syntax/span.ts';
import type { PreparedMany } from './fitMany.ts';
import type { SolveOutput } from './lm.ts';
import { allocOutput } from './problem.ts';
import type { BatchTask } from './worker.ts';

interface Pending {
  resolve(): void;
  reject(e: Error): void;
}

class BatchPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { id: number; task: BatchTask; done: Pending }[] = [];
  private readonly running = new Map<Worker, { id: number; done: Pending }>();
  /** Batches each worker has been sent (the setup goes with a worker's first task of a batch). */
  private readonly seen = new Map<Worker, Set<number>>();
  private readonly setups = new Map<number, { setup: BatchTask['setup']; out: BatchTask['out'] }>();
  private nextId = 1;
  private broken: Error | undefined;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  private spawn(): void {
    const w = startWorker();
    w.on('message', (msg: { id: number; error?: string }) => {
      const r = this.running.get(w);
      if (!r || r.id !== msg.id) return;
      this.running.delete(w);
      if (msg.error) r.done.reject(new Error(`batch worker failed: ${msg.error}`));
      else r.done.resolve();
      this.release(w);
    });
    w.on('error', (e: Error) => this.fail(w, e));
    w.on('exit', (code) => {
      if (this.workers.includes(w)) this.fail(w, new Error(`batch worker exited with code ${code}`));
    });
    w.unref();
    this.workers.push(w);
    this.idle.push(w);
  }

  private fail(w: Worker, e: Error): void {
    this.broken = e;
    const r = this.running.get(w);
    this.running.delete(w);
    r?.done.reject(e);
    for (const q of this.queue.splice(0)) q.done.reject(e);
    const i = this.workers.indexOf(w);
    if (i >= 0) this.workers.splice(i, 1);
    const j = this.idle.indexOf(w);
    if (j >= 0) this.idle.splice(j, 1);
  }

  private release(w: Worker): void {
    const next = this.queue.shift();
    if (next) this.dispatch(w, next);
    else {
      w.unref();
      this.idle.push(w);
    }
  }

  private dispatch(w: Worker, job: { id: number; task: BatchTask; done: Pending }): void {
    w.ref();
    this.running.set(w, { id: job.id, done: job.done });
    let seen = this.seen.get(w);
    if (!seen) this.seen.set(w, (seen = new Set()));
    let task = job.task;
    if (!seen.has(task.batch)) {
      seen.add(task.batch);
      if (seen.size > 4) seen.delete(seen.values().next().value!);
      task = { ...task, ...this.setups.get(task.batch) };
    }
    w.postMessage({ id: job.id, task });
  }

  /** Registers a batch's setup and output columns; tasks then name it by number. */
  addBatch(setup: NonNullable<BatchTask['setup']>, out: NonNullable<BatchTask['out']>): number {
    const id = this.nextBatch++;
    this.setups.set(id, { setup, out });
    return id;
  }

  endBatch(id: number): void {
    this.setups.delete(id);
  }
  private nextBatch = 1;

  run(task: BatchTask): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<void>((resolve, reject) => {
      const job = { id: this.nextId++, task, done: { resolve, reject } };
      const w = this.idle.pop();
      if (w) this.dispatch(w, job);
      else this.queue.push(job);
    });
  }

  get healthy(): boolean {
    return !this.broken && this.workers.length === this.size;
  }

  async destroy(): Promise<void> {
    const ws = this.workers.splice(0);
    this.idle.length = 0;
    await Promise.all(ws.map((w) => w.terminate()));
  }
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

function getPool(threads: number): BatchPool {
  if (pool && pool.size === threads && pool.healthy) return pool;
  void pool?.destroy();
  pool = new BatchPool(threads);
  return pool;
}

/** Ends the worker threads of batch fitting (they are started again when needed). */
export async function closeBatchPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  if (p) await p.destroy();
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
  try {
    await Promise.all(jobs);
  } finally {
    p.endBatch(batch);
  }
  return out;
}
