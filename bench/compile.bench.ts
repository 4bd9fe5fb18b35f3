/**
 * The compile cache and compile time (issue 15).
 *
 * Rows (all measured in this run, rounds of exprfit and baseline interleaved, medians):
 * - repeated `fit('y = A*exp(-t/tau)+c', …)` on 50 points with the compile cache, against scipy
 *   `curve_fit` on the same data and start (bench/compile_scipy.py, when python3 with scipy is installed).
 *   Goal: ratio <= 1.5.
 * - the same fit with the cache emptied before every call (parse, differentiate and compile each time),
 *   against the cached fit: what the cache saves.
 * - preparing a fit of a sum of 50 axis-aligned 2-D Gaussians (251 parameters) on a 64x64 image and compiling
 *   its residual+Jacobian kernel, cache emptied, against 50 times the same for one Gaussian: 1 or below means
 *   compile time linear in the model size. Goal: <= 50 ms absolute. Both sides warm (5 untimed compiles
 *   first: the JIT optimises the parser, simplifier and code generator over the first few calls); the note
 *   gives the first compile in a fresh process too (bench/compile_cold.ts, median of 3 processes), which is
 *   what a one-off `exprfit run` pays.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fit, prepareFit } from '../src/fit/fit.ts';
import { clearCompileCache } from '../src/compile/cache.ts';
import type { BenchRow } from './types.ts';
import { timeMedian } from './types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const DECAY = 'y = A*exp(-t/tau)+c';
const ROUNDS = 5;

function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function decayData(): { t: number[]; y: number[] } {
  const t = Array.from({ length: 50 }, (_, i) => 0.2 * i);
  const y = t.map((v, i) => 3 * Math.exp(-v / 2) + 0.5 + 0.01 * Math.sin(7 * i));
  return { t, y };
}

/** One scipy round: the median ms of one curve_fit call, or NaN when python3/scipy is missing. */
function scipyRound(): number {
  const r = spawnSync('python3', [join(here, 'compile_scipy.py'), '200', '20'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return r.status === 0 ? Number(r.stdout.trim()) : NaN;
}

function decayRows(): BenchRow[] {
  const data = decayData();
  const start = { A: 1, tau: 1, c: 0 };
  const cachedFit = (): unknown => fit(DECAY, data, start);
  const freshFit = (): unknown => {
    clearCompileCache();
    return fit(DECAY, data, start);
  };
  const cached: number[] = [];
  const fresh: number[] = [];
  const scipy: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    scipy.push(scipyRound());
    fresh.push(timeMedian(freshFit, 200, 20));
    cached.push(timeMedian(cachedFit, 200, 20));
  }
  const ms = median(cached);
  const scipyMs = median(scipy);
  const freshMs = median(fresh);
  return [
    {
      name: 'repeated fit(), 50-point decay, compile cache',
      ms,
      baselineMs: scipyMs,
      ratio: ms / scipyMs,
      note: Number.isNaN(scipyMs)
        ? 'scipy baseline unavailable'
        : 'baseline: scipy curve_fit (lm, finite differences); goal <= 1.5',
    },
    {
      name: 'same fit, cache emptied before each call',
      ms: freshMs,
      baselineMs: ms,
      ratio: freshMs / ms,
      note: 'baseline: the cached fit',
    },
  ];
}

/** The first compile of the 50-Gaussian sum in a fresh process (bench/compile_cold.ts), median of 3. */
function coldCompileMs(): number {
  const once = (): number => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'compile_cold.ts')], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    return r.status === 0 ? Number(r.stdout.trim()) : NaN;
  };
  return median([once(), once(), once()]);
}

export function gaussianSum(n: number): string {
  const term = (k: number): string => `A${k}*exp(-((x-x${k})^2/(2*sx${k}^2) + (y-y${k})^2/(2*sy${k}^2)))`;
  return `z = ${Array.from({ length: n }, (_, k) => term(k)).join(' + ')} + c`;
}

/** The 64x64 image the compile rows prepare their fits on. */
export function compileData(): { x: number[][]; y: number[][]; z: number[][] } {
  const n = 64;
  const x = [Array.from({ length: n }, (_, j) => j)];
  const y = Array.from({ length: n }, (_, i) => [i]);
  const z = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.sin(i + 2 * j)));
  return { x, y, z };
}

function compileRows(): BenchRow[] {
  const { x, y, z } = compileData();
  const compile = (model: string) => (): unknown => {
    clearCompileCache();
    return prepareFit(model, { x, y, z }).equations[0].kernel.sourceFor('residualsJacobian');
  };
  const one = compile(gaussianSum(1));
  const fifty = compile(gaussianSum(50));
  const oneMs: number[] = [];
  const fiftyMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    oneMs.push(timeMedian(one, 21, 5));
    fiftyMs.push(timeMedian(fifty, 5, 5));
  }
  const ms = median(fiftyMs);
  const base = 50 * median(oneMs);
  return [
    {
      name: 'compile a sum of 50 2-D Gaussians (251 params)',
      ms,
      baselineMs: base,
      ratio: ms / base,
      note: `baseline: 50 x one Gaussian (${median(oneMs).toFixed(2)} ms); goal <= 50 ms; first compile in a fresh process ${coldCompileMs().toFixed(0)} ms`,
    },
  ];
}

export function run(): Promise<BenchRow[]> {
  return Promise.resolve([...decayRows(), ...compileRows()]);
}
