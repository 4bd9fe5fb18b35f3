/**
 * Numeric runtime of the builtins: special functions (erf, erfc, gamma, lgamma, digamma, trigamma,
 * polygamma) and small helpers. Emitted kernels reach them through the object `R`; the registry's scalar
 * evaluators call the same functions, so compiled and tree-walking evaluation agree exactly.
 *
 * Accuracy (checked against mpmath in test/functions/runtime.test.ts):
 *  - erf, erfc: W. J. Cody's rational Chebyshev approximations (netlib specfun CALERF, 1969/1993);
 *    relative error about 1e-16, erfc without cancellation for large arguments.
 *  - gamma: exact (correctly rounded) factorials at positive integers; Lanczos approximation (g = 4.7421875,
 *    15 terms, the coefficients mathjs uses) for x >= 0.5, reflection below; relative error ~ 1e-15 to 1e-14.
 *  - lgamma = log|gamma(x)|: Taylor series about 2 on [1.5, 2.5] (accurate near the zeros at 1 and 2),
 *    recurrence below, log(gamma) up to 15, Stirling's series above, reflection for x < 0.
 *  - digamma: recurrence up to x >= 10 and the asymptotic series; a Taylor series about the positive root
 *    1.4616... (full relative accuracy there); reflection for x < 0.
 *  - polygamma(n, x), 1 <= n <= 100: recurrence up to x >= 10 + n and the asymptotic series; reflection for
 *    x < 0 through the derivatives of cot. Orders above 100 (any size: `polygamma(1e9, 1)`) in logarithms,
 *    from the asymptotic series or a few dozen terms of n! sum (x + k)^-(n+1) (see `polygammaMagnitude`).
 */
import { besseli0, besseli1, besselj0, besselj1 } from './bessel.ts';
import { voigt, wofzIm, wofzRe } from './faddeeva.ts';
import { BERNOULLI } from './bernoulli.ts';
import * as complexGamma from './complexgamma.ts';

const SQRT_2PI = 2.5066282746310002; // sqrt(2*pi)
const LOG_PI = 1.1447298858494002; // log(pi)
const HALF_LOG_2PI = 0.9189385332046728; // log(2*pi)/2

/** sin(pi*x) with exact argument reduction (exactly 0 at integers). */
export function sinpi(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  let r = x - 2 * Math.round(x / 2); // exact, in [-1, 1]
  if (r === 0) return 0 * Math.sign(x) || 0;
  if (r > 0.5) r = 1 - r;
  else if (r < -0.5) r = -1 - r;
  return Math.sin(Math.PI * r);
}

/** cos(pi*x) with exact argument reduction (exactly 0 at half-integers). */
export function cospi(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  const r = Math.abs(x - 2 * Math.round(x / 2)); // in [0, 1]
  if (r === 0.5) return 0;
  if (r < 0.25) return Math.cos(Math.PI * r);
  if (r > 0.75) return -Math.cos(Math.PI * (1 - r));
  return Math.sin(Math.PI * (0.5 - r));
}

// ---------------------------------------------------------------------------------------------------------
// erf / erfc: W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 1969;
// coefficients from netlib specfun CALERF (as also used by mathjs).

const ERF_A = [
  3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315,
];
const ERF_B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
const ERF_C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769,
  1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
];
const ERF_D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037495,
];
const ERF_P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275, 6.587491615298378e-4,
  0.016315387137302097,
];
const ERF_Q = [
  2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918,
];
const SQRPI = 0.5641895835477563; // 1/sqrt(pi)

/** erf(x) for |x| <= 0.46875 (keeps the sign of zero). */
function erfSmall(x: number): number {
  const ysq = Math.abs(x) > 1.11e-16 ? x * x : 0;
  let xnum = ERF_A[4] * ysq;
  let xden = ysq;
  for (let i = 0; i < 3; i++) {
    xnum = (xnum + ERF_A[i]) * ysq;
    xden = (xden + ERF_B[i]) * ysq;
  }
  return (x * (xnum + ERF_A[3])) / (xden + ERF_B[3]);
}

/** exp(-y*y) without the rounding error of forming y*y. */
function expMinusSquare(y: number): number {
  const ysq = Math.trunc(y * 16) / 16;
  const del = (y - ysq) * (y + ysq);
  return Math.exp(-ysq * ysq) * Math.exp(-del);
}

/** exp(y*y) without the rounding error of forming y*y. */
function expSquare(y: number): number {
  const ysq = Math.trunc(y * 16) / 16;
  const del = (y - ysq) * (y + ysq);
  return Math.exp(ysq * ysq) * Math.exp(del);
}

/** exp(y^2) erfc(y) for y > 0.46875 (Cody's rational functions before the factor exp(-y^2)). */
function erfcxLarge(y: number): number {
  if (y <= 4) {
    let xnum = ERF_C[8] * y;
    let xden = y;
    for (let i = 0; i < 7; i++) {
      xnum = (xnum + ERF_C[i]) * y;
      xden = (xden + ERF_D[i]) * y;
    }
    return (xnum + ERF_C[7]) / (xden + ERF_D[7]);
  }
  const ysq = 1 / (y * y);
  let xnum = ERF_P[5] * ysq;
  let xden = ysq;
  for (let i = 0; i < 4; i++) {
    xnum = (xnum + ERF_P[i]) * ysq;
    xden = (xden + ERF_Q[i]) * ysq;
  }
  const r = (ysq * (xnum + ERF_P[4])) / (xden + ERF_Q[4]);
  return (SQRPI - r) / y;
}

/** erfc(y) for y > 0.46875. */
function erfcLarge(y: number): number {
  if (y >= 26.543) return 0;
  return expMinusSquare(y) * erfcxLarge(y);
}

/** The error function. */
export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return erfSmall(x);
  if (Number.isNaN(x)) return NaN;
  const r = 0.5 - erfcLarge(y) + 0.5;
  return x < 0 ? -r : r;
}

/** The complementary error function 1 - erf(x), accurate for large x. */
export function erfc(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.46875) return 1 - erfSmall(x);
  if (Number.isNaN(x)) return NaN;
  const r = erfcLarge(y);
  return x < 0 ? 2 - r : r;
}

/** The scaled complementary error function exp(x^2) erfc(x): about 1/(sqrt(pi) x) for large x, no underflow. */
export function erfcx(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < -26.7) return Infinity; // 2 exp(x^2) overflows
  if (x < 0) return 2 * expSquare(x) - erfcx(-x);
  if (x <= 0.46875) return Math.exp(x * x) * (1 - erfSmall(x));
  return erfcxLarge(x);
}

// ---------------------------------------------------------------------------------------------------------
// gamma and lgamma

const LANCZOS_G = 4.7421875;
const LANCZOS_P = [
  0.9999999999999971, 57.15623566586292, -59.59796035547549, 14.136097974741746, -0.4919138160976202,
  3.399464998481189e-5, 4.652362892704858e-5, -9.837447530487956e-5, 1.580887032249125e-4,
  -2.1026444172410488e-4, 2.1743961811521265e-4, -1.643181065367639e-4, 8.441822398385275e-5,
  -2.6190838401581408e-5, 3.6899182659531625e-6,
];

let factorials: Float64Array | undefined;
/** Correctly rounded n! for 0 <= n <= 170 (BigInt products rounded once). */
function factorialTable(): Float64Array {
  if (!factorials) {
    factorials = new Float64Array(171);
    let f = 1n;
    factorials[0] = 1;
    for (let n = 1; n <= 170; n++) {
      f *= BigInt(n);
      factorials[n] = Number(f);
    }
  }
  return factorials;
}

/** n! as a double (NaN unless n is a non-negative integer; Infinity above 170). */
export function factorial(n: number): number {
  if (!Number.isInteger(n) || n < 0) return NaN;
  return n > 170 ? Infinity : factorialTable()[n];
}

function lanczosGamma(x: number): number {
  // x >= 0.5
  const z = x - 1;
  let a = LANCZOS_P[0];
  for (let i = 1; i < 15; i++) a += LANCZOS_P[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  const h = Math.pow(t, (z + 0.5) / 2); // split to avoid overflow before exp(-t)
  return SQRT_2PI * (h * Math.exp(-t) * h) * a;
}

/** The gamma function. Poles: gamma(0) = Infinity (with the sign of zero), NaN at negative integers. */
export function gamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (Number.isInteger(x)) {
    if (x > 0) return x <= 171 ? factorialTable()[x - 1] : Infinity;
    if (x === 0) return Object.is(x, -0) ? -Infinity : Infinity;
    return NaN;
  }
  if (x === -Infinity) return NaN;
  if (x >= 171.62437695630271) return Infinity;
  if (x < 0.5) {
    if (x > -1e-300 && x < 1e-300) return 1 / x; // gamma(x) ~ 1/x - euler
    return Math.PI / (sinpi(x) * gamma(1 - x));
  }
  return lanczosGamma(x);
}

// lgamma(2 + z) = sum_k LGAMMA2[k-1] z^k for |z| <= 0.5 (coefficients (-1)^k (zeta(k) - 1)/k, k >= 2).
const LGAMMA2 = [
  0.42278433509846713, 0.3224670334241132, -0.0673523010531981, 0.020580808427784546, -0.007385551028673986,
  0.0028905103307415234, -0.001192753911703261, 0.0005096695247430425, -0.00022315475845357939,
  9.945751278180853e-5, -4.492623673813314e-5, 2.050721277567069e-5, -9.439488275268397e-6,
  4.374866789907488e-6, -2.039215753801366e-6, 9.55141213040742e-7, -4.492469198764566e-7,
  2.1207184805554665e-7, -1.0043224823968099e-7, 4.7698101693639804e-8, -2.2711094608943164e-8,
  1.0838659214896955e-8, -5.183475041970047e-9, 2.4836745438024785e-9, -1.1921401405860912e-9,
  5.731367241678862e-10, -2.7595228851242334e-10, 1.330476437424449e-10, -6.4229645638381e-11,
  3.1044247747322276e-11,
];

function lgammaNear2(z: number): number {
  let s = 0;
  for (let k = LGAMMA2.length - 1; k >= 0; k--) s = s * z + LGAMMA2[k];
  return s * z;
}

/** log|gamma(x)|. Infinity at the poles (non-positive integers) and at +-Infinity. */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (!Number.isFinite(x)) return Infinity;
  if (x <= 0) {
    if (Number.isInteger(x)) return Infinity;
    if (x > -1e-300) return -Math.log(-x);
    // reflection: |gamma(x)| = pi / (|sin(pi x)| gamma(1 - x))
    return LOG_PI - Math.log(Math.abs(sinpi(x))) - lgamma(1 - x);
  }
  if (x < 1.5) {
    // lgamma(x) = lgamma(x + 1) - log(x), once or twice
    if (x < 0.5) return lgammaNear2(x) - Math.log(x) - Math.log1p(x); // lgamma(x + 2), x + 2 in (2, 2.5)
    return lgammaNear2(x - 1) - Math.log(x); // lgamma(x + 1), x + 1 in [1.5, 2.5)
  }
  if (x <= 2.5) return lgammaNear2(x - 2);
  if (x < 15) return Math.log(lanczosGamma(x));
  // Stirling's series
  const r = 1 / x;
  const r2 = r * r;
  const series =
    r *
    (1 / 12 -
      r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 * (1 / 1188 - r2 * (691 / 360360 - r2 / 156))))));
  return (x - 0.5) * Math.log(x) - x + HALF_LOG_2PI + series;
}

// ---------------------------------------------------------------------------------------------------------
// digamma, trigamma, polygamma

const DIGAMMA_ROOT_HI = 1.4616321449683622;
const DIGAMMA_ROOT_LO = 9.549995429965697e-17;
// digamma(x0 + d) = sum_k DIGAMMA_ROOT[k-1] d^k (psi^(k)(x0)/k!)
const DIGAMMA_ROOT = [
  0.9676722454476212, -0.4427631689835921, 0.258499760955651, -0.16394270544240652, 0.10782405069126237,
  -0.07219956125645471, 0.04880428816414311, -0.03316112647484736, 0.022597648232218104, -0.01542476590494896,
  0.010538791616612175, -0.007204534386356869, 0.004926781395729853, -0.003369801655439328,
  0.002305126326734928, -0.0015769367714301972, 0.0010788252019162967, -0.0007380709389960052,
  0.000504953265834602, -0.0003454680251063077, 0.00023635601564027053, -0.00016170622091974803,
];

/** The digamma function psi(x) = gamma'(x)/gamma(x). NaN at the poles (non-positive integers). */
export function digamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0) {
    if (Number.isInteger(x)) return NaN;
    // reflection: psi(x) = psi(1 - x) - pi cot(pi x)
    return digamma(1 - x) - (Math.PI * cospi(x)) / sinpi(x);
  }
  const d = x - DIGAMMA_ROOT_HI - DIGAMMA_ROOT_LO;
  if (Math.abs(d) < 0.2) {
    let s = 0;
    for (let k = DIGAMMA_ROOT.length - 1; k >= 0; k--) s = s * d + DIGAMMA_ROOT[k];
    return s * d;
  }
  let acc = 0;
  while (x < 10) {
    acc -= 1 / x;
    x += 1;
  }
  const r2 = 1 / (x * x);
  const tail =
    r2 *
    (1 / 12 -
      r2 * (1 / 120 - r2 * (1 / 252 - r2 * (1 / 240 - r2 * (1 / 132 - r2 * (691 / 32760 - r2 / 12))))));
  return acc + Math.log(x) - 0.5 / x - tail;
}

/** Coefficients (ascending powers of c) of Q_n with d^n/dx^n cot(pi x) = pi^n Q_n(cot(pi x)). */
const cotDerivatives: number[][] = [[0, 1]];
function cotDerivative(n: number): number[] {
  while (cotDerivatives.length <= n) {
    const q = cotDerivatives[cotDerivatives.length - 1];
    // Q_{k+1}(c) = -(1 + c^2) Q_k'(c)
    const dq: number[] = [];
    for (let i = 1; i < q.length; i++) dq.push(i * q[i]);
    const next = new Array<number>(dq.length + 2).fill(0);
    for (let i = 0; i < dq.length; i++) {
      next[i] -= dq[i];
      next[i + 2] -= dq[i];
    }
    cotDerivatives.push(next);
  }
  return cotDerivatives[n];
}

/**
 * The polygamma function psi^(n)(x), the n-th derivative of digamma (n = 0: digamma). n must be a
 * non-negative integer (NaN otherwise). At the poles (non-positive integer x): Infinity for odd n, NaN for
 * even n.
 */
export function polygamma(n: number, x: number): number {
  if (!Number.isInteger(n) || n < 0 || Number.isNaN(x)) return NaN;
  if (n === 0) return digamma(x);
  if (x === Infinity) return 0;
  if (x === -Infinity) return NaN;
  const odd = n % 2 === 1;
  if (x <= 0 && Number.isInteger(x)) return odd ? Infinity : NaN;
  if (n > LARGE_ORDER) return (odd ? 1 : -1) * polygammaMagnitude(n, x);
  if (x <= 0) {
    // reflection: psi^(n)(x) = (-1)^n psi^(n)(1 - x) - pi^(n+1) Q_n(cot(pi x))
    const c = cospi(x) / sinpi(x);
    const q = cotDerivative(n);
    let qv = 0;
    for (let i = q.length - 1; i >= 0; i--) qv = qv * c + q[i];
    const refl = polygamma(n, 1 - x);
    return (odd ? -refl : refl) - Math.pow(Math.PI, n + 1) * qv;
  }
  const nf = factorial(n);
  // psi^(n)(x) = psi^(n)(x + m) + (-1)^(n+1) n! sum_{k<m} 1/(x+k)^(n+1)
  let shifted = 0;
  const x0 = 10 + n;
  while (x < x0) {
    shifted += ipow(1 / x, n + 1);
    x += 1;
  }
  // asymptotic: (-1)^(n+1) [ (n-1)!/x^n + n!/(2 x^(n+1)) + sum_k B_2k (2k+n-1)!/((2k)! x^(2k+n)) ]
  const xn = Math.pow(x, n);
  let s = factorial(n - 1) / xn + nf / (2 * xn * x);
  let ratio = factorial(n + 1) / 2; // (2k+n-1)!/(2k)! for k = 1
  let xp = xn * x * x; // x^(2k+n)
  for (let k = 1; k <= BERNOULLI.length; k++) {
    const term = (BERNOULLI[k - 1] * ratio) / xp;
    s += term;
    if (Math.abs(term) < 1e-17 * Math.abs(s)) break;
    ratio *= ((2 * k + n) * (2 * k + n + 1)) / ((2 * k + 1) * (2 * k + 2));
    xp *= x * x;
  }
  const total = s + nf * shifted;
  return odd ? total : -total;
}

/**
 * Orders above this are computed by `polygammaMagnitude`: the recurrence below takes n + 10 steps and the
 * reflection a polynomial of degree n + 1 (a hang for `polygamma(1e9, 1)`).
 */
const LARGE_ORDER = 100;

/**
 * |psi^(n)(x)| up to the sign (-1)^(n+1), for n > LARGE_ORDER and x not a pole, in logarithms so that n! may
 * overflow where the result does not: the asymptotic series for x >= n + 10, else the series
 * n! sum_k (x + k)^-(n+1), whose terms fall off so fast at such orders that a few dozen suffice (all but the
 * few smallest |x + k| are below 1e-17 of the largest). Every double above 2^53 is even, so such orders
 * count as even. Relative error about 1e-16 times log(n!) (1e-12 at n = 1000); for x < 0 and even n, terms of
 * opposite signs partly cancel and their relative error grows accordingly (at negative half-integers they
 * cancel exactly, and the sum starts after them).
 */
function polygammaMagnitude(n: number, x: number): number {
  if (x >= n + 10) return Math.exp(lgamma(n) - n * Math.log(x) + Math.log(largeOrderSeries(n, x)));
  // at a negative half-integer the terms from x to -x cancel in pairs for even n: what is left is psi^(n)(1 - x)
  if (x < 0 && !odd(n) && Number.isInteger(2 * x)) return polygammaMagnitude(n, 1 - x);
  const k0 = x > 0 ? 0 : Math.round(-x); // the term with the smallest |x + k|
  const m = Math.abs(x + k0);
  const p = n + 1;
  let s = 0;
  for (let k = Math.max(0, k0 - 1); k <= k0 + MAX_LARGE_ORDER_TERMS; k++) {
    const t = Math.pow(m / Math.abs(x + k), p);
    s += x + k < 0 && !odd(p) ? t : x + k < 0 ? -t : t;
    if (k > k0 && t < 1e-17 * Math.abs(s)) break;
  }
  return Math.sign(s) * Math.exp(lgamma(n + 1) - p * Math.log(m) + Math.log(Math.abs(s)));
}

/** Far more terms than `polygammaMagnitude` needs at orders above LARGE_ORDER (about 50): only a bound. */
const MAX_LARGE_ORDER_TERMS = 10_000;

function odd(k: number): boolean {
  return k % 2 === 1;
}

/** 1 + n/(2x) + sum_k B_2k n (n+1) ... (n+2k-1) / ((2k)! x^2k): psi^(n)(x) x^n / (n-1)!, up to sign. */
function largeOrderSeries(n: number, x: number): number {
  let s = 1 + n / (2 * x);
  let ratio = ((n / x) * ((n + 1) / x)) / 2; // no overflow at n, x ~ 1e300
  for (let k = 1; k <= BERNOULLI.length; k++) {
    const term = BERNOULLI[k - 1] * ratio;
    s += term;
    if (Math.abs(term) < 1e-17 * Math.abs(s)) break;
    ratio *= (((n + 2 * k) / x) * ((n + 2 * k + 1) / x)) / ((2 * k + 1) * (2 * k + 2));
  }
  return s;
}

/** t^k for a positive integer k by binary powering (a few multiplications; Math.pow is slower). */
function ipow(t: number, k: number): number {
  let r = 1;
  while (k > 0) {
    if (k & 1) r *= t;
    t *= t;
    k >>= 1;
  }
  return r;
}

/** trigamma(x) = psi'(x) = polygamma(1, x). */
export function trigamma(x: number): number {
  return polygamma(1, x);
}

// ---------------------------------------------------------------------------------------------------------
// small helpers

/** -1, 0 or 1 (NaN for NaN; keeps the sign of zero like Math.sign). */
export function sign(x: number): number {
  return Math.sign(x);
}

/** Unit step: 0 for x < 0, 1 for x > 0, `h0` (default 0.5) at x = 0, NaN for NaN. */
export function heaviside(x: number, h0 = 0.5): number {
  return x > 0 ? 1 : x < 0 ? 0 : x === 0 ? h0 : NaN;
}

/** Euclidean norm of the arguments without overflow or underflow (Infinity wins over NaN, as Math.hypot). */
export function hypot(...xs: number[]): number {
  return Math.hypot(...xs);
}

/** sqrt(a^2 + b^2) without overflow or underflow; faster than Math.hypot for two arguments. */
export function hypot2(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  if (a < b) {
    const t = a;
    a = b;
    b = t;
  }
  if (a === Infinity || b === Infinity) return Infinity;
  if (b === 0 || Number.isNaN(a)) return a + b; // also propagates NaN
  const r = b / a;
  return a * Math.sqrt(1 + r * r);
}

/**
 * x^n for a small integer literal exponent n (|n| <= 4), as repeated multiplication: the same operation
 * sequence the compiler emits (see `emitIntegerPower` in operators.ts), so that compiled kernels and the
 * reference evaluator agree bit for bit. Other exponents use Math.pow.
 */
export function powInt(x: number, n: number): number {
  switch (n) {
    case 0:
      return 1;
    case 1:
      return x;
    case 2:
      return x * x;
    case 3:
      return x * x * x;
    case 4:
      return x * x * (x * x);
    case -1:
      return 1 / x;
    case -2:
      return 1 / (x * x);
    case -3:
      return 1 / (x * x * x);
    case -4:
      return 1 / (x * x * (x * x));
    default:
      return Math.pow(x, n);
  }
}

/** The runtime object that emitted kernels receive as `R`. */
// ---------------------------------------------------------------------------------------------------------
// Logistic functions and sinc

/** The logistic sigmoid 1/(1 + exp(-x)), without overflow for either sign. */
export function expit(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(p/(1 - p)), the inverse of expit; accurate near p = 1/2, where the quotient is near 1. */
export function logit(p: number): number {
  if (p > 0.25 && p < 0.75) return Math.log1p((2 * p - 1) / (1 - p));
  return Math.log(p / (1 - p));
}

/** The normalised sinc sin(pi x)/(pi x) (numpy's), 1 at 0. */
export function sinc(x: number): number {
  if (x === 0) return 1;
  return sinpi(x) / (Math.PI * x);
}

// ---------------------------------------------------------------------------------------------------------
// Regularised incomplete gamma and beta functions: power series and continued fractions (modified Lentz),
// as in Numerical Recipes, with prefactors x^a e^-x / Gamma(a) and x^a (1-x)^b / B(a, b) computed from
// Stirling's series and log1p(t) - t for large parameters (no cancellation between large logarithms).
// Near x = a for large a, where the series would need ~10 sqrt(a) terms, Temme's uniform asymptotic expansion.
// Each expansion is cut off after MAX_INCOMPLETE_TERMS terms; if it has not converged by then, the result is
// NaN rather than a wrong number.

const MAX_INCOMPLETE_TERMS = 50_000;
const INCOMPLETE_EPS = 1e-16;
const TINY = 1e-300;
const STIRLING_MIN = 10;

/** mu(a) = lgamma(a) - ((a - 1/2) log a - a + log(2 pi)/2), for a >= 10 (asymptotic series). */
function stirlingCorrection(a: number): number {
  const r = 1 / (a * a);
  const series =
    1 / 12 - r * (1 / 360 - r * (1 / 1260 - r * (1 / 1680 - r * (1 / 1188 - r * (691 / 360360 - r / 156)))));
  return series / a;
}

/** log(1 + t) - t without cancellation for small t. */
function log1pmx(t: number): number {
  if (Math.abs(t) > 0.5) return Math.log1p(t) - t;
  let power = t;
  let sum = 0;
  for (let k = 2; k <= 80; k++) {
    power *= -t;
    const term = power / k;
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return sum;
}

/** log(num/den) - t for t = (num - den)/den (that is log1p(t) - t), accurate also where num/den is far from 1. */
function logRatioMinusT(num: number, den: number, t: number): number {
  return Math.abs(t) <= 0.5 ? log1pmx(t) : Math.log(num / den) - t;
}

/** log(gamma(1 + a)) for 0 <= a <= 1, without rounding 1 + a (the Taylor series about 2, less log1p(a)). */
function lgamma1p(a: number): number {
  return a <= 0.5 ? lgammaNear2(a) - Math.log1p(a) : lgamma(1 + a);
}

/** x^a e^(-x) / Gamma(a). */
function gammaPrefactor(a: number, x: number): number {
  if (a < STIRLING_MIN) {
    if (x < 700) return (Math.pow(x, a) * Math.exp(-x)) / gamma(a);
    return Math.exp(a * Math.log(x) - x - lgamma(a));
  }
  const scale = Math.sqrt(a / (2 * Math.PI)) * Math.exp(-stirlingCorrection(a));
  const t = (x - a) / a;
  // far from x = a: (x/a)^a e^(a-x) by pow and exp where neither over- nor underflows, no rounding of a
  // large exponent; near it, log1p(t) - t by its series
  const viaPow = Math.abs(t) > 0.5 && Math.abs(a * Math.log(x / a)) < 700 && Math.abs(a - x) < 1400;
  const half = Math.exp((a - x) / 2);
  if (viaPow) return scale * Math.pow(x / a, a) * half * half;
  return scale * Math.exp(a * logRatioMinusT(x, a, t));
}

/** P(a, x) by its power series (x < a + 1): prefactor * sum x^n / (a (a+1) ... (a+n)). */
function gammaSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n <= MAX_INCOMPLETE_TERMS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) <= INCOMPLETE_EPS * Math.abs(sum)) return sum * gammaPrefactor(a, x);
  }
  return NaN;
}

/** Q(a, x) by Legendre's continued fraction (x >= a + 1), evaluated by the modified Lentz method. */
function gammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= MAX_INCOMPLETE_TERMS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) <= INCOMPLETE_EPS) return h * gammaPrefactor(a, x);
  }
  return NaN;
}

/**
 * Q(a, x) for a <= 1, x <= 1.1: 1 - x^a/Gamma(a+1) - (a x^a/Gamma(a+1)) sum_{n>=1} (-x)^n/(n! (a+n)),
 * the first difference taken by expm1 (Q is small there when a is, and 1 - P would lose its digits).
 */
function gammaQSmall(a: number, x: number): number {
  let power = 1;
  let sum = 0;
  for (let n = 1; n <= 60; n++) {
    power *= -x / n;
    const term = power / (a + n);
    sum += term;
    if (Math.abs(term) <= INCOMPLETE_EPS * Math.abs(sum)) break;
  }
  const logXaOverGamma = a * Math.log(x) - lgamma1p(a);
  return -Math.expm1(logXaOverGamma) - a * Math.exp(logXaOverGamma) * sum;
}

/** Above this a, near x = a, Temme's uniform expansion replaces the series (which would need ~10 sqrt(a) terms). */
const TEMME_MIN_A = 1e5;
const TEMME_MAX_T = 0.01;

/**
 * [P, Q] by Temme's uniform asymptotic expansion (DLMF 8.12): Q = erfc(eta sqrt(a/2))/2 + R, P = 1 - ... with
 * R = exp(-a eta^2/2)/sqrt(2 pi a) (c0(eta) + c1(eta)/a), eta^2/2 = lambda - 1 - log(lambda), lambda = x/a, the
 * coefficients by their Taylor series in eta (|x/a - 1| < 0.01, a > 1e5: the omitted terms are below 1e-16).
 */
function incompleteGammaTemme(a: number, t: number): [number, number] {
  const eta = Math.sign(t) * Math.sqrt(-2 * log1pmx(t));
  const c0 = -1 / 3 + eta * (1 / 12 + eta * (-2 / 135 + eta * (1 / 864 + eta / 2835)));
  const c1 = -1 / 540 + eta * (-1 / 288 + eta / 378);
  const r = (Math.exp((-a * eta * eta) / 2) / Math.sqrt(2 * Math.PI * a)) * (c0 + c1 / a);
  const u = eta * Math.sqrt(a / 2);
  return [erfc(-u) / 2 - r, erfc(u) / 2 + r];
}

/** [P, Q] for a > 0, 0 < x < Infinity. */
function incompleteGamma(a: number, x: number): [number, number] {
  const t = (x - a) / a;
  if (a > TEMME_MIN_A && Math.abs(t) < TEMME_MAX_T) return incompleteGammaTemme(a, t);
  const small = a <= 1 && x <= 1.1;
  if (x < a + 1 || small) {
    const p = gammaSeries(a, x);
    if (!small || p <= 0.5) return [p, 1 - p];
    const q = gammaQSmall(a, x);
    return [1 - q, q];
  }
  const q = gammaContinuedFraction(a, x);
  return [1 - q, q];
}

/** [P, Q] at the edges (NaN, negative, zero, infinite arguments, scipy's conventions), or undefined. */
function incompleteGammaEdge(a: number, x: number): [number, number] | undefined {
  if (Number.isNaN(a) || Number.isNaN(x) || a < 0 || x < 0) return [NaN, NaN];
  if (a === 0) return x > 0 ? [1, 0] : [NaN, NaN];
  if (a === Infinity) return x === Infinity ? [NaN, NaN] : [0, 1];
  if (x === 0) return [0, 1];
  if (x === Infinity) return [1, 0];
  return undefined;
}

/** The regularised lower incomplete gamma function P(a, x) = gamma(a, x)/Gamma(a). */
export function gammainc(a: number, x: number): number {
  return (incompleteGammaEdge(a, x) ?? incompleteGamma(a, x))[0];
}

/** The regularised upper incomplete gamma function Q(a, x) = 1 - P(a, x). */
export function gammaincc(a: number, x: number): number {
  return (incompleteGammaEdge(a, x) ?? incompleteGamma(a, x))[1];
}

/**
 * x^a (1-x)^b / B(a, b). Both a, b large: sqrt(ab/(2 pi (a+b))) exp(a (log1p(t) - t) + b (log1p(u) - u) + mu),
 * t = x/x0 - 1, u = (1-x)/(1-x0) - 1, x0 = a/(a+b) (a t + b u = 0). One large: log Gamma(L+S) - log Gamma(L)
 * from Stirling's series as (L - 1/2) log1p(S/L) + S log(L+S) - S + mu(L+S) - mu(L).
 */
function betaPrefactor(a: number, b: number, x: number): number {
  const large = Math.max(a, b);
  const small = Math.min(a, b);
  if (large < STIRLING_MIN) return powerTerms(a, b, x) * Math.exp(-(lgamma(a) + lgamma(b) - lgamma(a + b)));
  if (small < STIRLING_MIN) {
    const logRatio =
      (large - 0.5) * Math.log1p(small / large) +
      small * Math.log(large + small) -
      small +
      stirlingCorrection(large + small) -
      stirlingCorrection(large);
    return powerTerms(a, b, x) * Math.exp(logRatio - lgamma(small));
  }
  const x0 = a / (a + b);
  const t = (x - x0) / x0;
  const u = (x0 - x) / (1 - x0);
  const mu = stirlingCorrection(a + b) - stirlingCorrection(a) - stirlingCorrection(b);
  const scale = Math.sqrt((a * b) / (2 * Math.PI * (a + b))) * Math.exp(mu);
  const logA = a * Math.log(x / x0);
  const logB = b * Math.log((1 - x) / (1 - x0));
  // far in a tail: two powers (no rounding of a large exponent); near the peak: log1p(t) - t by its series
  if (Math.max(Math.abs(t), Math.abs(u)) > 0.5 && Math.abs(logA) < 700 && Math.abs(logB) < 700) {
    return scale * Math.pow(x / x0, a) * Math.pow((1 - x) / (1 - x0), b);
  }
  return scale * Math.exp(a * logRatioMinusT(x, x0, t) + b * logRatioMinusT(1 - x, b / (a + b), u));
}

/** x^a (1-x)^b: x^a by pow (one rounding), (1-x)^b through log1p(-x), and by logarithms where pow underflows. */
function powerTerms(a: number, b: number, x: number): number {
  const xa = Math.pow(x, a);
  const logOneMinus = b * Math.log1p(-x);
  if (xa > 1e-290 && logOneMinus > -650) return xa * Math.exp(logOneMinus);
  return Math.exp(a * Math.log(x) + logOneMinus);
}

/** The continued fraction of I_x(a, b) (Numerical Recipes' betacf), modified Lentz. */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_INCOMPLETE_TERMS; m++) {
    const m2 = 2 * m;
    const even = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + even * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + even / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    const odd = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + odd * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + odd / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) <= INCOMPLETE_EPS) return h;
  }
  return NaN;
}

/** I_x(a, b) at the edges (scipy's conventions), or undefined. */
function betaincEdge(a: number, b: number, x: number): number | undefined {
  if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(x)) return NaN;
  if (a < 0 || b < 0 || x < 0 || x > 1 || (a === 0 && b === 0)) return NaN;
  if (a === Infinity || b === Infinity) return NaN;
  if (a === 0) return 1;
  if (b === 0) return 0;
  if (x === 0) return 0;
  if (x === 1) return 1;
  return undefined;
}

/** The regularised incomplete beta function I_x(a, b). */
export function betainc(a: number, b: number, x: number): number {
  const edge = betaincEdge(a, b, x);
  if (edge !== undefined) return edge;
  const direct = () => (betaPrefactor(a, b, x) * betaContinuedFraction(a, b, x)) / a;
  if (x < (a + 1) / (a + b + 2)) return direct();
  const complement = 1 - (betaPrefactor(b, a, 1 - x) * betaContinuedFraction(b, a, 1 - x)) / b;
  if (complement > 0.1) return complement;
  // a small result as 1 - (something near 1) would lose digits: the continued fraction still converges here
  const value = direct();
  return Number.isNaN(value) ? complement : value;
}

/** Re log Gamma(a + ib): the real `lgamma` on the real axis (so exactly 0 at 1 and 2), complexgamma.ts elsewhere. */
export function lgammaRe(a: number, b: number): number {
  return b === 0 ? lgamma(a) : complexGamma.lgammaRe(a, b);
}

/** Re psi(a + ib): the real `digamma` on the real axis. */
export function digammaRe(a: number, b: number): number {
  return b === 0 ? digamma(a) : complexGamma.digammaRe(a, b);
}

/** Im psi(a + ib): 0 on the real axis. */
export function digammaIm(a: number, b: number): number {
  return b === 0 && !Number.isNaN(a) ? 0 : complexGamma.digammaIm(a, b);
}

/** Re psi'(a + ib): the real `trigamma` on the real axis. */
export function trigammaRe(a: number, b: number): number {
  return b === 0 ? trigamma(a) : complexGamma.trigammaRe(a, b);
}

/** Im psi'(a + ib): 0 on the real axis. */
export function trigammaIm(a: number, b: number): number {
  return b === 0 && !Number.isNaN(a) ? 0 : complexGamma.trigammaIm(a, b);
}

export const R = Object.freeze({
  erf,
  erfc,
  gamma,
  lgamma,
  digamma,
  trigamma,
  polygamma,
  sign,
  heaviside,
  hypot,
  hypot2,
  powInt,
  sinpi,
  cospi,
  erfcx,
  expit,
  logit,
  sinc,
  gammainc,
  gammaincc,
  betainc,
  besseli0,
  besseli1,
  besselj0,
  besselj1,
  wofzRe,
  wofzIm,
  voigt,
  lgammaRe,
  digammaRe,
  digammaIm,
  trigammaRe,
  trigammaIm,
});
export type Runtime = typeof R;
