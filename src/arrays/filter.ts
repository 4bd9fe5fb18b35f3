/**
 * gaussfilter: scipy.ndimage.gaussian_filter (order 0) for arrays of any dimension, separable, with the
 * ndimage boundary modes.
 */
import { codeGenerationAllowed } from '../compile/index.ts';
import { ExprfitError } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import { asArray, checkFinite, fmtValue, perAxis, product } from './util.ts';

export type FilterMode = 'reflect' | 'nearest' | 'mirror' | 'constant' | 'wrap';

const MODE_ALIASES: Record<string, FilterMode> = {
  reflect: 'reflect',
  'grid-mirror': 'reflect',
  nearest: 'nearest',
  mirror: 'mirror',
  constant: 'constant',
  'grid-constant': 'constant',
  wrap: 'wrap',
  'grid-wrap': 'wrap',
};

/**
 * The 1-D weights scipy uses: radius r = floor(truncate*sigma + 0.5) (Python `int()`), taps
 * exp(-x^2 / (2 sigma^2)) for x = -r..r, divided by their sum. Returns the r + 1 weights w[0..r] of
 * offsets 0..r (the kernel is symmetric).
 */
export function gaussianWeights(sigma: number, truncate = 4, radius?: number): Float64Array {
  const r = radius ?? kernelRadius(sigma, truncate);
  const w = new Float64Array(r + 1);
  const s2 = sigma * sigma;
  let sum = 0;
  // phi = exp(-0.5 / sigma^2 * x^2), as scipy's _gaussian_kernel1d computes it
  for (let x = -r; x <= r; x++) {
    const v = Math.exp((-0.5 / s2) * x * x);
    sum += v;
    if (x >= 0) w[x] = v;
  }
  for (let k = 0; k <= r; k++) w[k] /= sum;
  return w;
}

/**
 * Beyond this many sigmas every tap exp(-x^2 / (2 sigma^2)) is exactly 0 in double precision (exp underflows
 * below -745.2), so a longer kernel adds only zero weights: truncate = 1e9 costs what truncate = 39 costs.
 */
const ZERO_TAPS_BEYOND = Math.sqrt(2 * 745.2);

/** scipy's radius floor(truncate*sigma + 0.5), less the taps that are exactly zero. */
function kernelRadius(sigma: number, truncate: number): number {
  return Math.min(Math.trunc(truncate * sigma + 0.5), Math.ceil(ZERO_TAPS_BEYOND * sigma));
}

/**
 * The longest kernel radius: 2^24 taps (sigma up to 4e6 at truncate 4). Every output value reads 2r + 1
 * inputs, so a longer kernel costs minutes and gigabytes (sigma = 1e9 was 8 GB and no end).
 */
const MAX_RADIUS = 2 ** 24;

/** The radius of one axis' kernel, or an error naming sigma and truncate when it is over {@link MAX_RADIUS}. */
function checkedRadius(axis: number, sigma: number, truncate: number): number {
  const r = kernelRadius(sigma, truncate);
  if (r > MAX_RADIUS) {
    throw new ExprfitError(
      'value',
      `gaussfilter sigma ${sigma} for axis ${axis} (truncate ${truncate}) needs a kernel of radius ` +
        `${r.toExponential(3)}, more than the limit of ${MAX_RADIUS} (2^24)`,
    );
  }
  return r;
}

/** Source index in [0, n) for the extended position p (any integer), or -1 for the constant mode. */
export function extendIndex(p: number, n: number, mode: FilterMode): number {
  if (p >= 0 && p < n) return p;
  switch (mode) {
    case 'nearest':
      return p < 0 ? 0 : n - 1;
    case 'wrap':
      return ((p % n) + n) % n;
    case 'reflect': {
      // d c b a | a b c d | d c b a : period 2n
      const q = ((p % (2 * n)) + 2 * n) % (2 * n);
      return q < n ? q : 2 * n - 1 - q;
    }
    case 'mirror': {
      // d c b | a b c d | c b a : period 2n - 2
      if (n === 1) return 0;
      const per = 2 * n - 2;
      const q = ((p % per) + per) % per;
      return q < n ? q : per - q;
    }
    case 'constant':
      return -1;
  }
}

// Generated kernels: one straight-line expression per output value over up to PAIRS symmetric tap pairs,
// with the weights and row offsets in locals (V8 keeps them in registers). Built once per tap count.
const PAIRS = 16;

type LineKernel = (
  buf: Float64Array,
  dst: Float64Array,
  base: number,
  n: number,
  w: Float64Array,
  k0: number,
) => void;
type RowKernel = (
  src: Float64Array,
  dst: Float64Array,
  db: number,
  inner: number,
  offs: Int32Array,
  w: Float64Array,
  k0: number,
) => void;

const lineKernels = new Map<string, LineKernel>();

/** Sums terms as a balanced tree: short dependency chains let the CPU overlap the additions. */
function treeSum(terms: readonly string[]): string {
  if (terms.length === 1) return terms[0];
  const h = terms.length >> 1;
  return `(${treeSum(terms.slice(0, h))} + ${treeSum(terms.slice(h))})`;
}
const rowKernels = new Map<string, RowKernel>();

/** The line kernel's sums as plain loops, where code generation from strings is disallowed. */
function lineLoop(P: number, init: boolean): LineKernel {
  return (buf, dst, base, n, w, k0) => {
    const r = (buf.length - n) >> 1;
    for (let i = 0; i < n; i++) {
      const c = i + r;
      let s = init ? w[0] * buf[c] : dst[base + i];
      for (let q = k0; q < k0 + P; q++) s += w[q] * (buf[c + q] + buf[c - q]);
      dst[base + i] = s;
    }
  };
}

/** The row kernel's sums as plain loops, where code generation from strings is disallowed. */
function rowLoop(P: number, init: boolean): RowKernel {
  return (src, dst, db, inner, offs, w, k0) => {
    for (let j = 0; j < inner; j++) {
      let s = init ? w[0] * src[offs[0] + j] : dst[db + j];
      for (let k = k0; k < k0 + P; k++) s += w[k] * (src[offs[2 * k - 1] + j] + src[offs[2 * k] + j]);
      dst[db + j] = s;
    }
  };
}

/**
 * dst[base + i] (=|+=) [w[0]*buf[i + r]] + sum over p < P of w[k0 + p] * (buf[c + k] + buf[c - k]),
 * c = i + r, k = k0 + p, for a line buffer padded by r on both sides. `init` writes, otherwise adds.
 */
function lineKernel(P: number, init: boolean): LineKernel {
  const key = `${P}:${init}`;
  let f = lineKernels.get(key);
  if (!f) {
    const decl: string[] = ['const r = buf.length - n >> 1;'];
    const terms: string[] = [];
    if (init) {
      decl.push('const w0 = w[0];');
      terms.push('w0 * buf[c]');
    }
    for (let p = 0; p < P; p++) {
      decl.push(`const q${p} = k0 + ${p}, v${p} = w[q${p}];`);
      terms.push(`v${p} * (buf[c + q${p}] + buf[c - q${p}])`);
    }
    const body = `${decl.join('\n')}
for (let i = 0; i < n; i++) { const c = i + r; dst[base + i] ${init ? '=' : '+='} ${treeSum(terms)}; }`;
    f = codeGenerationAllowed()
      ? (new Function('buf', 'dst', 'base', 'n', 'w', 'k0', body) as LineKernel)
      : lineLoop(P, init);
    lineKernels.set(key, f);
  }
  return f;
}

/**
 * One output row of a non-last-axis pass: dst[db + j] (=|+=) [w[0]*src[offs[0] + j]] + sum over p < P of
 * w[k0 + p] * (src[offs[2(k0+p)-1] + j] + src[offs[2(k0+p)] + j]).
 */
function rowKernel(P: number, init: boolean): RowKernel {
  const key = `${P}:${init}`;
  let f = rowKernels.get(key);
  if (!f) {
    const decl: string[] = [];
    const terms: string[] = [];
    if (init) {
      decl.push('const w0 = w[0], o0 = offs[0];');
      terms.push('w0 * src[o0 + j]');
    }
    for (let p = 0; p < P; p++) {
      decl.push(
        `const v${p} = w[k0 + ${p}], a${p} = offs[2 * (k0 + ${p}) - 1], b${p} = offs[2 * (k0 + ${p})];`,
      );
      terms.push(`v${p} * (src[a${p} + j] + src[b${p} + j])`);
    }
    const body = `${decl.join('\n')}
for (let j = 0; j < inner; j++) dst[db + j] ${init ? '=' : '+='} ${treeSum(terms)};`;
    f = codeGenerationAllowed()
      ? (new Function('src', 'dst', 'db', 'inner', 'offs', 'w', 'k0', body) as RowKernel)
      : rowLoop(P, init);
    rowKernels.set(key, f);
  }
  return f;
}

// Register-blocked kernels for radius <= RMAX: U outputs per step share the 2r + U loaded inputs, so an
// output costs (2r + U)/U loads instead of 2r + 1. One generated function per (radius, U).
const RMAX = 32;
const U = 4;

type LineKernelU = (buf: Float64Array, dst: Float64Array, base: number, n: number, w: Float64Array) => void;
type RowKernelU = (
  src: Float64Array,
  dst: Float64Array,
  db: number,
  inner: number,
  offs: Int32Array,
  w: Float64Array,
) => void;
const lineKernelsU = new Map<string, LineKernelU>();
const rowKernelsU = new Map<string, RowKernelU>();

/** The output at window position u: w0*b[r+u] + sum_k w_k (b[r+u+k] + b[r+u-k]), as a balanced tree. */
function outputExpr(r: number, u: number, ref: (m: number) => string): string {
  const terms = [`w0 * ${ref(r + u)}`];
  for (let k = 1; k <= r; k++) terms.push(`v${k} * (${ref(r + u + k)} + ${ref(r + u - k)})`);
  return treeSum(terms);
}

function weightDecl(r: number): string {
  const d = ['const w0 = w[0];'];
  for (let k = 1; k <= r; k++) d.push(`const v${k} = w[${k}];`);
  return d.join(' ');
}

/** dst[base + i] = filtered buf (padded by r each side), i = 0..n-1; U outputs per step, then the rest. */
function lineKernelU(r: number, u: number): LineKernelU {
  const key = `${r}:${u}`;
  let f = lineKernelsU.get(key);
  if (!f) {
    const loads: string[] = [];
    for (let m = 0; m < 2 * r + u; m++) loads.push(`const b${m} = buf[i + ${m}];`);
    const outs: string[] = [];
    for (let q = 0; q < u; q++) outs.push(`dst[base + i + ${q}] = ${outputExpr(r, q, (m) => `b${m}`)};`);
    const body = `${weightDecl(r)}
let i = 0;
for (; i + ${u} <= n; i += ${u}) { ${loads.join(' ')}
${outs.join('\n')} }
for (; i < n; i++) dst[base + i] = ${outputExpr(r, 0, (m) => `buf[i + ${m}]`)};`;
    f = new Function('buf', 'dst', 'base', 'n', 'w', body) as LineKernelU;
    lineKernelsU.set(key, f);
  }
  return f;
}

/**
 * u output rows at dst[db + q*inner + j], q < u, from the 2r + u input rows starting at offs[0..2r+u-1]
 * (the rows i - r .. i + r + u - 1 after boundary mapping).
 */
function rowKernelU(r: number, u: number): RowKernelU {
  const key = `${r}:${u}`;
  let f = rowKernelsU.get(key);
  if (!f) {
    const decl: string[] = [weightDecl(r)];
    for (let m = 0; m < 2 * r + u; m++) decl.push(`const o${m} = offs[${m}];`);
    for (let q = 0; q < u; q++) decl.push(`const d${q} = db + ${q} * inner;`);
    const loads: string[] = [];
    for (let m = 0; m < 2 * r + u; m++) loads.push(`const b${m} = src[o${m} + j];`);
    const outs: string[] = [];
    for (let q = 0; q < u; q++) outs.push(`dst[d${q} + j] = ${outputExpr(r, q, (m) => `b${m}`)};`);
    const body = `${decl.join('\n')}
for (let j = 0; j < inner; j++) { ${loads.join(' ')}
${outs.join('\n')} }`;
    f = new Function('src', 'dst', 'db', 'inner', 'offs', 'w', body) as RowKernelU;
    rowKernelsU.set(key, f);
  }
  return f;
}

/** Filters the lines of a contiguous [outer, n] block (last axis) into `dst`, which may be `src`: each line is copied into a padded buffer before its outputs are written. */
function passLast(
  src: Float64Array,
  dst: Float64Array,
  outer: number,
  n: number,
  w: Float64Array,
  mode: FilterMode,
  cval: number,
): void {
  const r = w.length - 1;
  const map = new Int32Array(n + 2 * r);
  for (let p = 0; p < n + 2 * r; p++) map[p] = extendIndex(p - r, n, mode);
  const buf = new Float64Array(n + 2 * r);
  const blocked = r <= RMAX && codeGenerationAllowed() ? lineKernelU(r, U) : null;
  const first = blocked ? null : lineKernel(Math.min(PAIRS, r), true);
  for (let o = 0; o < outer; o++) {
    const base = o * n;
    buf.set(src.subarray(base, base + n), r);
    for (let p = 0; p < r; p++) {
      const a = map[p];
      buf[p] = a < 0 ? cval : src[base + a];
      const q = n + r + p;
      const b = map[q];
      buf[q] = b < 0 ? cval : src[base + b];
    }
    if (blocked) {
      blocked(buf, dst, base, n, w);
      continue;
    }
    first!(buf, dst, base, n, w, 1);
    for (let k0 = 1 + PAIRS; k0 <= r; k0 += PAIRS)
      lineKernel(Math.min(PAIRS, r - k0 + 1), false)(buf, dst, base, n, w, k0);
  }
}

/**
 * Filters along a non-last axis of a contiguous [outer, n, inner] block: each output row (length inner)
 * is a weighted sum of whole input rows, so every access is contiguous. In 'constant' mode the source is
 * copied once with an extra row of cval at its end, which out-of-range taps point to.
 */
function passMiddle(
  src: Float64Array,
  dst: Float64Array,
  outer: number,
  n: number,
  inner: number,
  w: Float64Array,
  mode: FilterMode,
  cval: number,
): void {
  const r = w.length - 1;
  let s = src;
  const cRow = outer * n * inner;
  if (mode === 'constant') {
    s = new Float64Array(cRow + inner);
    s.set(src);
    s.fill(cval, cRow);
  }
  const rowOff = (ob: number, p: number): number => {
    const a = extendIndex(p, n, mode);
    return a < 0 ? cRow : ob + a * inner;
  };
  if (r <= RMAX && codeGenerationAllowed()) {
    const kU = rowKernelU(r, U);
    const k1 = rowKernelU(r, 1);
    const offs = new Int32Array(2 * r + U);
    for (let o = 0; o < outer; o++) {
      const ob = o * n * inner;
      let i = 0;
      for (; i < n;) {
        const u = i + U <= n ? U : 1;
        for (let m = 0; m < 2 * r + u; m++) offs[m] = rowOff(ob, i - r + m);
        (u === U ? kU : k1)(s, dst, ob + i * inner, inner, offs, w);
        i += u;
      }
    }
    return;
  }
  const offs = new Int32Array(2 * r + 1);
  const first = rowKernel(Math.min(PAIRS, r), true);
  for (let o = 0; o < outer; o++) {
    const ob = o * n * inner;
    for (let i = 0; i < n; i++) {
      offs[0] = ob + i * inner;
      for (let k = 1; k <= r; k++) {
        offs[2 * k - 1] = rowOff(ob, i - k);
        offs[2 * k] = rowOff(ob, i + k);
      }
      const db = ob + i * inner;
      first(s, dst, db, inner, offs, w, 1);
      for (let k0 = 1 + PAIRS; k0 <= r; k0 += PAIRS) {
        rowKernel(Math.min(PAIRS, r - k0 + 1), false)(s, dst, db, inner, offs, w, k0);
      }
    }
  }
}

/**
 * Gaussian smoothing equal to `scipy.ndimage.gaussian_filter(img, sigma, mode=mode, cval=cval,
 * truncate=truncate)` for float64 input: along each axis in turn (axis 0 first), correlation with the
 * normalised weights of `gaussianWeights` (radius floor(truncate*sigma + 0.5)). `sigma` is one number or
 * one per axis (0 skips that axis). Modes (scipy.ndimage names): 'reflect' (d c b a | a b c d | d c b a,
 * the default; alias 'grid-mirror'), 'mirror' (d c b | a b c d | c b a), 'nearest' (a a a | a b c d | d d d),
 * 'constant' (cval outside; alias 'grid-constant'), 'wrap' (periodic; alias 'grid-wrap').
 * Any number of dimensions; returns a new array.
 */
export function gaussfilter(
  img: NdArray,
  sigma: number | readonly number[],
  mode: FilterMode = 'reflect',
  cval = 0,
  truncate = 4,
): NdArray {
  const a = asArray(img, 'gaussfilter image');
  const nd = a.ndim;
  if (nd === 0) return new NdArray(Float64Array.from(a.data), []);
  const m = Object.hasOwn(MODE_ALIASES, mode) ? MODE_ALIASES[mode as string] : undefined;
  if (!m) {
    throw new ExprfitError(
      'option',
      `gaussfilter mode must be one of reflect, nearest, mirror, constant, wrap, got ${fmtValue(mode)}`,
    );
  }
  const sig = perAxis('gaussfilter sigma', sigma, nd);
  sig.forEach((s, i) => {
    if (!(s >= 0 && s < Infinity))
      throw new ExprfitError(
        'value',
        `gaussfilter sigma for axis ${i} must be a finite number >= 0, got ${s}`,
      );
  });
  checkFinite('gaussfilter cval', cval);
  checkFinite('gaussfilter truncate', truncate);
  if (!(truncate > 0)) throw new ExprfitError('value', `gaussfilter truncate must be > 0, got ${truncate}`);
  const shape = a.shape;
  const size = a.size;
  let cur = a.data;
  let owned = false;
  let spare: Float64Array | null = null;
  for (let ax = 0; ax < nd; ax++) {
    if (!(sig[ax] > 1e-15) || shape[ax] === 0 || size === 0) continue;
    const w = gaussianWeights(sig[ax], truncate, checkedRadius(ax, sig[ax], truncate));
    if (w.length === 1) continue;
    const n = shape[ax];
    const outer = product(shape.slice(0, ax));
    const inner = product(shape.slice(ax + 1));
    // the last axis works in place on an array of our own (passLast copies each line before writing it):
    // a 2-D image needs one new array, not two
    const inPlace = inner === 1 && owned;
    const dst = inPlace ? cur : (spare ?? new Float64Array(size));
    if (inner === 1) passLast(cur, dst, outer, n, w, m, cval);
    else passMiddle(cur, dst, outer, n, inner, w, m, cval);
    if (inPlace) continue;
    spare = owned ? cur : null;
    cur = dst;
    owned = true;
  }
  return new NdArray(owned ? cur : Float64Array.from(cur), shape);
}
