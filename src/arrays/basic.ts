/**
 * Constructors, grids, reductions and shape manipulation over `NdArray` (numpy semantics unless stated).
 * Results are new arrays except `reshape` and `ravel`, which share the input's storage (like numpy views).
 */
import { defineOptions, ExprfitError, opt, type OptionsInput, validateOptions } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import {
  asArray,
  checkArraySize,
  checkFinite,
  checkInt,
  checkShape,
  fmtShape,
  fmtValue,
  normAxis,
  product,
} from './util.ts';

// ---------------------------------------------------------------------------------------------------------
// Constructors
// ---------------------------------------------------------------------------------------------------------

/**
 * `n` evenly spaced values from `a` to `b` (numpy.linspace): value i is `a + i*(b - a)/(n - 1)`, and the last
 * is exactly `b`. With `endpoint = false` the step is `(b - a)/n` and `b` is excluded.
 */
export function linspace(a: number, b: number, n = 50, endpoint = true): NdArray {
  checkFinite('linspace start', a);
  checkFinite('linspace stop', b);
  checkInt('linspace count', n, 0);
  const out = new Float64Array(checkArraySize(`linspace(${a}, ${b}, ${n})`, [n]));
  const div = endpoint ? n - 1 : n;
  const step = div > 0 ? (b - a) / div : NaN;
  for (let i = 0; i < n; i++) out[i] = div > 0 ? i * step + a : a;
  if (endpoint && n > 1) out[n - 1] = b;
  return new NdArray(out, [n]);
}

/**
 * Values `start, start + step, ...` below `stop` (above it for a negative step), numpy.arange:
 * length `ceil((stop - start)/step)`, value i is `start + i*step`. `arange(n)` is `0, 1, ..., n-1`.
 */
export function arange(start: number, stop?: number, step = 1): NdArray {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  checkFinite('arange start', start);
  checkFinite('arange stop', stop);
  checkFinite('arange step', step);
  if (step === 0) throw new ExprfitError('value', 'arange step must not be 0');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const out = new Float64Array(checkArraySize(`arange(${start}, ${stop}, ${step})`, [n]));
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  return new NdArray(out, [n]);
}

/** An array of zeros of the given shape (a number is a 1-D length). */
export function zeros(shape: number | readonly number[]): NdArray {
  const s = checkShape('zeros shape', shape);
  return new NdArray(new Float64Array(checkArraySize('zeros', s)), s);
}

/** An array of ones of the given shape. */
export function ones(shape: number | readonly number[]): NdArray {
  return filled('ones', shape, 1);
}

/** An array of the given shape filled with `value`. */
export function full(shape: number | readonly number[], value: number): NdArray {
  if (typeof value !== 'number')
    throw new ExprfitError('type', `full value must be a number, got ${fmtValue(value)}`);
  return filled('full', shape, value);
}

function filled(fn: string, shape: number | readonly number[], value: number): NdArray {
  const s = checkShape(`${fn} shape`, shape);
  return new NdArray(new Float64Array(checkArraySize(fn, s)).fill(value), s);
}

// ---------------------------------------------------------------------------------------------------------
// Grids
// ---------------------------------------------------------------------------------------------------------

/** The options of `grid`, declared once. */
export const gridSchema = defineOptions('grid', {
  /** Return full [h, w] arrays instead of the broadcastable [1, w] / [h, 1] pair. */
  full: opt.boolean({ doc: 'Full [h, w] arrays instead of the broadcastable [1, w] / [h, 1] pair' }),
});

export type GridOptions = OptionsInput<typeof gridSchema>;

/**
 * Pixel-centre coordinates of an image (or of a shape [h, w]): `x` is the column index and `y` the row
 * index, so pixel (row i, column j) has centre (x = j, y = i) and covers [j - 0.5, j + 0.5] x [i - 0.5, i + 0.5].
 * By default `x` has shape [1, w] and `y` [h, 1] (they broadcast to [h, w], like numpy's `np.ogrid`);
 * `{ full: true }` gives both as [h, w] (numpy `np.meshgrid(np.arange(w), np.arange(h))`).
 */
export function grid(
  imgOrShape: NdArray | readonly number[],
  opts: GridOptions = {},
): { x: NdArray; y: NdArray } {
  const shape = imgOrShape instanceof NdArray ? imgOrShape.shape : checkShape('grid shape', imgOrShape);
  if (shape.length !== 2) {
    throw new ExprfitError('shape', `grid needs a 2-D image or shape [h, w], got shape ${fmtShape(shape)}`);
  }
  const { full } = validateOptions(gridSchema, opts);
  const [h, w] = shape;
  checkArraySize('grid', shape, full ? undefined : Math.max(h, w));
  if (!full) {
    const x = new Float64Array(w);
    for (let j = 0; j < w; j++) x[j] = j;
    const y = new Float64Array(h);
    for (let i = 0; i < h; i++) y[i] = i;
    return { x: new NdArray(x, [1, w]), y: new NdArray(y, [h, 1]) };
  }
  const x = new Float64Array(h * w);
  const y = new Float64Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      x[i * w + j] = j;
      y[i * w + j] = i;
    }
  }
  return { x: new NdArray(x, [h, w]), y: new NdArray(y, [h, w]) };
}

/**
 * numpy.meshgrid(x, y) with the default 'xy' indexing: both outputs have shape [len(y), len(x)],
 * `X[i, j] = x[j]`, `Y[i, j] = y[i]`. Inputs of any shape are flattened (as numpy does).
 */
export function meshgrid(x: NdArray | ArrayLike<number>, y: NdArray | ArrayLike<number>): [NdArray, NdArray] {
  const xv = asArray(x, 'meshgrid x').data;
  const yv = asArray(y, 'meshgrid y').data;
  const nx = xv.length;
  const ny = yv.length;
  checkArraySize('meshgrid', [ny, nx]);
  const X = new Float64Array(nx * ny);
  const Y = new Float64Array(nx * ny);
  for (let i = 0; i < ny; i++) {
    X.set(xv, i * nx);
    Y.fill(yv[i], i * nx, (i + 1) * nx);
  }
  return [new NdArray(X, [ny, nx]), new NdArray(Y, [ny, nx])];
}

// ---------------------------------------------------------------------------------------------------------
// Reductions
// ---------------------------------------------------------------------------------------------------------

export interface ReduceOptions {
  /** Keep the reduced axis with size 1 (numpy keepdims), so the result broadcasts against the input. */
  keepdims?: boolean;
}

export interface StdOptions extends ReduceOptions {
  /** Delta degrees of freedom: the divisor is n - ddof (numpy default 0; MATLAB's std uses 1). */
  ddof?: number;
}

interface Split {
  outer: number;
  n: number;
  inner: number;
  shape: number[];
}

function split(a: NdArray, axis: number | undefined, keepdims: boolean, fn: string): Split {
  if (axis === undefined) {
    return { outer: 1, n: a.size, inner: 1, shape: keepdims ? a.shape.map(() => 1) : [] };
  }
  if (a.ndim === 0) throw new ExprfitError('value', `${fn}: axis ${axis} is out of range for a 0-d array`);
  const ax = normAxis(axis, a.ndim, `${fn} axis`);
  const shape = a.shape.slice();
  if (keepdims) shape[ax] = 1;
  else shape.splice(ax, 1);
  return {
    outer: product(a.shape.slice(0, ax)),
    n: a.shape[ax],
    inner: product(a.shape.slice(ax + 1)),
    shape,
  };
}

/** Sums over the rows of a [outer, n, inner] view into out[outer*inner]. */
function sumInto(d: Float64Array, s: Split, out: Float64Array): void {
  const { outer, n, inner } = s;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) out[o] = pairwiseSum(d, o * n, n);
    return;
  }
  for (let o = 0; o < outer; o++) {
    const ob = o * inner;
    const base = o * n * inner;
    for (let k = 0; k < n; k++) {
      const rb = base + k * inner;
      for (let j = 0; j < inner; j++) out[ob + j] += d[rb + j];
    }
  }
}

/** Pairwise summation of d[off .. off+n) (error O(log n · eps), like numpy's contiguous sum). */
function pairwiseSum(d: Float64Array, off: number, n: number): number {
  if (n <= 128) {
    let s0 = 0;
    let s1 = 0;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      s0 += d[off + i];
      s1 += d[off + i + 1];
    }
    if (i < n) s0 += d[off + i];
    return s0 + s1;
  }
  const h = (n >> 1) & ~7;
  return pairwiseSum(d, off, h) + pairwiseSum(d, off + h, n - h);
}

/** Sum of all elements (axis omitted) or along `axis`; numpy.sum. Returns a 0-d array for a full reduction. */
export function sum(a: NdArray, axis?: number, opts: ReduceOptions = {}): NdArray {
  a = asArray(a, 'sum argument');
  const s = split(a, axis, !!opts.keepdims, 'sum');
  const out = new Float64Array(s.outer * s.inner);
  sumInto(a.data, s, out);
  return new NdArray(out, s.shape);
}

/** Arithmetic mean (numpy.mean); the mean of an empty axis is NaN. */
export function mean(a: NdArray, axis?: number, opts: ReduceOptions = {}): NdArray {
  a = asArray(a, 'mean argument');
  const s = split(a, axis, !!opts.keepdims, 'mean');
  const out = new Float64Array(s.outer * s.inner);
  sumInto(a.data, s, out);
  for (let i = 0; i < out.length; i++) out[i] /= s.n;
  return new NdArray(out, s.shape);
}

/**
 * Standard deviation sqrt(sum((x - mean)^2) / (n - ddof)), two-pass; numpy.std (ddof = 0 by default,
 * the population std; pass `{ ddof: 1 }` for MATLAB's std / the sample std).
 */
export function std(a: NdArray, axis?: number, opts: StdOptions = {}): NdArray {
  a = asArray(a, 'std argument');
  const ddof = opts.ddof ?? 0;
  checkFinite('std ddof', ddof);
  const s = split(a, axis, !!opts.keepdims, 'std');
  const m = new Float64Array(s.outer * s.inner);
  sumInto(a.data, s, m);
  for (let i = 0; i < m.length; i++) m[i] /= s.n;
  const out = new Float64Array(m.length);
  const { outer, n, inner } = s;
  const d = a.data;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < n; k++) {
      const rb = (o * n + k) * inner;
      for (let j = 0; j < inner; j++) {
        const t = d[rb + j] - m[o * inner + j];
        out[o * inner + j] += t * t;
      }
    }
  }
  const div = n - ddof;
  for (let i = 0; i < out.length; i++) out[i] = div > 0 ? Math.sqrt(out[i] / div) : NaN;
  return new NdArray(out, s.shape);
}

function extremum(a: NdArray, axis: number | undefined, opts: ReduceOptions, fn: 'min' | 'max'): NdArray {
  a = asArray(a, `${fn} argument`);
  const s = split(a, axis, !!opts.keepdims, fn);
  if (s.n === 0) {
    throw new ExprfitError('value', `${fn} of an empty array (shape ${fmtShape(a.shape)}) has no value`);
  }
  const { outer, n, inner } = s;
  const d = a.data;
  const out = new Float64Array(outer * inner);
  const isMax = fn === 'max';
  for (let o = 0; o < outer; o++) {
    const ob = o * inner;
    out.set(d.subarray(o * n * inner, o * n * inner + inner), ob);
    for (let k = 1; k < n; k++) {
      const rb = (o * n + k) * inner;
      for (let j = 0; j < inner; j++) {
        const v = d[rb + j];
        const cur = out[ob + j];
        // NaN propagates (numpy): once NaN, stays NaN; a NaN v replaces.
        if (v !== v) out[ob + j] = v;
        else if (isMax ? v > cur : v < cur) out[ob + j] = v;
      }
    }
  }
  return new NdArray(out, s.shape);
}

/** Minimum (numpy.min / amin; NaN propagates). An empty reduction is an error. */
export function min(a: NdArray, axis?: number, opts: ReduceOptions = {}): NdArray {
  return extremum(a, axis, opts, 'min');
}

/** Maximum (numpy.max / amax; NaN propagates). An empty reduction is an error. */
export function max(a: NdArray, axis?: number, opts: ReduceOptions = {}): NdArray {
  return extremum(a, axis, opts, 'max');
}

// ---------------------------------------------------------------------------------------------------------
// Shape manipulation
// ---------------------------------------------------------------------------------------------------------

/** numpy.reshape: one entry may be -1 (inferred). Shares the input's storage. */
export function reshape(a: NdArray, shape: number | readonly number[]): NdArray {
  a = asArray(a, 'reshape argument');
  const req = typeof shape === 'number' ? [shape] : [...shape];
  let infer = -1;
  let known = 1;
  for (let i = 0; i < req.length; i++) {
    const d = req[i];
    if (d === -1 && infer < 0) {
      infer = i;
      continue;
    }
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ExprfitError('value', `reshape: bad size ${fmtValue(d)} in shape ${fmtValue(shape)}`);
    }
    known *= d;
  }
  if (infer >= 0) {
    if (known === 0 || a.size % known !== 0) {
      throw new ExprfitError(
        'shape',
        `cannot reshape an array of shape ${fmtShape(a.shape)} (${a.size} values) into ${fmtShape(req)}`,
      );
    }
    req[infer] = a.size / known;
  } else if (known !== a.size) {
    throw new ExprfitError(
      'shape',
      `cannot reshape an array of shape ${fmtShape(a.shape)} (${a.size} values) into ${fmtShape(req)}`,
    );
  }
  return new NdArray(a.data, req);
}

/** Flattens to 1-D in C order (numpy.ravel). Shares the input's storage. */
export function ravel(a: NdArray): NdArray {
  a = asArray(a, 'ravel argument');
  return new NdArray(a.data, [a.size]);
}

/** Cache-blocked transpose of a [rows, cols] block of `src` into `dst` [cols, rows]. */
export function transpose2dInto(src: Float64Array, rows: number, cols: number, dst: Float64Array): void {
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) {
        const r = i * cols;
        for (let j = j0; j < j1; j++) dst[j * rows + i] = src[r + j];
      }
    }
  }
}

/**
 * numpy.transpose: reverses the axes, or permutes them by `perm` (output axis i is input axis perm[i]).
 * Returns a new C-ordered array.
 */
export function transpose(a: NdArray, perm?: readonly number[]): NdArray {
  a = asArray(a, 'transpose argument');
  const nd = a.ndim;
  let p: number[];
  if (perm === undefined) {
    p = a.shape.map((_, i) => nd - 1 - i);
  } else {
    if (!Array.isArray(perm) || perm.length !== nd) {
      throw new ExprfitError(
        'value',
        `transpose: axes ${fmtValue(perm)} do not match an array of shape ${fmtShape(a.shape)} (${nd} dims)`,
      );
    }
    p = perm.map((ax) => normAxis(ax, nd, 'transpose axis'));
    if (new Set(p).size !== nd)
      throw new ExprfitError('value', `transpose: repeated axis in ${fmtValue(perm)}`);
  }
  const shape = p.map((ax) => a.shape[ax]);
  const out = new Float64Array(a.size);
  if (nd === 2 && p[0] === 1) {
    transpose2dInto(a.data, a.shape[0], a.shape[1], out);
    return new NdArray(out, shape);
  }
  const st = a.strides;
  copyStrided(
    a.data,
    0,
    shape,
    p.map((ax) => st[ax]),
    out,
  );
  return new NdArray(out, shape);
}

/** Copies the strided view (offset, shape, strides) of src into dst in C order. */
function copyStrided(
  src: Float64Array,
  offset: number,
  shape: readonly number[],
  strides: readonly number[],
  dst: Float64Array,
): void {
  const nd = shape.length;
  const total = product(shape);
  if (total === 0) return;
  if (nd === 0) {
    dst[0] = src[offset];
    return;
  }
  const last = nd - 1;
  const n = shape[last];
  const s = strides[last];
  const idx = new Array<number>(nd).fill(0);
  let base = offset;
  let k = 0;
  while (k < total) {
    if (s === 1) {
      dst.set(src.subarray(base, base + n), k);
      k += n;
    } else {
      for (let j = 0, q = base; j < n; j++, q += s) dst[k++] = src[q];
    }
    // advance the odometer over the outer axes
    let ax = last - 1;
    while (ax >= 0) {
      idx[ax]++;
      base += strides[ax];
      if (idx[ax] < shape[ax]) break;
      base -= strides[ax] * shape[ax];
      idx[ax] = 0;
      ax--;
    }
    if (ax < 0) break;
  }
}

/** A numpy basic-slicing item: `start:stop:step` with any part omitted. */
export interface SliceSpec {
  start?: number | null;
  stop?: number | null;
  step?: number | null;
}

/**
 * One index item: an integer (selects one position and drops the axis; negative counts from the end),
 * a `SliceSpec`, `null` or `':'` (the whole axis), a string `'a:b:c'` (parts may be empty), or `'...'`
 * (as many whole axes as needed; at most one).
 */
export type SliceItem = number | SliceSpec | null | string;

function parseSliceString(s: string): SliceSpec | number {
  const t = s.trim();
  if (!t.includes(':')) {
    const v = Number(t);
    if (t === '' || !Number.isInteger(v)) throw new ExprfitError('value', `bad index '${s}'`);
    return v;
  }
  const parts = t.split(':');
  if (parts.length > 3) throw new ExprfitError('value', `bad slice '${s}': at most start:stop:step`);
  const num = (p: string | undefined): number | null => {
    if (p === undefined || p.trim() === '') return null;
    const v = Number(p);
    if (!Number.isInteger(v)) throw new ExprfitError('value', `bad slice '${s}': '${p}' is not an integer`);
    return v;
  };
  return { start: num(parts[0]), stop: num(parts[1]), step: num(parts[2]) };
}

/**
 * numpy basic slicing `a[items]`: one item per leading axis (missing trailing items mean whole axes).
 * Slices follow Python's rules (negative start/stop count from the end, out-of-range bounds are clipped,
 * negative steps walk backwards); an integer item must be in range and drops its axis. Returns a copy.
 */
export function slice(a: NdArray, items: readonly SliceItem[]): NdArray {
  a = asArray(a, 'slice argument');
  if (!Array.isArray(items))
    throw new ExprfitError('type', `slice items must be a list, got ${fmtValue(items)}`);
  let list: (number | SliceSpec | null)[] = items.map((it) =>
    typeof it === 'string' && it.trim() !== '...'
      ? it.trim() === ':'
        ? null
        : parseSliceString(it)
      : (it as number | SliceSpec | null),
  );
  const ell = items.findIndex((it) => typeof it === 'string' && it.trim() === '...');
  if (ell >= 0) {
    if (items.findIndex((it, i) => i > ell && typeof it === 'string' && it.trim() === '...') >= 0) {
      throw new ExprfitError('value', `slice: at most one '...' is allowed`);
    }
    const fill = a.ndim - (items.length - 1);
    if (fill < 0) {
      throw new ExprfitError(
        'shape',
        `too many indices (${items.length - 1}) for an array of shape ${fmtShape(a.shape)}`,
      );
    }
    list = [...list.slice(0, ell), ...new Array<null>(fill).fill(null), ...list.slice(ell + 1)];
  }
  if (list.length > a.ndim) {
    throw new ExprfitError(
      'shape',
      `too many indices (${list.length}) for an array of shape ${fmtShape(a.shape)}`,
    );
  }
  const st = a.strides;
  let offset = 0;
  const shape: number[] = [];
  const strides: number[] = [];
  for (let ax = 0; ax < a.ndim; ax++) {
    const n = a.shape[ax];
    const it = ax < list.length ? list[ax] : null;
    if (typeof it === 'number') {
      if (!Number.isInteger(it))
        throw new ExprfitError('value', `index ${it} for axis ${ax} is not an integer`);
      const k = it < 0 ? it + n : it;
      if (k < 0 || k >= n) {
        throw new ExprfitError(
          'value',
          `index ${it} is out of bounds for axis ${ax} with size ${n} (shape ${fmtShape(a.shape)})`,
        );
      }
      offset += k * st[ax];
      continue;
    }
    if (it !== null && (typeof it !== 'object' || Array.isArray(it))) {
      throw new ExprfitError(
        'type',
        `slice item for axis ${ax} must be an integer, a slice or null, got ${fmtValue(it)}`,
      );
    }
    const spec = it ?? {};
    const step = spec.step ?? 1;
    if (!Number.isInteger(step) || step === 0) {
      throw new ExprfitError(
        'value',
        `slice step for axis ${ax} must be a non-zero integer, got ${fmtValue(spec.step)}`,
      );
    }
    for (const [k, v] of [
      ['start', spec.start],
      ['stop', spec.stop],
    ] as const) {
      if (v !== null && v !== undefined && !Number.isInteger(v)) {
        throw new ExprfitError('value', `slice ${k} for axis ${ax} must be an integer, got ${fmtValue(v)}`);
      }
    }
    const adjust = (v: number | null | undefined, dflt: number): number => {
      if (v === null || v === undefined) return dflt;
      if (v < 0) {
        v += n;
        if (v < 0) v = step < 0 ? -1 : 0;
      } else if (v >= n) v = step < 0 ? n - 1 : n;
      return v;
    };
    const start = adjust(spec.start, step < 0 ? n - 1 : 0);
    const stop = adjust(spec.stop, step < 0 ? -1 : n);
    let len: number;
    if (step < 0) len = stop < start ? Math.floor((start - stop - 1) / -step) + 1 : 0;
    else len = start < stop ? Math.floor((stop - start - 1) / step) + 1 : 0;
    if (len > 0) offset += start * st[ax];
    shape.push(len);
    strides.push(step * st[ax]);
  }
  const out = new Float64Array(product(shape));
  copyStrided(a.data, offset, shape, strides, out);
  return new NdArray(out, shape);
}

/** numpy.concatenate along `axis` (default 0): all other sizes must agree. */
export function concat(arrays: readonly NdArray[], axis = 0): NdArray {
  if (!Array.isArray(arrays) || arrays.length === 0) {
    throw new ExprfitError('value', 'concat needs at least one array');
  }
  const arrs = arrays.map((x, i) => asArray(x, `concat array #${i + 1}`));
  const nd = arrs[0].ndim;
  if (nd === 0) throw new ExprfitError('shape', 'concat: 0-d arrays cannot be concatenated');
  const ax = normAxis(axis, nd, 'concat axis');
  for (let i = 1; i < arrs.length; i++) {
    const s = arrs[i].shape;
    const bad = s.length !== nd || s.some((d, k) => k !== ax && d !== arrs[0].shape[k]);
    if (bad) {
      throw new ExprfitError(
        'shape',
        `concat along axis ${ax}: shapes ${arrs.map((x) => fmtShape(x.shape)).join(', ')} differ outside that axis ` +
          `(array #${i + 1} ${fmtShape(s)} vs #1 ${fmtShape(arrs[0].shape)})`,
      );
    }
  }
  const outer = product(arrs[0].shape.slice(0, ax));
  const inner = product(arrs[0].shape.slice(ax + 1));
  const shape = arrs[0].shape.slice();
  shape[ax] = arrs.reduce((t, x) => t + x.shape[ax], 0);
  const out = new Float64Array(checkArraySize('concat', shape));
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (const x of arrs) {
      const chunk = x.shape[ax] * inner;
      out.set(x.data.subarray(o * chunk, (o + 1) * chunk), k);
      k += chunk;
    }
  }
  return new NdArray(out, shape);
}
