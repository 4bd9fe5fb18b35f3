/**
 * The per-fit solver of batch fitting: a small-n Levenberg–Marquardt in the style of Gpufit/Cpufit.
 *
 * Each iteration solves (H + λ·diag(H)) δ = g with a hand-written Cholesky factorisation (n x n, n small),
 * projects p + δ onto the bounds (clamping), and evaluates χ², g and H at the trial point in one fused pass
 * (src/batch/kernel.ts). A trial that lowers χ² is accepted (λ /= 10), otherwise it is discarded (λ *= 10).
 * Starting λ = 1e-3, as in Gpufit.
 *
 * Stopping rules:
 * - `gpufit` (default): stop when |χ²_trial − χ²| < tol·max(1, χ²_trial) (tol = 1e-4), whether or not the
 *   trial was accepted, or after 20 iterations — Gpufit's and Cpufit's rule. The better of the two points is
 *   kept.
 * - `strict`: stop when an accepted step lowers χ² by at most 1e-12·χ², or moves no parameter by more than
 *   1e-10 relative while λ < 1 (a Gauss–Newton step that has become negligible), or when λ exceeds 1e16 after
 *   rejected steps (no decrease is possible at working precision); at most 200 iterations.
 * - custom: `{ tol, maxIterations }` with Gpufit's test.
 *
 * Everything here works on preallocated typed arrays: no allocation per fit or per iteration.
 */
import { opt } from '../core/index.ts';

/**
 * Termination codes (the `status` column). `tooFewPoints`: the fit has fewer data points (non-zero weight, not
 * NaN) than free parameters — e.g. a region clipped at the image border or mostly masked — so its parameters
 * are not determined; it is not solved (values: the start, clamped into the bounds; χ² at the start; 0
 * iterations; NaN standard errors).
 */
export const STATUS = {
  converged: 0,
  maxIterations: 1,
  singular: 2,
  nonFinite: 3,
  tooFewPoints: 4,
} as const;
/** Names of the termination codes, by code. */
export const STATUS_NAMES: readonly string[] = [
  'converged',
  'max-iterations',
  'singular',
  'non-finite',
  'too-few-points',
];

export interface StopRule {
  readonly kind: 'gpufit' | 'strict';
  /** Relative χ² change (gpufit) or relative χ² decrease (strict). */
  readonly tol: number;
  readonly maxIterations: number;
  /** strict: relative parameter step. */
  readonly xtol: number;
}

/** The `stop` option of `fitMany` and `spots`: a named rule or `{ tol, maxIterations }`. */
export type StopOption = 'gpufit' | 'strict' | { tol?: number; maxIterations?: number };

function isStop(v: unknown): v is StopOption {
  if (v === 'gpufit' || v === 'strict') return true;
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** The declaration of the `stop` option (one for `fitMany` and `spots`; `doc` is each one's help line). */
export function stopSpec(doc: string) {
  return opt.custom<StopOption, true>({
    doc,
    default: 'gpufit',
    accept: isStop,
    expected: "'gpufit', 'strict' or { tol, maxIterations }",
    words: ['gpufit', 'strict'],
  });
}

export const GPUFIT_STOP: StopRule = Object.freeze({ kind: 'gpufit', tol: 1e-4, maxIterations: 20, xtol: 0 });
export const STRICT_STOP: StopRule = Object.freeze({
  kind: 'strict',
  tol: 1e-12,
  maxIterations: 200,
  xtol: 1e-10,
});

/** Evaluates one fit at `p`: writes H (n x n) and g, returns χ². */
export type EvalFn = (
  p: Float64Array,
  fixed: Float64Array,
  off: number,
  h: Float64Array,
  g: Float64Array,
  cst: number,
) => number;

/** Everything the solver loop needs for a range of fits (built by problem.ts, in the main thread or a worker). */
export interface SolveContext {
  readonly nParams: number;
  readonly nFixed: number;
  /** Points per fit. */
  readonly size: number;
  readonly evaluate: EvalFn;
  readonly poisson: boolean;
  /** Per fit, row-major [nFits, nParams]. */
  readonly start: Float64Array;
  /** Per fit, row-major [nFits, nFixed] (or null without fixed values). */
  readonly fixedValues: Float64Array | null;
  /** Bounds: length nParams (shared) or nFits * nParams (per fit). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** Poisson: Σ w (y ln y − y) per fit. */
  readonly cst: Float64Array | null;
  /** Points with non-zero weight per fit (null: all `size`). */
  readonly npoints: Int32Array | null;
  readonly absoluteSigma: boolean;
  readonly stop: StopRule;
  /**
   * Trial points in two halves (crowded.ts): `chi` evaluates χ² only, `complete` then writes H and g of the
   * point `chi` saw last; only accepted trials are completed (a rejected one needs no derivatives).
   */
  readonly split?: SplitEval;
  /**
   * An elimination order of the parameters for the steps' Cholesky factorisation of fit i (crowded.ts: spot
   * by spot in raster order, background last, so that the curvature matrix of a large group is banded and the
   * factorisation skips the zeros before each row's first entry).
   */
  readonly orderOf?: (fit: number) => Int32Array;
}

/** χ² of a point, and its H and g on demand (see {@link SolveContext.split}). */
export interface SplitEval {
  chi(p: Float64Array, fixed: Float64Array, off: number, cst: number): number;
  complete(h: Float64Array, g: Float64Array): void;
}

/** Result columns (column-major: parameter j of fit i at `j * nFits + i`). */
export interface SolveOutput {
  readonly nFits: number;
  readonly values: Float64Array;
  readonly stderr: Float64Array;
  readonly chi2: Float64Array;
  readonly iterations: Int32Array;
  readonly status: Uint8Array;
}

/** Solves fits `from` (inclusive) to `to` (exclusive), writing into `out`. */
export function solveRange(ctx: SolveContext, out: SolveOutput, from: number, to: number): void {
  const n = ctx.nParams;
  const nf = ctx.nFixed;
  const N = out.nFits;
  let p = new Float64Array(n);
  let pt = new Float64Array(n);
  let h = new Float64Array(n * n);
  let ht = new Float64Array(n * n);
  let g = new Float64Array(n);
  let gt = new Float64Array(n);
  const a = new Float64Array(n * n);
  const delta = new Float64Array(n);
  const fixed = new Float64Array(nf);
  const cov = new Float64Array(n);
  const perFitBounds = ctx.lower.length !== n;
  const { evaluate, stop, split } = ctx;
  let orderScratch: OrderScratch | undefined;
  const gpufit = stop.kind === 'gpufit';
  const tol = stop.tol;
  const maxIt = stop.maxIterations;
  for (let i = from; i < to; i++) {
    const off = i * ctx.size;
    const bo = perFitBounds ? i * n : 0;
    for (let j = 0; j < n; j++) {
      const lo = ctx.lower[bo + j];
      const hi = ctx.upper[bo + j];
      const v = ctx.start[i * n + j];
      p[j] = v < lo ? lo : v > hi ? hi : v;
    }
    if (nf > 0) for (let j = 0; j < nf; j++) fixed[j] = ctx.fixedValues![i * nf + j];
    const cst = ctx.cst ? ctx.cst[i] : 0;
    const order = ctx.orderOf?.(i);
    if (order && !orderScratch) orderScratch = orderedScratch(n);
    let chi = evaluate(p, fixed, off, h, g, cst);
    let status: number = STATUS.maxIterations;
    let it = 0;
    const m = ctx.npoints ? ctx.npoints[i] : ctx.size;
    if (m < n) {
      status = STATUS.tooFewPoints;
    } else if (!Number.isFinite(chi)) {
      status = STATUS.nonFinite;
    } else {
      let lambda = 1e-3;
      while (it < maxIt) {
        it++;
        // (H + λ diag H) δ = g
        const solved = order
          ? orderedStep(h, g, lambda, n, a, delta, order, orderScratch!)
          : plainStep(h, g, lambda, n, a, delta);
        if (!solved) {
          lambda *= 10;
          if (lambda > 1e30) {
            status = STATUS.singular;
            break;
          }
          continue;
        }
        let maxRel = 0;
        for (let j = 0; j < n; j++) {
          const lo = ctx.lower[bo + j];
          const hi = ctx.upper[bo + j];
          const v = p[j] + delta[j];
          const c = v < lo ? lo : v > hi ? hi : v;
          pt[j] = c;
          const rel = Math.abs(c - p[j]) / (Math.abs(p[j]) + 1e-300);
          if (rel > maxRel) maxRel = rel;
        }
        const chiT = split ? split.chi(pt, fixed, off, cst) : evaluate(pt, fixed, off, ht, gt, cst);
        if (chiT < chi) {
          split?.complete(ht, gt);
          const dec = chi - chiT;
          let tmp = p;
          p = pt;
          pt = tmp;
          tmp = h;
          h = ht;
          ht = tmp;
          tmp = g;
          g = gt;
          gt = tmp;
          chi = chiT;
          lambda *= 0.1;
          if (lambda < 1e-300) lambda = 1e-300;
          if (gpufit) {
            if (dec < tol * (chiT > 1 ? chiT : 1)) {
              status = STATUS.converged;
              break;
            }
          } else if (dec <= tol * chiT || (maxRel <= stop.xtol && lambda < 1)) {
            status = STATUS.converged;
            break;
          }
        } else {
          lambda *= 10;
          if (gpufit) {
            if (chiT - chi < tol * (chiT > 1 ? chiT : 1)) {
              // NaN compares false: a non-finite trial never converges.
              status = STATUS.converged;
              break;
            }
          } else if (lambda > 1e16) {
            status = STATUS.converged;
            break;
          }
        }
      }
    }
    // Results.
    out.chi2[i] = chi;
    out.iterations[i] = it;
    out.status[i] = status;
    for (let j = 0; j < n; j++) out.values[j * N + i] = p[j];
    let haveCov = false;
    if (Number.isFinite(chi) && status !== STATUS.tooFewPoints) haveCov = inverseDiagonalSpd(h, n, cov, a);
    const scale = ctx.poisson || ctx.absoluteSigma ? 1 : m > n ? chi / (m - n) : NaN;
    for (let j = 0; j < n; j++) {
      const lo = ctx.lower[bo + j];
      const hi = ctx.upper[bo + j];
      const atBound = p[j] === lo || p[j] === hi;
      out.stderr[j * N + i] = haveCov && !atBound ? Math.sqrt(cov[j] * scale) : NaN;
    }
  }
}

/** (H + λ·diag H) δ = g by {@link choleskySolve}; false when not positive definite. */
function plainStep(
  h: Float64Array,
  g: Float64Array,
  lambda: number,
  n: number,
  a: Float64Array,
  delta: Float64Array,
): boolean {
  for (let k = 0; k < n * n; k++) a[k] = h[k];
  for (let j = 0; j < n; j++) {
    const d = h[j * n + j];
    a[j * n + j] = d > 0 ? d * (1 + lambda) : 1;
  }
  return choleskySolve(a, n, g, delta);
}

interface OrderScratch {
  readonly g: Float64Array;
  readonly x: Float64Array;
  readonly first: Int32Array;
}

function orderedScratch(n: number): OrderScratch {
  return { g: new Float64Array(n), x: new Float64Array(n), first: new Int32Array(n) };
}

/** {@link plainStep} with the parameters in `order`, by {@link profileCholeskySolve}. */
function orderedStep(
  h: Float64Array,
  g: Float64Array,
  lambda: number,
  n: number,
  a: Float64Array,
  delta: Float64Array,
  order: Int32Array,
  s: OrderScratch,
): boolean {
  for (let r = 0; r < n; r++) {
    const hr = order[r] * n;
    const ar = r * n;
    for (let c = 0; c < n; c++) a[ar + c] = h[hr + order[c]];
    const d = h[hr + order[r]];
    a[ar + r] = d > 0 ? d * (1 + lambda) : 1;
    s.g[r] = g[order[r]];
  }
  if (!profileCholeskySolve(a, n, s.g, s.x, s.first)) return false;
  for (let r = 0; r < n; r++) delta[order[r]] = s.x[r];
  return true;
}

/**
 * {@link choleskySolve} that skips the zeros before each row's first non-zero (the profile, which the factor
 * keeps): for a banded matrix of half-bandwidth b, n·b²/2 operations instead of n³/6; partial sums in four.
 * `first`: n scratch.
 */
function profileCholeskySolve(
  a: Float64Array,
  n: number,
  b: Float64Array,
  x: Float64Array,
  first: Int32Array,
): boolean {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let f = 0;
    while (f < i && a[ri + f] === 0) f++;
    first[i] = f;
  }
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    const fj = first[j];
    const s = a[rj + j] - dot4(a, rj + fj, rj + fj, j - fj);
    if (!(s > 0) || s === Infinity) return false;
    const d = Math.sqrt(s);
    a[rj + j] = d;
    const inv = 1 / d;
    for (let i = j + 1; i < n; i++) {
      const fi = first[i];
      if (fi > j) continue;
      const ri = i * n;
      const f = fi > fj ? fi : fj;
      a[ri + j] = (a[ri + j] - dot4(a, ri + f, rj + f, j - f)) * inv;
    }
  }
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let t = b[i];
    for (let k = first[i]; k < i; k++) t -= a[ri + k] * x[k];
    x[i] = t / a[ri + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let t = x[i];
    for (let k = i + 1; k < n; k++) if (first[k] <= i) t -= a[k * n + i] * x[k];
    x[i] = t / a[i * n + i];
  }
  return true;
}

/** Σ_{k<len} a[p + k]·a[q + k] in four partial sums (independent additions). */
function dot4(a: Float64Array, p: number, q: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[p + k] * a[q + k];
    s1 += a[p + k + 1] * a[q + k + 1];
    s2 += a[p + k + 2] * a[q + k + 2];
    s3 += a[p + k + 3] * a[q + k + 3];
  }
  for (; k < len; k++) s0 += a[p + k] * a[q + k];
  return s0 + s1 + (s2 + s3);
}

/**
 * Solves A x = b for a symmetric positive definite n x n A (row-major; overwritten by its Cholesky factor in
 * the lower triangle). Returns false when A is not numerically positive definite.
 */
export function choleskySolve(a: Float64Array, n: number, b: Float64Array, x: Float64Array): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let s = a[rj + j];
    for (let k = 0; k < j; k++) s -= a[rj + k] * a[rj + k];
    if (!(s > 0) || s === Infinity) return false;
    const d = Math.sqrt(s);
    a[rj + j] = d;
    const inv = 1 / d;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let t = a[ri + j];
      for (let k = 0; k < j; k++) t -= a[ri + k] * a[rj + k];
      a[ri + j] = t * inv;
    }
  }
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let t = b[i];
    for (let k = 0; k < i; k++) t -= a[ri + k] * x[k];
    x[i] = t / a[ri + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let t = x[i];
    for (let k = i + 1; k < n; k++) t -= a[k * n + i] * x[k];
    x[i] = t / a[i * n + i];
  }
  return true;
}

/**
 * Cholesky factor (lower, m x m in `work`) of the rows/columns of `h` with a positive diagonal, listed in
 * `idx`; returns m, or -1 when they are not positive definite.
 */
function activeCholesky(h: Float64Array, n: number, work: Float64Array, idx: Int32Array): number {
  let m = 0;
  for (let j = 0; j < n; j++) if (h[j * n + j] > 0) idx[m++] = j;
  for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) work[r * m + c] = h[idx[r] * n + idx[c]];
  for (let j = 0; j < m; j++) {
    const rj = j * m;
    let s = work[rj + j];
    for (let k = 0; k < j; k++) s -= work[rj + k] * work[rj + k];
    if (!(s > 0) || s === Infinity) return -1;
    const d = Math.sqrt(s);
    work[rj + j] = d;
    for (let i = j + 1; i < m; i++) {
      const ri = i * m;
      let t = work[ri + j];
      for (let k = 0; k < j; k++) t -= work[ri + k] * work[rj + k];
      work[ri + j] = t / d;
    }
  }
  return m;
}

/**
 * The diagonal of the inverse of a symmetric positive semi-definite matrix `h` into `diag` (length n), as
 * {@link invertSpd} (NaN for rows with a zero diagonal), from the columns of L⁻¹ (diag(H⁻¹)_i = Σ_k (L⁻¹)_ki²):
 * about a quarter of the work of the full inverse (the standard errors need no more). Returns false (and NaN
 * everywhere) when the rest is not positive definite. `work`: n x n scratch.
 */
export function inverseDiagonalSpd(
  h: Float64Array,
  n: number,
  diag: Float64Array,
  work: Float64Array,
): boolean {
  const idx = INDEX_SCRATCH.length >= n ? INDEX_SCRATCH : (INDEX_SCRATCH = new Int32Array(n));
  diag.fill(NaN, 0, n);
  const m = activeCholesky(h, n, work, idx);
  if (m < 0) return false;
  const col = COL_SCRATCH.length >= m ? COL_SCRATCH : (COL_SCRATCH = new Float64Array(m));
  for (let c = 0; c < m; c++) {
    // col = L⁻¹ e_c, zero above c.
    let sum = 0;
    for (let i = c; i < m; i++) {
      let t = i === c ? 1 : 0;
      const ri = i * m;
      for (let k = c; k < i; k++) t -= work[ri + k] * col[k];
      const v = t / work[ri + i];
      col[i] = v;
      sum += v * v;
    }
    diag[idx[c]] = sum;
  }
  return true;
}

/**
 * Inverse of a symmetric positive semi-definite matrix `h` into `out`: rows/columns with a zero diagonal
 * (parameters the model does not depend on) are left out and get NaN. Returns false when the rest is not
 * positive definite. `work` is n x n scratch.
 */
export function invertSpd(h: Float64Array, n: number, out: Float64Array, work: Float64Array): boolean {
  const idx = INDEX_SCRATCH.length >= n ? INDEX_SCRATCH : (INDEX_SCRATCH = new Int32Array(n));
  const m = activeCholesky(h, n, work, idx);
  if (m < 0) {
    out.fill(NaN, 0, n * n);
    return false;
  }
  out.fill(NaN, 0, n * n);
  // Column by column: solve L Lᵀ x = e_c.
  const col = COL_SCRATCH.length >= m ? COL_SCRATCH : (COL_SCRATCH = new Float64Array(m));
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < m; i++) {
      let t = i === c ? 1 : 0;
      const ri = i * m;
      for (let k = 0; k < i; k++) t -= work[ri + k] * col[k];
      col[i] = t / work[ri + i];
    }
    for (let i = m - 1; i >= 0; i--) {
      let t = col[i];
      for (let k = i + 1; k < m; k++) t -= work[k * m + i] * col[k];
      col[i] = t / work[i * m + i];
    }
    for (let r = 0; r < m; r++) out[idx[r] * n + idx[c]] = col[r];
  }
  return true;
}

let INDEX_SCRATCH = new Int32Array(16);
let COL_SCRATCH = new Float64Array(16);
