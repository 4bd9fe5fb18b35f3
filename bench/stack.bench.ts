/**
 * Spots on an image stack (issue 15): 24 frames of 128×128, each with 36 isolated Gaussian spots (amplitude 300,
 * sigma 1.4, background 10, Poisson counts) on a 20-pixel grid with random sub-pixel offsets, written as a 3-D
 * `.npy` file and read frame by frame by `runSpotsStack`: 2 threads against 1 thread (goal: speed-up ≥ 1.8×,
 * i.e. ratio ≤ 0.56), end to end (reading, detection, fits, table). Two rows: warm (the worker pool started and
 * the pipeline loaded and compiled in every worker by an untimed run first; runs of 1 and 2 threads alternate,
 * medians of 3) and cold (the pool closed before the run: worker start-up included, one run each). The rows of
 * 1 and 2 threads are checked to be identical.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NdArray } from '../src/data/ndarray.ts';
import { writeNpy } from '../src/data/npy.ts';
import { closeBatchPool } from '../src/batch/pool.ts';
import { runSpotsStack } from '../src/batch/spots/stack.ts';
import { mulberry32 } from '../src/solver/multistart.ts';
import type { BenchRow } from './types.ts';

const FRAMES = 64;
const SIZE = 128;

/** Poisson variate by inversion (means here are at most a few hundred: fine for a benchmark's data). */
function poisson(u: () => number, mean: number): number {
  const g = Math.sqrt(-2 * Math.log(u() || 1e-300)) * Math.cos(2 * Math.PI * u());
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * g));
}

function stack(): NdArray {
  const u = mulberry32(15);
  const data = new Float64Array(FRAMES * SIZE * SIZE);
  for (let k = 0; k < FRAMES; k++) {
    const spots: [number, number][] = [];
    for (let gy = 0; gy < 6; gy++)
      for (let gx = 0; gx < 6; gx++) spots.push([14 + 20 * gx + u(), 14 + 20 * gy + u()]);
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        let m = 10;
        for (const [sx, sy] of spots) m += 300 * Math.exp(-((x - sx) ** 2 + (y - sy) ** 2) / (2 * 1.4 ** 2));
        data[(k * SIZE + y) * SIZE + x] = poisson(u, m);
      }
    }
  }
  return new NdArray(data, [FRAMES, SIZE, SIZE]);
}

async function timed(file: string, threads: number, cold = false): Promise<{ ms: number; csv: string }> {
  if (cold) await closeBatchPool();
  const t0 = performance.now();
  const res = await runSpotsStack(file, { threads });
  const ms = performance.now() - t0;
  return { ms, csv: res.toCsv() };
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];

export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'exprfit-stack-bench-'));
  const file = join(dir, 'stack.npy');
  await writeNpy(file, stack());
  try {
    const cold = [await timed(file, 1, true), await timed(file, 2, true)];
    const one: number[] = [];
    const two: number[] = [];
    let same = cold[0].csv === cold[1].csv;
    for (let r = 0; r < 3; r++) {
      const a = await timed(file, 1);
      const b = await timed(file, 2);
      one.push(a.ms);
      two.push(b.ms);
      same &&= a.csv === b.csv;
    }
    return [row('warm', median(two), median(one), same), row('cold', cold[1].ms, cold[0].ms, same)];
  } finally {
    await closeBatchPool();
    rmSync(dir, { recursive: true, force: true });
  }
}

function row(what: string, ms: number, baselineMs: number, same: boolean): BenchRow {
  const fps = (t: number): string => (FRAMES / (t / 1000)).toFixed(1);
  return {
    name: `spots stack ${FRAMES}×${SIZE}², 2 threads vs 1, ${what}`,
    ms,
    baselineMs,
    ratio: ms / baselineMs,
    note: `${fps(baselineMs)} → ${fps(ms)} frames/s; speed-up ${(baselineMs / ms).toFixed(2)}× (goal ≥ 1.8); rows ${same ? 'identical' : 'DIFFER'}`,
  };
}
