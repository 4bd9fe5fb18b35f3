/**
 * Equality and inequality constraints by an augmented-Lagrangian outer loop around the bounded solvers
 * (Powell–Hestenes–Rockafellar; Nocedal & Wright, "Numerical Optimization", §17.3–17.4).
 *
 * The constraints are `c_i(x) = 0` (equalities) and `c_i(x) >= 0` (inequalities). Each inequality gets a
 * slack variable `s_i >= 0` (a bound the inner solver keeps exactly), so every constraint becomes an
 * equality `h_i(x, s) = c_i(x) − s_i = 0` (`h_i = c_i` for equalities). With multipliers `λ` and penalty
 * `μ` the inner problem is
 *
 *     minimise  F(x) + (μ/2)·Σ (h_i + λ_i/μ)²   over x within its box and s >= 0,
 *
 * which for least squares (`F = ½‖r‖²`) is again a least-squares problem: the rows `√μ·(h_i + λ_i/μ)`
 * are appended to the residuals, with their exact Jacobian. Outer iteration:
 * 1. solve the inner problem from the current point (warm start);
 * 2. `λ ← λ + μ·h` (first-order multiplier update);
 * 3. stop with success when `max_i |h_i| <= ctol` and the inner solve converged; otherwise, when the
 *    violation did not fall below `0.25×` the previous one, `μ ← penaltyGrowth·μ`.
 * Starting penalty `μ₀ = 10·max(1, F(x₀))`. The slack starts at `max(c_i(x₀), 0)`.
 *
 * At the solution `∇F = Σ ν_i ∇c_i` with `ν = −λ` (the Lagrangian `F − νᵀc`): `ν_i >= 0` for the
 * inequalities, and `ν_i = 0` for those that are not active (`c_i > activeTol`).
 */
import { defineOptions, opt, type OptionsInput, type OptionsOf, validateOptions } from '../core/index.ts';
import { checkStart, type NumericArray } from './bounds.ts';
import { minimizeLBFGSB, type ObjectiveWithGradient, type MinimizeSummary } from './lbfgsb.ts';
import { solveLeastSquares, type LeastSquaresProblem } from './lm.ts';
import type { SolverOptionsInput } from './options.ts';
import {
  boundStatus,
  briefReportOf,
  fullReportOf,
  type SummaryBase,
  type TerminationReason,
} from './summary.ts';

/** Constraints of a problem: `c_i(x) = 0` where `equality[i]`, else `c_i(x) >= 0`. */
export interface ConstraintFunctions {
  readonly count: number;
  readonly equality: readonly boolean[];
  /** Writes `c(x)` into `c` and, when `C` is given, its Jacobian (row-major `count x n`). */
  evaluate(x: Float64Array, c: Float64Array, C: Float64Array | null): void;
}

/** The options of the augmented-Lagrangian loop, declared once. */
export const augmentedSchema = defineOptions('constraints', {
  /** Feasibility test: success needs `max_i |h_i| <= ctol` (absolute, in the constraint's units). */
  ctol: opt.number({
    doc: 'Feasibility: max |c_i| (equalities) and max(0, −c_i) (inequalities) <= ctol',
    default: 1e-9,
    gt: 0,
  }),
  /** Most outer iterations (each one inner solve). Stop `'maxiter'` when exhausted. */
  outerIterations: opt.integer({
    doc: "Most outer iterations (inner solves); then stop 'maxiter'",
    default: 60,
    min: 1,
  }),
  /** Factor by which the penalty grows when the violation did not fall to a quarter. */
  penaltyGrowth: opt.number({
    doc: 'Penalty factor when the violation did not fall to ¼',
    default: 10,
    gt: 1,
  }),
  /** An inequality counts as active when `c_i <= activeTol` at the solution. */
  activeTol: opt.number({ doc: 'An inequality is active when c_i <= activeTol', default: 1e-7, min: 0 }),
});

type AugmentedOptions = OptionsOf<typeof augmentedSchema>;
/** What a caller may pass as the constrained solver's options. */
export type AugmentedOptionsInput = OptionsInput<typeof augmentedSchema>;

/** What the constrained solvers add to a summary. */
export interface ConstrainedSummary extends SummaryBase {
  /** `c(x)` at the solution. */
  readonly constraintValues: Float64Array;
  /** `ν` with `∇F = Σ ν_i ∇c_i` (`ν_i >= 0` for inequalities; 0 for inactive ones). */
  readonly multipliers: Float64Array;
  /** Equalities, and inequalities with `c_i <= activeTol`. */
  readonly activeConstraints: boolean[];
  /** `max_i |h_i|` at the end. */
  readonly violation: number;
  readonly outerIterations: number;
}

/** The inner solve of one outer iteration: minimise the augmented problem over `z = [x, s]` from `z0`. */
type InnerSolve = (z0: Float64Array, lambda: Float64Array, mu: number) => SummaryBase;

interface Layout {
  readonly n: number;
  readonly k: number;
  /** `slackOf[i]`: the slack index (in z) of inequality i, -1 for equalities. */
  readonly slackOf: Int32Array;
  readonly nz: number;
}

function layoutOf(n: number, cons: ConstraintFunctions): Layout {
  const slackOf = new Int32Array(cons.count).fill(-1);
  let nz = n;
  for (let i = 0; i < cons.count; i++) if (!cons.equality[i]) slackOf[i] = nz++;
  return { n, k: cons.count, slackOf, nz };
}

/** `h(z) = c(x) − s` into `h`, and (when `H` is given) its Jacobian with respect to z (`k x nz`). */
function evaluateH(
  L: Layout,
  cons: ConstraintFunctions,
  z: Float64Array,
  h: Float64Array,
  H: Float64Array | null,
  C: Float64Array,
): void {
  const x = z.subarray(0, L.n);
  cons.evaluate(x, h, H ? C : null);
  if (H) H.fill(0);
  for (let i = 0; i < L.k; i++) {
    const s = L.slackOf[i];
    if (s >= 0) h[i] -= z[s];
    if (!H) continue;
    for (let j = 0; j < L.n; j++) H[i * L.nz + j] = C[i * L.n + j];
    if (s >= 0) H[i * L.nz + s] = -1;
  }
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (const e of v) m = Math.max(m, Math.abs(e));
  return Number.isNaN(m) ? Infinity : m;
}

/** The start `z0 = [x0, max(c(x0), 0)]` and the box of z. */
function startOf(
  L: Layout,
  cons: ConstraintFunctions,
  x0: Float64Array,
  lower: Float64Array,
  upper: Float64Array,
): { z0: Float64Array; lo: Float64Array; hi: Float64Array } {
  const z0 = new Float64Array(L.nz);
  const lo = new Float64Array(L.nz).fill(0);
  const hi = new Float64Array(L.nz).fill(Infinity);
  z0.set(x0);
  lo.set(lower);
  hi.set(upper);
  const c = new Float64Array(L.k);
  cons.evaluate(x0, c, null);
  for (let i = 0; i < L.k; i++) if (L.slackOf[i] >= 0) z0[L.slackOf[i]] = Math.max(c[i], 0);
  return { z0, lo, hi };
}

interface OuterResult {
  z: Float64Array;
  lambda: Float64Array;
  last: SummaryBase;
  violation: number;
  outer: number;
  nfev: number;
  njev: number;
  iterations: number;
  termination: TerminationReason;
  message: string;
}

/** The outer loop (see the module comment). */
function outerLoop(
  L: Layout,
  cons: ConstraintFunctions,
  z0: Float64Array,
  mu0: number,
  inner: InnerSolve,
  o: AugmentedOptions,
): OuterResult {
  const lambda = new Float64Array(L.k);
  const h = new Float64Array(L.k);
  const C = new Float64Array(L.k * L.n);
  let z = z0;
  let mu = mu0;
  let previous = Infinity;
  let nfev = 0;
  let njev = 0;
  let iterations = 0;
  for (let outer = 1; ; outer++) {
    const last = inner(z, lambda, mu);
    nfev += last.nfev;
    njev += last.njev;
    iterations += last.iterations;
    z = Float64Array.from(last.x);
    evaluateH(L, cons, z, h, null, C);
    const violation = maxAbs(h);
    for (let i = 0; i < L.k; i++) lambda[i] += mu * h[i];
    const base = { z, lambda, last, violation, outer, nfev, njev, iterations };
    if (violation <= o.ctol && last.success) {
      const message = `constraints met (max violation ${violation.toExponential(2)} <= ctol ${o.ctol}) after ${outer} outer iterations (last inner solve: ${last.termination})`;
      return { ...base, termination: last.termination, message };
    }
    if (!Number.isFinite(violation) || outer >= o.outerIterations) {
      const why = Number.isFinite(violation) ? `${outer} outer iterations` : 'a non-finite constraint value';
      const message = `constraints not met after ${why}: max violation ${violation.toExponential(2)} > ctol ${o.ctol} (infeasible, or raise outerIterations)`;
      return { ...base, termination: Number.isFinite(violation) ? 'maxiter' : 'non-finite', message };
    }
    if (violation > 0.25 * previous) mu = Math.min(mu * o.penaltyGrowth, 1e20);
    previous = violation;
  }
}

/** The summary of an outer loop's result for the original variables x. */
function constrainedSummary(
  method: string,
  L: Layout,
  cons: ConstraintFunctions,
  res: OuterResult,
  box: { lower: Float64Array; upper: Float64Array; clipped: boolean },
  costs: { initial: number; final: number },
  o: AugmentedOptions,
): ConstrainedSummary {
  const x = Float64Array.from(res.z.subarray(0, L.n));
  const c = new Float64Array(L.k);
  cons.evaluate(x, c, null);
  const active = cons.equality.map((eq, i) => eq || c[i] <= o.activeTol);
  const multipliers = Float64Array.from(res.lambda, (l, i) => (active[i] ? -l : 0));
  const { activeMask, atBound } = boundStatus(x, box.lower, box.upper);
  const base = {
    method,
    x,
    cost: costs.final,
    initialCost: costs.initial,
    success: res.termination === 'ftol' || res.termination === 'xtol' || res.termination === 'gtol',
    termination: res.termination,
    message: res.message,
    nfev: res.nfev,
    njev: res.njev,
    iterations: res.iterations,
    activeMask,
    atBound,
    x0Clipped: box.clipped,
    constraintValues: c,
    multipliers,
    activeConstraints: active,
    violation: res.violation,
    outerIterations: res.outer,
  };
  return {
    ...base,
    briefReport: () => briefReportOf(base),
    fullReport: (names?: readonly string[]) =>
      fullReportOf(
        base,
        [
          ['Outer iterations', res.outer],
          ['Max violation', res.violation],
        ],
        names,
      ),
  };
}

/** The least-squares problem of one outer iteration: residuals `[r(x); √μ·(h + λ/μ)]` over z. */
function augmentedLeastSquares(
  problem: LeastSquaresProblem,
  L: Layout,
  cons: ConstraintFunctions,
  lambda: Float64Array,
  mu: number,
  box: { lo: Float64Array; hi: Float64Array },
): LeastSquaresProblem {
  const { n, m } = problem;
  const rootMu = Math.sqrt(mu);
  const J0 = new Float64Array(m * n);
  const H = new Float64Array(L.k * L.nz);
  const C = new Float64Array(L.k * n);
  const h = new Float64Array(L.k);
  const rows = (z: Float64Array, r: Float64Array, J: Float64Array | null): void => {
    const x = z.subarray(0, n);
    if (J) (problem.residualsAndJacobian ?? bothOf(problem))(x, r.subarray(0, m), J0);
    else problem.residuals(x, r.subarray(0, m));
    evaluateH(L, cons, z, h, J ? H : null, C);
    for (let i = 0; i < L.k; i++) r[m + i] = rootMu * (h[i] + lambda[i] / mu);
    if (!J) return;
    J.fill(0);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) J[i * L.nz + j] = J0[i * n + j];
    for (let i = 0; i < L.k * L.nz; i++) J[m * L.nz + i] = rootMu * H[i];
  };
  const scratch = new Float64Array(m + L.k);
  return {
    n: L.nz,
    m: m + L.k,
    lower: box.lo,
    upper: box.hi,
    residuals: (z, r) => rows(z, r, null),
    jacobian: (z, J) => rows(z, scratch, J),
    residualsAndJacobian: (z, r, J) => rows(z, r, J),
  };
}

function bothOf(p: LeastSquaresProblem): (x: Float64Array, r: Float64Array, J: Float64Array) => void {
  return (x, r, J) => {
    p.residuals(x, r);
    p.jacobian(x, J);
  };
}

function halfSquares(r: Float64Array, m: number): number {
  let s = 0;
  for (let i = 0; i < m; i++) s += r[i] * r[i];
  return 0.5 * s;
}

/**
 * Minimises `½‖r(x)‖²` within the problem's box subject to `cons`, by the augmented-Lagrangian loop with
 * the bounded trust-region LM as the inner solver (linear loss only). Never throws on non-convergence.
 */
export function solveConstrainedLeastSquares(
  problem: LeastSquaresProblem,
  cons: ConstraintFunctions,
  x0: NumericArray,
  options: { solver?: SolverOptionsInput; constraints?: AugmentedOptionsInput } = {},
): ConstrainedSummary {
  const o = validateOptions(augmentedSchema, options.constraints ?? {});
  const st = checkStart(x0, problem.lower, problem.upper, problem.n);
  const L = layoutOf(problem.n, cons);
  const { z0, lo, hi } = startOf(L, cons, st.x, st.lower, st.upper);
  const r = new Float64Array(problem.m);
  problem.residuals(st.x, r);
  const initial = halfSquares(r, problem.m);
  const inner: InnerSolve = (z, lambda, mu) =>
    solveLeastSquares(augmentedLeastSquares(problem, L, cons, lambda, mu, { lo, hi }), z, {
      ...options.solver,
      loss: 'linear',
    });
  const res = outerLoop(L, cons, z0, 10 * Math.max(1, Number.isFinite(initial) ? initial : 1), inner, o);
  problem.residuals(res.z.subarray(0, problem.n), r);
  const box = { lower: st.lower, upper: st.upper, clipped: st.clipped };
  const method = 'augmented Lagrangian (bounded trust-region LM inner solver)';
  return constrainedSummary(method, L, cons, res, box, { initial, final: halfSquares(r, problem.m) }, o);
}

/**
 * Minimises a smooth `f(x)` within a box subject to `cons`, by the augmented-Lagrangian loop with
 * `inner` (default L-BFGS-B) minimising the augmented objective. Never throws on non-convergence.
 */
export function minimizeConstrained(
  f: ObjectiveWithGradient,
  cons: ConstraintFunctions,
  x0: NumericArray,
  options: {
    lower?: NumericArray;
    upper?: NumericArray;
    constraints?: AugmentedOptionsInput;
    inner?: (
      g: ObjectiveWithGradient,
      z0: Float64Array,
      lo: Float64Array,
      hi: Float64Array,
    ) => MinimizeSummary;
    method?: string;
  } = {},
): ConstrainedSummary {
  const o = validateOptions(augmentedSchema, options.constraints ?? {});
  const st = checkStart(x0, options.lower, options.upper);
  const L = layoutOf(st.n, cons);
  const { z0, lo, hi } = startOf(L, cons, st.x, st.lower, st.upper);
  const solveInner = options.inner ?? ((g, z, l, u) => minimizeLBFGSB(g, z, { lower: l, upper: u }));
  const gx = new Float64Array(st.n);
  const initial = f(st.x, gx);
  const inner: InnerSolve = (z, lambda, mu) =>
    solveInner(augmentedObjective(f, L, cons, lambda, mu), z, lo, hi);
  const res = outerLoop(
    L,
    cons,
    z0,
    10 * Math.max(1, Number.isFinite(initial) ? Math.abs(initial) : 1),
    inner,
    o,
  );
  const final = f(res.z.subarray(0, st.n), gx);
  const box = { lower: st.lower, upper: st.upper, clipped: st.clipped };
  const method = `augmented Lagrangian (${options.method ?? 'L-BFGS-B'} inner solver)`;
  return constrainedSummary(method, L, cons, res, box, { initial, final }, o);
}

/** `F(x) + (μ/2)Σ(h + λ/μ)²` and its gradient over z. */
function augmentedObjective(
  f: ObjectiveWithGradient,
  L: Layout,
  cons: ConstraintFunctions,
  lambda: Float64Array,
  mu: number,
): ObjectiveWithGradient {
  const h = new Float64Array(L.k);
  const H = new Float64Array(L.k * L.nz);
  const C = new Float64Array(L.k * L.n);
  return (z, g) => {
    g.fill(0);
    const fx = f(z.subarray(0, L.n), g.subarray(0, L.n));
    evaluateH(L, cons, z, h, H, C);
    let penalty = 0;
    for (let i = 0; i < L.k; i++) {
      const t = h[i] + lambda[i] / mu;
      penalty += t * t;
      for (let j = 0; j < L.nz; j++) g[j] += mu * t * H[i * L.nz + j];
    }
    return fx + 0.5 * mu * penalty;
  };
}
