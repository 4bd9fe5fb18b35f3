/**
 * Parameter covariance from a Jacobian at the solution: `C = s² · (JᵀJ)⁺` restricted to the
 * parameters that are not on a bound.
 *
 * Computation (no normal equations, so the condition number is not squared):
 * 1. Columns of parameters excluded by the caller (usually those ending on a bound: `activeMask`)
 *    are dropped; their covariance rows and columns and their standard errors are NaN ("not
 *    determined": a parameter held by a constraint has no sampling distribution of the usual kind,
 *    and a number there would mislead).
 * 2. The remaining `m x k` Jacobian is column-equilibrated, `J = Ĵ·E` with `E = diag(‖J_:j‖)`
 *    (zero columns get `E_jj = 1`), so the rank decision does not depend on the parameters' units.
 * 3. `J = Q R` (Householder), `R E⁻¹ = U S Vᵀ` (one-sided Jacobi SVD of the equilibrated R).
 * 4. Singular values `σ_i <= cutoff = rcond · σ_max` are treated as zero, with the default
 *    `rcond = eps · max(m, k)` (as scipy's `curve_fit` and `numpy.linalg.pinv` conventions). The rank
 *    is the number of singular values above the cutoff.
 * 5. `(JᵀJ)⁺ = E⁻¹ V S⁺² Vᵀ E⁻¹`. For a rank-deficient Jacobian this is the pseudo-inverse in the
 *    equilibrated metric; parameters with a component larger than `1e-6` in a null-space vector are
 *    flagged `identifiable[j] = false` (their standard errors come from the pseudo-inverse and only
 *    describe the identifiable combinations).
 */
import { ChunkedQR, EPS, jacobiSVD } from './linalg.ts';
import type { TriangularFactor } from './linalg.ts';
import { lossRowScale } from './loss.ts';
import type { LeastSquaresSummary } from './lm.ts';

export interface CovarianceOptions {
  /** Parameters to leave out (their covariance is NaN), e.g. `summary.activeMask`. */
  exclude?: readonly boolean[];
  /** Relative singular value cutoff; default `eps · max(m, k)`. */
  rcond?: number;
  /** Factor `s²` multiplying `(JᵀJ)⁺`, e.g. the residual variance `RSS/(m − rank)`. Default `1`. */
  scale?: number;
  /**
   * The R of `J`'s QR when the caller has it (the solver's final point: `summary.finalFactor`); used when its
   * columns are exactly the included ones, so the Jacobian is not factored again (the same numbers).
   */
  factored?: TriangularFactor;
}

export interface CovarianceResult {
  /** Row-major `n x n` covariance; NaN in rows/columns of excluded parameters. */
  covariance: Float64Array;
  /** `sqrt(diag(covariance))`; NaN for excluded parameters. */
  stderr: Float64Array;
  /** Rank of the Jacobian restricted to the included parameters. */
  rank: number;
  /** Number of included parameters (`k`). */
  included: number;
  /** Singular values of the column-equilibrated Jacobian (included columns), descending. */
  singularValues: Float64Array;
  /** The absolute cutoff used on `singularValues`. */
  cutoff: number;
  /** `singularValues[0] / singularValues[k-1]` (Infinity when rank deficient). */
  conditionNumber: number;
  /** False for excluded parameters and for parameters with a component in the null space. */
  identifiable: boolean[];
  /** The scale factor `s²` applied. */
  scale: number;
}

/** R of the QR of the columns `cols` of J: the given factor when it is of exactly those columns. */
function triangularFactor(
  J: Float64Array,
  m: number,
  n: number,
  cols: readonly number[],
  factored: TriangularFactor | undefined,
): Float64Array {
  const k = cols.length;
  if (factored && factored.columns.length === k && cols.every((c, q) => factored.columns[q] === c)) {
    return factored.R;
  }
  const qr = new ChunkedQR(m, k, false);
  qr.factor(J, m, n, Int32Array.from(cols), k, new Float64Array(m));
  return qr.R;
}

/**
 * Covariance `scale · (JᵀJ)⁺` from a row-major `m x n` Jacobian (see the module comment).
 */
export function covarianceFromJacobian(
  J: Float64Array,
  m: number,
  n: number,
  options: CovarianceOptions = {},
): CovarianceResult {
  const exclude = options.exclude ?? [];
  const scale = options.scale ?? 1;
  const cols: number[] = [];
  for (let j = 0; j < n; j++) if (!exclude[j]) cols.push(j);
  const k = cols.length;
  const cov = new Float64Array(n * n).fill(NaN);
  const stderr = new Float64Array(n).fill(NaN);
  const identifiable = new Array<boolean>(n).fill(false);
  if (k === 0) {
    return {
      covariance: cov,
      stderr,
      rank: 0,
      included: 0,
      singularValues: new Float64Array(0),
      cutoff: 0,
      conditionNumber: NaN,
      identifiable,
      scale,
    };
  }
  // equilibrated copy of the included columns
  const E = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    for (let q = 0; q < k; q++) {
      const v = J[i * n + cols[q]];
      E[q] += v * v;
    }
  }
  for (let q = 0; q < k; q++) E[q] = E[q] > 0 ? Math.sqrt(E[q]) : 1;
  const R = triangularFactor(J, m, n, cols, options.factored);
  // R of the equilibrated matrix J·E⁻¹ is R·E⁻¹
  const A = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let q = i; q < k; q++) A[i * k + q] = R[i * k + q] / E[q];
  const s = new Float64Array(k);
  const V = new Float64Array(k * k);
  jacobiSVD(A, k, s, V, new Int32Array(k), new Float64Array(k * k));
  const rcond = options.rcond ?? EPS * Math.max(m, k);
  const cutoff = rcond * s[0];
  let rank = 0;
  for (let i = 0; i < k; i++) if (s[i] > cutoff) rank++;
  // (ĴᵀĴ)⁺ = V S⁺² Vᵀ, then unscale
  for (let a = 0; a < k; a++) {
    for (let c = a; c < k; c++) {
      let t = 0;
      for (let i = 0; i < rank; i++) t += (V[a * k + i] * V[c * k + i]) / (s[i] * s[i]);
      const v = (scale * t) / (E[a] * E[c]);
      cov[cols[a] * n + cols[c]] = v;
      cov[cols[c] * n + cols[a]] = v;
    }
  }
  for (let q = 0; q < k; q++) {
    const j = cols[q];
    stderr[j] = Math.sqrt(cov[j * n + j]);
    let nullComp = 0;
    for (let i = rank; i < k; i++) nullComp = Math.max(nullComp, Math.abs(V[q * k + i]));
    identifiable[j] = nullComp <= 1e-6;
  }
  return {
    covariance: cov,
    stderr,
    rank,
    included: k,
    singularValues: s,
    cutoff,
    conditionNumber: rank === k ? s[0] / s[k - 1] : Infinity,
    identifiable,
    scale,
  };
}

/**
 * Covariance `scale · H⁻¹` from a symmetric information (Hessian) matrix `H` (row-major n x n), for
 * the likelihood objectives. Excluded parameters are dropped (NaN); the rest is equilibrated,
 * `Ĥ = E⁻¹HE⁻¹` with `E = sqrt(|diag H|)`, eigen-decomposed (Jacobi), and eigenvalues
 * `λ <= rcond · λ_max` — or negative ones, which mean the point is not a minimum in that direction —
 * are treated as zero (pseudo-inverse). Default `rcond = 1e-10` (an information matrix from finite
 * differences is accurate to ~1e-8 relative). `singularValues` holds the eigenvalues' magnitudes.
 */
export function covarianceFromInformation(
  H: Float64Array,
  n: number,
  options: { exclude?: readonly boolean[]; rcond?: number; scale?: number } = {},
): CovarianceResult {
  const exclude = options.exclude ?? [];
  const scale = options.scale ?? 1;
  const cols: number[] = [];
  for (let j = 0; j < n; j++) if (!exclude[j]) cols.push(j);
  const k = cols.length;
  const cov = new Float64Array(n * n).fill(NaN);
  const stderr = new Float64Array(n).fill(NaN);
  const identifiable = new Array<boolean>(n).fill(false);
  const E = new Float64Array(k);
  for (let q = 0; q < k; q++) {
    const d = Math.abs(H[cols[q] * n + cols[q]]);
    E[q] = d > 0 && Number.isFinite(d) ? Math.sqrt(d) : 1;
  }
  const A = new Float64Array(k * k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) A[a * k + b] = H[cols[a] * n + cols[b]] / (E[a] * E[b]);
  const s = new Float64Array(k);
  const V = new Float64Array(k * k);
  let finite = true;
  for (let i = 0; i < k * k; i++) if (!Number.isFinite(A[i])) finite = false;
  if (k > 0 && finite) jacobiSVD(A, k, s, V, new Int32Array(k), new Float64Array(k * k));
  const rcond = options.rcond ?? 1e-10;
  const cutoff = k > 0 ? rcond * s[0] : 0;
  const use = new Array<boolean>(k).fill(false);
  let rank = 0;
  for (let i = 0; i < k && finite; i++) {
    let dot = 0; // sign of the eigenvalue: u_i·v_i = ±1 for a symmetric matrix
    for (let r = 0; r < k; r++) dot += A[r * k + i] * V[r * k + i];
    if (s[i] > cutoff && dot > 0) {
      use[i] = true;
      rank++;
    }
  }
  for (let a = 0; a < k; a++) {
    for (let c = a; c < k; c++) {
      let t = 0;
      for (let i = 0; i < k; i++) if (use[i]) t += (V[a * k + i] * V[c * k + i]) / s[i];
      const v = finite ? (scale * t) / (E[a] * E[c]) : NaN;
      cov[cols[a] * n + cols[c]] = v;
      cov[cols[c] * n + cols[a]] = v;
    }
  }
  for (let q = 0; q < k; q++) {
    const j = cols[q];
    stderr[j] = Math.sqrt(cov[j * n + j]);
    let nullComp = 0;
    for (let i = 0; i < k; i++) if (!use[i]) nullComp = Math.max(nullComp, Math.abs(V[q * k + i]));
    identifiable[j] = finite && nullComp <= 1e-6;
  }
  return {
    covariance: cov,
    stderr,
    rank,
    included: k,
    singularValues: s,
    cutoff,
    conditionNumber: rank === k && k > 0 ? s[0] / s[k - 1] : Infinity,
    identifiable,
    scale,
  };
}

export interface LeastSquaresCovarianceOptions {
  /**
   * When true (default), scale `(JᵀJ)⁺` by the residual variance `s² = 2·cost / (m − rank)` (with
   * unit weights this is `RSS/(m − p)`, curve_fit's and lmfit's default). When false, `s² = 1`: the
   * residuals are already divided by known standard deviations (`absoluteSigma`).
   */
  scaleByResidualVariance?: boolean;
  /** Relative singular value cutoff; default `eps · max(m, k)`. */
  rcond?: number;
  /** Parameters to leave out; default `summary.activeMask` (parameters that ended on a bound). */
  exclude?: readonly boolean[];
}

/**
 * Covariance of a `solveLeastSquares` result. For a robust loss the Jacobian rows are scaled by the
 * loss's IRLS factors (the same `J̃` the solver used), an asymptotic approximation.
 * `m − rank <= 0` gives an infinite scale (NaN standard errors would hide that; Infinity says it).
 */
export function leastSquaresCovariance(
  summary: LeastSquaresSummary,
  options: LeastSquaresCovarianceOptions = {},
): CovarianceResult {
  const { m, n } = summary;
  let J = summary.jacobian;
  if (summary.loss !== 'linear') {
    J = new Float64Array(J);
    for (let i = 0; i < m; i++) {
      const w = lossRowScale(summary.loss, summary.fScale, summary.residuals[i]);
      for (let j = 0; j < n; j++) J[i * n + j] *= w;
    }
  }
  const exclude = options.exclude ?? summary.activeMask;
  const base = covarianceFromJacobian(J, m, n, {
    exclude,
    rcond: options.rcond,
    ...(summary.finalFactor ? { factored: summary.finalFactor } : {}),
  });
  if (options.scaleByResidualVariance === false) return base;
  const dof = m - base.rank;
  const s2 = dof > 0 ? (2 * summary.cost) / dof : Infinity;
  return rescale(base, s2, n);
}

function rescale(c: CovarianceResult, s2: number, n: number): CovarianceResult {
  const covariance = c.covariance.map((v) => v * s2);
  const stderr = new Float64Array(n);
  for (let j = 0; j < n; j++) stderr[j] = Math.sqrt(covariance[j * n + j]);
  return { ...c, covariance, stderr, scale: c.scale * s2 };
}

/** Correlation matrix from a covariance (NaN where a standard error is 0 or NaN). */
export function correlationFromCovariance(cov: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const den = Math.sqrt(cov[a * n + a] * cov[b * n + b]);
      out[a * n + b] = den > 0 ? cov[a * n + b] / den : NaN;
    }
  }
  return out;
}
