/**
 * `fitMany(model, data, params, options)`: one compiled kernel, many data sets of the same shape — e.g. a stack
 * of ROIs as one [n, h, w] array with shared coordinate arrays x [w] (or [1, w]) and y [h, 1]. Results come back
 * as columns (a Float64Array per parameter, per-parameter standard errors, χ², iterations, termination codes).
 * See docs/batch.md.
 */
import { hasNonFinite } from './finite.ts';
import { availableParallelism } from 'node:os';
import { type Expr, printExpr } from '../ast/index.ts';
import { collapse, type OperandLayout } from '../compile/index.ts';
import {
  defineOptions,
  didYouMean,
  ExprfitError,
  opt,
  type OptionsInput,
  type OptionsOf,
  validateOptions,
} from '../core/index.ts';
import { broadcastShapes, broadcastTo, NdArray, plainArrays } from '../data/index.ts';
import { CONSTANTS } from '../functions/index.ts';
import { parseModelText } from '../model/index.ts';
import { freeSymbols } from '../symbolic/index.ts';
import { parseExpr } from '../syntax/index.ts';
import type { BatchEstimator } from './kernel.ts';
import type { SolveContext, SolveOutput, StopRule } from './lm.ts';
import { GPUFIT_STOP, STATUS, STATUS_NAMES, STRICT_STOP, solveRange } from './lm.ts';
import type { BatchSetup, PreparedMany } from './problem.ts';
import { allocOutput, contextFor } from './problem.ts';
import type { StopOption } from './lm.ts';
import { stopSpec } from './lm.ts';

/** Per-fit values of a parameter: one for all, one per fit, or computed from each fit's data. */
export type PerFit = number | ArrayLike<number> | ((observed: Float64Array, index: number) => number);

/** A parameter of a batch fit: its start value, or the full form. */
export type ManyParamInput =
  | PerFit
  | {
      /** Start value (or, with `fixed`, the value). */
      value: PerFit;
      /** Lower bound: one for all fits or one per fit (default -Infinity). */
      min?: number | ArrayLike<number>;
      /** Upper bound (default +Infinity). */
      max?: number | ArrayLike<number>;
      /** Held at `value` (which may differ per fit), not fitted. */
      fixed?: boolean;
    };

function isWeightsLike(v: unknown): v is NdArray | Float64Array | number {
  return typeof v === 'number' || Array.isArray(v) || ArrayBuffer.isView(v) || v instanceof NdArray;
}

/** Most worker threads accepted at all; a count above the cores is lowered to the cores. */
const MAX_THREADS = 256;

/** The options of {@link fitMany}, declared once: the type, validation and the options table of docs/batch.md. */
export const fitManySchema = defineOptions(
  'fitMany',
  {
    /** `lse` (default; alias `lsq`): (weighted) least squares. `poisson`: Poisson maximum likelihood of counts. */
    estimator: opt.enum(['lse', 'poisson'], {
      doc: 'least squares (alias lsq) or poisson (maximum likelihood of counts)',
      default: 'lse',
      valueAliases: { lsq: 'lse' },
    }),
    /**
     * Weights multiplying the residuals (1/σ), broadcastable to the data stack [n, ...shape] or to one fit's
     * shape. A weight of 0 leaves a point out (for `poisson` weights multiply each point's log-likelihood term;
     * use 0/1 masks). NaN data points are left out the same way.
     */
    weights: opt.custom<NdArray | Float64Array | number>({
      doc: "weights multiplying the residuals (1/sigma), broadcastable to the stack or to one fit's shape",
      accept: isWeightsLike,
      expected: 'a number or an array',
    }),
    /** Standard deviations instead of weights (weights = 1/sigma). */
    sigma: opt.custom<NdArray | Float64Array | number>({
      doc: 'standard deviations instead of weights (weights = 1/sigma)',
      accept: isWeightsLike,
      expected: 'a number or an array',
    }),
    /**
     * Least squares: false (default) scales each fit's covariance by its reduced χ² (as curve_fit does); true
     * takes the weights as absolute 1/σ.
     */
    absoluteSigma: opt.boolean({
      doc: "true: weights are absolute 1/sigma; false: each fit's covariance is scaled by its reduced chi2",
      default: false,
    }),
    /**
     * Poisson: the curvature matrix of the steps, whose inverse at the optimum gives the standard errors.
     * `gpufit` (default): Σ w (y/f²) ∂f/∂p_j ∂f/∂p_k, Gpufit's approximation of the Hessian (the observed
     * information without its second-derivative term). `fisher`: the expected information Σ w/f ∂f/∂p_j ∂f/∂p_k
     * (Fisher scoring; usually fewer iterations, and the errors of the Cramér–Rao bound).
     */
    poissonHessian: opt.enum(['gpufit', 'fisher'], {
      doc: "poisson: curvature matrix of the steps and errors, Gpufit's (gpufit) or the expected information (fisher)",
      default: 'gpufit',
    }),
    /** Stopping rule: `gpufit` (default: relative χ² change < 1e-4, at most 20 iterations), `strict`, or custom. */
    stop: stopSpec(
      "'gpufit' (relative chi2 change < 1e-4, 20 iterations), 'strict' or { tol, maxIterations }",
    ),
    /** Worker threads (default 1: the calling thread). Results are identical for any number of threads. */
    threads: opt.integer({
      doc: 'worker threads (more than the cores: the cores, with a warning); results do not depend on it',
      default: 1,
      min: 1,
      max: MAX_THREADS,
    }),
    /** Fits per work item (default: about 32 chunks per thread, at least 16 fits). */
    chunkSize: opt.integer({
      doc: 'fits per work item (default: about 32 chunks per thread, at least 16)',
      min: 1,
    }),
    /** Called after each chunk with the number of fits done and the total. */
    onProgress: opt.custom<(done: number, total: number) => void>({
      doc: 'called after each chunk with the number of fits done and the total',
      accept: (v): v is (done: number, total: number) => void => typeof v === 'function',
      expected: 'a function (done, total) => void',
    }),
    /** Internal/benchmarks: compute per-point transcendentals inside the accumulation loop (default false). */
    fusedTranscendentals: opt.boolean({
      doc: 'benchmarks: per-point transcendentals inside the accumulation loop',
      default: false,
    }),
  },
  [(o) => (o.weights !== undefined && o.sigma !== undefined ? weightsOrSigma : undefined)],
);

/** The rule that `weights` and `sigma` exclude each other. */
const weightsOrSigma = {
  key: 'sigma',
  expected: 'left out when weights are given (give weights or sigma, not both)',
};

/** The options of {@link fitMany} as a user passes them. */
export type FitManyOptions = OptionsInput<typeof fitManySchema>;
/** The options after validation (defaults filled in). */
type ValidFitManyOptions = OptionsOf<typeof fitManySchema>;

/** Batch results as columns, in input order. */
export interface FitManyResult {
  readonly n: number;
  /** Fitted parameters, in model order. */
  readonly params: readonly string[];
  /** Fitted values per parameter (fixed parameters are not listed). */
  readonly values: Readonly<Record<string, Float64Array>>;
  /** Standard errors per parameter (NaN at a bound or where the curvature matrix is singular). */
  readonly stderr: Readonly<Record<string, Float64Array>>;
  /** χ² per fit: Σ w²r² (least squares) or 2Σ w(f − y − y ln(f/y)) (Poisson deviance). */
  readonly chi2: Float64Array;
  readonly iterations: Int32Array;
  /**
   * Termination code per fit: 0 converged, 1 max-iterations, 2 singular, 3 non-finite, 4 too-few-points (fewer
   * data points than free parameters: not solved, start values, NaN standard errors; see STATUS_NAMES).
   */
  readonly status: Uint8Array;
  /** Number of data points (non-zero weight) of each fit. */
  readonly npoints: Int32Array;
  readonly estimator: BatchEstimator;
  readonly stop: StopRule;
  /** Wall time of the solve, in ms. */
  readonly elapsedMs: number;
  /** Number of fits whose status is `converged`. */
  readonly converged: number;
  /** `JSON.stringify` form: the typed arrays as plain arrays (NaN → null), status names and the model text. */
  toJSON(): FitManyJSON;
}

/** The JSON form of a {@link FitManyResult}. */
export interface FitManyJSON {
  model: string;
  n: number;
  params: string[];
  values: Record<string, number[]>;
  stderr: Record<string, number[]>;
  chi2: number[];
  iterations: number[];
  status: number[];
  statusNames: readonly string[];
  npoints: number[];
  estimator: BatchEstimator;
  stop: StopRule;
  elapsedMs: number;
  converged: number;
}

export { STATUS_NAMES };

/** A parsed batch model: the expression and the name of the data it models. */
interface ParsedModel {
  readonly expr: Expr;
  readonly lhs?: string;
}

function parseBatchModel(model: string | Expr): ParsedModel {
  if (typeof model !== 'string') {
    if (
      model === null ||
      typeof model !== 'object' ||
      typeof (model as { kind?: unknown }).kind !== 'string'
    ) {
      throw new ExprfitError(
        'type',
        'the model must be a string (e.g. "z = A*exp(-x^2) + b") or an expression',
      );
    }
    return { expr: model };
  }
  const hit = parsedModels.get(model);
  if (hit) return hit;
  const parsed = parseModelString(model);
  if (parsedModels.size >= 32) parsedModels.delete(parsedModels.keys().next().value!);
  parsedModels.set(model, parsed);
  return parsed;
}

/** Parsed model texts (expressions are immutable): a repeated `fitMany` call does not parse again (3 ms). */
const parsedModels = new Map<string, ParsedModel>();

function parseModelString(model: string): ParsedModel {
  if (/(^|[^=!<>])=($|[^=])/.test(model)) {
    const m = parseModelText(model);
    if (m.equations.length !== 1) {
      throw new ExprfitError('usage', `fitMany fits one equation; the model has ${m.equations.length}`);
    }
    return { expr: m.equations[0].expanded, lhs: m.equations[0].lhs };
  }
  return { expr: parseExpr(model) };
}

function toNd(v: unknown, name: string): NdArray {
  try {
    return NdArray.from(v, name);
  } catch (e) {
    if (e instanceof ExprfitError) throw e;
    throw new ExprfitError('type', `'${name}' could not be read as numbers`);
  }
}

/** A variable array broadcast to `shape`'s rank, with every axis along which it is constant reduced to size 1. */
export function reduceConstantAxes(a: NdArray, shape: readonly number[]): NdArray {
  let cur =
    a.shape.length < shape.length ? a.reshape([...new Array(shape.length - a.ndim).fill(1), ...a.shape]) : a;
  for (let ax = 0; ax < cur.ndim; ax++) {
    const n = cur.shape[ax];
    if (n <= 1) continue;
    const st = cur.strides;
    const outer = cur.shape.slice(0, ax).reduce((p, q) => p * q, 1);
    const inner = st[ax];
    const d = cur.data;
    let constant = true;
    for (let o = 0; o < outer && constant; o++) {
      const base = o * n * inner;
      for (let i = 1; i < n && constant; i++) {
        for (let k = 0; k < inner; k++) {
          if (!Object.is(d[base + i * inner + k], d[base + k])) {
            constant = false;
            break;
          }
        }
      }
    }
    if (!constant) continue;
    const out = new Float64Array(outer * inner);
    for (let o = 0; o < outer; o++) out.set(d.subarray(o * n * inner, o * n * inner + inner), o * inner);
    const sh = [...cur.shape];
    sh[ax] = 1;
    cur = new NdArray(out, sh);
  }
  return cur;
}

function resolveStop(s: StopOption | undefined): StopRule {
  if (s === undefined || s === 'gpufit') return GPUFIT_STOP;
  if (s === 'strict') return STRICT_STOP;
  if (typeof s !== 'object' || s === null) {
    throw new ExprfitError(
      'option',
      `stop must be 'gpufit', 'strict' or { tol, maxIterations }, got ${String(s)}`,
    );
  }
  const tol = s.tol ?? GPUFIT_STOP.tol;
  const maxIterations = s.maxIterations ?? GPUFIT_STOP.maxIterations;
  if (!(tol >= 0) || !Number.isFinite(tol))
    throw new ExprfitError('option', `stop.tol must be >= 0, got ${tol}`);
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new ExprfitError('option', `stop.maxIterations must be a positive integer, got ${maxIterations}`);
  }
  return { kind: 'gpufit', tol, maxIterations, xtol: 0 };
}

function perFitValues(
  what: string,
  v: PerFit | number | ArrayLike<number>,
  n: number,
  observed: Float64Array,
  size: number,
): Float64Array | number {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) throw new ExprfitError('value', `${what} is NaN`);
    return v;
  }
  const out = new Float64Array(n);
  if (typeof v === 'function') {
    for (let i = 0; i < n; i++) {
      const x = v(observed.subarray(i * size, (i + 1) * size), i);
      if (typeof x !== 'number' || Number.isNaN(x)) {
        throw new ExprfitError('value', `${what}: the start function returned ${String(x)} for fit ${i}`);
      }
      out[i] = x;
    }
    return out;
  }
  if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<number>).length !== 'number') {
    throw new ExprfitError(
      'type',
      `${what} must be a number, an array with one value per fit, or a function`,
    );
  }
  const a = v as ArrayLike<number>;
  if (a.length !== n) throw new ExprfitError('shape', `${what} has ${a.length} values for ${n} fits`);
  for (let i = 0; i < n; i++) {
    const x = Number(a[i]);
    if (Number.isNaN(x)) throw new ExprfitError('value', `${what}[${i}] is NaN`);
    out[i] = x;
  }
  return out;
}

/** Validates everything and builds the batch setup (shared memory when `threads > 1`). */
export function prepareMany(
  model: string | Expr,
  data: Readonly<Record<string, unknown>>,
  params: Readonly<Record<string, ManyParamInput>>,
  options: FitManyOptions = {},
): PreparedMany {
  const opts: ValidFitManyOptions = validateOptions(fitManySchema, options);
  const estimator: BatchEstimator = opts.estimator;
  const threads = threadCount(opts.threads);
  const stop = resolveStop(opts.stop);
  if (data === null || typeof data !== 'object') {
    throw new ExprfitError('type', 'data must be an object of named arrays, e.g. { x, y, z }');
  }
  if (params === null || typeof params !== 'object') {
    throw new ExprfitError(
      'type',
      'params must be an object: { name: start value or { value, min, max, fixed } }',
    );
  }
  const { expr, lhs } = parseBatchModel(model);
  const used = freeSymbols(expr);
  const dataNames = Object.keys(data);
  // The dependent variable.
  let dep = lhs;
  if (dep === undefined) {
    const unused = dataNames.filter((k) => !used.has(k));
    if (unused.length !== 1) {
      throw new ExprfitError(
        'usage',
        unused.length === 0
          ? 'no data for the fitted values: name it in an equation (z = ...) and pass data.z'
          : `which data is fitted? ${unused.map((u) => `'${u}'`).join(', ')} are not in the model; write the model as an equation (z = ...)`,
      );
    }
    dep = unused[0];
  }
  if (!Object.hasOwn(data, dep)) throw new ExprfitError('usage', `no data for '${dep}' (the fitted values)`);
  const stack = toNd(data[dep], dep);
  if (stack.ndim < 1)
    throw new ExprfitError('shape', `'${dep}' must be a stack of data sets [n, ...], got a scalar`);
  const n = stack.shape[0];
  const shape = stack.shape.slice(1);
  const size = shape.reduce((p, q) => p * q, 1);
  if (size === 0)
    throw new ExprfitError('shape', `each data set in '${dep}' is empty (shape [${stack.shape.join(', ')}])`);
  const variables = dataNames.filter((k) => k !== dep);
  for (const v of variables) {
    if (!used.has(v)) {
      const g = didYouMean(v, [...used]);
      throw new ExprfitError('unknown-name', `data '${v}' is not used by the model`, g ? { hints: [g] } : {});
    }
    if (Object.hasOwn(params, v))
      throw new ExprfitError('value', `'${v}' is given both as data and as a parameter`);
  }
  const symbols = [...used].filter(
    (s) => !variables.includes(s) && !(Object.hasOwn(CONSTANTS, s) && !Object.hasOwn(params, s)),
  );
  for (const k of Object.keys(params)) {
    if (!symbols.includes(k)) {
      const g = didYouMean(k, symbols);
      throw new ExprfitError('unknown-name', `parameter '${k}' is not in the model`, g ? { hints: [g] } : {});
    }
  }
  const missing = symbols.filter((s) => !Object.hasOwn(params, s));
  if (missing.length) {
    throw new ExprfitError('value', `no start value for ${missing.map((m) => `'${m}'`).join(', ')}`, {
      hints: ['pass params: { name: start } (a number, one value per fit, or a function of the data)'],
    });
  }
  // Variables: broadcast to one fit's shape, constant axes reduced (a meshgrid becomes a row and a column).
  const varArrays = variables.map((v) => {
    const a = toNd(data[v], v);
    broadcastShapes([a.shape, shape], [v, `one data set of '${dep}'`]);
    if (broadcastShapes([a.shape, shape]).length !== shape.length || a.ndim > shape.length) {
      throw new ExprfitError(
        'shape',
        `'${v}' [${a.shape.join(', ')}] must broadcast to one data set's shape [${shape.join(', ')}]`,
      );
    }
    for (let i = 0; i < a.size; i++) {
      if (Number.isNaN(a.data[i])) throw new ExprfitError('value', `'${v}' has NaN at index ${i}`);
    }
    return reduceConstantAxes(a, shape);
  });
  const col = collapse(shape, [...varArrays.map((a) => a.shape), shape]);
  let dims = col.dims;
  let layouts = col.layouts.slice(0, variables.length) as OperandLayout[];
  let strideRows = col.strides.slice(0, variables.length) as number[][];
  if (dims.length === 0) {
    dims = [1];
    layouts = layouts.map(() => ({ mask: 0, unitInner: true }));
    strideRows = strideRows.map(() => [0]);
  }
  const L = dims.length;
  const strides = new Int32Array(Math.max(1, variables.length * L));
  strideRows.forEach((st, k) => st.forEach((s, l) => (strides[k * L + l] = s)));

  // Parameters.
  const fitted: string[] = [];
  const fixedNames: string[] = [];
  const startCols: (Float64Array | number)[] = [];
  const fixedCols: (Float64Array | number)[] = [];
  const lowerCols: (Float64Array | number)[] = [];
  const upperCols: (Float64Array | number)[] = [];
  const shared = threads > 1;
  const f64 = (len: number): Float64Array =>
    shared ? new Float64Array(new SharedArrayBuffer(8 * Math.max(1, len)), 0, len) : new Float64Array(len);

  // Observed values (NaN → masked): used in place when possible (one thread, or already shared memory),
  // else copied once.
  const sd = stack.data;
  // Poisson: one pass finds negative counts, NaN and the constants of the deviance (without weights).
  const counts = estimator === 'poisson' ? scanCounts(sd, n, size, f64(n)) : undefined;
  if (counts && counts.negative >= 0) {
    const neg = counts.negative;
    throw new ExprfitError(
      'value',
      `Poisson data must be counts >= 0; '${dep}' has ${sd[neg]} at index ${neg}`,
    );
  }
  const anyNaN = counts ? counts.nan : hasNaN(sd);
  let observed: Float64Array = sd;
  let release: (() => void) | undefined;
  if (anyNaN || (shared && !(sd.buffer instanceof SharedArrayBuffer))) {
    if (shared) {
      // A shared buffer kept between calls: its pages are already mapped (a fresh 18 MB one costs more than
      // the copy itself).
      const lease = leaseShared(n * size);
      observed = lease.array;
      release = lease.release;
    } else observed = new Float64Array(n * size);
    observed.set(sd);
    if (anyNaN) for (let i = 0; i < observed.length; i++) if (observed[i] !== observed[i]) observed[i] = 0;
  }
  let weights: Float64Array | null = null;
  const wIn = opts.weights ?? opts.sigma;
  if (wIn !== undefined) {
    const wa =
      typeof wIn === 'number'
        ? NdArray.scalar(wIn)
        : toNd(wIn, opts.weights !== undefined ? 'weights' : 'sigma');
    let full: Float64Array;
    if (wa.ndim <= shape.length) {
      broadcastShapes([wa.shape, shape], ['weights', 'one data set']);
      const one = broadcastTo(
        wa.ndim < shape.length ? wa.reshape([...new Array(shape.length - wa.ndim).fill(1), ...wa.shape]) : wa,
        shape,
      );
      full = new Float64Array(n * size);
      for (let i = 0; i < n; i++) full.set(one, i * size);
    } else {
      broadcastShapes([wa.shape, stack.shape], ['weights', dep]);
      full = broadcastTo(wa, stack.shape);
    }
    weights = f64(n * size);
    const isSigma = opts.sigma !== undefined;
    for (let i = 0; i < full.length; i++) {
      let w = isSigma ? 1 / full[i] : full[i];
      if (!(w >= 0) || w === Infinity) {
        throw new ExprfitError(
          'value',
          `${isSigma ? 'sigma' : 'weights'} must be ${isSigma ? '> 0' : '>= 0 and finite'}; got ${full[i]} at index ${i}`,
        );
      }
      if (sd[i] !== sd[i]) w = 0;
      weights[i] = estimator === 'lse' ? w * w : w;
    }
  } else if (anyNaN) {
    weights = f64(n * size);
    for (let i = 0; i < sd.length; i++) weights[i] = sd[i] !== sd[i] ? 0 : 1;
  }
  let npoints: Int32Array | null = null;
  if (weights) {
    npoints = shared ? new Int32Array(new SharedArrayBuffer(4 * Math.max(1, n)), 0, n) : new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let c = 0;
      for (let k = i * size; k < (i + 1) * size; k++) if (weights[k] !== 0) c++;
      npoints[i] = c;
    }
  }

  for (const name of symbols) {
    const spec = params[name];
    const full =
      typeof spec === 'object' && spec !== null && !ArrayBuffer.isView(spec) && !Array.isArray(spec);
    const o = (full ? spec : { value: spec }) as Exclude<ManyParamInput, PerFit>;
    if (full) {
      for (const k of Object.keys(o)) {
        if (!['value', 'min', 'max', 'fixed'].includes(k)) {
          throw new ExprfitError(
            'value',
            `parameter '${name}': unknown field '${k}' (use value, min, max, fixed)`,
          );
        }
      }
      if (o.value === undefined) throw new ExprfitError('value', `parameter '${name}' needs a value`);
    }
    const value = perFitValues(`parameter '${name}'`, o.value, n, sd, size);
    if (o.fixed) {
      fixedNames.push(name);
      fixedCols.push(value);
      continue;
    }
    fitted.push(name);
    startCols.push(value);
    lowerCols.push(
      o.min === undefined ? -Infinity : perFitValues(`parameter '${name}' min`, o.min, n, sd, size),
    );
    upperCols.push(
      o.max === undefined ? Infinity : perFitValues(`parameter '${name}' max`, o.max, n, sd, size),
    );
  }
  const P = fitted.length;
  if (P === 0) throw new ExprfitError('value', 'no free parameters: every parameter is fixed');
  const start = f64(n * P);
  startCols.forEach((c, j) => {
    for (let i = 0; i < n; i++) start[i * P + j] = typeof c === 'number' ? c : c[i];
  });
  let fixedValues: Float64Array | null = null;
  if (fixedNames.length) {
    const F = fixedNames.length;
    fixedValues = f64(n * F);
    fixedCols.forEach((c, j) => {
      for (let i = 0; i < n; i++) fixedValues![i * F + j] = typeof c === 'number' ? c : c[i];
    });
  }
  const perFit = [...lowerCols, ...upperCols].some((c) => typeof c !== 'number');
  const lower = f64(perFit ? n * P : P);
  const upper = f64(perFit ? n * P : P);
  for (let j = 0; j < P; j++) {
    const lo = lowerCols[j];
    const hi = upperCols[j];
    const rows = perFit ? n : 1;
    for (let i = 0; i < rows; i++) {
      const a = typeof lo === 'number' ? lo : lo[i];
      const b = typeof hi === 'number' ? hi : hi[i];
      if (!(a <= b))
        throw new ExprfitError(
          'value',
          `parameter '${fitted[j]}': min ${a} > max ${b}${perFit ? ` (fit ${i})` : ''}`,
        );
      lower[i * P + j] = a;
      upper[i * P + j] = b;
    }
  }
  let cst: Float64Array | null = null;
  if (estimator === 'poisson') {
    cst = weights ? poissonConstants(observed, weights, n, size, f64(n)) : counts!.cst;
  }
  const variableData = varArrays.map((a) => {
    if (!shared) return a.data;
    const s = f64(a.size);
    s.set(a.data);
    return s;
  });
  const setup: BatchSetup = {
    modelText: printExpr(expr),
    params: fitted,
    fixed: fixedNames,
    variables,
    estimator,
    poissonHessian: opts.poissonHessian,
    levels: L,
    layouts,
    dims: Int32Array.from(dims),
    strides,
    variableData,
    nFits: n,
    size,
    observed,
    weights,
    start,
    fixedValues,
    lower,
    upper,
    cst,
    npoints,
    absoluteSigma: opts.absoluteSigma,
    stop,
    splitTranscendentals: !opts.fusedTranscendentals,
  };
  const chunkSize = opts.chunkSize ?? Math.max(16, Math.ceil(n / (threads * 32)));
  return {
    setup,
    threads,
    chunkSize,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(release ? { release } : {}),
  };
}

/** `y ln y − y` for the counts 0 ≤ y < 4096. */
const YLOGY = Float64Array.from({ length: 4096 }, (_v, y) => (y > 0 ? y * Math.log(y) - y : 0));

/** `y ln y − y` for y > 0: integer counts below 4096 from the table (the same values). */
function yLogY(y: number): number {
  const c = y | 0;
  return c === y && c < YLOGY.length ? YLOGY[c] : y * Math.log(y) - y;
}

/**
 * One pass over Poisson counts: the index of the first negative value (−1: none), whether any is NaN, and per
 * fit Σ (y ln y − y) over the values > 0 (the constant of the deviance without weights; with weights or NaN,
 * {@link poissonConstants} computes it again). The stack is memory-bound: one pass instead of three.
 */
function scanCounts(
  data: Float64Array,
  n: number,
  size: number,
  cst: Float64Array,
): { negative: number; nan: boolean; cst: Float64Array } {
  let nan = false;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = i * size; k < (i + 1) * size; k++) {
      const y = data[k];
      if (y > 0) s += yLogY(y);
      else if (y !== y) nan = true;
      else if (y < 0) return { negative: k, nan, cst };
    }
    cst[i] = s;
  }
  return { negative: -1, nan, cst };
}

/** Σ w (y ln y − y) per fit, the constant of the Poisson deviance, with weights. */
function poissonConstants(
  observed: Float64Array,
  weights: Float64Array,
  n: number,
  size: number,
  cst: Float64Array,
): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = i * size; k < (i + 1) * size; k++) {
      const y = observed[k];
      const w = weights[k];
      if (y > 0 && w !== 0) s += w * yLogY(y);
    }
    cst[i] = s;
  }
  return cst;
}

/**
 * The valid `threads` option (an integer from 1 to 256), lowered to the number of cores
 * (`os.availableParallelism()`) with a warning, since more threads than cores only cost memory.
 */
function threadCount(threads: number): number {
  const cores = availableParallelism();
  if (threads <= cores) return threads;
  warn(`threads ${threads} is more than the ${cores} cores of this machine: using ${cores}`);
  return cores;
}

const warned = new Set<string>();

/** A warning for the user, once per process (a process 'warning' event; Node prints it on stderr). */
function warn(text: string): void {
  if (warned.has(text)) return;
  warned.add(text);
  process.emitWarning(text, { type: 'ExprfitWarning' });
}

/**
 * Whether any value is NaN: the branch-free {@link hasNonFinite} scan first (the scan cost 0.8 µs per 15x15
 * fit with a test per value), the exact test only when it finds something.
 */
function hasNaN(a: Float64Array): boolean {
  if (!hasNonFinite(a)) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== a[k]) return true;
  return false;
}

let spare: SharedArrayBuffer | undefined;

/** A Float64Array on a reusable SharedArrayBuffer (one is kept; concurrent batches get fresh ones). */
function leaseShared(len: number): { array: Float64Array; release(): void } {
  let buf = spare;
  spare = undefined;
  if (!buf || buf.byteLength < 8 * len) buf = new SharedArrayBuffer(8 * Math.max(1, len));
  const b = buf;
  return {
    array: new Float64Array(b, 0, len),
    release: () => {
      if (!spare || spare.byteLength < b.byteLength) spare = b;
    },
  };
}

/**
 * Fits one model to many data sets of the same shape. `data` holds the stack of fitted values (the equation's
 * left side, or the one data name the expression does not use) with shape [n, ...shape], and the variables,
 * each broadcastable to `shape` and shared by all fits. Every parameter needs a start value: one for all fits,
 * one per fit (an array of length n), or a function of each fit's data.
 *
 * Never throws on a fit that fails: its status says why. Throws `ExprfitError` for bad input.
 */
export async function fitMany(
  model: string | Expr,
  data: Readonly<Record<string, unknown>>,
  params: Readonly<Record<string, ManyParamInput>>,
  options: FitManyOptions = {},
): Promise<FitManyResult> {
  const prep = prepareMany(model, data, params, options);
  return runPrepared(prep);
}

/** The single-threaded form of {@link fitMany} (ignores `threads`). */
export function fitManySync(
  model: string | Expr,
  data: Readonly<Record<string, unknown>>,
  params: Readonly<Record<string, ManyParamInput>>,
  options: FitManyOptions = {},
): FitManyResult {
  const prep = prepareMany(model, data, params, { ...options, threads: 1 });
  const t0 = performance.now();
  const out = solveLocal(prep);
  return buildResult(prep.setup, out, performance.now() - t0);
}

/**
 * Solves a prepared batch on this thread with a solver context of the caller's (crowded.ts: the sparse
 * evaluation of large joint spot fits); the same LM loop, bounds, stopping rule and standard errors.
 */
export function fitPreparedWith(prep: PreparedMany, ctx: SolveContext): FitManyResult {
  const t0 = performance.now();
  try {
    const out = solveLocal(prep, ctx);
    return buildResult(prep.setup, out, performance.now() - t0);
  } finally {
    prep.release?.();
  }
}

function solveLocal(prep: PreparedMany, context?: SolveContext): SolveOutput {
  const s = prep.setup;
  const out = allocOutput(s.nFits, s.params.length, false);
  const ctx = context ?? contextFor(s);
  for (let from = 0; from < s.nFits; from += prep.chunkSize) {
    const to = Math.min(s.nFits, from + prep.chunkSize);
    solveRange(ctx, out, from, to);
    prep.onProgress?.(to, s.nFits);
  }
  return out;
}

/** Runs a prepared batch (in worker threads when `prep.threads > 1`). */
export async function runPrepared(prep: PreparedMany): Promise<FitManyResult> {
  const s = prep.setup;
  const t0 = performance.now();
  let out: SolveOutput;
  try {
    if (prep.threads <= 1 || s.nFits <= prep.chunkSize) {
      out = solveLocal(prep);
    } else {
      out = await solveThreaded(prep);
    }
  } finally {
    prep.release?.();
  }
  return buildResult(s, out, performance.now() - t0);
}

/** Solves on worker threads, or on this thread (with a warning) when the worker file of a bundle is missing. */
async function solveThreaded(prep: PreparedMany): Promise<SolveOutput> {
  // imported on first use: a single-threaded program never loads worker_threads
  const { missingWorkerEntry, runThreaded } = await import('./pool.ts');
  const missing = missingWorkerEntry();
  if (missing === undefined) return runThreaded(prep);
  warn(`the batch worker file ${missing} is missing: fitting on one thread`);
  return solveLocal(prep);
}

function buildResult(s: BatchSetup, out: SolveOutput, ms: number): FitManyResult {
  const n = s.nFits;
  const values: Record<string, Float64Array> = {};
  const stderr: Record<string, Float64Array> = {};
  s.params.forEach((p, j) => {
    values[p] = out.values.subarray(j * n, (j + 1) * n);
    stderr[p] = out.stderr.subarray(j * n, (j + 1) * n);
  });
  let converged = 0;
  for (let i = 0; i < n; i++) if (out.status[i] === STATUS.converged) converged++;
  const npoints = s.npoints ? Int32Array.from(s.npoints) : new Int32Array(n).fill(s.size);
  const result = {
    n,
    params: s.params,
    values,
    stderr,
    chi2: out.chi2,
    iterations: out.iterations,
    status: out.status,
    npoints,
    estimator: s.estimator,
    stop: s.stop,
    elapsedMs: ms,
    converged,
  };
  return { ...result, toJSON: () => fitManyJson(s.modelText, result) };
}

function fitManyJson(model: string, r: Omit<FitManyResult, 'toJSON'>): FitManyJSON {
  const { chi2, iterations, status, npoints } = plainArrays({
    chi2: r.chi2,
    iterations: r.iterations,
    status: r.status,
    npoints: r.npoints,
  });
  const values = plainArrays(r.values);
  const stderr = plainArrays(r.stderr);
  const { n, estimator, stop, elapsedMs, converged } = r;
  const params = [...r.params];
  return {
    model,
    n,
    params,
    values,
    stderr,
    chi2,
    iterations,
    status,
    statusNames: STATUS_NAMES,
    npoints,
    estimator,
    stop,
    elapsedMs,
    converged,
  };
}
