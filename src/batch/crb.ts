/**
 * Cramér–Rao bounds of spot fits on a pixel grid.
 *
 * The pixelated model: μ_k = f(x_k, y_k; θ), the model evaluated at the centres of the pixels of a region
 * (x_k, y_k = 0, 1, 2, ... — the same sampling the fits use), with Poisson counts n_k ~ Poisson(μ_k).
 *
 * - Poisson maximum likelihood: the Fisher information is I_jk = Σ_k (1/μ_k) ∂μ_k/∂θ_j ∂μ_k/∂θ_k and the
 *   bound on the covariance of any unbiased estimator is I⁻¹ (the MLE attains it asymptotically).
 * - Unweighted least squares on the same counts: the asymptotic covariance is the sandwich
 *   (JᵀJ)⁻¹ (Jᵀ diag(μ) J) (JᵀJ)⁻¹ with J_kj = ∂μ_k/∂θ_j (the expected error of `lse`; it exceeds the bound).
 *
 * The derivatives come from the compiled model (exact symbolic derivatives).
 */
import { compileModel } from '../compile/index.ts';
import { ExprfitError } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import { invertSpd } from './lm.ts';
import type { SpotModel } from './models.ts';
import { spotModel } from './models.ts';

export interface CrbResult {
  /** Parameter names, in model order. */
  readonly params: readonly string[];
  /** Standard deviation bound per parameter. */
  readonly sd: Readonly<Record<string, number>>;
  /** Covariance matrix (row-major, params x params). */
  readonly covariance: Float64Array;
}

/**
 * The Cramér–Rao bound (`poisson`) or the expected least-squares covariance (`lse`) of a spot model's
 * parameters, for a region of `width` x `height` pixels (coordinates 0..width-1, 0..height-1) and true
 * parameter values `values` (every model parameter).
 */
export function gaussianSpotCrb(
  values: Readonly<Record<string, number>>,
  region: { readonly width: number; readonly height: number },
  options: { readonly model?: string | SpotModel; readonly estimator?: 'poisson' | 'lse' } = {},
): CrbResult {
  const m = typeof options.model === 'object' ? options.model : spotModel(options.model ?? 'symmetric');
  const P = m.params.length;
  for (const p of m.params) {
    if (typeof values[p] !== 'number') throw new ExprfitError('value', `no value for parameter '${p}'`);
  }
  const { width: w, height: h } = region;
  const kernel = compileModel(m.expr, { params: m.params, variables: ['x', 'y'] });
  const bound = kernel.bind({
    x: new NdArray(
      Float64Array.from({ length: w }, (_v, i) => i),
      [1, w],
    ),
    y: new NdArray(
      Float64Array.from({ length: h }, (_v, i) => i),
      [h, 1],
    ),
  });
  const n = w * h;
  const mu = new Float64Array(n);
  const jac = new Float64Array(n * P);
  bound.valuesAndJacobian(Float64Array.from(m.params.map((p) => values[p])), new Float64Array(0), mu, jac);
  const fisher = new Float64Array(P * P);
  const jtj = new Float64Array(P * P);
  const meat = new Float64Array(P * P);
  for (let k = 0; k < n; k++) {
    if (!(mu[k] > 0))
      throw new ExprfitError('value', 'the model must be positive at every pixel for Poisson counts');
    for (let a = 0; a < P; a++) {
      const ja = jac[k * P + a];
      for (let b = 0; b < P; b++) {
        const jb = jac[k * P + b];
        fisher[a * P + b] += (ja * jb) / mu[k];
        jtj[a * P + b] += ja * jb;
        meat[a * P + b] += ja * jb * mu[k];
      }
    }
  }
  const work = new Float64Array(P * P);
  const cov = new Float64Array(P * P);
  if ((options.estimator ?? 'poisson') === 'poisson') {
    if (!invertSpd(fisher, P, cov, work))
      throw new ExprfitError('value', 'the Fisher information is singular');
  } else {
    const inv = new Float64Array(P * P);
    if (!invertSpd(jtj, P, inv, work)) throw new ExprfitError('value', 'JᵀJ is singular');
    const tmp = new Float64Array(P * P);
    for (let a = 0; a < P; a++) {
      for (let b = 0; b < P; b++) {
        let s = 0;
        for (let c = 0; c < P; c++) s += inv[a * P + c] * meat[c * P + b];
        tmp[a * P + b] = s;
      }
    }
    for (let a = 0; a < P; a++) {
      for (let b = 0; b < P; b++) {
        let s = 0;
        for (let c = 0; c < P; c++) s += tmp[a * P + c] * inv[c * P + b];
        cov[a * P + b] = s;
      }
    }
  }
  const sd: Record<string, number> = {};
  m.params.forEach((p, j) => (sd[p] = Math.sqrt(cov[j * P + j])));
  return { params: m.params, sd, covariance: cov };
}
