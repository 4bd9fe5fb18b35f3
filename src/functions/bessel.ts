/**
 * Bessel functions of orders 0 and 1: modified I0, I1 and J0, J1.
 * - I0, I1: the power series (positive terms, so relative accuracy) below |x| = 30, the asymptotic
 *   expansion e^x/sqrt(2 pi x) * sum (-1)^k a_k(nu)/x^k above (its smallest term there is below 1e-17).
 * - J0, J1: the power series below |x| = 1, Miller's backward recurrence normalised by
 *   J0 + 2 J2 + 2 J4 + ... = 1 up to |x| = 25, Hankel's asymptotic expansion above. Near their zeros J0 and J1
 *   are accurate to about 1e-16 absolute (as any method working in double precision from a rounded x).
 * Every loop runs at most a fixed number of times.
 */

const MAX_SERIES_TERMS = 200;
const MAX_ASYMPTOTIC_TERMS = 60;
const MODIFIED_SERIES_LIMIT = 30;
const POWER_SERIES_LIMIT = 1;
const MILLER_LIMIT = 25;
const MILLER_EXTRA_ORDERS = 40;
const INV_SQRT_2PI = 0.3989422804014327; // 1/sqrt(2*pi)
const SQRT_2_OVER_PI = 0.7978845608028654; // sqrt(2/pi)
const SQRT1_2 = Math.SQRT1_2;

/** sum over k of sign^k (x^2/4)^k / (k! (k + nu)!), nu = 0 or 1: the series of I_nu (sign 1) or J_nu (-1). */
function powerSeries(x: number, nu: 0 | 1, sign: 1 | -1): number {
  const q = (sign * x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k <= MAX_SERIES_TERMS; k++) {
    term *= q / (k * (k + nu));
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return nu === 0 ? sum : (x / 2) * sum;
}

/**
 * Partial sums of the Hankel-type expansion sum_k c^k a_k(nu)/x^k, a_k = prod_{j<=k} (4nu^2 - (2j-1)^2)/(k! 8^k),
 * split into even and odd k (P and Q of Hankel's expansion when c = i, the modified one when c = -1).
 */
function asymptoticTerms(x: number, nu: 0 | 1): number[] {
  const mu = 4 * nu * nu;
  const terms = [1];
  let term = 1;
  for (let k = 1; k <= MAX_ASYMPTOTIC_TERMS; k++) {
    const next = (term * (mu - (2 * k - 1) * (2 * k - 1))) / (k * 8 * x);
    if (Math.abs(next) >= Math.abs(term)) break;
    terms.push(next);
    term = next;
    if (Math.abs(term) < 1e-18) break;
  }
  return terms;
}

/** I_nu(x) for x >= 30: e^x/sqrt(2 pi x) * sum (-1)^k a_k/x^k, with e^x split to delay overflow. */
function modifiedAsymptotic(x: number, nu: 0 | 1): number {
  const terms = asymptoticTerms(x, nu);
  let sum = 0;
  for (let k = terms.length - 1; k >= 0; k--) sum += k % 2 === 0 ? terms[k] : -terms[k];
  const half = Math.exp(x / 2);
  return half * ((half * INV_SQRT_2PI * sum) / Math.sqrt(x));
}

function modified(x: number, nu: 0 | 1): number {
  const ax = Math.abs(x);
  if (ax === Infinity) return nu === 1 && x < 0 ? -Infinity : Infinity;
  const value = ax < MODIFIED_SERIES_LIMIT ? powerSeries(ax, nu, 1) : modifiedAsymptotic(ax, nu);
  return nu === 1 && x < 0 ? -value : value;
}

/** The modified Bessel function of the first kind of order 0. */
export function besseli0(x: number): number {
  return modified(x, 0);
}

/** The modified Bessel function of the first kind of order 1. */
export function besseli1(x: number): number {
  return modified(x, 1);
}

/** [J0(x), J1(x)] for 0 < x <= 25 by Miller's backward recurrence J_{k-1} = (2k/x) J_k - J_{k+1}. */
function miller(x: number): [number, number] {
  const start = 2 * Math.ceil((x + MILLER_EXTRA_ORDERS) / 2);
  let next = 0;
  let current = 1e-300;
  let norm = 0;
  for (let k = start; k >= 1; k--) {
    const previous = ((2 * k) / x) * current - next;
    next = current;
    current = previous;
    if (k % 2 === 1 && k > 1) norm += 2 * current;
  }
  norm += current;
  return [current / norm, next / norm];
}

/** J_nu(x) for x >= 25 by Hankel's expansion sqrt(2/(pi x)) (P cos chi - Q sin chi), chi = x - (nu/2 + 1/4) pi. */
function hankel(x: number, nu: 0 | 1): number {
  const terms = asymptoticTerms(x, nu);
  let p = 0;
  let q = 0;
  for (let k = terms.length - 1; k >= 0; k--) {
    const signed = k % 4 < 2 ? terms[k] : -terms[k];
    if (k % 2 === 0) p += signed;
    else q += signed;
  }
  const c = Math.cos(x);
  const s = Math.sin(x);
  const cosChi = nu === 0 ? (c + s) * SQRT1_2 : (s - c) * SQRT1_2;
  const sinChi = nu === 0 ? (s - c) * SQRT1_2 : -(s + c) * SQRT1_2;
  return (SQRT_2_OVER_PI / Math.sqrt(x)) * (p * cosChi - q * sinChi);
}

function besselj(x: number, nu: 0 | 1): number {
  const ax = Math.abs(x);
  let value: number;
  if (Number.isNaN(x)) return NaN;
  if (ax === Infinity) return 0;
  if (ax < POWER_SERIES_LIMIT) value = powerSeries(ax, nu, -1);
  else if (ax <= MILLER_LIMIT) value = miller(ax)[nu];
  else value = hankel(ax, nu);
  return nu === 1 && x < 0 ? -value : value;
}

/** The Bessel function of the first kind of order 0. */
export function besselj0(x: number): number {
  return besselj(x, 0);
}

/** The Bessel function of the first kind of order 1. */
export function besselj1(x: number): number {
  return besselj(x, 1);
}
