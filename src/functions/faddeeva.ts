/**
 * The Faddeeva function w(z) = exp(-z^2) erfc(-iz) and the Voigt profile built on it.
 *
 * Two methods; against mpmath each part of w has a relative error below 1e-14 (typically a few 1e-16, worst
 * near |z| ~ 1.5 where the first method cancels by |exp(-z^2)|/|w|):
 * - near the real axis (y < 1, or y < 2 with x > y; |x| <= 28 unless exp(-x^2) is negligible):
 *   w(z) = exp(-z^2) + (2i/sqrt(pi)) D(z), with Dawson's function D from Rybicki's sampling-theorem sum
 *   D(z) = (1/sqrt(pi)) sum over odd n of exp(-(z - nh)^2)/n (h = 1/8, truncation error below
 *   exp(-(pi/2h)^2 + pi y/h) ~ 1e-50; about 55 terms, each a few multiplications);
 * - elsewhere: the Laplace continued fraction w(z) = (i/sqrt(pi)) / (z - (1/2)/(z - 1/(z - (3/2)/(z - ...)))),
 *   evaluated bottom-up at a fixed depth (320, 160, 40 or 20 levels by region: deeper near the origin);
 *   beyond |z| = 1e8, i/(sqrt(pi) z).
 * The lower half plane follows from w(z) = 2 exp(-z^2) - w(-z), negative x from w(-conj(z)) = conj(w(z)).
 */

const INV_SQRT_PI = 0.5641895835477563; // 1/sqrt(pi)
const SQRT_2PI = 2.5066282746310002; // sqrt(2*pi)
const INV_SQRT2 = 0.7071067811865476; // 1/sqrt(2)
const H = 0.125;
const SAMPLING_HALF_WIDTH = 6.6;
const SAMPLING_MAX_Y = 2;
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

/** Odd samples on each side of the centre: |x - nh| reaches SAMPLING_HALF_WIDTH. */
const SAMPLING_STEPS = Math.ceil(SAMPLING_HALF_WIDTH / (2 * H)) + 1;
const GAUSSIAN_STEP = Math.exp(-8 * H * H);

/**
 * Adds the samples n = centre + 2k sign, k = 1..SAMPLING_STEPS, to sum (exp(-(z - nh)^2)/n): the Gaussian by the
 * ratio of neighbours (exp(-(d -+ 2h)^2) = exp(-d^2) exp(+-4hd - 4h^2)) and the phase by a fixed rotation, so a
 * term costs a few multiplications; the largest terms, near the centre, carry the least accumulated rounding.
 */
function addSamples(sum: number[], centre: number, d0: number, y: number, sign: 1 | -1): void {
  let g = Math.exp((y - d0) * (y + d0));
  let ratio = Math.exp(sign * 4 * H * d0 - 4 * H * H);
  let pc = Math.cos(2 * d0 * y);
  let ps = -Math.sin(2 * d0 * y);
  const rc = Math.cos(4 * H * y);
  const rs = sign * Math.sin(4 * H * y);
  let n = centre;
  for (let k = 1; k <= SAMPLING_STEPS; k++) {
    g *= ratio;
    ratio *= GAUSSIAN_STEP;
    const c = pc * rc - ps * rs;
    ps = pc * rs + ps * rc;
    pc = c;
    n += 2 * sign;
    sum[0] += (g * pc) / n;
    sum[1] += (g * ps) / n;
  }
}

/** sqrt(pi) D(z) by Rybicki's sum over the odd samples within SAMPLING_HALF_WIDTH of x. */
function dawsonSum(x: number, y: number): Complex {
  const centre = 2 * Math.round((x / H - 1) / 2) + 1;
  const d0 = x - centre * H;
  const g0 = Math.exp((y - d0) * (y + d0));
  const sum = [(g0 * Math.cos(2 * d0 * y)) / centre, (-g0 * Math.sin(2 * d0 * y)) / centre];
  addSamples(sum, centre, d0, y, 1);
  addSamples(sum, centre, d0, y, -1);
  return [sum[0], sum[1]];
}

/** 2 exp(-(nh)^2)/n for the odd n of the paired sum (index (n - 1)/2). */
const PAIRED_WEIGHTS = Array.from(
  { length: Math.ceil((PAIRED_MAX_X + SAMPLING_HALF_WIDTH) / (2 * H)) + 1 },
  (_, i) => {
    const n = 2 * i + 1;
    return (2 * Math.exp(-(n * H) * (n * H))) / n;
  },
);

/**
 * The same sum with the samples n and -n paired, for small |x|: sum over odd n > 0 of
 * 2 exp(-(nh)^2) sinh(2nhz)/n, times exp(-z^2). Its real part is proportional to sinh(2nhx), so Im w keeps its
 * relative accuracy as x goes to 0 (and is exactly 0 at x = 0). sinh, cosh, cos and sin of 2nhx and 2nhy
 * advance by the addition theorems (all hyperbolic terms positive: no cancellation).
 */
function pairedDawsonSum(x: number, y: number): Complex {
  let pr = 0;
  let pi = 0;
  let sh = Math.sinh(2 * H * x);
  let ch = Math.cosh(2 * H * x);
  let sn = Math.sin(2 * H * y);
  let cs = Math.cos(2 * H * y);
  const sh2 = Math.sinh(4 * H * x);
  const ch2 = Math.cosh(4 * H * x);
  const sn2 = Math.sin(4 * H * y);
  const cs2 = Math.cos(4 * H * y);
  for (const weight of PAIRED_WEIGHTS) {
    pr += weight * sh * cs;
    pi += weight * ch * sn;
    const s = sh * ch2 + ch * sh2;
    ch = ch * ch2 + sh * sh2;
    sh = s;
    const c = cs * cs2 - sn * sn2;
    sn = sn * cs2 + cs * sn2;
    cs = c;
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
  const r2 = x * x + y * y;
  if (r2 >= 64) return 20;
  if (r2 >= 36 || y >= 3) return 40;
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

/**
 * Whether the sampling sum is accurate: its truncation error grows like exp(pi y/h), and w = exp(-z^2) + ...
 * cancels by |exp(-z^2)|/|w| ~ exp(y^2 - x^2): y < 1, or y < 2 with x > y.
 */
function samplingAccurate(x: number, y: number): boolean {
  return y < 1 || (y < SAMPLING_MAX_Y && x > y);
}

/** w(z) for x >= 0, y >= 0. */
function wFirstQuadrant(x: number, y: number): Complex {
  if (x === Infinity || y === Infinity) return [0, 0];
  if (x > ASYMPTOTIC_MODULUS || y > ASYMPTOTIC_MODULUS) return iOverSqrtPi(x, y);
  if (x > SAMPLING_MAX_X) return y === 0 ? [0, dawsonAsymptotic(x)] : wByContinuedFraction(x, y);
  if (!samplingAccurate(x, y) || (x >= 6 && exponentialTermNegligible(x, y)))
    return wByContinuedFraction(x, y);
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

/** w(x + iy) for any finite or infinite x, y. */
function faddeevaUncached(x: number, y: number): Complex {
  if (Number.isNaN(x) || Number.isNaN(y)) return [NaN, NaN];
  if (y >= 0) return wUpperHalf(x, y);
  const [re, im] = wUpperHalf(-x, -y);
  const [er, ei] = expMinusSquareComplex(x, y);
  return [2 * er - re, 2 * ei - im];
}

/**
 * The last argument and value: a kernel asks for Re w and Im w at the same point in turn (the value of
 * `voigt` and its derivatives), and pays for one evaluation.
 */
let lastX = NaN;
let lastY = NaN;
let lastValue: Complex = [NaN, NaN];

/** The Faddeeva function w(x + iy) as [re, im]. */
function faddeeva(x: number, y: number): Complex {
  if (x === lastX && y === lastY) return lastValue;
  lastValue = faddeevaUncached(x, y);
  lastX = x;
  lastY = y;
  return lastValue;
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
  // the arguments as voigt's derivative rule writes them (builtins/faddeeva.ts): the cache then serves both
  return wofzRe((INV_SQRT2 * x) / sigma, (INV_SQRT2 * gamma) / sigma) / (sigma * SQRT_2PI);
}
