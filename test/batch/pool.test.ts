import { afterAll, describe, expect, it, vi } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { fitMany, fitManySync, prepareMany } from '../../src/batch/fitMany.ts';
import { closeBatchPool, missingWorkerEntry } from '../../src/batch/pool.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { rng } from './helpers.ts';

// A machine with 3 cores, so that thread counts 2 and 3 are different pools (and 5 is above the cores).
vi.mock('node:os', async (original) => ({
  ...(await original<typeof import('node:os')>()),
  availableParallelism: () => 3,
}));

const MODEL = 'z = A*exp(-(x-x0)^2/(2*s^2)) + bg';
const W = 12;
const x = Float64Array.from({ length: W }, (_v, i) => i);

function stack(n: number, seed: number): NdArray {
  const u = rng(seed);
  const z = new Float64Array(n * W);
  for (let i = 0; i < n; i++) {
    const x0 = 5 + u();
    for (let c = 0; c < W; c++) z[i * W + c] = 100 * Math.exp(-((c - x0) ** 2) / 4) + 3 + u();
  }
  return new NdArray(z, [n, W]);
}

const starts = { A: 80, x0: 5.5, s: 1.2, bg: 2 };

afterAll(async () => {
  await closeBatchPool();
});

function expectSame(a: Awaited<ReturnType<typeof fitMany>>, b: Awaited<ReturnType<typeof fitMany>>): void {
  for (const q of a.params) expect([...a.values[q]]).toEqual([...b.values[q]]);
  expect([...a.status]).toEqual([...b.status]);
}

describe('batch worker pool', () => {
  it('finishes a running batch when another thread count starts, or closeBatchPool runs, meanwhile', async () => {
    // (before: the replaced pool's workers were terminated under the running batch, which never settled)
    const z = stack(150, 1);
    const reference = fitManySync(MODEL, { z, x }, starts);
    const options = { chunkSize: 5 };
    const first = fitMany(MODEL, { z, x }, starts, { ...options, threads: 2 });
    // another thread count replaces the pool while the first batch runs on it
    const second = fitMany(MODEL, { z, x }, starts, { ...options, threads: 3 });
    const closed = closeBatchPool();
    const third = fitMany(MODEL, { z, x }, starts, { ...options, threads: 2 });
    const [a, b, c] = await Promise.all([first, second, third]);
    await closed;
    expectSame(a, reference);
    expectSame(b, reference);
    expectSame(c, reference);
  });

  it('lowers threads above the cores to the cores, with a warning; rejects more than 256', async () => {
    const warnings: string[] = [];
    const listen = (w: Error): void => {
      warnings.push(w.message);
    };
    process.on('warning', listen);
    try {
      const prep = prepareMany(MODEL, { z: stack(100, 3), x }, starts, { threads: 5 });
      expect(prep.threads).toBe(3);
      prep.release?.();
      await new Promise((done) => setImmediate(done));
      expect(warnings).toContain('threads 5 is more than the 3 cores of this machine: using 3');
    } finally {
      process.off('warning', listen);
    }
    await expect(fitMany(MODEL, { z: stack(1, 4), x }, starts, { threads: 257 })).rejects.toThrow(
      "fitMany option 'threads' must be an integer >= 1 and <= 256, got 257",
    );
    await expect(fitMany(MODEL, { z: stack(1, 4), x }, starts, { threads: 0 })).rejects.toBeInstanceOf(
      ExprfitError,
    );
  });

  it('names the missing worker file of a bundle (fitMany then fits on one thread)', () => {
    expect(missingWorkerEntry('file:///nonexistent/exprfit/dist/index.js')).toBe(
      '/nonexistent/exprfit/dist/batch-worker.js',
    );
    expect(missingWorkerEntry(new URL('../../src/batch/pool.ts', import.meta.url).href)).toBeUndefined();
  });
});
