/**
 * The serialisable description of a batch (`BatchSetup`) and its compilation into a solver context. The same
 * code runs in the main thread and in worker threads: a worker receives the model as text (printed by
 * `printExpr`, which parses back to the same tree), the spec and the data as (shared) typed arrays, compiles
 * the same kernel and so computes bitwise the same results.
 */
import {
  codeGenerationAllowed,
  compileProgram,
  type OperandLayout,
  type SymbolicProgram,
} from '../compile/index.ts';
import { parseExpr } from '../syntax/index.ts';
import type { AccumulateKernel, BatchEstimator, BatchLayout } from './kernel.ts';
import { batchKernel } from './separableSums.ts';
import { interpretedAccumulate } from './interpret.ts';
import { factorSeparableExp } from './separable.ts';
import { FUSED_LN, sumYLogF } from './fastlog.ts';
import type { EvalFn, SolveContext, SolveOutput, StopRule } from './lm.ts';

export interface BatchSetup {
  /** The model expression as text (parsed with parseExpr). */
  readonly modelText: string;
  readonly params: readonly string[];
  readonly fixed: readonly string[];
  readonly variables: readonly string[];
  readonly estimator: BatchEstimator;
  /** Poisson: the curvature matrix of the steps and standard errors (default Gpufit's). */
  readonly poissonHessian?: 'gpufit' | 'fisher';
  readonly levels: number;
  readonly layouts: readonly OperandLayout[];
  readonly dims: Int32Array;
  readonly strides: Int32Array;
  /** Variable data (reduced to the axes they vary along), one per variable. */
  readonly variableData: readonly Float64Array[];
  readonly nFits: number;
  readonly size: number;
  /** Observed values, [nFits, size]. NaN-free (masked points hold 0 with weight 0). */
  readonly observed: Float64Array;
  /** Squared weights (least squares) or weights (Poisson), [nFits, size]; null: all 1. */
  readonly weights: Float64Array | null;
  readonly start: Float64Array;
  readonly fixedValues: Float64Array | null;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly cst: Float64Array | null;
  readonly npoints: Int32Array | null;
  readonly absoluteSigma: boolean;
  readonly stop: StopRule;
  /** Transcendentals in a loop of their own (default true; false only for measurements). */
  readonly splitTranscendentals?: boolean;
}

interface Compiled {
  readonly kernel: AccumulateKernel;
}

const programs = new Map<string, SymbolicProgram>();
const kernels = new Map<string, Compiled>();
const MAX_CACHE = 64;

function remember<V>(m: Map<string, V>, key: string, make: () => V): V {
  let v = m.get(key);
  if (v === undefined) {
    v = make();
    if (m.size >= MAX_CACHE) m.delete(m.keys().next().value!);
    m.set(key, v);
  }
  return v;
}

/** The compiled kernels of a setup (cached by model text, spec, estimator and layout). */
export function compiledFor(s: BatchSetup): Compiled {
  const specKey = JSON.stringify([s.modelText, s.params, s.fixed, s.variables]);
  const layout: BatchLayout = { levels: s.levels, variables: s.layouts };
  const key = JSON.stringify([
    specKey,
    s.estimator,
    s.weights !== null,
    s.levels,
    s.layouts,
    s.splitTranscendentals ?? true,
    s.poissonHessian ?? 'gpufit',
  ]);
  return remember(kernels, key, () => {
    const masks = s.layouts.map((l) => l.mask);
    const program = remember(programs, JSON.stringify([specKey, masks]), () => {
      const maskOf = (name: string): number => {
        const i = s.variables.indexOf(name);
        return i < 0 ? 0 : masks[i];
      };
      const expr = factorSeparableExp(parseExpr(s.modelText), maskOf);
      return compileProgram(expr, { params: s.params, fixed: s.fixed, variables: s.variables });
    });
    const opts = {
      estimator: s.estimator,
      fisher: s.estimator === 'poisson' && s.poissonHessian === 'fisher',
      weighted: s.weights !== null,
      splitTranscendentals: s.splitTranscendentals ?? true,
    };
    // where code generation from strings is disallowed, the same accumulation by walking the trees
    const kernel = codeGenerationAllowed()
      ? batchKernel(program, layout, opts)
      : interpretedAccumulate(program, layout, opts);
    return { kernel };
  });
}

/** The lookup tables and per-point scratch one accumulation kernel needs on a setup's grid. */
export function kernelBuffers(
  k: AccumulateKernel,
  s: BatchSetup,
): { tables: Float64Array[][]; scratch: Float64Array } {
  const tables = k.tableLevels.map((list) =>
    list.map(
      (ls) =>
        new Float64Array(
          Math.max(
            1,
            ls.reduce((a, l) => a * s.dims[l], 1),
          ),
        ),
    ),
  );
  return { tables, scratch: new Float64Array(Math.max(1, s.size * k.scratchPerPoint)) };
}

/** Builds the solver context of a setup (scratch arrays are per context: one per thread). */
export function contextFor(s: BatchSetup): SolveContext {
  const c = compiledFor(s);
  const bind = (k: AccumulateKernel) => {
    const { tables, scratch } = kernelBuffers(k, s);
    const fn = k.fn;
    const { dims, strides, observed, weights, size } = s;
    const arrays = s.variableData as Float64Array[];
    if (k.valueSlice < 0) {
      return (
        p: Float64Array,
        f: Float64Array,
        off: number,
        h: Float64Array,
        g: Float64Array,
        cst: number,
      ): number => fn(p, f, dims, strides, arrays, tables, observed, off, weights, h, g, scratch, cst);
    }
    const bits = new Int32Array(scratch.buffer);
    const vOff = k.valueSlice * size;
    const lnOut = k.fusedLog ? FUSED_LN!.lnOut : null;
    return (
      p: Float64Array,
      f: Float64Array,
      off: number,
      h: Float64Array,
      g: Float64Array,
      cst: number,
    ): number => {
      const sf = fn(p, f, dims, strides, arrays, tables, observed, off, weights, h, g, scratch, cst);
      // The kernel's own Σ w y ln f, unless it left NaN (a point needs the full logarithm).
      const ly = lnOut ? lnOut[0] : NaN;
      return 2 * (sf - (ly === ly ? ly : sumYLogF(observed, off, weights, scratch, bits, vOff, size)) + cst);
    };
  };
  return contextWith(s, bind(c.kernel));
}

/** The solver context of a setup with the given evaluation (the compiled kernel's, or crowded.ts's). */
export function contextWith(s: BatchSetup, evaluate: EvalFn): SolveContext {
  return {
    nParams: s.params.length,
    nFixed: s.fixed.length,
    size: s.size,
    evaluate,
    poisson: s.estimator === 'poisson',
    start: s.start,
    fixedValues: s.fixedValues,
    lower: s.lower,
    upper: s.upper,
    cst: s.cst,
    npoints: s.npoints,
    absoluteSigma: s.absoluteSigma,
    stop: s.stop,
  };
}

/** Allocates result columns (on SharedArrayBuffers when `shared`). */
export function allocOutput(nFits: number, nParams: number, shared: boolean): SolveOutput {
  const f64 = (n: number): Float64Array =>
    shared ? new Float64Array(new SharedArrayBuffer(8 * Math.max(1, n)), 0, n) : new Float64Array(n);
  return {
    nFits,
    values: f64(nFits * nParams),
    stderr: f64(nFits * nParams),
    chi2: f64(nFits),
    iterations: shared
      ? new Int32Array(new SharedArrayBuffer(4 * Math.max(1, nFits)), 0, nFits)
      : new Int32Array(nFits),
    status: shared
      ? new Uint8Array(new SharedArrayBuffer(Math.max(1, nFits)), 0, nFits)
      : new Uint8Array(nFits),
  };
}

/** A validated batch ready to solve (fitMany.ts `prepareMany`), on this thread or the worker pool. */
export interface PreparedMany {
  readonly setup: BatchSetup;
  readonly threads: number;
  readonly chunkSize: number;
  readonly onProgress?: (done: number, total: number) => void;
  /** Returns shared scratch memory when the batch is done (called by runPrepared). */
  readonly release?: () => void;
}

/** A range of fits of a batch (the contract of the pool with its workers, worker.ts). */
export interface BatchTask {
  /** The batch: its setup and output columns are sent with the first task a worker gets of it. */
  readonly batch: number;
  readonly setup?: BatchSetup;
  readonly out?: SolveOutput;
  readonly from: number;
  readonly to: number;
}

/** A call of a named function of the workers (`CALLS` in worker.ts) that answers with a value. */
export interface CallTask {
  readonly call: string;
  readonly args: unknown;
}
