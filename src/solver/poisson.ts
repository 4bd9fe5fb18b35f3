/**
 * Poisson maximum likelihood for count data (the estimator of single-molecule localisation:
 * Gpufit's MLE, smlm's "Poisson" fits), solved with the same bounded trust-region LM.
 *
 * For counts `y_i >= 0` and a model of expected counts `f_i(x) > 0`, the maximum-likelihood estimate
 * minimises the Poisson deviance
 *
 *   D(x) = 2 Σ [ f_i − y_i − y_i·ln(f_i / y_i) ]      (the y_i·ln term is 0 when y_i = 0),
 *
 * which equals `2·(NLL(x) − NLL_saturated)` with `NLL = Σ (f_i − y_i ln f_i + ln y_i!)`. We write it
 * exactly as a sum of squares of deviance residuals
 *
 *   d_i = sign(f_i − y_i) · sqrt(2 [f_i − y_i − y_i ln(f_i/y_i)]),   D = Σ d_i²,
 *
 * and run LM on them. With `t = f/y − 1` and `q(t) = 2(t − ln(1+t))/t²` (a smooth function with
 * `q(0) = 1`, evaluated by its series near 0 so nothing cancels), `d = t·sqrt(y·q)` and
 * `∂d/∂f = sqrt(y) / (f·sqrt(q))`; for `y = 0`, `d = sqrt(2f)` and `∂d/∂f = 1/sqrt(2f)`. Near the
 * optimum `(∂d/∂f)² → 1/f`, so the Gauss–Newton matrix `JᵀJ` of the deviance residuals becomes the
 * Fisher information `Σ ∇f ∇fᵀ / f` — the Hessian approximation of Gpufit's and smlm's MLE fits —
 * while the objective being minimised is the exact Poisson likelihood.
 *
 * The covariance reported is the inverse Fisher information at the estimate,
 * `(Σ_i ∇f_i ∇f_iᵀ / f_i)⁻¹` (absolute: no residual-variance scaling, the Poisson variance is known),
 * via `covarianceFromJacobian` (pseudo-inverse, parameters on a bound excluded).
 */
import { ExprfitError, invalidOptionError } from '../core/index.ts';
import type { NumericArray } from './bounds.ts';
import { covarianceFromJacobian, type CovarianceResult } from './covariance.ts';
import { solveLeastSquares, type LeastSquaresProblem, type LeastSquaresSummary } from './lm.ts';
import type { SolverOptionsInput } from './options.ts';

/** A Poisson counting problem: a model of expected counts and the observed counts. */
export interface PoissonProblem {
  readonly n: number;
  readonly m: number;
  /** Observed counts `y_i >= 0` (need not be integers, e.g. after gain correction; must be finite). */
  readonly counts: NumericArray;
  /** Writes the expected counts `f_i(x)` (must be `> 0` where `y_i > 0`, `>= 0` elsewhere). */
  model(x: Float64Array, f: Float64Array): void;
  /** Writes `∂f_i/∂x_j`, row-major `m x n`. */
  modelJacobian(x: Float64Array, F: Float64Array): void;
  /** Optional fused evaluation of both. */
  modelAndJacobian?(x: Float64Array, f: Float64Array, F: Float64Array): void;
  readonly lower?: NumericArray;
  readonly upper?: NumericArray;
  /** The parameters' names for the summary's message (`x[j]` for a parameter without one). */
  readonly names?: readonly string[];
}

export interface PoissonSummary extends LeastSquaresSummary {
  /** Poisson deviance `D = 2·cost` at the estimate. */
  readonly deviance: number;
  /** Expected counts `f(x)` at the estimate. */
  readonly expected: Float64Array;
  /** `∂f/∂x` at the estimate, row-major `m x n`. */
  readonly modelJacobian: Float64Array;
  /** Inverse Fisher information at the estimate (parameters on a bound excluded, NaN). */
  readonly covariance: CovarianceResult;
}

/** q(t) = 2(t − ln(1+t))/t², accurate for all t > −1 (series for |t| < 0.1). */
export function poissonQ(t: number): number {
  if (Math.abs(t) < 0.1) {
    // Σ_{k>=0} 2(−t)^k/(k+2): 18 terms give < 1e-18 relative error for |t| < 0.1
    let s = 0;
    for (let k = 17; k >= 0; k--) s = 2 / (k + 2) - t * s;
    return s;
  }
  return (2 * (t - Math.log1p(t))) / (t * t);
}

/**
 * Deviance residual and its derivative with respect to f for one count. Returns NaN residual for
 * an invalid expected count (f < 0, f not finite, or f = 0 with y > 0).
 */
export function devianceResidual(f: number, y: number, out: Float64Array): void {
  if (!(f >= 0) || !Number.isFinite(f)) {
    out[0] = NaN;
    out[1] = NaN;
    return;
  }
  if (y === 0) {
    if (f === 0) {
      out[0] = 0;
      out[1] = 0;
      return;
    }
    const r = Math.sqrt(2 * f);
    out[0] = r;
    out[1] = 1 / r;
    return;
  }
  if (f === 0) {
    out[0] = NaN;
    out[1] = NaN;
    return;
  }
  const t = f / y - 1;
  const q = poissonQ(t);
  const sq = Math.sqrt(y * q);
  out[0] = t * sq;
  out[1] = Math.sqrt(y) / (f * Math.sqrt(q));
}

/**
 * Poisson maximum-likelihood fit (see the module comment). `options` are the least-squares
 * solver's (the loss must stay `'linear'`). Never throws on non-convergence; throws
 * `ExprfitError('value')` for negative or non-finite counts.
 */
export function solvePoisson(
  problem: PoissonProblem,
  x0: NumericArray,
  options: SolverOptionsInput = {},
): PoissonSummary {
  if (options.loss !== undefined && options.loss !== 'linear') {
    throw invalidOptionError('solver', 'loss', options.loss, "'linear' for the Poisson objective");
  }
  const { n, m } = problem;
  if (problem.counts.length !== m) {
    throw new ExprfitError(
      'value',
      `counts have ${problem.counts.length} values but the problem has ${m} points`,
    );
  }
  const y = Float64Array.from(problem.counts);
  for (let i = 0; i < m; i++) {
    if (!(y[i] >= 0) || !Number.isFinite(y[i])) {
      throw new ExprfitError('value', `count ${i} must be a finite number >= 0, got ${y[i]}`);
    }
  }
  const f = new Float64Array(m);
  const F = new Float64Array(m * n);
  const dr = new Float64Array(2);
  let rScratch: Float64Array | null = null;
  const toResiduals = (r: Float64Array): void => {
    for (let i = 0; i < m; i++) {
      devianceResidual(f[i], y[i], dr);
      r[i] = dr[0];
    }
  };
  const toBoth = (r: Float64Array, J: Float64Array): void => {
    for (let i = 0; i < m; i++) {
      devianceResidual(f[i], y[i], dr);
      r[i] = dr[0];
      const w = dr[1];
      const row = i * n;
      for (let j = 0; j < n; j++) J[row + j] = w * F[row + j];
    }
  };
  const lsq: LeastSquaresProblem = {
    n,
    m,
    lower: problem.lower,
    upper: problem.upper,
    names: problem.names,
    residuals(x, r) {
      problem.model(x, f);
      toResiduals(r);
    },
    jacobian(x, J) {
      if (problem.modelAndJacobian) problem.modelAndJacobian(x, f, F);
      else {
        problem.model(x, f);
        problem.modelJacobian(x, F);
      }
      if (!rScratch) rScratch = new Float64Array(m);
      toBoth(rScratch, J);
    },
    ...(problem.modelAndJacobian
      ? {
          residualsAndJacobian(x: Float64Array, r: Float64Array, J: Float64Array) {
            problem.modelAndJacobian!(x, f, F);
            toBoth(r, J);
          },
        }
      : {}),
  };
  const base = solveLeastSquares(lsq, x0, options);
  // quantities at the estimate
  const expected = new Float64Array(m);
  const modelJac = new Float64Array(m * n);
  if (problem.modelAndJacobian) problem.modelAndJacobian(base.x, expected, modelJac);
  else {
    problem.model(base.x, expected);
    problem.modelJacobian(base.x, modelJac);
  }
  const fisherRows = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const w = expected[i] > 0 ? 1 / Math.sqrt(expected[i]) : 0;
    for (let j = 0; j < n; j++) fisherRows[i * n + j] = w * modelJac[i * n + j];
  }
  const covariance = covarianceFromJacobian(fisherRows, m, n, { exclude: base.activeMask });
  const summary = Object.create(Object.getPrototypeOf(base)) as PoissonSummary;
  Object.assign(summary, base, {
    method: 'trust-region Levenberg–Marquardt on the Poisson deviance',
    deviance: 2 * base.cost,
    expected,
    modelJacobian: modelJac,
    covariance,
  });
  return summary;
}
