/**
 * Public types of the fit API: options in, result out. The formulas of every statistic are in the doc
 * comments (lmfit habit); `docs/fitting.md` repeats them.
 */
import type { TerminationReason } from '../solver/index.ts';
import type { FitOptionsInput } from './options.ts';

export type { DataInput } from './options.ts';

/** The options of `fit`: declared once in `fitSchema` (src/fit/options.ts), where each one is documented. */
export type FitOptions = FitOptionsInput;

export type Method = NonNullable<FitOptions['method']>;
export type Loss = NonNullable<FitOptions['loss']>;
/** `lsq`: (weighted) least squares. `poisson`: Poisson maximum likelihood of counts (the data are counts,
 * the model their expectation). `likelihood`: unbinned maximum likelihood; the model is a pdf of the data
 * variables and has no observed data of its own (symfit's LogLikelihood). */
export type Estimator = NonNullable<FitOptions['estimator']>;

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
export type Termination = TerminationReason | 'no-free-params' | 'other';
