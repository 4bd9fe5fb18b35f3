/**
 * FitSetup: what the after-fit analyses (bands, profile confidence intervals, MCMC) need from the fit that
 * produced a result — the kernels bound to the fitted data, the parameter layout and bounds, and a refit with
 * some parameters pinned. Built by solve.ts and held by FitResult; a leaf of types so that the analyses do not
 * import the fit pipeline.
 */
import type { BoundKernel } from '../compile/index.ts';
import type { Model, ParamsInput } from '../model/index.ts';
import type { DataInput, Estimator, FitOptions } from './types.ts';

/** The arguments of the `fit` call that made a setup: preparing them again gives the same kernels. */
export interface FitInputs {
  readonly model: string | Model;
  readonly data: Readonly<Record<string, DataInput>>;
  readonly params: ParamsInput;
  readonly options: FitOptions;
}

/** One fitted equation: its kernel bound to the (NaN-filtered) data of the fit. */
export interface SetupEquation {
  readonly lhs: string;
  readonly size: number;
  readonly observed: Float64Array | null;
  /** 1/sigma per point (null: all ones). */
  readonly weights: Float64Array | null;
  readonly kernel: BoundKernel;
}

/**
 * Binds an equation that has no expression (an ODE model's output) to new data: a kernel in the fit's
 * parameter layout (free `x`, held values), for `result.eval` and bands at new points.
 */
export type KernelBinder = (data: Readonly<Record<string, DataInput>>) => BoundKernel;

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
  /** Per equation without an expression, its binder to new data. */
  readonly binders?: ReadonlyMap<string, KernelBinder>;
  readonly estimator: Estimator;
  /** Whether a sigma was given for some equation (lmfit's `is_weighted`). */
  readonly weighted: boolean;
  readonly absoluteSigma: boolean;
  /**
   * Refits with the parameters of `pinned` fixed at the given values and the others free, from `start` (one
   * value per free parameter; pinned entries are ignored), with the fit's own method and options (one start).
   */
  refit(pinned: ReadonlyMap<string, number>, start: Float64Array): Refit;
  /** The arguments of the fit (absent when the setup was not made by `fit`). */
  readonly inputs?: FitInputs;
}

/** Why a result without a setup (a saved result read back by loadResult) cannot be refitted or sampled. */
export const NO_DATA =
  'the result holds no fit to refit (a saved result read back has no data bound to its model): fit the data again, starting at its values';
