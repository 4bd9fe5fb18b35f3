/**
 * Options of the least-squares solver (`solveLeastSquares`, `solvePoisson`). Every option states its
 * exact test and its default. `validateOptions` checks a partial set and fills in the defaults; it
 * throws `ExprfitError('option', ...)` naming the offending value before any solving starts.
 *
 * Notation used below (see docs/solver.md):
 * - `x` the parameters, `r(x)` the (loss-scaled) residuals, `J` their Jacobian, `F = ½·Σ ρ(r_i²)` the
 *   cost (`½‖r‖²` for the linear loss), `g = Jᵀr` its gradient.
 * - `D = diag(d_j)` the variable scaling: for `xScale: 'jac'` (Moré), `d_j` is the running maximum
 *   over all iterations of the column norm `‖J_:j‖` (`1` while a column has always been zero); for a
 *   user array, `d_j = 1 / xScale_j`.
 * - `Δ` the trust-region radius, a bound on the scaled step `‖D p‖₂`.
 * - `ρ = actual reduction / predicted reduction` the gain ratio of a trial step.
 */
import {
  defineOptions,
  opt,
  type OptionsInput,
  type OptionsOf,
  validateOptions as validateAgainst,
} from '../core/index.ts';
import type { NumericArray } from './bounds.ts';

/** Robust loss `ρ(z)` applied to `z = (r/fScale)²`, as in scipy.optimize.least_squares. */
export type LossName = 'linear' | 'soft_l1' | 'huber' | 'cauchy' | 'arctan';

export const LOSS_NAMES = [
  'linear',
  'soft_l1',
  'huber',
  'cauchy',
  'arctan',
] as const satisfies readonly LossName[];

/** Variable scaling of the trust region (see `SolverOptions.xScale`). */
export type XScale = 'jac' | 'unit' | Float64Array | readonly number[];

function isXScale(v: unknown): v is XScale {
  if (v === 'jac' || v === 'unit') return true;
  if (!Array.isArray(v) && !(v instanceof Float64Array)) return false;
  return Array.prototype.every.call(v, (s: unknown) => typeof s === 'number' && Number.isFinite(s) && s > 0);
}

function isFunction<F>(v: unknown): v is F {
  return typeof v === 'function';
}

/** An API-only callback option (the solvers' `callback`). */
export function callbackOption<F>(doc: string) {
  return opt.custom<F>({ doc, accept: isFunction<F>, expected: 'a function', frontEnds: ['api'] });
}

/**
 * The iteration limits of the gradient minimizers that default to scipy's `200·n` iterations (BFGS, trust-region
 * Newton), declared once and spread into their schemas.
 */
export const gradientLimitSpecs = {
  /** Most iterations; `'auto'` = `200·n` (scipy's default). */
  maxIterations: opt.integer({
    doc: "Most iterations ('auto': 200·n)",
    default: 'auto',
    min: 1,
    also: ['auto'],
  }),
  /** Most objective+gradient evaluations. */
  maxFunctionEvaluations: opt.integer({ doc: 'Most objective+gradient evaluations', default: 20000, min: 1 }),
};

/** A bound array of the scalar minimizers (`lower`, `upper`; checked against the start by `checkStart`). */
export function boundsOption(doc: string) {
  const accept = (v: unknown): v is NumericArray => Array.isArray(v) || v instanceof Float64Array;
  return opt.custom<NumericArray>({ doc, accept, expected: 'an array of numbers', frontEnds: ['api'] });
}

/** Information passed to `SolverOptions.callback` after each iteration (a trial step). */
export interface IterationInfo {
  /** Iteration number, starting at 1. */
  readonly iteration: number;
  /** Current (accepted) parameters. Do not modify; copy if kept. */
  readonly x: Float64Array;
  /** Current cost `F(x)`. */
  readonly cost: number;
  /** Trust-region radius after the update. */
  readonly radius: number;
  /** Gain ratio of the trial step (`-Infinity` when the trial residuals were not finite). */
  readonly ratio: number;
  /** Whether the trial step was accepted. */
  readonly accepted: boolean;
  readonly nfev: number;
  readonly njev: number;
}

/** The options of `solveLeastSquares` and `solvePoisson`, declared once (docs/solver.md's table comes from here). */
export const solverSchema = defineOptions('solver', {
  /**
   * Relative cost-reduction tolerance (MINPACK's `ftol`). Stop with `'ftol'` after a step whose actual
   * relative reduction `|F(x) - F(x+p)| / F(x)` and predicted relative reduction
   * `(F(x) - m(p)) / F(x)` are both `<= ftol` and whose gain ratio is `<= 2`. Values below machine
   * epsilon (including 0) act as `eps = 2.2e-16` (MINPACK's "no further reduction possible").
   * Default `1e-15`: about what binary64 resolves in a sum of squares, so the test means "no further
   * reduction is measurable", not "good enough" (the polishing steps then finish the job).
   */
  ftol: opt.number({
    doc: "Stop 'ftol' after a step with |actual reduction| <= ftol·F, predicted reduction <= ftol·F and ρ <= 2. At 1e-15 this means \"no further reduction measurable\". The rounding-level test (§1.1 item 9) also ends with 'ftol'.",
    default: 1e-15,
    min: 0,
    max: 1,
  }),
  /**
   * Relative step tolerance (MINPACK's `xtol`). Stop with `'xtol'` when the trust radius has shrunk
   * to `Δ <= xtol · ‖D x‖₂` (the radius tracks twice the last accepted step, so this is a test on the
   * size of the steps in the scaled norm). Values below machine epsilon (including 0) act as `eps`.
   * Default `1e-15`.
   */
  xtol: opt.number({
    doc: "Stop 'xtol' when Δ <= xtol·‖D x‖ (the radius tracks twice the last good step, so this tests the scaled step size).",
    default: 1e-15,
    min: 0,
    max: 1,
  }),
  /**
   * Gradient tolerance (MINPACK's `gtol`, scale invariant). Stop with `'gtol'` when
   * `max_j |g_j| / (‖J_:j‖ · ‖r‖) <= gtol` over the free parameters (the cosine of the angle
   * between the residual vector and each Jacobian column), or when `F(x) = 0` exactly. `0`
   * disables the cosine test. Default `1e-15`: the cosine measures the gradient relative to the
   * residual, which says little about the parameters' accuracy in ill-conditioned problems, so the
   * solver normally stops on `ftol` / `xtol` instead.
   */
  gtol: opt.number({
    doc: "Stop 'gtol' when max_j |g_j| / (‖J_:j‖·‖r‖) <= gtol over the free parameters (cosine between r and each column), or when F = 0 exactly, or when every parameter is held by a bound.",
    default: 1e-15,
    min: 0,
    max: 1,
  }),
  /**
   * Maximum number of iterations (trial steps, accepted or not). Stop with `'maxiter'`
   * (`success: false`). `'auto'` (default) means `1000 · (n + 1)`.
   */
  maxIterations: opt.integer({
    doc: "Trial steps (accepted or not); 'auto' = 1000·(n+1). Stop 'maxiter', success: false.",
    default: 'auto',
    min: 1,
    also: ['auto'],
  }),
  /**
   * Maximum number of residual evaluations (the start point, every trial point and, with geodesic
   * acceleration, every second-derivative probe count). Stop with `'maxfev'` (`success: false`)
   * when a new evaluation would exceed it. `'auto'` (default) means `1000 · (n + 1)`.
   */
  maxFunctionEvaluations: opt.integer({
    doc: "Residual evaluations (start, trials, acceleration probes, polishing); 'auto' = 1000·(n+1). Stop 'maxfev', success: false, before an evaluation would exceed it. NIST Bennett5 needs ~1100 from start 1.",
    default: 'auto',
    min: 1,
    also: ['auto'],
  }),
  /**
   * Initial trust radius factor (MINPACK's `factor`): `Δ₀ = factor · ‖D x₀‖₂`, or `factor` when that
   * norm is zero; as in MINPACK, `Δ` is then capped to the first step's length. Default `1` (scipy
   * `trf`'s choice). MINPACK's `100` lets the first Gauss–Newton step jump onto saturation plateaus
   * (NIST BoxBOD from start 1 lands where `exp(−b₂x) = 0` and stays there).
   */
  initialTrustRadiusFactor: opt.number({
    doc: "Δ₀ = factor·‖D x₀‖. MINPACK's 100 lets the first Gauss–Newton step jump BoxBOD (start 1) onto the exp(−b₂x) = 0 plateau; 1 (scipy trf's choice) does not, and solved the most perturbed NIST starts in our robustness runs.",
    default: 1,
    gt: 0,
  }),
  /**
   * Variable scaling. `'jac'` (default): Moré's scaling, `d_j = max over iterations of ‖J_:j‖₂`.
   * `'unit'`: no scaling, `d_j = 1` (the trust region is a ball in the parameters themselves).
   * An array: characteristic scale of each parameter, `d_j = 1 / xScale_j` (positive, finite).
   */
  xScale: opt.custom<XScale, true>({
    doc: "'jac': Moré scaling. 'unit': d_j = 1. Array: d_j = 1/xScale_j (positive, length n). fit() takes 'jac', 'unit' or { name: scale }. Default chosen in §1.5.",
    default: 'jac',
    accept: isXScale,
    expected: "'jac', 'unit' or an array of finite numbers > 0",
  }),
  /**
   * Robust loss `ρ(z)`, `z = (r_i / fScale)²`; the cost is `½ · fScale² · Σ ρ(z_i)`.
   * `'linear'` (default) `ρ = z` (ordinary least squares); `'soft_l1'` `2(√(1+z) − 1)`; `'huber'`
   * `z` if `z <= 1` else `2√z − 1`; `'cauchy'` `ln(1+z)`; `'arctan'` `arctan(z)`.
   */
  loss: opt.enum(LOSS_NAMES, { doc: 'Robust loss ρ(z) (§3).', default: 'linear' }),
  /** Soft margin between inlier and outlier residuals for robust losses (`> 0`). Default `1`. */
  fScale: opt.number({ doc: 'Soft margin c of the robust loss.', default: 1, gt: 0 }),
  /**
   * Geodesic acceleration (Transtrum & Sethna 2012): the step `v` is corrected by `½a`, where `a`
   * solves the damped system for the second directional derivative `r_vv ≈ (2/h)·((r(x+hv) − r)/h − Jv)`
   * (one extra residual evaluation per step). The corrected step is used only when
   * `2‖D a‖ <= geodesicMaxRatio · ‖D v‖`, otherwise the velocity `v` alone; the gain ratio uses the
   * velocity's predicted reduction (as GSL). Non-finite residuals at the probe `x + hv` reject the
   * step (radius × 0.25). Ignored for robust losses. Default `false` (see docs/solver.md: it cuts
   * NIST Bennett5 from ~1100 to ~110 evaluations but sends MGH09 from start 1 into a valley
   * running to infinity).
   */
  geodesicAcceleration: opt.boolean({
    doc: "Transtrum's geodesic acceleration (§1.1 item 10).",
    default: false,
  }),
  /** The acceleration acceptance ratio `α` in `2‖D a‖ <= α‖D v‖`. Default `0.75`. */
  geodesicMaxRatio: opt.number({
    doc: 'Acceleration used only when 2‖D a‖ <= α‖D v‖.',
    default: 0.75,
    gt: 0,
  }),
  /** The finite-difference step `h` for `r_vv`. Default `0.1`. */
  geodesicStep: opt.number({ doc: 'Finite-difference step h for r_vv.', default: 0.1, gt: 0, max: 1 }),
  /**
   * Gain-ratio threshold for accepting a step (MINPACK: `1e-4`): a trial step is accepted when
   * `ρ >= acceptRatio`. Default `1e-4`.
   */
  acceptRatio: opt.number({ doc: 'Accept a step when ρ >= acceptRatio.', default: 1e-4, min: 0, max: 0.25 }),
  /**
   * After a successful stop (`ftol`, `xtol` or `gtol`), at most this many Gauss–Newton polishing
   * steps. A step is kept when the cost does not rise by more than `1e-9 · F` (rounding level) and
   * the Gauss–Newton step computed at the new point is not longer than it (contraction: the iterate
   * is approaching the stationary point; otherwise the step is undone). Polishing stops when the
   * scaled step falls to `4·eps·‖D x‖`, when successive steps shrink by less than 10%, or after this
   * many steps. It recovers the digits that a sum of squares cannot resolve in ill-conditioned or
   * large-residual problems (the step is computed from r and J, which stay accurate when the cost
   * no longer changes measurably). `0` disables. Default `20`.
   */
  polishSteps: opt.integer({
    doc: 'Gauss–Newton polishing steps after convergence (§1.1 item 11); 0 disables.',
    default: 20,
    min: 0,
  }),
  /**
   * Called after every iteration; returning `true` stops the solver with termination `'user'`
   * (`success: false`, the current point is returned). Default: none.
   */
  callback: callbackOption<(info: IterationInfo) => boolean | void>(
    "(info: IterationInfo) => boolean | void after every trial step; returning true stops with 'user'. info: iteration, x, cost, radius, ratio, accepted, nfev, njev.",
  ),
});

/** The validated options (defaults filled in). */
export type SolverOptions = OptionsOf<typeof solverSchema>;

/** What a caller may pass: every option optional. */
export type SolverOptionsInput = OptionsInput<typeof solverSchema>;

/**
 * Checks a partial option set and fills in the defaults. Throws `ExprfitError('option', ...)` naming
 * the offending option and value (unknown names get a "did you mean" hint).
 */
export function validateOptions(partial: SolverOptionsInput = {}): SolverOptions {
  return validateAgainst(solverSchema, partial);
}

/** The defaults (also used for every field missing from a partial options object). */
export const DEFAULT_SOLVER_OPTIONS: Readonly<SolverOptions> = Object.freeze(validateOptions());

/** `maxIterations` with `'auto'` resolved for `n` parameters. */
export function resolveMaxIterations(o: SolverOptions, n: number): number {
  return o.maxIterations === 'auto' ? 1000 * (n + 1) : o.maxIterations;
}

/** `maxFunctionEvaluations` with `'auto'` resolved for `n` parameters. */
export function resolveMaxFev(o: SolverOptions, n: number): number {
  return o.maxFunctionEvaluations === 'auto' ? 1000 * (n + 1) : o.maxFunctionEvaluations;
}
