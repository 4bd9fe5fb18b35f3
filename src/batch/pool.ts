/**
 * Worker threads for batch fitting (piscina). One pool per thread count is kept for the life of the process
 * (idle workers do not keep it alive); `closeBatchPool()` ends it.
 *
 * The worker entry is dist/batch-worker.js next to the bundle, or src/batch/worker.ts (loaded through tsx)
 * when exprfit runs from its TypeScript sources (tests, `tsx`).
 */
import { fileURLToPath } from 'node:url';
import { ExprfitError } from '../syntax/span.ts';
import type { PreparedMany } from './fitMany.ts';
import type { SolveOutput } from './lm.ts';
import { allocOutput } from './problem.ts';
import type { BatchTask } from './worker.ts';

interface PoolLike {
  run(task: unknown): Promise<unknown>;
  destroy(): Promise<void>;
}

let pool: PoolLike | undefined;
let poolThreads = 0;

/** Where the worker entry is, and the Node options it needs. */
export function workerEntry(): { filename: string; execArgv: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    return { filename: fileURLToPath(new URL('./worker.ts', here)), execArgv: ['--import', 'tsx'] };
  }
  return { filename: fileURLToPath(new URL('./batch-worker.js', here)), execArgv: [] };
}

async function getPool(threads: number): Promise<PoolLike> {
  if (pool && poolThreads === threads) return pool;
  if (pool) await closeBatchPool();
  let Piscina: new (o: object) => PoolLike;
  try {
    ({ Piscina } = (await import('piscina')) as unknown as { Piscina: new (o: object) => PoolLike });
  } catch (e) {
    throw new ExprfitError('usage', 'threads > 1 needs the piscina package (npm install piscina)', { cause: e });
  }
  const { filename, execArgv } = workerEntry();
  pool = new Piscina({ filename, minThreads: threads, maxThreads: threads, idleTimeout: 60_000, execArgv });
  poolThreads = threads;
  return pool;
}

/** Ends the worker threads of batch fitting (they are started again when needed). */
export async function closeBatchPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  poolThreads = 0;
  if (p) await p.destroy();
}

/** Solves a prepared (shared-memory) batch on `prep.threads` worker threads, in chunks, results in input order. */
export async function runThreaded(prep: PreparedMany): Promise<SolveOutput> {
  const s = prep.setup;
  const out = allocOutput(s.nFits, s.params.length, true);
  const p = await getPool(prep.threads);
  let done = 0;
  const jobs: Promise<unknown>[] = [];
  for (let from = 0; from < s.nFits; from += prep.chunkSize) {
    const to = Math.min(s.nFits, from + prep.chunkSize);
    const task: BatchTask = { setup: s, out, from, to };
    jobs.push(
      p.run(task).then(() => {
        done += to - from;
        prep.onProgress?.(done, s.nFits);
      }),
    );
  }
  await Promise.all(jobs);
  return out;
}
