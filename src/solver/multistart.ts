/**
 * Multi-start: run a local solver from several start points and keep the best result.
 *
 * Start 0 is the caller's `x0` (so a multi-start run is never worse than a single run). The other
 * `nStarts − 1` starts are a Latin hypercube sample, deterministic for a given `seed`
 * (mulberry32 generator): each parameter's range is cut into `nStarts − 1` equal strata, every
 * stratum is used once per parameter in a seeded random order, with a seeded random position
 * inside it. The range of a parameter is
 * - `[lower, upper]` when both bounds are finite;
 * - otherwise `x0_j ± max(|x0_j|, 1)` intersected with the (half-)bounded interval, i.e. a
 *   sample within a factor of ~2 of the start value, since an unbounded direction has no natural
 *   sampling range.
 * A parameter with `lower === upper` stays fixed.
 *
 * The best result is the successful one (`success: true`) with the lowest `cost`; if none succeeded,
 * the one with the lowest finite cost; ties keep the earlier start.
 */
import { ExprfitError } from '../core/index.ts';
import { checkStart, type NumericArray } from './bounds.ts';

export interface MultiStartResult<S> {
  /** The best result (see the module comment). */
  best: S;
  /** Index of the best result in `results` / `starts`. */
  bestIndex: number;
  /** Every result, in start order. */
  results: S[];
  /** The start points drawn (start 0 is `x0`); `results` may be shorter when interrupted. */
  starts: Float64Array[];
  /** True when `control.stopped()` ended the run before every start was solved. */
  interrupted: boolean;
}

/** Progress and cancellation between starts (at least the first start is always solved). */
export interface StartControl {
  stopped(): boolean;
  report(done: number, total: number): void;
}

/** Deterministic 32-bit PRNG (mulberry32), uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Latin hypercube starts (see the module comment); returns `nStarts` points, the first being `x0`. */
export function multiStartPoints(
  lower: NumericArray | undefined,
  upper: NumericArray | undefined,
  x0: NumericArray,
  nStarts: number,
  seed: number = 1,
): Float64Array[] {
  if (!Number.isInteger(nStarts) || nStarts < 1) {
    throw new ExprfitError('option', `number of starts must be an integer >= 1, got ${nStarts}`);
  }
  if (!Number.isFinite(seed)) throw new ExprfitError('option', `seed must be a finite number, got ${seed}`);
  const st = checkStart(x0, lower, upper);
  const { n } = st;
  const starts: Float64Array[] = [Float64Array.from(st.x)];
  const k = nStarts - 1;
  if (k === 0) return starts;
  const rnd = mulberry32(Math.floor(seed) ^ 0x9e3779b9);
  const cols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    let lo = st.lower[j];
    let hi = st.upper[j];
    if (!(Number.isFinite(lo) && Number.isFinite(hi))) {
      const c = st.x[j];
      const w = Math.max(Math.abs(c), 1);
      lo = Math.max(lo, c - w);
      hi = Math.min(hi, c + w);
    }
    // stratified positions in a seeded random order (Fisher–Yates)
    const perm = Array.from({ length: k }, (_, i) => i);
    for (let i = k - 1; i > 0; i--) {
      const r = Math.floor(rnd() * (i + 1));
      [perm[i], perm[r]] = [perm[r], perm[i]];
    }
    const col = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      const u = (perm[i] + rnd()) / k;
      col[i] = lo === hi ? lo : Math.min(hi, Math.max(lo, lo + u * (hi - lo)));
    }
    cols.push(col);
  }
  for (let i = 0; i < k; i++) {
    const x = new Float64Array(n);
    for (let j = 0; j < n; j++) x[j] = cols[j][i];
    starts.push(x);
  }
  return starts;
}

/**
 * Runs `solve` from `nStarts` start points (see the module comment) and keeps the best result.
 * `solve` should not throw for a bad start (exprfit's solvers never do on non-convergence); if it
 * does, the error propagates.
 */
export function multiStart<S extends { cost: number; success: boolean }>(
  solve: (x0: Float64Array) => S,
  lower: NumericArray | undefined,
  upper: NumericArray | undefined,
  x0: NumericArray,
  nStarts: number,
  seed: number = 1,
  control?: StartControl,
): MultiStartResult<S> {
  const starts = multiStartPoints(lower, upper, x0, nStarts, seed);
  const { results, interrupted } = solveStarts(solve, starts, control);
  let bestIndex = -1;
  const better = (i: number, requireSuccess: boolean): boolean => {
    const r = results[i];
    if (requireSuccess && !r.success) return false;
    if (!Number.isFinite(r.cost)) return false;
    return bestIndex < 0 || r.cost < results[bestIndex].cost;
  };
  for (let i = 0; i < results.length; i++) if (better(i, true)) bestIndex = i;
  if (bestIndex < 0) for (let i = 0; i < results.length; i++) if (better(i, false)) bestIndex = i;
  if (bestIndex < 0) bestIndex = 0;
  return { best: results[bestIndex], bestIndex, results, starts, interrupted };
}

/** Solves from each start in turn, reporting after each and stopping early when `control` says so. */
function solveStarts<S>(
  solve: (x0: Float64Array) => S,
  starts: readonly Float64Array[],
  control: StartControl | undefined,
): { results: S[]; interrupted: boolean } {
  const results: S[] = [];
  for (const s of starts) {
    results.push(solve(Float64Array.from(s)));
    control?.report(results.length, starts.length);
    if (results.length < starts.length && control?.stopped()) return { results, interrupted: true };
  }
  return { results, interrupted: false };
}
