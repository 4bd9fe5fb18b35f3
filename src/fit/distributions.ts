/**
 * The distributions of the after-fit statistics: Student's t (confidence bands), Fisher's F (profile
 * confidence intervals, F-tests), χ² (likelihood-ratio tests), and the conversion of a "number of sigmas" to a probability (lmfit's rule).
 */
import { R } from '../functions/runtime.ts';

const EPS = 1e-16;
const TINY = 1e-300;

/** Lentz's continued fraction of the incomplete beta function (Numerical Recipes §6.4 form). */
function betaFraction(a: number, b: number, x: number): number {
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < TINY ? TINY : d);
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    for (const aa of [
      (m * (b - m) * x) / ((a + m2 - 1) * (a + m2)),
      (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1)),
    ]) {
      d = 1 + aa * d;
      d = 1 / (Math.abs(d) < TINY ? TINY : d);
      c = 1 + aa / c;
      if (Math.abs(c) < TINY) c = TINY;
      h *= d * c;
      if (aa === 0 || Math.abs(d * c - 1) < EPS) break;
    }
    if (Math.abs(d * c - 1) < EPS) return h;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
function betaInc(a: number, b: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = R.lgamma(a + b) - R.lgamma(a) - R.lgamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaFraction(a, b, x)) / a;
  return 1 - (Math.exp(lnFront) * betaFraction(b, a, 1 - x)) / b;
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

/** The regularized lower incomplete gamma P(a, x) by its series (x < a + 1). */
function gammaSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < 10000 && Math.abs(term) > Math.abs(sum) * EPS; n++) {
    term *= x / (a + n);
    sum += term;
  }
  return sum * Math.exp(-x + a * Math.log(x) - R.lgamma(a));
}

/** The regularized upper incomplete gamma Q(a, x) by Lentz's continued fraction (x >= a + 1). */
function gammaFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - R.lgamma(a)) * h;
}

/** Survival function of the χ² distribution with k degrees of freedom: Q(k/2, x/2), a likelihood-ratio p-value. */
export function chi2Sf(x: number, k: number): number {
  if (!(x > 0)) return 1;
  if (x === Infinity) return 0;
  const a = k / 2;
  const h = x / 2;
  return h < a + 1 ? 1 - gammaSeries(a, h) : gammaFraction(a, h);
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
