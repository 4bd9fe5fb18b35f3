/**
 * The Faddeeva function w(z) = exp(-z^2) erfc(-iz) and the Voigt profile built on it.
 *
 * Two methods, each used where it is accurate to a few ulp per component (checked against mpmath):
 * - near the real axis (0 <= y < 1, |x| <= 28, unless exp(-x^2) is negligible): w(z) = exp(-z^2) + (2i/sqrt(pi)) D(z), with Dawson's
 *   function D from Rybicki's sampling-theorem sum D(z) = (1/sqrt(pi)) sum over odd n of
 *   exp(-(z - nh)^2)/n (h = 1/8, truncation error below exp(-(pi/2h)^2 + pi y/h) ~ 1e-50; about 50 terms);
 * - elsewhere: the Laplace continued fraction w(z) = (i/sqrt(pi)) / (z - (1/2)/(z - 1/(z - (3/2)/(z - ...)))),
 *   evaluated bottom-up at a fixed depth (320, 160, 40 or 20 levels by region); beyond |z| = 1e8, i/(sqrt(pi) z).
 * The lower half plane follows from w(z) = 2 exp(-z^2) - w(-z), negative x from w(-conj(z)) = conj(w(z)).
 */

const INV_SQRT_PI = 0.5641895835477563; // 1/sqrt(pi)
const SQRT_2PI = 2.5066282746310002; // sqrt(2*pi)
const SQRT2 = 1.4142135623730951;
const H = 0.125;
const SAMPLING_HALF_WIDTH = 6.6;
const SAMPLING_MAX_Y = 1;
const PAIRED_MAX_X = 0.5;
/** Above this |x| or |y|, w(z) = i/(sqrt(pi) z) to double precision (the next term is 1/(2z^2)). */
const ASYMPTOTIC_MODULUS = 1e8;
const SAMPLING_MAX_X = 28;

/** A complex number as [re, im]. */
type Complex = readonly [number, number];

/** exp(-a^2) without the rounding error of forming a^2 (a split into a multiple of 1/16 and a rest). */
function expMinusSquare(a: number): number {
  const head = Math.trunc(a * 16) / 16;
  return Math.exp(-head * head) * Math.exp(-(a - head) * (a + head));
}

/** exp(-(a + ib)^2). */
function expMinusSquareComplex(a: number, b: number): Complex {
  const small = Math.abs(a) <= SAMPLING_MAX_X && Math.abs(b) <= SAMPLING_MAX_Y;
  const mag = small ? expMinusSquare(a) * Math.exp(b * b) : Math.exp((b - a) * (b + a));
  const phase = -2 * a * b;
  return [mag * Math.cos(phase), mag * Math.sin(phase)];
}

/** sqrt(pi) D(z) by Rybicki's sum over the odd samples within SAMPLING_HALF_WIDTH of x. */
function dawsonSum(x: number, y: number): Complex {
  let lo = Math.floor((x - SAMPLING_HALF_WIDTH) / H);
  if (lo % 2 === 0) lo -= 1;
  const hi = Math.ceil((x + SAMPLING_HALF_WIDTH) / H);
  let re = 0;
  let im = 0;
  for (let n = lo; n <= hi; n += 2) {
    const [er, ei] = expMinusSquareComplex(x - n * H, y);
    re += er / n;
    im += ei / n;
  }
  return [re, im];
}

/**
 * The same sum with the samples n and -n paired, for small |x|: sum over odd n > 0 of
 * 2 exp(-(nh)^2) sinh(2nhz)/n, times exp(-z^2). Its real part is proportional to sinh(2nhx), so Im w keeps its
 * relative accuracy as x goes to 0 (and is exactly 0 at x = 0).
 */
function pairedDawsonSum(x: number, y: number): Complex {
  let pr = 0;
  let pi = 0;
  const last = Math.ceil((x + SAMPLING_HALF_WIDTH) / H);
  for (let n = 1; n <= last; n += 2) {
    const t = n * H;
    const k = (2 * Math.exp(-t * t)) / n;
    pr += k * Math.sinh(2 * t * x) * Math.cos(2 * t * y);
    pi += k * Math.cosh(2 * t * x) * Math.sin(2 * t * y);
  }
  const [er, ei] = expMinusSquareComplex(x, y);
  return [er * pr - ei * pi, er * pi + ei * pr];
}

/** w(z) = exp(-z^2) + (2i/pi) * (sqrt(pi) D(z)). */
function wBySampling(x: number, y: number): Complex {
  const [dr, di] = x < PAIRED_MAX_X ? pairedDawsonSum(x, y) : dawsonSum(x, y);
  const [er, ei] = expMinusSquareComplex(x, y);
  const k = 2 * INV_SQRT_PI * INV_SQRT_PI;
  return [er - k * di, ei + k * dr];
}

function continuedFractionDepth(x: number, y: number): number {
  if (x * x + y * y >= 64) return 20;
  if (y >= 3) return 40;
  return y >= 1.5 ? 160 : 320;
}

/** The Laplace continued fraction (y > 0). */
function wByContinuedFraction(x: number, y: number): Complex {
  let rr = 0;
  let ri = 0;
  for (let k = continuedFractionDepth(x, y); k >= 1; k--) {
    // r = (k/2) / (z - r)
    const dr = x - rr;
    const di = y - ri;
    const s = k / 2 / (dr * dr + di * di);
    rr = s * dr;
    ri = -s * di;
  }
  return iOverSqrtPi(x - rr, y - ri);
}

/** i/(sqrt(pi) (a + ib)) without overflow (Smith's division). */
function iOverSqrtPi(a: number, b: number): Complex {
  if (Math.abs(a) >= Math.abs(b)) {
    const r = b / a;
    const d = INV_SQRT_PI / (a + b * r);
    return [r * d, d];
  }
  const r = a / b;
  const d = INV_SQRT_PI / (a * r + b);
  return [d, r * d];
}

/**
 * Whether exp(-x^2), the term the continued fraction misses near the real axis, is below 1e-17 of
 * Re w ~ y/(sqrt(pi)|z|^2).
 */
function exponentialTermNegligible(x: number, y: number): boolean {
  return y * y - x * x < Math.log((1e-17 * y * INV_SQRT_PI) / (x * x + y * y));
}

/** w(z) for x >= 0, y >= 0. */
function wFirstQuadrant(x: number, y: number): Complex {
  if (x === Infinity || y === Infinity) return [0, 0];
  if (x > ASYMPTOTIC_MODULUS || y > ASYMPTOTIC_MODULUS) return iOverSqrtPi(x, y);
  if (x > SAMPLING_MAX_X) return y === 0 ? [0, dawsonAsymptotic(x)] : wByContinuedFraction(x, y);
  if (y >= SAMPLING_MAX_Y || (x >= 6 && exponentialTermNegligible(x, y))) return wByContinuedFraction(x, y);
  return wBySampling(x, y);
}

/** 2 D(x)/sqrt(pi) for real x > 28 by its asymptotic series (exp(-x^2) has underflowed). */
function dawsonAsymptotic(x: number): number {
  const inv2x2 = 1 / (2 * x * x);
  let term = 1;
  let sum = 1;
  for (let k = 1; k <= 12; k++) {
    term *= (2 * k - 1) * inv2x2;
    sum += term;
  }
  return (INV_SQRT_PI / x) * sum;
}

/** w(z) for y >= 0 and any x. */
function wUpperHalf(x: number, y: number): Complex {
  const [re, im] = wFirstQuadrant(Math.abs(x), y);
  return x < 0 ? [re, -im] : [re, im];
}

/** The Faddeeva function w(x + iy) as [re, im]. */
export function faddeeva(x: number, y: number): Complex {
  if (Number.isNaN(x) || Number.isNaN(y)) return [NaN, NaN];
  if (y >= 0) return wUpperHalf(x, y);
  const [re, im] = wUpperHalf(-x, -y);
  const [er, ei] = expMinusSquareComplex(x, y);
  return [2 * er - re, 2 * ei - im];
}

/** Re w(x + iy). */
export function wofzRe(x: number, y: number): number {
  return faddeeva(x, y)[0];
}

/** Im w(x + iy). */
export function wofzIm(x: number, y: number): number {
  return faddeeva(x, y)[1];
}

/**
 * The normalised Voigt profile: a Gaussian of standard deviation sigma convolved with a Lorentzian of
 * half-width gamma, Re w((x + i gamma)/(sigma sqrt(2))) / (sigma sqrt(2 pi)). NaN for negative widths.
 */
export function voigt(x: number, sigma: number, gamma: number): number {
  if (!(sigma >= 0 && gamma >= 0)) return NaN;
  if (sigma === 0) {
    if (gamma === 0) return x === 0 ? Infinity : 0;
    return gamma / Math.PI / (x * x + gamma * gamma);
  }
  const s = sigma * SQRT2;
  return wofzRe(x / s, gamma / s) / (sigma * SQRT_2PI);
}
