/**
 * The distributions of the after-fit statistics: Student's t (confidence bands), Fisher's F (profile
 * confidence intervals, F-tests), χ² (likelihood-ratio tests), and the conversion of a "number of sigmas" to a probability (lmfit's rule).
 */
import { R } from '../functions/index.ts';

/** The regularized incomplete beta function I_x(a, b) (the `betainc` builtin, scipy.special.betainc). */
function betaInc(a: number, b: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  return R.betainc(a, b, x);
}

/** CDF of Fisher's F distribution with (d1, d2) degrees of freedom. */
export function fCdf(f: number, d1: number, d2: number): number {
  if (!(f > 0)) return 0;
  return betaInc(d1 / 2, d2 / 2, (d1 * f) / (d1 * f + d2));
}

/**
 * Survival function 1 − CDF of Fisher's F with (d1, d2) degrees of freedom: the p-value of an F-test,
 * I_{d2/(d2 + d1 f)}(d2/2, d1/2), accurate in the far tail (no 1 − cdf cancellation).
 */
export function fSf(f: number, d1: number, d2: number): number {
  if (!(f > 0)) return 1;
  if (f === Infinity) return 0;
  return betaInc(d2 / 2, d1 / 2, d2 / (d2 + d1 * f));
}

/** Survival function of the χ² distribution with k degrees of freedom: Q(k/2, x/2), a likelihood-ratio p-value. */
export function chi2Sf(x: number, k: number): number {
  if (!(x > 0)) return 1;
  if (x === Infinity) return 0;
  return R.gammaincc(k / 2, x / 2);
}

/** CDF of Student's t distribution with `nu` degrees of freedom. */
export function tCdf(t: number, nu: number): number {
  const tail = 0.5 * betaInc(nu / 2, 0.5, nu / (nu + t * t));
  return t > 0 ? 1 - tail : tail;
}

/** Quantile of Student's t: the t with tCdf(t, nu) = p (bisection on the CDF to full precision). */
export function tPpf(p: number, nu: number): number {
  if (p === 0.5) return 0;
  if (p < 0.5) return -tPpf(1 - p, nu);
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, nu) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (tCdf(mid, nu) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** lmfit's reading of a sigma level: values < 1 are probabilities, others numbers of standard deviations. */
export function sigmaToProbability(sigma: number): number {
  return sigma < 1 ? sigma : R.erf(sigma / Math.SQRT2);
}
