/**
 * NdArray: an n-dimensional array of doubles, C (row-major) order: `shape` plus a flat Float64Array.
 * A 0-d array (shape []) holds a scalar. All of exprfit's data, images and results use it.
 */
import { ExprfitError, subjectError, subjectName, type Subject } from '../core/index.ts';

/**
 * The most values one array may have: 2^28 (268,435,456 float64 values, 2 GiB). Every array constructor and
 * every broadcast result of the array tools and of script expressions is checked against it with
 * {@link checkArraySize} before anything is allocated, so `zeros([1e6, 1e6])` is an `ExprfitError` naming the
 * function and the shape, not an out-of-memory crash or a RangeError.
 */
export const MAX_ARRAY_ELEMENTS = 2 ** 28;

/**
 * The most dimensions an array built from nested lists may have (numpy's limit): deeper nesting (a hostile JSON
 * file of 100,000 brackets) is an ExprfitError, not a stack overflow.
 */
export const MAX_DIMS = 64;

function countText(n: number): string {
  return Number.isFinite(n) && n < 1e21 ? String(n) : n.toExponential(3);
}

/**
 * The number of values of an array of `shape`, or an ExprfitError ('value') when it is above
 * {@link MAX_ARRAY_ELEMENTS}. `what` names the function (`'zeros'`, `'linspace(0, 1, 1e12)'`, or an API
 * function's subject, `{ function: 'crBasis' }`, for an error with its detail); `elements` is
 * the size of the largest array actually needed when it is not the product of `shape` (the [1, w] / [h, 1]
 * pair of `grid`).
 */
export function checkArraySize(what: Subject, shape: readonly number[], elements?: number): number {
  let n = elements;
  if (n === undefined) {
    n = 1;
    for (const d of shape) n *= d;
  }
  if (!(n <= MAX_ARRAY_ELEMENTS)) {
    const dims = `[${shape.map(countText).join(', ')}]`;
    const has =
      elements === undefined
        ? `shape ${dims} has ${countText(n)} values`
        : `shape ${dims} needs an array of ${countText(n)} values`;
    const name = subjectName(what);
    const reason = `${has}, more than the limit of ${MAX_ARRAY_ELEMENTS} (2^28 values, 2 GiB of float64)`;
    throw subjectError('value', what, name ? `${name}: ${reason}` : reason, { value: n });
  }
  return n;
}

/** The JSON form of an {@link NdArray}. */
export interface NdArrayJSON {
  shape: number[];
  data: number[];
}

/** Typed-array fields as plain arrays, for `toJSON` (a typed array serialises as `{"0":…,"1":…}`). */
export function plainArrays<K extends string>(
  fields: Readonly<Record<K, ArrayLike<number>>>,
): Record<K, number[]> {
  const out = {} as Record<K, number[]>;
  for (const k of Object.keys(fields) as K[]) out[k] = Array.from(fields[k]);
  return out;
}

export class NdArray {
  readonly shape: readonly number[];
  readonly data: Float64Array;

  constructor(data: Float64Array, shape: readonly number[] = [data.length]) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== data.length) {
      throw new ExprfitError(
        'shape',
        `array of ${data.length} values cannot have shape [${shape.join(', ')}]`,
      );
    }
    this.shape = Object.freeze([...shape]);
    this.data = data;
  }

  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return this.data.length;
  }

  /** Row-major strides in elements. */
  get strides(): number[] {
    const s = new Array<number>(this.shape.length);
    let acc = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= this.shape[i];
    }
    return s;
  }

  /** Element at a full index (no bounds-wrapping; negative indices are not allowed here). */
  get(...index: number[]): number {
    if (index.length !== this.shape.length) {
      throw new ExprfitError(
        'shape',
        `index of length ${index.length} for an array of ${this.shape.length} dims`,
      );
    }
    let off = 0;
    const st = this.strides;
    for (let i = 0; i < index.length; i++) {
      const k = index[i];
      if (k < 0 || k >= this.shape[i] || !Number.isInteger(k)) {
        throw new ExprfitError('value', `index ${k} out of range for axis ${i} of size ${this.shape[i]}`);
      }
      off += k * st[i];
    }
    return this.data[off];
  }

  reshape(shape: readonly number[]): NdArray {
    return new NdArray(this.data, shape);
  }

  /**
   * `JSON.stringify` form: `{ shape, data }` with `data` the values in row-major order as a plain array
   * (JSON writes NaN and ±Infinity as null). `new NdArray(Float64Array.from(data), shape)` reads it back.
   */
  toJSON(): NdArrayJSON {
    return { shape: [...this.shape], data: Array.from(this.data) };
  }

  static scalar(v: number): NdArray {
    return new NdArray(Float64Array.of(v), []);
  }

  static zeros(shape: readonly number[]): NdArray {
    return new NdArray(new Float64Array(checkArraySize('zeros', shape)), shape);
  }

  /**
   * From a number, number[], nested arrays (rectangular), a Float64Array/typed array, or an NdArray.
   * `name` is used in error messages (e.g. the data variable's name, or the argument of an API function).
   */
  static from(value: unknown, name: Subject = 'array'): NdArray {
    const n = subjectName(name);
    if (value instanceof NdArray) return value;
    if (typeof value === 'number') return NdArray.scalar(value);
    if (value instanceof Float64Array) return new NdArray(value);
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      return new NdArray(Float64Array.from(value as unknown as ArrayLike<number>));
    }
    if (Array.isArray(value)) {
      const shape: number[] = [];
      let probe: unknown = value;
      while (Array.isArray(probe)) {
        if (shape.length === MAX_DIMS) {
          throw subjectError(
            'shape',
            name,
            `${n} is nested more than ${MAX_DIMS} deep (the most dimensions)`,
          );
        }
        shape.push(probe.length);
        probe = probe[0];
      }
      const size = shape.reduce((a, b) => a * b, 1);
      const out = new Float64Array(size);
      let k = 0;
      // `path` is the index of `v`, one mutable list (read only for messages)
      const path: number[] = [];
      const walk = (v: unknown, depth: number): void => {
        if (depth === shape.length) {
          if (typeof v !== 'number') {
            throw subjectError(
              'type',
              name,
              `${n}[${path.join('][')}] is ${JSON.stringify(v)}, not a number`,
              {
                value: v,
              },
            );
          }
          out[k++] = v;
          return;
        }
        if (!Array.isArray(v) || v.length !== shape[depth]) {
          throw subjectError(
            'shape',
            name,
            `${n} is not rectangular: ${n}[${path.join('][')}] should have ${shape[depth]} entries`,
          );
        }
        for (let i = 0; i < v.length; i++) {
          path.push(i);
          walk(v[i], depth + 1);
          path.pop();
        }
      };
      walk(value, 0);
      return new NdArray(out, shape);
    }
    throw subjectError(
      'type',
      name,
      `${n} must be a number, an array of numbers, a Float64Array or an NdArray`,
      {
        value,
      },
    );
  }

  /** Nested JS arrays (a number for 0-d). */
  toNested(): unknown {
    if (this.shape.length === 0) return this.data[0];
    const build = (depth: number, offset: number, stride: number[]): unknown => {
      const n = this.shape[depth];
      if (depth === this.shape.length - 1) return Array.from(this.data.subarray(offset, offset + n));
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(build(depth + 1, offset + i * stride[depth], stride));
      return out;
    };
    return build(0, 0, this.strides);
  }
}

/**
 * numpy broadcasting of shapes: align on the right; sizes must be equal or 1.
 * Throws a 'shape' ExprfitError naming the shapes (and `names` when given).
 */
export function broadcastShapes(shapes: readonly (readonly number[])[], names?: readonly string[]): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (let si = 0; si < shapes.length; si++) {
    const s = shapes[si];
    for (let i = 0; i < s.length; i++) {
      const o = nd - s.length + i;
      const d = s[i];
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) {
        const desc = shapes.map((sh, k) => `${names?.[k] ?? `#${k + 1}`} [${sh.join(', ')}]`).join(', ');
        throw new ExprfitError('shape', `shapes do not broadcast: ${desc}`);
      }
    }
  }
  return out;
}

/**
 * The data of `a` broadcast to `shape` (numpy rules; `shape` is a broadcast of `a.shape`, e.g. from
 * `broadcastShapes`), flat in C order: `a.data` itself when `a` already has that shape, else a copy.
 */
export function broadcastTo(a: NdArray, shape: readonly number[]): Float64Array {
  if (a.shape.length === shape.length && a.shape.every((d, i) => d === shape[i])) return a.data;
  const nd = shape.length;
  const st = new Array<number>(nd).fill(0);
  const as = a.strides;
  for (let i = 0; i < a.ndim; i++) st[nd - a.ndim + i] = a.shape[i] === 1 ? 0 : as[i];
  const out = new Float64Array(checkArraySize(`broadcasting [${a.shape.join(', ')}]`, shape));
  const idx = new Array<number>(nd).fill(0);
  let off = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = a.data[off];
    for (let ax = nd - 1; ax >= 0; ax--) {
      idx[ax]++;
      off += st[ax];
      if (idx[ax] < shape[ax]) break;
      off -= st[ax] * shape[ax];
      idx[ax] = 0;
    }
  }
  return out;
}
