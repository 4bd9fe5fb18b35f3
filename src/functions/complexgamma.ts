/**
 * The log-gamma, digamma and trigamma functions of a complex argument z = a + ib (scipy.special.loggamma and
 * psi of complex arguments): Stirling / asymptotic series for |z| >= 10 in the right half plane, the upward
 * recurrence below it, and the reflection formulas for a < 0.
 */
import { BERNOULLI } from './bernoulli.ts';

type Complex = readonly [number, number];

const LOG_PI = 1.1447298858494002; // log(pi)
const LN2 = 0.6931471805599453;
const HALF_LOG_2PI = 0.9189385332046728; // log(2*pi)/2
const ASYMPTOTIC_RADIUS = 10;
/** B_2 .. B_20 of the asymptotic series (10 terms: error below 1e-17 at |z| = 10). */
const SERIES_BERNOULLI = BERNOULLI.slice(0, 10);
/** Coefficients of log-gamma, digamma and trigamma in powers of 1/z^2. */
const LGAMMA_C = SERIES_BERNOULLI.map((b, i) => b / ((2 * i + 2) * (2 * i + 1)));
const DIGAMMA_C = SERIES_BERNOULLI.map((b, i) => b / (2 * i + 2));
const TRIGAMMA_C = SERIES_BERNOULLI;

function mul(p: Complex, q: Complex): Complex {
  return [p[0] * q[0] - p[1] * q[1], p[0] * q[1] + p[1] * q[0]];
}

/** 1/z by Smith's algorithm (no overflow for huge |z|). */
function recip(z: Complex): Complex {
  const [a, b] = z;
  if (Math.abs(a) >= Math.abs(b)) {
    const r = b / a;
    const d = a + b * r;
    return [1 / d, -r / d];
  }
  const r = a / b;
  const d = a * r + b;
  return [r / d, -1 / d];
}

/** sin(pi x) and cos(pi x) with exact argument reduction. */
function sinCosPi(x: number): [number, number] {
  const r = x - 2 * Math.round(x / 2); // exact, in [-1, 1]
  return [
    r === 0 || Math.abs(r) === 1 ? 0 : Math.sin(Math.PI * r),
    Math.abs(r) === 0.5 ? 0 : Math.cos(Math.PI * r),
  ];
}

/** sum c_k w^(2k) for k = 0.., by Horner's rule in w^2. */
function evenSeries(c: readonly number[], w2: Complex): Complex {
  let s: Complex = [c[c.length - 1]!, 0];
  for (let k = c.length - 2; k >= 0; k--) {
    const t = mul(s, w2);
    s = [t[0] + c[k]!, t[1]];
  }
  return s;
}

/** log|sin(pi z)|, without overflow for large |b|. */
function logAbsSinPi(a: number, b: number): number {
  if (Math.abs(b) < 1) {
    const s = sinCosPi(a)[0];
    const sh = Math.sinh(Math.PI * b);
    return 0.5 * Math.log(s * s + sh * sh);
  }
  const e = Math.exp(-2 * Math.PI * Math.abs(b));
  return Math.PI * Math.abs(b) - LN2 + 0.5 * Math.log1p(e * e - 2 * sinCosPi(2 * a)[1] * e);
}

/** The number of unit steps that lift z into the asymptotic region. */
function shiftCount(a: number, b: number): number {
  return Math.hypot(a, b) >= ASYMPTOTIC_RADIUS ? 0 : Math.ceil(ASYMPTOTIC_RADIUS - a);
}

/** Re log Gamma(a + ib) for a >= 0 by Stirling's series after lifting. */
function logGammaReRight(a: number, b: number): number {
  const steps = shiftCount(a, b);
  let product: Complex = [1, 0];
  for (let k = 0; k < steps; k++) product = mul(product, [a + k, b]);
  const x = a + steps;
  const w = recip([x, b]);
  const series = mul(w, evenSeries(LGAMMA_C, mul(w, w)));
  const logAbs = Math.log(Math.hypot(x, b));
  const stirling = (x - 0.5) * logAbs - b * Math.atan2(b, x) - x + HALF_LOG_2PI + series[0];
  return steps === 0 ? stirling : stirling - Math.log(Math.hypot(product[0], product[1]));
}

/** Re log Gamma(a + ib) (log|Gamma(z)|); Infinity at the poles 0, -1, -2, ... */
export function lgammaRe(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a >= 0) return logGammaReRight(a, b);
  return LOG_PI - logAbsSinPi(a, b) - logGammaReRight(1 - a, -b);
}

/** pi cot(pi z), without overflow for large |b|. */
function piCotPi(a: number, b: number): Complex {
  if (Math.abs(b) < 1) {
    const [s, c] = sinCosPi(a);
    const sh = Math.sinh(Math.PI * b);
    const ch = Math.cosh(Math.PI * b);
    const d = 2 * (s * s + sh * sh);
    return [(Math.PI * 2 * s * c) / d, (-Math.PI * 2 * sh * ch) / d];
  }
  const e = Math.exp(-2 * Math.PI * Math.abs(b));
  const [s2, c2] = sinCosPi(2 * a);
  const d = 1 + e * e - 2 * c2 * e;
  return [(Math.PI * 2 * s2 * e) / d, (-Math.PI * Math.sign(b) * (1 - e * e)) / d];
}

/** psi(z) for a >= 0: the asymptotic series after lifting, minus sum 1/(z + k). */
function digammaRight(a: number, b: number): Complex {
  const steps = shiftCount(a, b);
  let re = 0;
  let im = 0;
  for (let k = 0; k < steps; k++) {
    const r = recip([a + k, b]);
    re -= r[0];
    im -= r[1];
  }
  const x = a + steps;
  const w = recip([x, b]);
  const w2 = mul(w, w);
  const series = mul(w2, evenSeries(DIGAMMA_C, w2));
  return [
    re + Math.log(Math.hypot(x, b)) - 0.5 * w[0] - series[0],
    im + Math.atan2(b, x) - 0.5 * w[1] - series[1],
  ];
}

/** psi(a + ib), the complex digamma function. */
function digammaComplex(a: number, b: number): Complex {
  if (a >= 0) return digammaRight(a, b);
  const reflected = digammaRight(1 - a, -b);
  const cot = piCotPi(a, b);
  return [reflected[0] - cot[0], reflected[1] - cot[1]];
}

/** Re psi(a + ib). */
export function digammaRe(a: number, b: number): number {
  return digammaComplex(a, b)[0];
}

/** Im psi(a + ib). */
export function digammaIm(a: number, b: number): number {
  return digammaComplex(a, b)[1];
}

/** psi'(z) for a >= 0: the asymptotic series after lifting, plus sum 1/(z + k)^2. */
function trigammaRight(a: number, b: number): Complex {
  const steps = shiftCount(a, b);
  let re = 0;
  let im = 0;
  for (let k = 0; k < steps; k++) {
    const r = recip([a + k, b]);
    const r2 = mul(r, r);
    re += r2[0];
    im += r2[1];
  }
  const w = recip([a + steps, b]);
  const w2 = mul(w, w);
  const series = mul(mul(w2, w), evenSeries(TRIGAMMA_C, w2));
  return [re + w[0] + 0.5 * w2[0] + series[0], im + w[1] + 0.5 * w2[1] + series[1]];
}

/** pi^2 / sin^2(pi z); 0 where it is below 1e-80 relative (|b| > 30). */
function piSquaredCscSquared(a: number, b: number): Complex {
  if (Math.abs(b) > 30) return [0, 0];
  const [s, c] = sinCosPi(a);
  const sin: Complex = [s * Math.cosh(Math.PI * b), c * Math.sinh(Math.PI * b)];
  const inv = recip(mul(sin, sin));
  return [Math.PI * Math.PI * inv[0], Math.PI * Math.PI * inv[1]];
}

/** psi'(a + ib), the complex trigamma function. */
function trigammaComplex(a: number, b: number): Complex {
  if (a >= 0) return trigammaRight(a, b);
  const reflected = trigammaRight(1 - a, -b);
  const csc2 = piSquaredCscSquared(a, b);
  return [csc2[0] - reflected[0], csc2[1] - reflected[1]];
}

/** Re psi'(a + ib). */
export function trigammaRe(a: number, b: number): number {
  return trigammaComplex(a, b)[0];
}

/** Im psi'(a + ib). */
export function trigammaIm(a: number, b: number): number {
  return trigammaComplex(a, b)[1];
}
