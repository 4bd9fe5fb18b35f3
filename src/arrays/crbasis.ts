/**
 * Natural cubic regression spline basis, patsy's `cr()` (after mgcv's "cr" smooth, Wood 2006, 4.1.2).
 */
import {
  defineOptions,
  type ErrorCode,
  type ExprfitError,
  type ReasonOptions,
  functionError,
  opt,
  type OptionsInput,
  validateOptions,
} from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import { argOf, asArray, asVector, checkArraySize, fmtValue } from './util.ts';

/** Every error of crBasis / makeCrBasis names the function: `crBasis x[2] is NaN` (detail.function, reason). */
const FN = 'crBasis';
const arg = argOf(FN);

/** `crBasis <reason>` (`crBasis needs 'df' or 'knots'`), or `crBasis: <reason>` with `separator: ': '`. */
function crError(
  code: ErrorCode,
  reason: string,
  opts: ReasonOptions & { separator?: string } = {},
): ExprfitError {
  return functionError(code, FN, reason, { separator: ' ', ...opts });
}

function isArrayLike(v: unknown): v is ArrayLike<number> {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}

export type Constraints = 'center' | number[][] | NdArray;

/** The options of `crBasis` / `makeCrBasis`, declared once. */
export const crBasisSchema = defineOptions('crBasis', {
  /** Number of columns. Without `knots`, df - 2 + (number of constraints) interior knots at quantiles of x. */
  df: opt.integer({ doc: 'Number of columns (at least 2 without constraints)', min: 1 }),
  /** Interior knots (the boundary knots are lowerBound / upperBound). */
  knots: opt.custom<ArrayLike<number>>({
    doc: 'Interior knots (default: at quantiles of x)',
    accept: isArrayLike,
    expected: 'an array of numbers',
  }),
  /** Lower boundary knot (default min(x)). */
  lowerBound: opt.number({ doc: 'Lower boundary knot (default min(x))' }),
  /** Upper boundary knot (default max(x)). */
  upperBound: opt.number({ doc: 'Upper boundary knot (default max(x))' }),
  /**
   * 'center' (patsy `constraints='center'`: each column minus a combination making the fitted curve's
   * mean over the training x zero, one column fewer), or a constraint matrix C [c, k] (C beta = 0 for the
   * k unconstrained coefficients), absorbed by QR as patsy does. Default none.
   */
  constraints: opt.custom<Constraints>({
    doc: "'center' (fitted curve of mean zero) or a constraint matrix C [c, k]",
    accept: (v): v is Constraints => v === 'center' || Array.isArray(v) || v instanceof NdArray,
    expected: "'center' or a constraint matrix",
    words: ['center'],
  }),
});

export type CrBasisOptions = OptionsInput<typeof crBasisSchema>;

/** A fitted basis: knots and constraints are fixed by the training x and reused for new x. */
export interface CrBasis {
  /** All knots, boundary ones included, sorted. */
  readonly knots: Float64Array;
  /** Number of columns. */
  readonly df: number;
  /** The basis at new points: an [n, df] array. */
  transform(x: ArrayLike<number> | NdArray): NdArray;
}

/** An error before anything is allocated when k knots need a k x k matrix above the array limit (`cr(x, 1e6)`). */
function checkKnotCount(k: number): void {
  checkArraySize(arg(`with ${k} knots (its k x k spline matrix)`), [k, k]);
}

/** numpy.percentile(v, q) (method 'linear') of sorted v, with numpy's two-sided lerp. */
function percentileSorted(v: Float64Array, q: number): number {
  const n = v.length;
  const vi = (q / 100) * (n - 1);
  let lo = Math.floor(vi);
  if (lo >= n - 1) return v[n - 1];
  if (lo < 0) lo = 0;
  const t = vi - lo;
  const a = v[lo];
  const b = v[lo + 1];
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

function uniqueSorted(v: ArrayLike<number>): Float64Array {
  const s = Float64Array.from(v).sort();
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[i - 1]) out.push(s[i]);
  return Float64Array.from(out);
}

/** numpy.linspace(0, 100, k + 2)[1:-1] */
function innerPercents(k: number): number[] {
  const out: number[] = [];
  const step = 100 / (k + 1);
  for (let i = 1; i <= k; i++) out.push(i * step);
  return out;
}

/**
 * F (k x k, row-major): second derivatives at the knots of the natural cubic spline through values v,
 * f'' = F v (zero first and last rows). patsy's _get_natural_f.
 */
function naturalF(kn: Float64Array): Float64Array {
  const k = kn.length;
  const F = new Float64Array(k * k);
  if (k < 3) return F;
  const h = new Float64Array(k - 1);
  for (let i = 0; i < k - 1; i++) h[i] = kn[i + 1] - kn[i];
  const m = k - 2;
  // tridiagonal B (diag (h_i + h_{i+1})/3, off h_{i+1}/6) times Fm = D, D[i, i..i+2] = 1/h_i, -1/h_i - 1/h_{i+1}, 1/h_{i+1}
  const diag = new Float64Array(m);
  const off = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    diag[i] = (h[i] + h[i + 1]) / 3;
    if (i + 1 < m) off[i] = h[i + 1] / 6;
  }
  // Thomas algorithm, for every column of D at once
  const cp = new Float64Array(m);
  const dp = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const prev = i > 0 ? off[i - 1] * cp[i - 1] : 0;
    dp[i] = diag[i] - prev;
    cp[i] = off[i] / dp[i];
  }
  for (let col = 0; col < k; col++) {
    const z = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let rhs = 0;
      if (col === i) rhs = 1 / h[i];
      else if (col === i + 1) rhs = -1 / h[i] - 1 / h[i + 1];
      else if (col === i + 2) rhs = 1 / h[i + 1];
      z[i] = (rhs - (i > 0 ? off[i - 1] * z[i - 1] : 0)) / dp[i];
    }
    for (let i = m - 2; i >= 0; i--) z[i] -= cp[i] * z[i + 1];
    for (let i = 0; i < m; i++) F[(i + 1) * k + col] = z[i];
  }
  return F;
}

/** The unconstrained basis [n, k] (patsy _get_free_crs_dmatrix), linear outside the boundary knots. */
function freeBasis(x: Float64Array, kn: Float64Array, F: Float64Array): Float64Array {
  const k = kn.length;
  const n = x.length;
  const out = new Float64Array(n * k);
  const kmin = kn[0];
  const kmax = kn[k - 1];
  for (let p = 0; p < n; p++) {
    const v = x[p];
    // j = searchsorted(knots, v, 'left') - 1, clipped to [0, k - 2]
    let lo = 0;
    let hi = k;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (kn[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    let j = lo - 1;
    if (j < 0) j = 0;
    if (j > k - 2) j = k - 2;
    const hj = kn[j + 1] - kn[j];
    const xj1 = kn[j + 1] - v;
    const xj = v - kn[j];
    const ajm = xj1 / hj;
    const ajp = xj / hj;
    const cjm = (v > kmax ? 0 : (xj1 * xj1 * xj1) / (6 * hj)) - (hj * xj1) / 6;
    const cjp = (v < kmin ? 0 : (xj * xj * xj) / (6 * hj)) - (hj * xj) / 6;
    const row = p * k;
    out[row + j] += ajm;
    out[row + j + 1] += ajp;
    for (let c = 0; c < k; c++) out[row + c] += cjm * F[j * k + c] + cjp * F[(j + 1) * k + c];
  }
  return out;
}

/**
 * Full orthogonal Q (k x k, row-major) of the Householder QR of A (k x c, row-major), LAPACK's dgeqrf +
 * dorgqr conventions (beta = -sign(alpha) * norm), so the columns match scipy.linalg.qr.
 */
function householderQ(A: Float64Array, k: number, c: number): Float64Array {
  const a = Float64Array.from(A);
  const vs: Float64Array[] = [];
  const taus: number[] = [];
  for (let j = 0; j < Math.min(c, k); j++) {
    const alpha = a[j * c + j];
    let xn = 0;
    for (let i = j + 1; i < k; i++) xn = Math.hypot(xn, a[i * c + j]);
    const v = new Float64Array(k);
    v[j] = 1;
    let tau = 0;
    if (xn !== 0) {
      const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, xn);
      tau = (beta - alpha) / beta;
      const s = 1 / (alpha - beta);
      for (let i = j + 1; i < k; i++) v[i] = a[i * c + j] * s;
      a[j * c + j] = beta;
      for (let i = j + 1; i < k; i++) a[i * c + j] = 0;
      // apply H = I - tau v v^T to the remaining columns
      for (let col = j + 1; col < c; col++) {
        let dot = 0;
        for (let i = j; i < k; i++) dot += v[i] * a[i * c + col];
        for (let i = j; i < k; i++) a[i * c + col] -= tau * v[i] * dot;
      }
    }
    vs.push(v);
    taus.push(tau);
  }
  // Q = H_0 H_1 ... H_{c-1} I, applied right to left
  const Q = new Float64Array(k * k);
  for (let i = 0; i < k; i++) Q[i * k + i] = 1;
  for (let j = vs.length - 1; j >= 0; j--) {
    const v = vs[j];
    const tau = taus[j];
    if (tau === 0) continue;
    for (let col = 0; col < k; col++) {
      let dot = 0;
      for (let i = j; i < k; i++) dot += v[i] * Q[i * k + col];
      for (let i = j; i < k; i++) Q[i * k + col] -= tau * v[i] * dot;
    }
  }
  return Q;
}

/**
 * Builds the natural cubic regression spline basis of patsy's `cr(x, df=..., knots=..., lower_bound=...,
 * upper_bound=..., constraints=...)`: column j is the natural cubic spline (f'' = 0 at the boundary knots,
 * linear beyond them) that is 1 at knot j and 0 at the other knots. Knots default to min(x), max(x) and
 * df - 2 (+ number of constraints) interior knots at equally spaced percentiles of the unique x inside the
 * bounds (numpy.percentile, linear). Without constraints the columns sum to 1 and reproduce linear
 * functions; with 'center' the basis is multiplied by Q[:, 1:] from the QR of the column means.
 */
export function makeCrBasis(x: ArrayLike<number> | NdArray, opts: CrBasisOptions = {}): CrBasis {
  validateOptions(crBasisSchema, opts);
  const xs = Float64Array.from(asVector(x, arg('x')));
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i])) throw crError('value', `x[${i}] is ${xs[i]}`, { value: xs[i] });
  }
  if (opts.df === undefined && opts.knots === undefined) throw crError('option', "needs 'df' or 'knots'");
  let C: { rows: number; data: Float64Array } | null = null;
  let nCons = 0;
  if (opts.constraints !== undefined) {
    if (opts.constraints === 'center') nCons = 1;
    else {
      const cm = asArray(opts.constraints, arg('constraints'));
      const c2 = cm.ndim === 1 ? new NdArray(cm.data, [1, cm.size]) : cm;
      if (c2.ndim !== 2)
        throw crError('shape', `constraints must be a 2-D matrix, got ${cm.ndim} dims`, { value: cm });
      nCons = c2.shape[0];
      C = { rows: nCons, data: c2.data };
    }
  }
  let nInner: number | undefined;
  if (opts.df !== undefined) {
    const df = opts.df;
    const minDf = nCons === 0 ? 2 : 1;
    if (typeof df !== 'number' || !Number.isInteger(df) || df < minDf) {
      throw crError('value', `df must be an integer >= ${minDf}, got ${fmtValue(df)}`, { value: df });
    }
    nInner = df - 2 + nCons;
    checkKnotCount(nInner + 2);
  }
  if (xs.length === 0 && (opts.lowerBound === undefined || opts.upperBound === undefined)) {
    throw crError('value', 'x is empty, so lowerBound and upperBound must be given', { separator: ': ' });
  }
  let lower = opts.lowerBound ?? Infinity;
  let upper = opts.upperBound ?? -Infinity;
  if (opts.lowerBound === undefined) for (const v of xs) lower = Math.min(lower, v);
  if (opts.upperBound === undefined) for (const v of xs) upper = Math.max(upper, v);
  if (upper < lower) throw crError('value', `lowerBound ${lower} > upperBound ${upper}`);
  let inner: Float64Array;
  if (opts.knots === undefined) {
    const u = uniqueSorted(xs.filter((v) => v >= lower && v <= upper));
    if (u.length === 0) {
      if (nInner !== 0) {
        const reason = `no x values between ${lower} and ${upper} to place ${nInner} interior knot(s)`;
        throw crError('value', reason, { separator: ': ' });
      }
      inner = new Float64Array(0);
    } else inner = Float64Array.from(innerPercents(nInner!).map((q) => percentileSorted(u, q)));
  } else {
    const given = asVector(opts.knots, arg('knots'));
    for (let i = 0; i < given.length; i++) {
      if (!Number.isFinite(given[i])) {
        throw crError('value', `knots[${i}] is ${given[i]}: knots must be finite`, { value: given[i] });
      }
    }
    inner = uniqueSorted(given);
    if (nInner !== undefined && nInner !== inner.length) {
      const reason = `df = ${opts.df} needs ${nInner} interior knots but ${inner.length} were given`;
      throw crError('value', reason, { value: opts.df, separator: ': ' });
    }
    nInner = inner.length;
    checkKnotCount(nInner + 2);
    for (const k of inner) {
      if (k < lower || k > upper) {
        throw crError('value', `knot ${k} is outside the bounds [${lower}, ${upper}]`, { value: k });
      }
    }
  }
  const knots = uniqueSorted([lower, upper, ...inner]);
  if (knots.length !== nInner! + 2) {
    const reason =
      `cannot place ${nInner} interior knots + 2 boundary knots as distinct values ` +
      `(got knots ${fmtValue(Array.from(knots))} from ${xs.length} x values in [${lower}, ${upper}])`;
    throw crError('value', reason, { separator: ': ' });
  }
  const k = knots.length;
  const F = naturalF(knots);
  let cons: Float64Array | null = null;
  if (opts.constraints === 'center') {
    const dm = freeBasis(xs, knots, F);
    cons = new Float64Array(k);
    const n = xs.length;
    for (let p = 0; p < n; p++) for (let c = 0; c < k; c++) cons[c] += dm[p * k + c];
    for (let c = 0; c < k; c++) cons[c] /= n;
  } else if (C) {
    if (C.data.length !== C.rows * k) {
      const columns = C.data.length / C.rows;
      throw crError('shape', `constraints must have ${k} columns (one per knot), got ${columns}`, {
        value: columns,
      });
    }
    cons = C.data;
  }
  let Z: Float64Array | null = null;
  let df = k;
  if (cons) {
    // QR of C^T (k x c): Z = Q[:, c:]
    const c = nCons;
    const At = new Float64Array(k * c);
    for (let r = 0; r < c; r++) for (let col = 0; col < k; col++) At[col * c + r] = cons[r * k + col];
    const Q = householderQ(At, k, c);
    df = k - c;
    Z = new Float64Array(k * df);
    for (let i = 0; i < k; i++) for (let j = 0; j < df; j++) Z[i * df + j] = Q[i * k + c + j];
  }
  const transform = (xnew: ArrayLike<number> | NdArray): NdArray => {
    const xv = asVector(xnew, arg('x'));
    const n = xv.length;
    checkArraySize({ function: FN }, [n, Math.max(k, df)]);
    const free = freeBasis(xv, knots, F);
    if (!Z) return new NdArray(free, [n, k]);
    const out = new Float64Array(n * df);
    for (let p = 0; p < n; p++) {
      for (let i = 0; i < k; i++) {
        const f = free[p * k + i];
        if (f === 0) continue;
        for (let j = 0; j < df; j++) out[p * df + j] += f * Z[i * df + j];
      }
    }
    return new NdArray(out, [n, df]);
  };
  return { knots, df, transform };
}

/** The basis of `makeCrBasis(x, opts)` evaluated at x itself: an [n, df] design matrix. */
export function crBasis(x: ArrayLike<number> | NdArray, opts: CrBasisOptions = {}): NdArray {
  return makeCrBasis(x, opts).transform(x);
}
