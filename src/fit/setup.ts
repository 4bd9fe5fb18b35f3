/**
 * FitSetup: what the after-fit analyses (bands, profile confidence intervals, MCMC) need from the fit that
 * produced a result — the kernels bound to the fitted data, the parameter layout and bounds, and a refit with
 * some parameters pinned. Built by solve.ts and held by FitResult; a leaf of types so that the analyses do not
 * import the fit pipeline.
 */
import type { BoundKernel } from '../compile/index.ts';
import type { Estimator } from './types.ts';

/** One fitted equation: its kernel bound to the (NaN-filtered) data of the fit. */
export interface SetupEquation {
  readonly lhs: string;
  readonly size: number;
  readonly observed: Float64Array | null;
  /** 1/sigma per point (null: all ones). */
  readonly weights: Float64Array | null;
  readonly kernel: BoundKernel;
}

/** The outcome of a refit with pinned parameters. */
export interface Refit {
  /** Every free parameter of the original fit (pinned ones at their pinned value), in `FitSetup.free` order. */
  readonly x: Float64Array;
  /** χ² (Poisson: the deviance) at the refit's solution; NaN for the likelihood estimator. */
  readonly chi2: number;
  /** Negative log-likelihood (likelihood estimator), else NaN. */
  readonly nll: number;
  readonly success: boolean;
}

export interface FitSetup {
  /** The free parameters: the columns of the kernels' Jacobians. */
  readonly free: readonly string[];
  /** Values of the kernels' fixed (held) parameters. */
  readonly heldValues: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** The best-fit values of the free parameters. */
  readonly x: Float64Array;
  readonly equations: readonly SetupEquation[];
  readonly estimator: Estimator;
  /** Whether a sigma was given for some equation (lmfit's `is_weighted`). */
  readonly weighted: boolean;
  readonly absoluteSigma: boolean;
  /**
   * Refits with the parameters of `pinned` fixed at the given values and the others free, from `start` (one
   * value per free parameter; pinned entries are ignored), with the fit's own method and options (one start).
   */
  refit(pinned: ReadonlyMap<string, number>, start: Float64Array): Refit;
}
