/**
 * Gaussian kernels, densities and heatmaps: gausskernel, mvnpdf / mvnpdf2, gaussian2d, sumOfGaussians,
 * probUnion.
 */
import {
  defineOptions,
  ExprfitError,
  opt,
  subjectError,
  type OptionsInput,
  validateOptions,
} from '../core/index.ts';
import { broadcastShapes, broadcastTo, NdArray } from '../data/index.ts';
import { normMass } from './special.ts';
import {
  argOf,
  asArray,
  asMatrix,
  checkArraySize,
  checkFinite,
  checkInt,
  checkPositive,
  checkShape,
  fmtShape,
  fmtValue,
  perAxis,
  product,
} from './util.ts';

export type KernelMode = 'sample' | 'integrate';

/**
 * One normalised 1-D Gaussian kernel of `n` taps centred on the middle of the window: pixel k has centre
 * offset o_k = k - (n - 1)/2. 'sample': exp(-o^2 / (2 sigma^2)); 'integrate': the normal probability mass
 * of the pixel [o_k - 1/2, o_k + 1/2], i.e. Phi((o + 1/2)/sigma) - Phi((o - 1/2)/sigma). Sums to 1.
 */
export function gausskernel1d(n: number, sigma: number, mode: KernelMode = 'sample'): Float64Array {
  checkInt('gausskernel size', n, 1);
  checkArraySize('gausskernel', [n]);
  checkPositive('gausskernel sigma', sigma);
  if (mode !== 'sample' && mode !== 'integrate') {
    throw new ExprfitError(
      'option',
      `gausskernel mode must be 'sample' or 'integrate', got ${fmtValue(mode)}`,
    );
  }
  const k = new Float64Array(n);
  const c = (n - 1) / 2;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const o = i - c;
    const v =
      mode === 'sample'
        ? Math.exp((-0.5 * o * o) / (sigma * sigma))
        : normMass((o - 0.5) / sigma, (o + 0.5) / sigma);
    k[i] = v;
    s += v;
  }
  if (!(s > 0)) {
    throw new ExprfitError(
      'value',
      `gausskernel: sigma ${sigma} is too small for a ${mode}d kernel of size ${n}`,
    );
  }
  for (let i = 0; i < n; i++) k[i] /= s;
  return k;
}

/**
 * A Gaussian kernel normalised to sum 1, as the outer product of 1-D kernels (see `gausskernel1d`).
 * `size`: a number n gives a square [n, n] kernel; a list gives that shape (one entry: a 1-D kernel;
 * `[rows, cols]`: 2-D; any number of dims). `sigma`: a number for all axes or one per axis in the same order
 * as `size` ([sy, sx] for [rows, cols]).
 * 'integrate' equals `np.diff(scipy.stats.norm.cdf(edges, 0, sigma))` over the pixel edges
 * `np.arange(n + 1) - n/2`, outer-multiplied and divided by the sum.
 */
export function gausskernel(
  size: number | readonly number[],
  sigma: number | readonly number[],
  mode: KernelMode = 'sample',
): NdArray {
  const shape = typeof size === 'number' ? [size, size] : checkShape('gausskernel size', size);
  if (shape.length === 0) throw new ExprfitError('value', 'gausskernel size must have at least one entry');
  checkArraySize('gausskernel', shape);
  const sig = perAxis('gausskernel sigma', sigma, shape.length);
  const ks = shape.map((n, i) => gausskernel1d(n, sig[i], mode));
  return outer(ks, shape);
}

/** Outer product of 1-D vectors into an array of the given shape. */
function outer(vs: readonly Float64Array[], shape: readonly number[]): NdArray {
  let cur = Float64Array.of(1);
  for (const v of vs) {
    const next = new Float64Array(cur.length * v.length);
    for (let i = 0; i < cur.length; i++) {
      const c = cur[i];
      const b = i * v.length;
      for (let j = 0; j < v.length; j++) next[b + j] = c * v[j];
    }
    cur = next;
  }
  return new NdArray(cur, shape);
}

// ---------------------------------------------------------------------------------------------------------
// Multivariate normal density
// ---------------------------------------------------------------------------------------------------------

/** Covariance as a d x d row-major matrix: a number (variance, isotropic), a length-d diagonal, or d x d. */
function covMatrix(cov: unknown, d: number): Float64Array {
  if (typeof cov === 'number') {
    checkPositive('mvnpdf variance', cov);
    const m = new Float64Array(d * d);
    for (let i = 0; i < d; i++) m[i * d + i] = cov;
    return m;
  }
  const a = asArray(cov, 'mvnpdf cov');
  if (a.ndim === 1 && a.shape[0] === d) {
    const m = new Float64Array(d * d);
    for (let i = 0; i < d; i++) m[i * d + i] = a.data[i];
    return m;
  }
  if (a.ndim !== 2 || a.shape[0] !== d || a.shape[1] !== d) {
    throw new ExprfitError(
      'shape',
      `mvnpdf cov must be ${d}x${d} (or a length-${d} diagonal) for a mean of length ${d}, got shape ${fmtShape(a.shape)}`,
    );
  }
  return Float64Array.from(a.data);
}

/**
 * Cholesky factor L (lower, row-major) of a symmetric positive-definite d x d matrix; throws an
 * ExprfitError naming the matrix when it is not symmetric or not positive definite.
 */
export function cholesky(m: Float64Array, d: number, name = 'covariance'): Float64Array {
  for (let i = 0; i < d * d; i++) {
    if (!Number.isFinite(m[i])) throw new ExprfitError('value', `${name} contains ${m[i]}`);
  }
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      const a = m[i * d + j];
      const b = m[j * d + i];
      if (
        Math.abs(a - b) >
        1e-12 * Math.max(Math.abs(a), Math.abs(b), Math.abs(m[i * d + i]), Math.abs(m[j * d + j]))
      ) {
        throw new ExprfitError(
          'value',
          `${name} ${fmtMat(m, d)} is not symmetric: [${i}, ${j}] = ${a} but [${j}, ${i}] = ${b}`,
        );
      }
    }
  }
  const L = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = m[j * d + j];
    for (let k = 0; k < j; k++) s -= L[j * d + k] * L[j * d + k];
    if (!(s > 0)) {
      throw new ExprfitError(
        'value',
        `${name} ${fmtMat(m, d)} is not positive definite (Cholesky pivot ${j} is ${s})`,
      );
    }
    const ljj = Math.sqrt(s);
    L[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = m[i * d + j];
      for (let k = 0; k < j; k++) t -= L[i * d + k] * L[j * d + k];
      L[i * d + j] = t / ljj;
    }
  }
  return L;
}

function fmtMat(m: Float64Array, d: number): string {
  if (d > 4) return `(${d}x${d})`;
  const rows: string[] = [];
  for (let i = 0; i < d; i++) rows.push(`[${Array.from(m.subarray(i * d, i * d + d)).join(', ')}]`);
  return `[${rows.join(', ')}]`;
}

/**
 * Multivariate normal density (MATLAB `mvnpdf(X, mu, Sigma)`, scipy `multivariate_normal.pdf(X, mu, Sigma)`)
 * at each row of `points` [n, d]; returns an array of shape [n]. A 1-D `points` is one point when d > 1 and
 * n scalar points when d = 1. `cov` is a d x d symmetric positive-definite matrix (a number means
 * `cov * I`, a length-d list a diagonal). Uses a Cholesky factorisation; a matrix that is not positive
 * definite is an ExprfitError.
 */
export function mvnpdf(
  points: NdArray | ArrayLike<number> | number[][],
  mean: ArrayLike<number> | NdArray | number,
  cov: unknown,
): NdArray {
  const mu = typeof mean === 'number' ? Float64Array.of(mean) : asArray(mean, 'mvnpdf mean').data;
  const d = mu.length;
  if (d === 0) throw new ExprfitError('value', 'mvnpdf mean is empty');
  for (let i = 0; i < d; i++) checkFinite(`mvnpdf mean[${i}]`, mu[i]);
  let P = asArray(points, 'mvnpdf points');
  if (P.ndim === 1) P = d === 1 ? new NdArray(P.data, [P.size, 1]) : new NdArray(P.data, [1, P.size]);
  else if (P.ndim === 0) P = new NdArray(P.data, [1, 1]);
  P = asMatrix(P, 'mvnpdf points');
  if (P.shape[1] !== d) {
    throw new ExprfitError(
      'shape',
      `mvnpdf points have ${P.shape[1]} columns (shape ${fmtShape(P.shape)}) but the mean has length ${d}`,
    );
  }
  const L = cholesky(covMatrix(cov, d), d, 'mvnpdf covariance');
  let logdet = 0;
  for (let i = 0; i < d; i++) logdet += Math.log(L[i * d + i]);
  const logc = -0.5 * d * Math.log(2 * Math.PI) - logdet;
  const n = P.shape[0];
  const out = new Float64Array(n);
  const z = new Float64Array(d);
  const x = P.data;
  for (let p = 0; p < n; p++) {
    // forward substitution L z = x - mu
    let q = 0;
    for (let i = 0; i < d; i++) {
      let t = x[p * d + i] - mu[i];
      for (let k = 0; k < i; k++) t -= L[i * d + k] * z[k];
      const zi = t / L[i * d + i];
      z[i] = zi;
      q += zi * zi;
    }
    out[p] = Math.exp(logc - 0.5 * q);
  }
  return new NdArray(out, [n]);
}

/** Broadcasts x and y; 1-D inputs are taken as meshgrid axes (x a row [1, w], y a column [h, 1]). */
function xyPair(x: unknown, y: unknown, fn: string): { X: NdArray; Y: NdArray; shape: number[] } {
  let X = asArray(x, `${fn} x`);
  let Y = asArray(y, `${fn} y`);
  if (X.ndim === 1) X = new NdArray(X.data, [1, X.size]);
  if (Y.ndim === 1) Y = new NdArray(Y.data, [Y.size, 1]);
  const shape = broadcastShapes([X.shape, Y.shape], [`${fn} x`, `${fn} y`]);
  checkArraySize(fn, shape);
  return { X, Y, shape };
}

export { broadcastTo };

/** True when X varies only along the last axis and Y only along the first of a 2-D shape. */
function separableAxes(X: NdArray, Y: NdArray, shape: number[]): boolean {
  if (shape.length !== 2) return false;
  const xr = X.ndim === 2 ? X.shape[0] === 1 : X.ndim <= 1;
  const yc = Y.ndim === 2 && Y.shape[1] === 1;
  return xr && yc;
}

/**
 * Bivariate normal density on a grid: `mvnpdf2(x, y, mean, cov)` with x, y broadcasting (the [1, w] / [h, 1]
 * pair from `grid`, or full meshgrid arrays; 1-D x is a row and 1-D y a column) gives an [h, w] array equal to
 * `scipy.stats.multivariate_normal(mean, cov).pdf(np.dstack([X, Y]))` / MATLAB `mvnpdf([X(:) Y(:)], mu, Sigma)`
 * reshaped. `mean` = [mx, my]; `cov` a 2 x 2 matrix [[sxx, sxy], [sxy, syy]] (or a number / [sxx, syy]).
 */
export function mvnpdf2(x: unknown, y: unknown, mean: ArrayLike<number> | NdArray, cov: unknown): NdArray {
  const mu = asArray(mean, 'mvnpdf2 mean').data;
  if (mu.length !== 2)
    throw new ExprfitError('shape', `mvnpdf2 mean must have 2 entries [mx, my], got ${mu.length}`);
  checkFinite('mvnpdf2 mean[0]', mu[0]);
  checkFinite('mvnpdf2 mean[1]', mu[1]);
  const { X, Y, shape } = xyPair(x, y, 'mvnpdf2');
  const L = cholesky(covMatrix(cov, 2), 2, 'mvnpdf2 covariance');
  const l00 = L[0];
  const l10 = L[2];
  const l11 = L[3];
  const c = -Math.log(2 * Math.PI) - Math.log(l00) - Math.log(l11);
  const n = product(shape);
  const out = new Float64Array(n);
  if (separableAxes(X, Y, shape)) {
    const [h, w] = shape;
    const xs = X.data;
    const ys = Y.data;
    const z0 = new Float64Array(w);
    for (let j = 0; j < w; j++) z0[j] = (xs[X.size === 1 ? 0 : j] - mu[0]) / l00;
    for (let i = 0; i < h; i++) {
      const dy = ys[Y.size === 1 ? 0 : i] - mu[1];
      const b = i * w;
      for (let j = 0; j < w; j++) {
        const a = z0[j];
        const z1 = (dy - l10 * a) / l11;
        out[b + j] = Math.exp(c - 0.5 * (a * a + z1 * z1));
      }
    }
    return new NdArray(out, shape);
  }
  const xs = broadcastTo(X, shape);
  const ys = broadcastTo(Y, shape);
  for (let k = 0; k < n; k++) {
    const a = (xs[k] - mu[0]) / l00;
    const z1 = (ys[k] - mu[1] - l10 * a) / l11;
    out[k] = Math.exp(c - 0.5 * (a * a + z1 * z1));
  }
  return new NdArray(out, shape);
}

// ---------------------------------------------------------------------------------------------------------
// Heatmaps
// ---------------------------------------------------------------------------------------------------------

export interface Gaussian2dParams {
  /** Centre (x is the column coordinate, y the row coordinate). */
  mx: number;
  my: number;
  /** Standard deviations along the Gaussian's own axes (before rotation). */
  sx: number;
  sy: number;
  /** Rotation in radians of the Gaussian's x axis from the +x (column) axis towards +y (down the rows). */
  theta?: number;
  /** Peak value (default 1). */
  amplitude?: number;
  /** Multiply by 1/(2 pi sx sy) so that amplitude 1 gives the probability density. */
  normalize?: boolean;
}

/**
 * amplitude * exp(-(u^2/(2 sx^2) + v^2/(2 sy^2))) with u = cos(theta) dx + sin(theta) dy,
 * v = -sin(theta) dx + cos(theta) dy, dx = x - mx, dy = y - my, over the broadcast shape of x and y
 * (1-D x is a row [1, w], 1-D y a column [h, 1]).
 * With theta = 0 and x a row, y a column (the `grid` pair), it is computed separably as the outer product
 * exp(-dy^2/(2 sy^2)) * exp(-dx^2/(2 sx^2)): h + w exponentials instead of h * w.
 */
export function gaussian2d(x: unknown, y: unknown, p: Gaussian2dParams): NdArray {
  if (p === null || typeof p !== 'object')
    throw new ExprfitError('type', `gaussian2d parameters must be an object, got ${fmtValue(p)}`);
  const mx = checkFinite('gaussian2d mx', p.mx);
  const my = checkFinite('gaussian2d my', p.my);
  const sx = checkPositive('gaussian2d sx', p.sx);
  const sy = checkPositive('gaussian2d sy', p.sy);
  const theta = checkFinite('gaussian2d theta', p.theta ?? 0);
  let amp = checkFinite('gaussian2d amplitude', p.amplitude ?? 1);
  if (p.normalize) amp /= 2 * Math.PI * sx * sy;
  const { X, Y, shape } = xyPair(x, y, 'gaussian2d');
  const n = product(shape);
  const out = new Float64Array(n);
  const ax = -0.5 / (sx * sx);
  const ay = -0.5 / (sy * sy);
  if (theta === 0 && separableAxes(X, Y, shape)) {
    const [h, w] = shape;
    const ex = new Float64Array(w);
    for (let j = 0; j < w; j++) {
      const d = X.data[X.size === 1 ? 0 : j] - mx;
      ex[j] = Math.exp(ax * d * d);
    }
    for (let i = 0; i < h; i++) {
      const d = Y.data[Y.size === 1 ? 0 : i] - my;
      const e = amp * Math.exp(ay * d * d);
      const b = i * w;
      for (let j = 0; j < w; j++) out[b + j] = e * ex[j];
    }
    return new NdArray(out, shape);
  }
  const ct = Math.cos(theta);
  const st = Math.sin(theta);
  const xs = broadcastTo(X, shape);
  const ys = broadcastTo(Y, shape);
  for (let k = 0; k < n; k++) {
    const dx = xs[k] - mx;
    const dy = ys[k] - my;
    const u = ct * dx + st * dy;
    const v = -st * dx + ct * dy;
    out[k] = amp * Math.exp(ax * u * u + ay * v * v);
  }
  return new NdArray(out, shape);
}

/** The arguments of `sumOfGaussians` in its errors: `sumOfGaussians centres ...` with detail.function. */
const sog = argOf('sumOfGaussians');

/** The options of `sumOfGaussians`, declared once. */
export const sumOfGaussiansSchema = defineOptions('sumOfGaussians', {
  /** Half-width of each kernel's window in its sigmas (default 4); Infinity adds every kernel everywhere. */
  truncate: opt.custom<number, true>({
    doc: "Half-width of each kernel's window in its sigmas (Infinity: everywhere)",
    default: 4,
    accept: (v): v is number => typeof v === 'number' && v > 0,
    expected: 'a number > 0 (Infinity allowed)',
  }),
  /** Scale each kernel by 1/(2 pi sx sy) (probability densities). */
  normalize: opt.boolean({
    doc: 'Scale each kernel by 1/(2π·sx·sy) (probability densities)',
    default: false,
  }),
});

export type SumOfGaussiansOptions = OptionsInput<typeof sumOfGaussiansSchema>;

/**
 * Sum of axis-aligned Gaussians on an image of `shape` [h, w] (pixel centres at integer x = column,
 * y = row, as `grid`). `centres` is [k, 2] with rows (x, y); `sigmas` a number, k numbers, or [k, 2] rows
 * (sx, sy); `amplitudes` a number or k numbers (peak values; default 1). Each kernel is added only inside
 * its window |x - mx| <= truncate*sx, |y - my| <= truncate*sy, separably (one exp per window row and
 * column), so the cost is the sum of the window areas. Dropped tails are below exp(-truncate^2/2) of the
 * peak (3.4e-4 at the default 4).
 */
export function sumOfGaussians(
  shape: readonly number[],
  centres: NdArray | number[][],
  sigmas: number | ArrayLike<number> | NdArray | number[][],
  amplitudes: number | ArrayLike<number> | NdArray = 1,
  opts: SumOfGaussiansOptions = {},
): NdArray {
  const s = checkShape(sog('shape'), shape);
  if (s.length !== 2)
    throw subjectError('shape', sog('shape'), `shape must be [h, w], got ${fmtShape(s)}`, { value: s });
  const [h, w] = s;
  checkArraySize({ function: 'sumOfGaussians' }, s);
  const { truncate: trunc, normalize } = validateOptions(sumOfGaussiansSchema, opts);
  const C = asMatrix(centres, sog('centres'));
  if (C.shape[1] !== 2) {
    const reason = `centres must be [k, 2] rows (x, y), got shape ${fmtShape(C.shape)}`;
    throw subjectError('shape', sog('centres'), reason, { value: C });
  }
  const k = C.shape[0];
  const sxs = new Float64Array(k);
  const sys = new Float64Array(k);
  if (typeof sigmas === 'number') {
    checkPositive(sog('sigma'), sigmas);
    sxs.fill(sigmas);
    sys.fill(sigmas);
  } else {
    const S = asArray(sigmas, sog('sigmas'));
    if (S.ndim === 1 && S.size === k) {
      sxs.set(S.data);
      sys.set(S.data);
    } else if (S.ndim === 2 && S.shape[0] === k && S.shape[1] === 2) {
      for (let i = 0; i < k; i++) {
        sxs[i] = S.data[2 * i];
        sys[i] = S.data[2 * i + 1];
      }
    } else {
      const reason = `sigmas must be a number, ${k} numbers or [${k}, 2] rows (sx, sy), got shape ${fmtShape(S.shape)}`;
      throw subjectError('shape', sog('sigmas'), reason, { value: S });
    }
    for (let i = 0; i < k; i++) {
      checkPositive(sog(`sigma sx[${i}]`), sxs[i]);
      checkPositive(sog(`sigma sy[${i}]`), sys[i]);
    }
  }
  const amps = new Float64Array(k);
  if (typeof amplitudes === 'number') amps.fill(checkFinite(sog('amplitude'), amplitudes));
  else {
    const A = asArray(amplitudes, sog('amplitudes'));
    if (A.size !== k) {
      const reason = `amplitudes must be a number or ${k} numbers, got ${A.size}`;
      throw subjectError('shape', sog('amplitudes'), reason, { value: A });
    }
    amps.set(A.data);
  }
  const out = new Float64Array(h * w);
  const ex = new Float64Array(w);
  for (let g = 0; g < k; g++) {
    const mx = checkFinite(sog(`centres[${g}][0]`), C.data[2 * g]);
    const my = checkFinite(sog(`centres[${g}][1]`), C.data[2 * g + 1]);
    const sx = sxs[g];
    const sy = sys[g];
    let a = amps[g];
    checkFinite(sog(`amplitudes[${g}]`), a);
    if (normalize) a /= 2 * Math.PI * sx * sy;
    const j0 = Math.max(0, Math.ceil(mx - trunc * sx));
    const j1 = Math.min(w - 1, Math.floor(mx + trunc * sx));
    const i0 = Math.max(0, Math.ceil(my - trunc * sy));
    const i1 = Math.min(h - 1, Math.floor(my + trunc * sy));
    if (j0 > j1 || i0 > i1) continue;
    const axc = -0.5 / (sx * sx);
    const ayc = -0.5 / (sy * sy);
    for (let j = j0; j <= j1; j++) ex[j] = Math.exp(axc * (j - mx) * (j - mx));
    for (let i = i0; i <= i1; i++) {
      const e = a * Math.exp(ayc * (i - my) * (i - my));
      const b = i * w;
      for (let j = j0; j <= j1; j++) out[b + j] += e * ex[j];
    }
  }
  return new NdArray(out, [h, w]);
}

/**
 * 1 - (1 - P1)(1 - P2)...(1 - Pk) elementwise: the probability that at least one of independent events
 * with probabilities P1..Pk happens (the seed's heatmap of two kernels). The arrays broadcast.
 */
export function probUnion(arrays: readonly NdArray[]): NdArray {
  if (!Array.isArray(arrays) || arrays.length === 0)
    throw new ExprfitError('value', 'probUnion needs at least one array');
  const arrs = arrays.map((a, i) => asArray(a, `probUnion array #${i + 1}`));
  const shape = broadcastShapes(
    arrs.map((a) => a.shape),
    arrs.map((_, i) => `array #${i + 1}`),
  );
  const n = checkArraySize('probUnion', shape);
  const ds = arrs.map((a) => broadcastTo(a, shape));
  const out = new Float64Array(n);
  if (ds.length === 2) {
    const [p, q] = ds;
    for (let i = 0; i < n; i++) out[i] = 1 - (1 - p[i]) * (1 - q[i]);
  } else {
    const p = ds[0];
    for (let i = 0; i < n; i++) out[i] = 1 - p[i];
    for (let k = 1; k < ds.length; k++) {
      const q = ds[k];
      for (let i = 0; i < n; i++) out[i] *= 1 - q[i];
    }
    for (let i = 0; i < n; i++) out[i] = 1 - out[i];
  }
  return new NdArray(out, shape);
}

/**
 * The seed's heatmap in one pass: 1 - (1 - G_1)(1 - G_2)...(1 - G_k) with G_k = `gaussian2d(x, y, kernels[k])`,
 * equal to `probUnion(kernels.map((k) => gaussian2d(x, y, k)))` but without the intermediate arrays: for
 * axis-aligned kernels on a row x / column y grid each G_k is an outer product of two 1-D factors, so the
 * cost is k multiply-adds per pixel and no exp at all in the pixel loop.
 */
export function gaussianUnion(x: unknown, y: unknown, kernels: readonly Gaussian2dParams[]): NdArray {
  if (!Array.isArray(kernels) || kernels.length === 0) {
    throw new ExprfitError('value', 'gaussianUnion needs at least one kernel');
  }
  const { X, Y, shape } = xyPair(x, y, 'gaussianUnion');
  const sep = separableAxes(X, Y, shape) && kernels.every((k) => (k?.theta ?? 0) === 0);
  if (!sep) return probUnion(kernels.map((k) => gaussian2d(X, Y, k)));
  const [h, w] = shape;
  const K = kernels.length;
  const ex: Float64Array[] = [];
  const ey: Float64Array[] = [];
  kernels.forEach((p, k) => {
    if (p === null || typeof p !== 'object') {
      throw new ExprfitError('type', `gaussianUnion kernel #${k + 1} must be an object, got ${fmtValue(p)}`);
    }
    const name = `gaussianUnion kernel #${k + 1}`;
    const mx = checkFinite(`${name} mx`, p.mx);
    const my = checkFinite(`${name} my`, p.my);
    const sx = checkPositive(`${name} sx`, p.sx);
    const sy = checkPositive(`${name} sy`, p.sy);
    let amp = checkFinite(`${name} amplitude`, p.amplitude ?? 1);
    if (p.normalize) amp /= 2 * Math.PI * sx * sy;
    const fx = new Float64Array(w);
    for (let j = 0; j < w; j++) {
      const d = X.data[X.size === 1 ? 0 : j] - mx;
      fx[j] = Math.exp((-0.5 * d * d) / (sx * sx));
    }
    const fy = new Float64Array(h);
    for (let i = 0; i < h; i++) {
      const d = Y.data[Y.size === 1 ? 0 : i] - my;
      fy[i] = amp * Math.exp((-0.5 * d * d) / (sy * sy));
    }
    ex.push(fx);
    ey.push(fy);
  });
  const out = new Float64Array(h * w);
  if (K === 2) {
    const [ax, bx] = ex;
    for (let i = 0; i < h; i++) {
      const a = ey[0][i];
      const b = ey[1][i];
      const r = i * w;
      for (let j = 0; j < w; j++) out[r + j] = 1 - (1 - a * ax[j]) * (1 - b * bx[j]);
    }
  } else {
    for (let i = 0; i < h; i++) {
      const r = i * w;
      out.fill(1, r, r + w);
      for (let k = 0; k < K; k++) {
        const a = ey[k][i];
        const fx = ex[k];
        for (let j = 0; j < w; j++) out[r + j] *= 1 - a * fx[j];
      }
      for (let j = 0; j < w; j++) out[r + j] = 1 - out[r + j];
    }
  }
  return new NdArray(out, shape);
}
