/**
 * Model comparison of fits to the same data. N points, k free parameters, χ² of the restricted (r) and the
 * full (f) model, the restricted one nested in the full one (it is the full model with k_f − k_r parameters
 * held):
 *
 *   F-test (least squares):  F = ((χ²_r − χ²_f) / (k_f − k_r)) / (χ²_f / (N − k_f)),
 *                            p = P(F_{k_f − k_r, N − k_f} > F)
 *   likelihood ratio (Wilks): Λ = 2(ln L_f − ln L_r), p = P(χ²_{k_f − k_r} > Λ), with
 *                            Λ = N·ln(χ²_r / χ²_f)       least squares, σ estimated (the default),
 *                            Λ = χ²_r − χ²_f             least squares with absoluteSigma (σ known),
 *                            Λ = D_r − D_f               Poisson (deviances),
 *                            Λ = 2(NLL_r − NLL_f)        unbinned likelihood.
 *   Akaike / Schwarz weights: w_i = exp(−Δ_i/2) / Σ_j exp(−Δ_j/2), Δ_i = IC_i − min_j IC_j, IC the fits' AIC
 *                            or BIC (FitResult.aic, .bic: N·ln(χ²/N) + 2k, + ln(N)·k).
 */
import { ExprfitError } from '../core/index.ts';
import { chi2Sf, fSf } from './distributions.ts';

/** What a comparison needs of a fit (a FitResult, fresh or loaded, has it). */
export interface ComparedFit {
  readonly chi2: number;
  readonly ndata: number;
  readonly nfree: number;
  readonly nll: number;
  readonly aic: number;
  readonly bic: number;
  readonly estimator: string;
  readonly options?: { readonly absoluteSigma?: unknown };
}

/** The outcome of a test of a restricted model against a full one. */
export interface NestedTest {
  readonly test: 'F' | 'likelihood-ratio';
  /** F, or the likelihood-ratio statistic Λ. */
  readonly statistic: number;
  /** Degrees of freedom: [k_f − k_r, N − k_f] for F, [k_f − k_r] for Λ. */
  readonly df: readonly number[];
  /** The probability of a statistic at least this large if the restricted model is true. */
  readonly pValue: number;
}

/** Information-criterion weights of a list of fits (module comment). */
export interface ModelWeights {
  readonly criterion: 'aic' | 'bic';
  /** The criterion of each fit, in the order given. */
  readonly values: readonly number[];
  /** Δ_i = IC_i − min IC. */
  readonly delta: readonly number[];
  /** The weights, summing to 1. */
  readonly weights: readonly number[];
}

function comparable(fits: readonly ComparedFit[], what: string): void {
  for (const f of fits) {
    if (!f || typeof f !== 'object' || typeof f.chi2 !== 'number' || typeof f.ndata !== 'number') {
      throw new ExprfitError('type', `${what}: each fit must be a fit result`);
    }
  }
  const [first] = fits;
  const other = fits.find((f) => f.ndata !== first.ndata);
  if (other) {
    throw new ExprfitError(
      'value',
      `${what}: the fits have ${first.ndata} and ${other.ndata} data points; compare fits to the same data`,
    );
  }
  const estimator = fits.find((f) => f.estimator !== first.estimator);
  if (estimator) {
    throw new ExprfitError(
      'value',
      `${what}: the fits use the estimators '${first.estimator}' and '${estimator.estimator}'; compare fits of one estimator`,
    );
  }
}

function nestedDf(restricted: ComparedFit, full: ComparedFit, what: string): number {
  comparable([restricted, full], what);
  const dk = full.nfree - restricted.nfree;
  if (!(dk > 0)) {
    throw new ExprfitError(
      'value',
      `${what}: the full fit must have more free parameters than the restricted one (it has ${full.nfree}, the restricted ${restricted.nfree}): pass (restricted, full)`,
    );
  }
  return dk;
}

/** The decrease of the objective from restricted to full; an error when the full fit is clearly worse. */
function improvement(r: number, f: number, what: string, name: string): number {
  if (!Number.isFinite(r) || !Number.isFinite(f)) {
    throw new ExprfitError('value', `${what}: the fits' ${name} must be finite (got ${r} and ${f})`);
  }
  const d = r - f;
  if (d < -1e-9 * Math.max(Math.abs(r), Math.abs(f))) {
    throw new ExprfitError(
      'value',
      `${what}: the full fit's ${name} (${f}) exceeds the restricted fit's (${r}): the models are not nested, or a fit missed its minimum`,
    );
  }
  return Math.max(d, 0);
}

/** The F-test of a restricted least-squares fit against a full one (module comment). */
export function fTest(restricted: ComparedFit, full: ComparedFit): NestedTest {
  const dk = nestedDf(restricted, full, 'fTest');
  if (full.estimator !== 'lsq') {
    throw new ExprfitError(
      'value',
      `fTest: the F-test compares least-squares fits; for estimator '${full.estimator}' use likelihoodRatioTest`,
    );
  }
  const dof = full.ndata - full.nfree;
  if (!(dof > 0))
    throw new ExprfitError(
      'value',
      `fTest: the full fit has no degrees of freedom left (N = k = ${full.nfree})`,
    );
  const drop = improvement(restricted.chi2, full.chi2, 'fTest', 'χ²');
  const F = drop / dk / (full.chi2 / dof);
  return { test: 'F', statistic: F, df: [dk, dof], pValue: fSf(F, dk, dof) };
}

function absoluteSigma(fit: ComparedFit): boolean {
  return fit.options?.absoluteSigma === true;
}

/** Λ of the restricted against the full fit (module comment). */
function ratioStatistic(restricted: ComparedFit, full: ComparedFit): number {
  const what = 'likelihoodRatioTest';
  if (full.estimator === 'likelihood')
    return 2 * improvement(restricted.nll, full.nll, what, 'negative log-likelihood');
  if (full.estimator === 'poisson') return improvement(restricted.chi2, full.chi2, what, 'deviance');
  if (absoluteSigma(restricted) !== absoluteSigma(full)) {
    throw new ExprfitError('value', `${what}: one fit has absoluteSigma and the other not`);
  }
  const drop = improvement(restricted.chi2, full.chi2, what, 'χ²');
  if (absoluteSigma(full)) return drop;
  return full.chi2 > 0 ? full.ndata * Math.log(restricted.chi2 / full.chi2) : Infinity;
}

/** Wilks' likelihood-ratio test of a restricted fit against a full one (module comment). */
export function likelihoodRatioTest(restricted: ComparedFit, full: ComparedFit): NestedTest {
  const dk = nestedDf(restricted, full, 'likelihoodRatioTest');
  const L = ratioStatistic(restricted, full);
  return { test: 'likelihood-ratio', statistic: L, df: [dk], pValue: chi2Sf(L, dk) };
}

function weights(fits: readonly ComparedFit[], criterion: 'aic' | 'bic'): ModelWeights {
  const what = criterion === 'aic' ? 'akaikeWeights' : 'bicWeights';
  if (!Array.isArray(fits) || fits.length === 0) {
    throw new ExprfitError('type', `${what}: give a non-empty list of fit results`);
  }
  comparable(fits, what);
  const values = fits.map((f) => f[criterion]);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new ExprfitError('value', `${what}: fit ${bad + 1} has ${criterion} = ${values[bad]}`);
  const best = Math.min(...values);
  const delta = values.map((v) => v - best);
  const raw = delta.map((d) => Math.exp(-d / 2));
  const total = raw.reduce((s, v) => s + v, 0);
  return { criterion, values, delta, weights: raw.map((v) => v / total) };
}

/** Akaike weights of fits to the same data: the relative likelihood of each model (module comment). */
export function akaikeWeights(fits: readonly ComparedFit[]): ModelWeights {
  return weights(fits, 'aic');
}

/** Schwarz (BIC) weights of fits to the same data (module comment). */
export function bicWeights(fits: readonly ComparedFit[]): ModelWeights {
  return weights(fits, 'bic');
}
