/**
 * Small validation helpers shared by the array tools. Every failure is an `ExprfitError` that names the
 * offending argument and value. The argument is a {@link Subject}: a plain name, or a name inside an API function
 * (`{ function: 'crBasis', name: 'x' }`), whose errors are built with `detail.function`, `detail.reason` and
 * `detail.value` (the script's `cr` words them with its own name from these).
 */
import { subjectError, subjectName, subjectNamed, type Subject } from '../core/index.ts';
import { NdArray } from '../data/index.ts';

/** The size limit of every array the tools allocate (2^28 values; see src/data/ndarray.ts). */
export { checkArraySize, MAX_ARRAY_ELEMENTS } from '../data/index.ts';

/** `[2, 3]` → `'[2, 3]'` for messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function fmtValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (v instanceof NdArray) return `an array of shape ${fmtShape(v.shape)}`;
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
  } catch {
    return String(v);
  }
}

export function product(shape: readonly number[]): number {
  let p = 1;
  for (const d of shape) p *= d;
  return p;
}

/** The subjects of the API function `fn`: `argOf('crBasis')('x')` is `crBasis x` in messages. */
export function argOf(fn: string): (name: string) => Subject {
  return (name) => ({ function: fn, name });
}

/** A finite number (rejects NaN, ±Infinity and non-numbers). */
export function checkFinite(s: Subject, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw subjectError('value', s, `${subjectName(s)} must be a finite number, got ${fmtValue(v)}`, {
      value: v,
    });
  }
  return v;
}

/** A finite number > 0. */
export function checkPositive(s: Subject, v: unknown): number {
  const x = checkFinite(s, v);
  if (!(x > 0)) throw subjectError('value', s, `${subjectName(s)} must be > 0, got ${x}`, { value: x });
  return x;
}

/** An integer >= min. */
export function checkInt(s: Subject, v: unknown, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw subjectError('value', s, `${subjectName(s)} must be an integer, got ${fmtValue(v)}`, { value: v });
  }
  if (v < min) throw subjectError('value', s, `${subjectName(s)} must be >= ${min}, got ${v}`, { value: v });
  return v;
}

/** A shape: an integer >= 0 or a list of them. */
export function checkShape(s: Subject, v: unknown): number[] {
  const name = subjectName(s);
  const arr = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(arr)) {
    throw subjectError('type', s, `${name} must be a shape (a list of sizes), got ${fmtValue(v)}`, {
      value: v,
    });
  }
  return arr.map((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      const reason = `${name}[${i}] must be an integer >= 0, got ${fmtValue(d)} in ${fmtValue(v)}`;
      throw subjectError('value', s, reason, { value: d });
    }
    return d;
  });
}

/** Normalises an axis (negative counts from the end) for an array of `ndim` dims. */
export function normAxis(axis: unknown, ndim: number, s: Subject = 'axis'): number {
  const name = subjectName(s);
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    throw subjectError('value', s, `${name} must be an integer, got ${fmtValue(axis)}`, { value: axis });
  }
  const a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim) {
    throw subjectError('value', s, `${name} ${axis} is out of range for an array of ${ndim} dims`, {
      value: axis,
    });
  }
  return a;
}

/** Anything NdArray.from accepts, as an NdArray (named in errors). */
export function asArray(v: unknown, s: Subject): NdArray {
  if (v === undefined || v === null)
    throw subjectError('type', s, `${subjectName(s)} is missing`, { value: v });
  return NdArray.from(v, s);
}

/** A 1-D Float64Array view of a vector-like input (number[], Float64Array, NdArray of any shape). */
export function asVector(v: unknown, s: Subject): Float64Array {
  if (v instanceof Float64Array) return v;
  return asArray(v, s).data;
}

/** An array that must be 2-D [n, d]; a 1-D array of length n is taken as [n, 1]. */
export function asMatrix(v: unknown, s: Subject): NdArray {
  const a = asArray(v, s);
  if (a.ndim === 1) return new NdArray(a.data, [a.shape[0], 1]);
  if (a.ndim !== 2) {
    const reason = `${subjectName(s)} must be a 2-D array [n, d], got shape ${fmtShape(a.shape)}`;
    throw subjectError('shape', s, reason, { value: a });
  }
  return a;
}

/** Per-axis values: a number repeated `n` times or a list of exactly `n` numbers. */
export function perAxis(s: Subject, v: unknown, n: number): number[] {
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  const arr = v instanceof NdArray ? Array.from(v.data) : v instanceof Float64Array ? Array.from(v) : v;
  const name = subjectName(s);
  if (!Array.isArray(arr) || arr.length !== n) {
    const reason = `${name} must be a number or a list of ${n} numbers (one per axis), got ${fmtValue(v)}`;
    throw subjectError('value', s, reason, { value: v });
  }
  return arr.map((x, i) => checkFinite(subjectNamed(s, `${name}[${i}]`), x));
}

export function checkNoNaN(s: Subject, data: Float64Array): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw subjectError('value', s, `${subjectName(s)} contains ${data[i]} at flat index ${i}`, {
        value: data[i],
      });
    }
  }
}
