/**
 * Natural cubic smoothing splines (Reinsch's O(n) banded algorithm), with scipy's
 * `make_smoothing_spline` parameterisation and its GCV choice of lambda, and csaps' `smooth` in [0, 1].
 */
import { defineOptions, ExprfitError, opt, type OptionsInput, validateOptions } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import { asVector, fmtValue } from './util.ts';

/** The options of `smoothingSpline`, declared once. */
export const smoothingSplineSchema = defineOptions(
  'smoothingSpline',
  {
    /**
     * The penalty weight lambda >= 0 of sum w_i (y_i - f(x_i))^2 + lambda * integral f''(t)^2 dt
     * (scipy.interpolate.make_smoothing_spline's `lam`). 0 interpolates; Infinity gives the weighted
     * least-squares straight line.
     */
    lam: opt.custom<number>({
      doc: 'Penalty weight λ of ∫f″² (0 interpolates, Infinity: the straight line; default by GCV)',
      accept: (v): v is number => typeof v === 'number' && v >= 0,
      expected: 'a number >= 0 (Infinity allowed)',
    }),
    /**
     * csaps' smoothing parameter p in [0, 1]: minimises p * sum w (y - f)^2 + (1 - p) * integral f''^2,
     * the same spline as lam = (1 - p) / p (p = 1 interpolates, p = 0 is the straight line).
     */
    smooth: opt.number({
      doc: "csaps' smoothing parameter p (1 interpolates, 0: the straight line)",
      min: 0,
      max: 1,
    }),
    /** Positive weights w_i (default all 1). */
    weights: opt.custom<ArrayLike<number> | NdArray>({
      doc: 'Positive weights (default all 1)',
      accept: (v): v is ArrayLike<number> | NdArray =>
        Array.isArray(v) || ArrayBuffer.isView(v) || v instanceof NdArray,
      expected: 'an array of numbers',
    }),
    /**
     * Evaluation outside [x_0, x_{n-1}]: 'linear' (default) continues the natural spline linearly (the
     * true minimiser, f'' = 0 there, as R's smooth.spline); 'cubic' continues the end polynomials, which is
     * what the scipy BSpline returned by make_smoothing_spline does; 'nan' gives NaN.
     */
    extrapolate: opt.enum(['linear', 'cubic', 'nan'], {
      doc: 'Outside [x_0, x_{n-1}]: continue linearly, continue the end cubics, or NaN',
      default: 'linear',
    }),
  },
  [
    (o) =>
      o.lam !== undefined && o.smooth !== undefined
        ? { key: 'smooth', expected: 'absent when lam is given (give lam or smooth, not both)' }
        : undefined,
  ],
);

export type SmoothingSplineOptions = OptionsInput<typeof smoothingSplineSchema>;

export interface SmoothingSpline {
  /** The knots (the data x, strictly increasing). */
  readonly x: Float64Array;
  /** The fitted values f(x_i) at the knots. */
  readonly values: Float64Array;
  /** f''(x_i) at the knots (0 at both ends). */
  readonly secondDerivatives: Float64Array;
  /** The lambda used (chosen by GCV when neither lam nor smooth was given). */
  readonly lam: number;
  /** The csaps-equivalent smoothing parameter 1 / (1 + lam). */
  readonly smooth: number;
  /** Effective degrees of freedom: the trace of the hat matrix (2 for the straight line, n to interpolate). */
  readonly edf: number;
  /** The GCV score (1/n) sum (y_i - f(x_i))^2 / (1 - edf/n)^2 at `lam`, as scipy computes it. */
  readonly gcv: number;
  /** f (or its derivative of order nu = 0..3) at new points. */
  evaluate(xnew: ArrayLike<number> | NdArray | number, nu?: number): Float64Array;
  /** Shorthand for evaluate(xnew, order). */
  derivative(xnew: ArrayLike<number> | NdArray | number, order?: number): Float64Array;
}

/** Banded pieces of the Reinsch formulation, for interior index c = 0..n-3 (knot c + 1). */
interface Reinsch {
  n: number;
  h: Float64Array;
  /** R: diagonal and first superdiagonal. */
  r0: Float64Array;
  r1: Float64Array;
  /** Q^T W^-1 Q: diagonal, first and second superdiagonals. */
  s0: Float64Array;
  s1: Float64Array;
  s2: Float64Array;
  /** Q^T y */
  qty: Float64Array;
  w: Float64Array;
  y: Float64Array;
  x: Float64Array;
}

function setup(x: Float64Array, y: Float64Array, w: Float64Array): Reinsch {
  const n = x.length;
  const m = n - 2;
  const h = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) h[i] = x[i + 1] - x[i];
  const r0 = new Float64Array(m);
  const r1 = new Float64Array(m);
  const s0 = new Float64Array(m);
  const s1 = new Float64Array(m);
  const s2 = new Float64Array(m);
  const qty = new Float64Array(m);
  // Column c of Q (knot j = c + 1) has entries at rows j-1, j, j+1: 1/h[j-1], -1/h[j-1] - 1/h[j], 1/h[j].
  const qa = (c: number): number => 1 / h[c];
  const qb = (c: number): number => -1 / h[c] - 1 / h[c + 1];
  const qc = (c: number): number => 1 / h[c + 1];
  for (let c = 0; c < m; c++) {
    const j = c + 1;
    r0[c] = (h[j - 1] + h[j]) / 3;
    if (c + 1 < m) r1[c] = h[j] / 6;
    const a = qa(c);
    const b = qb(c);
    const d = qc(c);
    qty[c] = a * y[j - 1] + b * y[j] + d * y[j + 1];
    s0[c] = (a * a) / w[j - 1] + (b * b) / w[j] + (d * d) / w[j + 1];
    if (c + 1 < m) s1[c] = (b * qa(c + 1)) / w[j] + (d * qb(c + 1)) / w[j + 1];
    if (c + 2 < m) s2[c] = (d * qa(c + 2)) / w[j + 1];
  }
  return { n, h, r0, r1, s0, s1, s2, qty, w, y, x };
}

/** LDL^T-type factorisation M = U^T D U of the pentadiagonal M = R + lam * Q^T W^-1 Q (U unit upper). */
function factor(p: Reinsch, lam: number): { d: Float64Array; u1: Float64Array; u2: Float64Array } {
  const m = p.n - 2;
  const d = new Float64Array(m);
  const u1 = new Float64Array(m);
  const u2 = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const a0 = p.r0[i] + lam * p.s0[i];
    const a1 = i + 1 < m ? p.r1[i] + lam * p.s1[i] : 0;
    const a2 = i + 2 < m ? lam * p.s2[i] : 0;
    // d_i = a0 - d_{i-1} u1_{i-1}^2 - d_{i-2} u2_{i-2}^2
    let di = a0;
    if (i >= 1) di -= d[i - 1] * u1[i - 1] * u1[i - 1];
    if (i >= 2) di -= d[i - 2] * u2[i - 2] * u2[i - 2];
    if (!(di > 0))
      throw new ExprfitError('value', `smoothing spline system is not positive definite (lam = ${lam})`);
    d[i] = di;
    // U[i, i+1] = (a1 - d_{i-1} u1_{i-1} u2_{i-1}) / d_i, U[i, i+2] = a2 / d_i
    let b1 = a1;
    if (i >= 1) b1 -= d[i - 1] * u1[i - 1] * u2[i - 1];
    u1[i] = b1 / di;
    u2[i] = a2 / di;
  }
  return { d, u1, u2 };
}

interface Fit {
  g: Float64Array;
  gamma: Float64Array;
  edf: number;
  gcv: number;
}

/** Solves U^T D U z = b in place (the factorisation of `factor`). */
function backsolve(
  f: { d: Float64Array; u1: Float64Array; u2: Float64Array },
  b: Float64Array,
): Float64Array {
  const { d, u1, u2 } = f;
  const m = d.length;
  const z = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let t = b[i];
    if (i >= 1) t -= u1[i - 1] * z[i - 1];
    if (i >= 2) t -= u2[i - 2] * z[i - 2];
    z[i] = t;
  }
  const x = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let t = z[i] / d[i];
    if (i + 1 < m) t -= u1[i] * x[i + 1];
    if (i + 2 < m) t -= u2[i] * x[i + 2];
    x[i] = t;
  }
  return x;
}

/** (Q v)_i for v over the interior knots (length n - 2). */
function applyQ(p: Reinsch, v: Float64Array, i: number): number {
  const m = p.n - 2;
  let q = 0;
  if (i - 2 >= 0 && i - 2 < m) q += v[i - 2] / p.h[i - 1];
  if (i - 1 >= 0 && i - 1 < m) q += v[i - 1] * (-1 / p.h[i - 1] - 1 / p.h[i]);
  if (i < m) q += v[i] / p.h[i];
  return q;
}

/** Q^T g (second divided differences times ... as in Green & Silverman), length n - 2. */
function applyQt(p: Reinsch, g: Float64Array): Float64Array {
  const m = p.n - 2;
  const out = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    const j = c + 1;
    out[c] = (g[j + 1] - g[j]) / p.h[j] - (g[j] - g[j - 1]) / p.h[j - 1];
  }
  return out;
}

/** R^-1 v for the tridiagonal R (Thomas algorithm; R is diagonally dominant). */
function solveR(p: Reinsch, v: Float64Array): Float64Array {
  const m = p.n - 2;
  const c = new Float64Array(m);
  const z = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const lo = i > 0 ? p.r1[i - 1] : 0;
    const den = p.r0[i] - lo * (i > 0 ? c[i - 1] : 0);
    c[i] = p.r1[i] / den;
    z[i] = (v[i] - lo * (i > 0 ? z[i - 1] : 0)) / den;
  }
  for (let i = m - 2; i >= 0; i--) z[i] -= c[i] * z[i + 1];
  return z;
}

/** Solves for lam (finite, >= 0): fitted values g, second derivatives, hat-matrix trace and GCV score. */
function solve(p: Reinsch, lam: number, wantTrace: boolean): Fit {
  const { n, w, y } = p;
  const m = n - 2;
  const fac = factor(p, lam);
  const { d, u1, u2 } = fac;
  // (R + lam Q^T W^-1 Q) gamma = Q^T y, g = y - lam W^-1 Q gamma
  const gam = backsolve(fac, p.qty);
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) g[i] = y[i] - (lam * applyQ(p, gam, i)) / w[i];
  // The solve loses accuracy when knots are very close (M's condition grows like 1/h_min^3); g is
  // well-determined, so refine it: the residual of W g + lam Q R^-1 Q^T g = W y, mapped through the
  // same Reinsch solve, corrects g (two steps bring it to ~1e-12 of the exact minimiser).
  if (lam > 0) {
    for (let it = 0; it < 2; it++) {
      const gk = solveR(p, applyQt(p, g));
      // residual in "y units": r = y - g - lam W^-1 Q R^-1 Q^T g
      const r = new Float64Array(n);
      for (let i = 0; i < n; i++) r[i] = y[i] - g[i] - (lam * applyQ(p, gk, i)) / w[i];
      // correction solves (W + lam K) delta = W r, i.e. the Reinsch problem with data r
      const e = backsolve(fac, applyQt(p, r));
      for (let i = 0; i < n; i++) g[i] += r[i] - (lam * applyQ(p, e, i)) / w[i];
    }
  }
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (y[i] - g[i]) ** 2;
  // second derivatives of the natural spline through g: R gamma = Q^T g
  const gamma = new Float64Array(n);
  gamma.set(lam > 0 ? solveR(p, applyQt(p, g)) : gam, 1);
  let edf = NaN;
  let gcv = NaN;
  if (wantTrace) {
    // central bands of B = M^-1 (Hutchinson & de Hoog), then tr(A) = n - lam * tr(B Q^T W^-1 Q)
    const b0 = new Float64Array(m);
    const b1 = new Float64Array(m);
    const b2 = new Float64Array(m);
    for (let i = m - 1; i >= 0; i--) {
      const v1 = i + 1 < m ? u1[i] : 0;
      const v2 = i + 2 < m ? u2[i] : 0;
      const B11 = i + 1 < m ? b0[i + 1] : 0;
      const B12 = i + 2 < m ? b1[i + 1] : 0;
      const B22 = i + 2 < m ? b0[i + 2] : 0;
      b2[i] = i + 2 < m ? -v1 * B12 - v2 * B22 : 0;
      b1[i] = i + 1 < m ? -v1 * B11 - v2 * B12 : 0;
      b0[i] = 1 / d[i] - v1 * b1[i] - v2 * b2[i];
    }
    let tr = 0;
    for (let i = 0; i < m; i++) {
      tr += b0[i] * p.s0[i];
      if (i + 1 < m) tr += 2 * b1[i] * p.s1[i];
      if (i + 2 < m) tr += 2 * b2[i] * p.s2[i];
    }
    edf = n - lam * tr;
    const den = 1 - edf / n;
    gcv = rss / n / (den * den);
  }
  return { g, gamma, edf, gcv };
}

/** Weighted least-squares line (the lam -> Infinity limit). */
function lineFit(p: Reinsch): Fit {
  const { x, y, w, n } = p;
  let sw = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sw += w[i];
    sx += w[i] * x[i];
    sy += w[i] * y[i];
  }
  const mx = sx / sw;
  const my = sy / sw;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += w[i] * (x[i] - mx) * (x[i] - mx);
    sxy += w[i] * (x[i] - mx) * (y[i] - my);
  }
  const b = sxy / sxx;
  const g = new Float64Array(n);
  let rss = 0;
  for (let i = 0; i < n; i++) {
    g[i] = my + b * (x[i] - mx);
    rss += (y[i] - g[i]) ** 2;
  }
  const den = 1 - 2 / n;
  return { g, gamma: new Float64Array(n), edf: 2, gcv: rss / n / (den * den) };
}

/**
 * scipy.optimize.minimize_scalar(method='bounded') (Brent's fminbound), ported step for step so the
 * chosen minimiser agrees with scipy's: xatol 1e-5, at most 500 evaluations.
 */
export function fminbound(
  f: (x: number) => number,
  x1: number,
  x2: number,
  xatol = 1e-5,
  maxfun = 500,
): number {
  const sqrtEps = Math.sqrt(2.2e-16);
  const golden = 0.5 * (3 - Math.sqrt(5));
  let a = x1;
  let b = x2;
  let fulc = a + golden * (b - a);
  let nfc = fulc;
  let xf = fulc;
  let rat = 0;
  let e = 0;
  let x = xf;
  let fx = f(x);
  let num = 1;
  let ffulc = fx;
  let fnfc = fx;
  let xm = 0.5 * (a + b);
  let tol1 = sqrtEps * Math.abs(xf) + xatol / 3;
  let tol2 = 2 * tol1;
  const sign = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : 0);
  while (Math.abs(xf - xm) > tol2 - 0.5 * (b - a)) {
    let doGolden = true;
    if (Math.abs(e) > tol1) {
      doGolden = false;
      let r = (xf - nfc) * (fx - ffulc);
      let q = (xf - fulc) * (fx - fnfc);
      let p = (xf - fulc) * q - (xf - nfc) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      q = Math.abs(q);
      r = e;
      e = rat;
      if (Math.abs(p) < Math.abs(0.5 * q * r) && p > q * (a - xf) && p < q * (b - xf)) {
        rat = (p + 0) / q;
        x = xf + rat;
        if (x - a < tol2 || b - x < tol2) {
          const si = sign(xm - xf) + (xm - xf === 0 ? 1 : 0);
          rat = tol1 * si;
        }
      } else doGolden = true;
    }
    if (doGolden) {
      e = xf >= xm ? a - xf : b - xf;
      rat = golden * e;
    }
    const si = sign(rat) + (rat === 0 ? 1 : 0);
    x = xf + si * Math.max(Math.abs(rat), tol1);
    const fu = f(x);
    num++;
    if (fu <= fx) {
      if (x >= xf) a = xf;
      else b = xf;
      fulc = nfc;
      ffulc = fnfc;
      nfc = xf;
      fnfc = fx;
      xf = x;
      fx = fu;
    } else {
      if (x < xf) a = x;
      else b = x;
      if (fu <= fnfc || nfc === xf) {
        fulc = nfc;
        ffulc = fnfc;
        nfc = x;
        fnfc = fu;
      } else if (fu <= ffulc || fulc === xf || fulc === nfc) {
        fulc = x;
        ffulc = fu;
      }
    }
    xm = 0.5 * (a + b);
    tol1 = sqrtEps * Math.abs(xf) + xatol / 3;
    tol2 = 2 * tol1;
    if (num >= maxfun) break;
  }
  return xf;
}

/**
 * Fits the natural cubic smoothing spline of (x, y): the minimiser over all functions of
 * sum w_i (y_i - f(x_i))^2 + lam * integral f''(t)^2 dt, a natural cubic spline with knots at the x_i,
 * found by Reinsch's algorithm (pentadiagonal solve, O(n)). Same objective and `lam` as
 * scipy.interpolate.make_smoothing_spline(x, y, w, lam); `smooth` = p is csaps' parameter
 * (lam = (1 - p)/p). With neither, lam minimises scipy's GCV criterion over (0, n) with scipy's bounded
 * Brent search, reproducing scipy's choice. x must be strictly increasing, n >= 5 (as scipy).
 */
export function smoothingSpline(
  x: ArrayLike<number> | NdArray,
  y: ArrayLike<number> | NdArray,
  opts: SmoothingSplineOptions = {},
): SmoothingSpline {
  const o = validateOptions(smoothingSplineSchema, opts);
  const xs = Float64Array.from(asVector(x, 'smoothingSpline x'));
  const ys = Float64Array.from(asVector(y, 'smoothingSpline y'));
  const n = xs.length;
  if (ys.length !== n) {
    throw new ExprfitError('shape', `smoothingSpline: x has ${n} values but y has ${ys.length}`);
  }
  if (n < 5) throw new ExprfitError('value', `smoothingSpline needs at least 5 points, got ${n}`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(xs[i])) throw new ExprfitError('value', `smoothingSpline x[${i}] is ${xs[i]}`);
    if (!Number.isFinite(ys[i])) throw new ExprfitError('value', `smoothingSpline y[${i}] is ${ys[i]}`);
    if (i > 0 && !(xs[i] > xs[i - 1])) {
      throw new ExprfitError(
        'value',
        `smoothingSpline x must be strictly increasing, but x[${i - 1}] = ${xs[i - 1]} and x[${i}] = ${xs[i]}`,
      );
    }
  }
  let w: Float64Array;
  if (o.weights === undefined) w = new Float64Array(n).fill(1);
  else {
    w = Float64Array.from(asVector(o.weights, 'smoothingSpline weights'));
    if (w.length !== n)
      throw new ExprfitError('shape', `smoothingSpline: ${n} points but ${w.length} weights`);
    for (let i = 0; i < n; i++) {
      if (!(w[i] > 0) || !Number.isFinite(w[i])) {
        throw new ExprfitError(
          'value',
          `smoothingSpline weights must be positive and finite, weights[${i}] is ${w[i]}`,
        );
      }
    }
  }
  const lam = o.smooth !== undefined ? lamOfSmooth(o.smooth) : (o.lam ?? NaN);
  const p = setup(xs, ys, w);
  const lamUsed = Number.isNaN(lam) ? fminbound((l) => solve(p, l, true).gcv, 0, n) : lam;
  const fit = lamUsed === Infinity ? lineFit(p) : solve(p, lamUsed, true);
  return makeSpline(xs, fit, lamUsed, o.extrapolate);
}

/** csaps' p as scipy's lam: lam = (1 - p) / p (p = 0 is the straight line). */
function lamOfSmooth(p: number): number {
  return p === 0 ? Infinity : (1 - p) / p;
}

function makeSpline(
  x: Float64Array,
  fit: Fit,
  lam: number,
  extrap: 'linear' | 'cubic' | 'nan',
): SmoothingSpline {
  const n = x.length;
  const g = fit.g;
  const gam = fit.gamma;
  // per-interval polynomial f = a + b t + c t^2 + d t^3, t = x - x_i
  const pb = new Float64Array(n - 1);
  const pc = new Float64Array(n - 1);
  const pd = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) {
    const h = x[i + 1] - x[i];
    pb[i] = (g[i + 1] - g[i]) / h - (h * (2 * gam[i] + gam[i + 1])) / 6;
    pc[i] = gam[i] / 2;
    pd[i] = (gam[i + 1] - gam[i]) / (6 * h);
  }
  const hl = x[n - 1] - x[n - 2];
  const slopeEnd = pb[n - 2] + 2 * pc[n - 2] * hl + 3 * pd[n - 2] * hl * hl;
  const evalOne = (v: number, nu: number): number => {
    if (v !== v) return NaN;
    if ((v < x[0] || v > x[n - 1]) && extrap !== 'cubic') {
      if (extrap === 'nan') return NaN;
      const left = v < x[0];
      const x0 = left ? x[0] : x[n - 1];
      const f0 = left ? g[0] : g[n - 1];
      const s = left ? pb[0] : slopeEnd;
      return nu === 0 ? f0 + s * (v - x0) : nu === 1 ? s : 0;
    }
    // interval: largest i with x[i] <= v, clipped to [0, n-2]
    let lo = 0;
    let hi = n - 2;
    if (v >= x[n - 2]) lo = n - 2;
    else if (v > x[0]) {
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (x[mid] <= v) lo = mid;
        else hi = mid;
      }
    }
    const t = v - x[lo];
    const a = g[lo];
    const b = pb[lo];
    const c = pc[lo];
    const d = pd[lo];
    switch (nu) {
      case 0:
        return a + t * (b + t * (c + t * d));
      case 1:
        return b + t * (2 * c + 3 * d * t);
      case 2:
        return 2 * c + 6 * d * t;
      default:
        return 6 * d;
    }
  };
  const evaluate = (xnew: ArrayLike<number> | NdArray | number, nu = 0): Float64Array => {
    if (!(nu === 0 || nu === 1 || nu === 2 || nu === 3)) {
      throw new ExprfitError(
        'value',
        `smoothing spline derivative order must be 0, 1, 2 or 3, got ${fmtValue(nu)}`,
      );
    }
    const xv = typeof xnew === 'number' ? Float64Array.of(xnew) : asVector(xnew, 'evaluation points');
    const out = new Float64Array(xv.length);
    for (let i = 0; i < xv.length; i++) out[i] = evalOne(xv[i], nu);
    return out;
  };
  return {
    x,
    values: g,
    secondDerivatives: gam,
    lam,
    smooth: lam === Infinity ? 0 : 1 / (1 + lam),
    edf: fit.edf,
    gcv: fit.gcv,
    evaluate,
    derivative: (xnew, order = 1) => evaluate(xnew, order),
  };
}
