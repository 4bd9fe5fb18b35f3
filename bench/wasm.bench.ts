/**
 * Issue 15's WebAssembly SIMD moonshot, measured (bench/wasmsimd.ts has the generator). The 15x15 symmetric
 * 2-D Gaussian LSE batch of bench/batch.bench.ts (10,000 ROIs, starts perturbed by ±20% and ±0.75 px):
 * - the per-ROI evaluation (χ², Jᵀr, JᵀJ at the start values of all ROIs): the JS kernel that fitMany
 *   generates (src/batch/kernel.ts, called through the solver context exactly as the LM calls it) against
 *   the f64x2 WASM kernel, with its table-driven exp and with every exp calling Math.exp;
 * - the whole fit: the batch LM (`solveRange`) with the JS kernel against the same LM with the WASM kernel
 *   (its gradient and Hessian copied out of WASM memory into the LM's arrays on each call).
 * Rounds of both sides interleaved (order alternating), medians. Agreement: the largest difference over all
 * ROIs of χ² (relative), g_j (relative to √(χ² H_jj), a bound on Σ|r ∂f/∂p_j|) and H_jk (relative to
 * √(H_jj H_kk)).
 */
import { NdArray } from '../src/data/ndarray.ts';
import { fitManySync, prepareMany } from '../src/batch/fitMany.ts';
import { allocOutput, contextFor } from '../src/batch/problem.ts';
import { solveRange } from '../src/batch/lm.ts';
import type { EvalFn, SolveContext } from '../src/batch/lm.ts';
import type { BenchRow } from './types.ts';
import { instantiateGaussian } from './wasmsimd.ts';
import type { ExpChoice, WasmGaussian } from './wasmsimd.ts';

const N = 10_000;
const W = 15;
const S = W * W;
const MODEL = 'z = A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + bg';
const NAMES = ['A', 'x0', 'y0', 's', 'bg'] as const;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Spots with Gaussian-approximated shot noise; starts as in batch.bench.ts. `starts` is [N, 5]. */
function makeData(): { z: Float64Array; starts: Float64Array } {
  const u = rng(20261207);
  const z = new Float64Array(N * S);
  const starts = new Float64Array(N * 5);
  for (let i = 0; i < N; i++) {
    const [A, x0, y0, s, bg] = [500, 7 + u() - 0.5, 7 + u() - 0.5, 1.5, 10];
    for (let k = 0; k < S; k++) {
      const f = A * Math.exp(-(((k % W) - x0) ** 2 + (Math.floor(k / W) - y0) ** 2) / (2 * s * s)) + bg;
      z[i * S + k] = Math.round(f + Math.sqrt(f) * (u() + u() + u() - 1.5) * 2);
    }
    const st = [A * (0.8 + 0.4 * u()), x0 + 1.5 * (u() - 0.5), y0 + 1.5 * (u() - 0.5), s * (0.8 + 0.4 * u())];
    starts.set([...st, bg * (0.8 + 0.4 * u())], i * 5);
  }
  return { z, starts };
}

/**
 * The solver context fitMany builds for this batch (one thread, the generated JS kernel), and the whole
 * `fitManySync` call on the same batch.
 */
function jsBatch(z: Float64Array, starts: Float64Array): { ctx: SolveContext; fitMany: () => unknown } {
  const axis = Float64Array.from({ length: W }, (_v, i) => i);
  const params = Object.fromEntries(
    NAMES.map((name, j) => [name, Float64Array.from({ length: N }, (_v, i) => starts[i * 5 + j])]),
  );
  const data = { z: new NdArray(z, [N, W, W]), x: new NdArray(axis, [1, W]), y: new NdArray(axis, [W, 1]) };
  return {
    ctx: contextFor(prepareMany(MODEL, data, params, { threads: 1 }).setup),
    fitMany: () => fitManySync(MODEL, data, params),
  };
}

/** The WASM kernel as the LM's `evaluate` (offsets in values; gradient and Hessian copied out). */
function wasmEvaluate(k: WasmGaussian): EvalFn {
  const { kernel, out } = k;
  return (p, _fixed, off, h, g) => {
    const chi = kernel(p[0], p[1], p[2], p[3], p[4], 8 * off);
    for (let j = 0; j < 5; j++) g[j] = out[j];
    for (let j = 0; j < 25; j++) h[j] = out[5 + j];
    return chi;
  };
}

/** One evaluation per ROI at its start values; returns Σχ² (kept so the work is not dropped). */
function evaluateAll(evaluate: EvalFn, starts: Float64Array, h: Float64Array, g: Float64Array): number {
  const p = new Float64Array(5);
  const fixed = new Float64Array(0);
  let sum = 0;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < 5; j++) p[j] = starts[i * 5 + j];
    sum += evaluate(p, fixed, i * S, h, g, 0);
  }
  return sum;
}

/** Largest scaled differences (χ², g, H) between two evaluators over all ROIs. */
function agreement(a: EvalFn, b: EvalFn, starts: Float64Array): { chi: number; g: number; h: number } {
  const [ha, hb, ga, gb] = [
    new Float64Array(25),
    new Float64Array(25),
    new Float64Array(5),
    new Float64Array(5),
  ];
  const p = new Float64Array(5);
  const worst = { chi: 0, g: 0, h: 0 };
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < 5; j++) p[j] = starts[i * 5 + j];
    const ca = a(p, p, i * S, ha, ga, 0);
    const cb = b(p, p, i * S, hb, gb, 0);
    worst.chi = Math.max(worst.chi, Math.abs(ca - cb) / Math.abs(ca));
    for (let j = 0; j < 5; j++) {
      worst.g = Math.max(worst.g, Math.abs(ga[j] - gb[j]) / Math.sqrt(ca * ha[j * 6]));
      for (let k = 0; k < 5; k++) {
        const scale = Math.sqrt(ha[j * 6] * ha[k * 6]);
        worst.h = Math.max(worst.h, Math.abs(ha[j * 5 + k] - hb[j * 5 + k]) / scale);
      }
    }
  }
  return worst;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Timing {
  /** Median wall time, ms. */
  readonly wall: number;
  /** Fastest round's wall time, ms. */
  readonly min: number;
  /** Median CPU time of this process (user + system), ms: less inflated by other jobs on a loaded machine. */
  readonly cpu: number;
}

/** Timings of the given functions, `rounds` interleaved rounds (order alternating) after one warm-up round. */
function interleaved(fns: readonly (() => unknown)[], rounds: number): Timing[] {
  const wall: number[][] = fns.map(() => []);
  const cpu: number[][] = fns.map(() => []);
  for (let r = -1; r < rounds; r++) {
    const order = r % 2 ? fns.map((_f, i) => i) : fns.map((_f, i) => fns.length - 1 - i);
    for (const i of order) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      fns[i]();
      const t1 = performance.now();
      const c1 = process.cpuUsage(c0);
      if (r >= 0) wall[i].push(t1 - t0);
      if (r >= 0) cpu[i].push((c1.user + c1.system) / 1000);
    }
  }
  return fns.map((_f, i) => ({ wall: median(wall[i]), min: Math.min(...wall[i]), cpu: median(cpu[i]) }));
}

function wasmKernel(z: Float64Array, exp: ExpChoice, passes: 1 | 2 = 1): WasmGaussian {
  const k = instantiateGaussian(W, N * S, exp, passes);
  k.data.set(z);
  return k;
}

/** Mean evaluations per fit of the LM with the JS kernel (counted in an untimed run). */
function evaluationsPerFit(ctx: SolveContext): number {
  let count = 0;
  const counted: EvalFn = (p, f, off, h, g, cst) => {
    count++;
    return ctx.evaluate(p, f, off, h, g, cst);
  };
  solveRange({ ...ctx, evaluate: counted }, allocOutput(N, 5, false), 0, N);
  return count / N;
}

/** The LM's evaluate called twice per call (same results): the difference to once is the kernel's time. */
function doubled(e: EvalFn): EvalFn {
  return (p, f, off, h, g, cst) => {
    e(p, f, off, h, g, cst);
    return e(p, f, off, h, g, cst);
  };
}

export async function run(): Promise<BenchRow[]> {
  const { z, starts } = makeData();
  const { ctx, fitMany } = jsBatch(z, starts);
  const fast = wasmEvaluate(wasmKernel(z, 'fast'));
  const math = wasmEvaluate(wasmKernel(z, 'math'));
  const twoPass = wasmEvaluate(wasmKernel(z, 'fast', 2));
  const [h, g] = [new Float64Array(25), new Float64Array(5)];
  const us = (ms: number): string => `${((ms * 1000) / N).toFixed(2)}`;
  const times = (t: Timing, b: Timing): string =>
    `µs per ROI: median ${us(t.wall)} vs ${us(b.wall)}, min ${us(t.min)} vs ${us(b.min)}, CPU ${us(t.cpu)} vs ${us(b.cpu)} (CPU ratio ${(t.cpu / b.cpu).toFixed(2)})`;
  const fmt = (a: { chi: number; g: number; h: number }): string =>
    `max diff χ² ${a.chi.toExponential(1)}, g ${a.g.toExponential(1)}, H ${a.h.toExponential(1)}`;
  const compileMs = interleaved([() => instantiateGaussian(W, 1, 'fast')], 5)[0].wall;
  const agreeFast = agreement(ctx.evaluate, fast, starts);
  const agreeMath = agreement(ctx.evaluate, math, starts);
  const agreeTwo = agreement(ctx.evaluate, twoPass, starts);
  const [tJs, tFast, tMath, tTwo] = interleaved(
    [ctx.evaluate, fast, math, twoPass].map((e) => () => evaluateAll(e, starts, h, g)),
    15,
  );
  const outs = [0, 1, 2].map(() => allocOutput(N, 5, false));
  const contexts = [ctx, { ...ctx, evaluate: fast }, { ...ctx, evaluate: doubled(ctx.evaluate) }];
  const [fitJs, fitWasm, fitTwice, fitManyJs] = interleaved(
    [...contexts.map((c, i) => () => solveRange(c, outs[i], 0, N)), fitMany],
    7,
  );
  let maxDx0 = 0;
  for (let i = 0; i < N; i++)
    maxDx0 = Math.max(maxDx0, Math.abs(outs[0].values[N + i] - outs[1].values[N + i]));
  const evals = evaluationsPerFit(ctx);
  const share = (t: keyof Timing): string => `${((100 * (fitTwice[t] - fitJs[t])) / fitJs[t]).toFixed(0)}%`;
  return [
    {
      name: 'per-ROI evaluation: WASM f64x2, fast exp (vs JS kernel)',
      ms: tFast.wall,
      baselineMs: tJs.wall,
      ratio: tFast.wall / tJs.wall,
      note: `${times(tFast, tJs)}; ${fmt(agreeFast)}; generate + compile + instantiate ${compileMs.toFixed(2)} ms`,
    },
    {
      name: 'per-ROI evaluation: WASM f64x2, Math.exp (vs JS kernel)',
      ms: tMath.wall,
      baselineMs: tJs.wall,
      ratio: tMath.wall / tJs.wall,
      note: `${times(tMath, tJs)}; ${fmt(agreeMath)}`,
    },
    {
      name: 'per-ROI evaluation: WASM f64x2, 2 passes (vs JS kernel)',
      ms: tTwo.wall,
      baselineMs: tJs.wall,
      ratio: tTwo.wall / tJs.wall,
      note: `${times(tTwo, tJs)}; ${fmt(agreeTwo)}`,
    },
    {
      name: 'whole fit, batch LM: WASM kernel (vs JS kernel)',
      ms: fitWasm.wall,
      baselineMs: fitJs.wall,
      ratio: fitWasm.wall / fitJs.wall,
      note: `${times(fitWasm, fitJs).replace('per ROI', 'per fit')}; ${evals.toFixed(2)} evaluations/fit; JS kernel share of the fit (LM with the kernel called twice, minus once) wall ${share('wall')}, CPU ${share('cpu')}; max |Δx0| ${maxDx0.toExponential(1)}; the whole fitManySync (JS) median ${us(fitManyJs.wall)}, CPU ${us(fitManyJs.cpu)} µs/fit`,
    },
  ];
}
