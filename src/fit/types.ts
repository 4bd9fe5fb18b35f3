/**
 * Public types of the fit API: options in, result out. The formulas of every statistic are in the doc
 * comments (lmfit habit); `docs/fitting.md` repeats them.
 */
import type { NdArray } from '../data/ndarray.ts';

/** Array-like data a user may pass for a variable. */
export type DataInput =
  number | readonly number[] | readonly (readonly number[])[] | Float64Array | NdArray | unknown[];

export type Method = 'lm' | 'lbfgsb' | 'nelder';
export type Loss = 'linear' | 'soft_l1' | 'huber' | 'cauchy' | 'arctan';
/** `lsq`: (weighted) least squares. `poisson`: Poisson maximum likelihood of counts (the data are counts,
 * the model their expectation). `likelihood`: unbinned maximum likelihood; the model is a pdf of the data
 * variables and has no observed data of its own (symfit's LogLikelihood). */
export type Estimator = 'lsq' | 'poisson' | 'likelihood';

export interface FitOptions {
  /** Minimizer. `lm` (default): bounded trust-region Levenberg–Marquardt on the residuals. `lbfgsb`: bounded
   * L-BFGS-B on the scalar objective. `nelder`: derivative-free Nelder–Mead on the scalar objective. */
  method?: Method;
  /** Standard deviation of each dependent variable's data: a scalar or an array broadcastable to its data.
   * Residuals are (model - data) / sigma. Default 1. */
  sigma?: Record<string, DataInput>;
  /** If false (default), the covariance is scaled by the reduced χ² (as curve_fit and lmfit do); if true,
   * sigma is taken as the absolute standard deviation and the covariance is (JᵀWJ)⁻¹. */
  absoluteSigma?: boolean;
  /** Accept a result with `warnings` (parameters not determined by the data, ...): `ok` is then `success`
   * alone. The warnings are still reported. Default false. Script: `fit allow_warnings=true`; CLI:
   * `exprfit run --allow-warnings`. */
  allowWarnings?: boolean;
  /** Robust loss (scipy.optimize.least_squares semantics), default 'linear'. */
  loss?: Loss;
  /** Soft margin between inlier and outlier residuals for robust losses (default 1). */
  fScale?: number;
  /** Objective, default 'lsq'. */
  estimator?: Estimator;
  /** 'raise' (default): a NaN in the data is an error naming the array and the first bad index.
   * 'omit': a point with a NaN in any of its equation's arrays is dropped. */
  nanPolicy?: 'raise' | 'omit';
  /** Stop (termination 'maxfev', success false) when a new model evaluation would exceed this count.
   * Default 1000·(k+1) for `lm` (k free parameters), 4000·(k+1) for `nelder`; see docs/solver.md. */
  maxfev?: number;
  /** Stop (termination 'maxiter', success false) after this many iterations. Default 1000·(k+1) for `lm`. */
  maxIterations?: number;
  /** `lm` only. Relative cost-reduction test: stop with 'ftol' after a step whose actual and predicted relative
   * reductions of ½Σr² are both <= ftol. Default 1e-15. */
  ftol?: number;
  /** `lm` only. Relative step test: stop with 'xtol' when the trust radius Δ <= xtol·‖D x‖. Default 1e-15. */
  xtol?: number;
  /** `lm` only. Gradient test: stop with 'gtol' when max_j |g_j|/(‖J_j‖·‖r‖) <= gtol. Default 1e-15. */
  gtol?: number;
  /** `lm` only. Variable scaling of the trust region: `'jac'` (default, Moré's running maximum of the
   * Jacobian column norms), `'unit'` (none), or a characteristic scale per parameter name
   * (`{ a: 1e-3, tau: 100 }`; parameters not named get 1). See docs/solver.md for the evidence behind the
   * default. */
  xScale?: 'jac' | 'unit' | Readonly<Record<string, number>>;
  /** Multi-start: the number of starts drawn inside the finite bounds (default 1: the given start only). */
  starts?: number;
  /** Seed of the multi-start sampler (default 1). */
  seed?: number;
}

/** One parameter in a result. */
export interface ParamResult {
  readonly name: string;
  /** Best-fit value. */
  readonly value: number;
  /** Standard error: sqrt(covariance diagonal); for tied parameters propagated as sqrt(gᵀCg) with g the
   * gradient of the tie expression; NaN for fixed parameters and when not determined (at a bound, or
   * rank-deficient). */
  readonly stderr: number;
  readonly min: number;
  readonly max: number;
  readonly fixed: boolean;
  /** The tie expression, for tied parameters. */
  readonly expr?: string;
  /** The start value used. */
  readonly init: number;
  /** True when the value ended on `min` or `max` (its stderr is then reported as not determined). */
  readonly atBound: boolean;
  /** Notes (start value defaulted, start clipped into the bounds, ...). */
  readonly notes: readonly string[];
}

/**
 * Why a fit's result is not to be trusted although the solver may have met a convergence test:
 * - `not-determined`: the model does not change with these parameters at the solution (a zero Jacobian
 *   column: a plateau such as `exp(-t/tau)` with `tau` run off to 1e124, or an underflowed exponential);
 * - `rank-deficient`: the Jacobian's columns are linearly dependent, so the data determine only combinations
 *   of these parameters (rank r of k);
 * - `non-finite`: χ² is not finite at the reported solution.
 * Parameters on a bound are not a warning (see `atBound`).
 */
export type FitWarningCode = 'not-determined' | 'rank-deficient' | 'non-finite';

export interface FitWarning {
  readonly code: FitWarningCode;
  /** One sentence for people, naming the parameters. */
  readonly message: string;
  /** The parameters concerned, when the warning is about parameters. */
  readonly params?: readonly string[];
}

/** Why the fit stopped: the solver's `TerminationReason` (docs/solver.md §1.3) or a fit-level reason. */
export type Termination =
  | 'ftol'
  | 'xtol'
  | 'gtol'
  | 'maxfev'
  | 'maxiter'
  | 'non-finite'
  | 'no-free-params'
  | 'stalled'
  | 'undetermined'
  | 'line-search'
  | 'user'
  | 'other';
