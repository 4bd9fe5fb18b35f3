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
import { ExprfitError } from '../syntax/span.ts';

/** Robust loss `ρ(z)` applied to `z = (r/fScale)²`, as in scipy.optimize.least_squares. */
export type LossName = 'linear' | 'soft_l1' | 'huber' | 'cauchy' | 'arctan';

export const LOSS_NAMES: readonly LossName[] = ['linear', 'soft_l1', 'huber', 'cauchy', 'arctan'];

/** Variable scaling of the trust region (see `SolverOptions.xScale`). */
export type XScale = 'jac' | 'unit' | Float64Array | readonly number[];

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

export interface SolverOptions {
  /**
   * Relative cost-reduction tolerance (MINPACK's `ftol`). Stop with `'ftol'` after a step whose actual
   * relative reduction `|F(x) - F(x+p)| / F(x)` and predicted relative reduction
   * `(F(x) - m(p)) / F(x)` are both `<= ftol` and whose gain ratio is `<= 2`. Values below machine
   * epsilon (including 0) act as `eps = 2.2e-16` (MINPACK's "no further reduction possible").
   * Default `1e-15`: about what binary64 resolves in a sum of squares, so the test means "no further
   * reduction is measurable", not "good enough" (the polishing steps then finish the job).
   */
  ftol: number;
  /**
   * Relative step tolerance (MINPACK's `xtol`). Stop with `'xtol'` when the trust radius has shrunk
   * to `Δ <= xtol · ‖D x‖₂` (the radius tracks twice the last accepted step, so this is a test on the
   * size of the steps in the scaled norm). Values below machine epsilon (including 0) act as `eps`.
   * Default `1e-15`.
   */
  xtol: number;
  /**
   * Gradient tolerance (MINPACK's `gtol`, scale invariant). Stop with `'gtol'` when
   * `max_j |g_j| / (‖J_:j‖ · ‖r‖) <= gtol` over the free parameters (the cosine of the angle
   * between the residual vector and each Jacobian column), or when `F(x) = 0` exactly. `0`
   * disables the cosine test. Default `1e-15`: the cosine measures the gradient relative to the
   * residual, which says little about the parameters' accuracy in ill-conditioned problems, so the
   * solver normally stops on `ftol` / `xtol` instead.
   */
  gtol: number;
  /**
   * Maximum number of iterations (trial steps, accepted or not). Stop with `'maxiter'`
   * (`success: false`). `'auto'` (default) means `1000 · (n + 1)`.
   */
  maxIterations: number | 'auto';
  /**
   * Maximum number of residual evaluations (the start point, every trial point and, with geodesic
   * acceleration, every second-derivative probe count). Stop with `'maxfev'` (`success: false`)
   * when a new evaluation would exceed it. `'auto'` (default) means `1000 · (n + 1)`.
   */
  maxFunctionEvaluations: number | 'auto';
  /**
   * Initial trust radius factor (MINPACK's `factor`): `Δ₀ = factor · ‖D x₀‖₂`, or `factor` when that
   * norm is zero; as in MINPACK, `Δ` is then capped to the first step's length. Default `1` (scipy
   * `trf`'s choice). MINPACK's `100` lets the first Gauss–Newton step jump onto saturation plateaus
   * (NIST BoxBOD from start 1 lands where `exp(−b₂x) = 0` and stays there).
   */
  initialTrustRadiusFactor: number;
  /**
   * Variable scaling. `'jac'` (default): Moré's scaling, `d_j = max over iterations of ‖J_:j‖₂`.
   * `'unit'`: no scaling, `d_j = 1` (the trust region is a ball in the parameters themselves).
   * An array: characteristic scale of each parameter, `d_j = 1 / xScale_j` (positive, finite).
   */
  xScale: XScale;
  /**
   * Robust loss `ρ(z)`, `z = (r_i / fScale)²`; the cost is `½ · fScale² · Σ ρ(z_i)`.
   * `'linear'` (default) `ρ = z` (ordinary least squares); `'soft_l1'` `2(√(1+z) − 1)`; `'huber'`
   * `z` if `z <= 1` else `2√z − 1`; `'cauchy'` `ln(1+z)`; `'arctan'` `arctan(z)`.
   */
  loss: LossName;
  /** Soft margin between inlier and outlier residuals for robust losses (`> 0`). Default `1`. */
  fScale: number;
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
  geodesicAcceleration: boolean;
  /** The acceleration acceptance ratio `α` in `2‖D a‖ <= α‖D v‖`. Default `0.75`. */
  geodesicMaxRatio: number;
  /** The finite-difference step `h` for `r_vv`. Default `0.1`. */
  geodesicStep: number;
  /**
   * Gain-ratio threshold for accepting a step (MINPACK: `1e-4`): a trial step is accepted when
   * `ρ >= acceptRatio`. Default `1e-4`.
   */
  acceptRatio: number;
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
  polishSteps: number;
  /**
   * Called after every iteration; returning `true` stops the solver with termination `'user'`
   * (`success: false`, the current point is returned). Default: none.
   */
  callback?: (info: IterationInfo) => boolean | void;
}

/** The defaults (also used for every field missing from a partial options object). */
export const DEFAULT_SOLVER_OPTIONS: Readonly<SolverOptions> = Object.freeze({
  ftol: 1e-15,
  xtol: 1e-15,
  gtol: 1e-15,
  maxIterations: 'auto',
  maxFunctionEvaluations: 'auto',
  initialTrustRadiusFactor: 1,
  xScale: 'jac',
  loss: 'linear',
  fScale: 1,
  geodesicAcceleration: false,
  geodesicMaxRatio: 0.75,
  geodesicStep: 0.1,
  acceptRatio: 1e-4,
  polishSteps: 20,
});

const KEYS: readonly (keyof SolverOptions)[] = [
  'ftol',
  'xtol',
  'gtol',
  'maxIterations',
  'maxFunctionEvaluations',
  'initialTrustRadiusFactor',
  'xScale',
  'loss',
  'fScale',
  'geodesicAcceleration',
  'geodesicMaxRatio',
  'geodesicStep',
  'acceptRatio',
  'polishSteps',
  'callback',
];

/** Formats a user value for an error message. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v) || ArrayBuffer.isView(v))
    return `an array of length ${(v as ArrayLike<unknown>).length}`;
  if (typeof v === 'function') return 'a function';
  return typeof v;
}

/** Levenshtein distance, for "did you mean" hints on misspelled option names. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => i);
  for (let j = 1; j <= b.length; j++) {
    let prev = d[0];
    d[0] = j;
    for (let i = 1; i <= a.length; i++) {
      const tmp = d[i];
      d[i] = Math.min(d[i] + 1, d[i - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[a.length];
}

/** Throws on keys not in `known`, with a "did you mean" hint. */
export function rejectUnknownKeys(
  partial: object,
  known: readonly string[],
  what: string = 'solver option',
): void {
  for (const key of Object.keys(partial)) {
    if (known.includes(key)) continue;
    let best = '';
    let bestD = Infinity;
    for (const k of known) {
      const dist = editDistance(key.toLowerCase(), k.toLowerCase());
      if (dist < bestD) {
        bestD = dist;
        best = k;
      }
    }
    const hints = bestD <= Math.max(2, Math.floor(key.length / 3)) ? [`did you mean '${best}'?`] : [];
    throw new ExprfitError('option', `unknown ${what} '${key}'`, { hints });
  }
}

function optError(name: string, value: unknown, must: string): never {
  throw new ExprfitError('option', `option ${name} must be ${must}, got ${describeValue(value)}`);
}

/** Checks `value` is a finite number `>= min` (or `> min` when `strict`). */
export function checkNumber(
  name: string,
  value: unknown,
  min: number,
  strict: boolean,
  max = Infinity,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) optError(name, value, 'a finite number');
  if (strict ? !(value > min) : !(value >= min)) optError(name, value, `${strict ? '>' : '>='} ${min}`);
  if (!(value <= max)) optError(name, value, `<= ${max}`);
  return value;
}

/** Checks `value` is an integer `>= min`, or `'auto'` when `allowAuto`. */
export function checkCount(name: string, value: unknown, min: number, allowAuto: boolean): number | 'auto' {
  if (allowAuto && value === 'auto') return 'auto';
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    optError(name, value, `an integer >= ${min}${allowAuto ? " or 'auto'" : ''}`);
  }
  return value;
}

/**
 * Checks a partial option set and fills in the defaults. Throws `ExprfitError('option', ...)` naming
 * the offending option and value (unknown names get a "did you mean" hint).
 */
export function validateOptions(partial: Partial<SolverOptions> = {}): SolverOptions {
  if (partial === null || typeof partial !== 'object') {
    throw new ExprfitError('option', `solver options must be an object, got ${describeValue(partial)}`);
  }
  rejectUnknownKeys(partial, KEYS as readonly string[]);
  const o: SolverOptions = { ...DEFAULT_SOLVER_OPTIONS };
  for (const [k, v] of Object.entries(partial)) {
    if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  }
  checkNumber('ftol', o.ftol, 0, false, 1);
  checkNumber('xtol', o.xtol, 0, false, 1);
  checkNumber('gtol', o.gtol, 0, false, 1);
  o.maxIterations = checkCount('maxIterations', o.maxIterations, 1, true);
  o.maxFunctionEvaluations = checkCount('maxFunctionEvaluations', o.maxFunctionEvaluations, 1, true);
  checkNumber('initialTrustRadiusFactor', o.initialTrustRadiusFactor, 0, true);
  if (o.xScale !== 'jac' && o.xScale !== 'unit') {
    const xs = o.xScale as unknown;
    if (!(Array.isArray(xs) || xs instanceof Float64Array)) {
      optError('xScale', xs, "'jac', 'unit' or an array of positive numbers");
    }
    const arr = xs as ArrayLike<unknown>;
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0)) {
        optError(`xScale[${i}]`, v, 'a finite number > 0');
      }
    }
  }
  if (!LOSS_NAMES.includes(o.loss)) {
    optError('loss', o.loss, `one of ${LOSS_NAMES.map((s) => `'${s}'`).join(', ')}`);
  }
  checkNumber('fScale', o.fScale, 0, true);
  if (typeof o.geodesicAcceleration !== 'boolean')
    optError('geodesicAcceleration', o.geodesicAcceleration, 'true or false');
  checkNumber('geodesicMaxRatio', o.geodesicMaxRatio, 0, true);
  checkNumber('geodesicStep', o.geodesicStep, 0, true, 1);
  checkNumber('acceptRatio', o.acceptRatio, 0, false, 0.25);
  checkCount('polishSteps', o.polishSteps, 0, false);
  if (o.callback !== undefined && typeof o.callback !== 'function')
    optError('callback', o.callback, 'a function');
  return o;
}

/** `maxIterations` with `'auto'` resolved for `n` parameters. */
export function resolveMaxIterations(o: SolverOptions, n: number): number {
  return o.maxIterations === 'auto' ? 1000 * (n + 1) : o.maxIterations;
}

/** `maxFunctionEvaluations` with `'auto'` resolved for `n` parameters. */
export function resolveMaxFev(o: SolverOptions, n: number): number {
  return o.maxFunctionEvaluations === 'auto' ? 1000 * (n + 1) : o.maxFunctionEvaluations;
}
