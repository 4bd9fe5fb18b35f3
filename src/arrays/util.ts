/**
 * Small validation helpers shared by the array tools. Every failure is an `ExprfitError` that names the
 * offending argument and value.
 */
import { ExprfitError, OptionError } from '../core/index.ts';
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

/** A finite number (rejects NaN, ±Infinity and non-numbers). */
export function checkFinite(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ExprfitError('value', `${name} must be a finite number, got ${fmtValue(v)}`);
  }
  return v;
}

/** A finite number > 0. */
export function checkPositive(name: string, v: unknown): number {
  const x = checkFinite(name, v);
  if (!(x > 0)) throw new ExprfitError('value', `${name} must be > 0, got ${x}`);
  return x;
}

/** An integer >= min. */
export function checkInt(name: string, v: unknown, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new ExprfitError('value', `${name} must be an integer, got ${fmtValue(v)}`);
  }
  if (v < min) throw new ExprfitError('value', `${name} must be >= ${min}, got ${v}`);
  return v;
}

/** A shape: an integer >= 0 or a list of them. */
export function checkShape(name: string, v: unknown): number[] {
  const arr = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(arr)) {
    throw new ExprfitError('type', `${name} must be a shape (a list of sizes), got ${fmtValue(v)}`);
  }
  return arr.map((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ExprfitError(
        'value',
        `${name}[${i}] must be an integer >= 0, got ${fmtValue(d)} in ${fmtValue(v)}`,
      );
    }
    return d;
  });
}

/** Normalises an axis (negative counts from the end) for an array of `ndim` dims. */
export function normAxis(axis: unknown, ndim: number, name = 'axis'): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    throw new ExprfitError('value', `${name} must be an integer, got ${fmtValue(axis)}`);
  }
  const a = axis < 0 ? axis + ndim : axis;
  if (a < 0 || a >= ndim) {
    throw new ExprfitError('value', `${name} ${axis} is out of range for an array of ${ndim} dims`);
  }
  return a;
}

/** Anything NdArray.from accepts, as an NdArray (named in errors). */
export function asArray(v: unknown, name: string): NdArray {
  if (v === undefined || v === null) throw new ExprfitError('type', `${name} is missing`);
  return NdArray.from(v, name);
}

/** A 1-D Float64Array view of a vector-like input (number[], Float64Array, NdArray of any shape). */
export function asVector(v: unknown, name: string): Float64Array {
  if (v instanceof Float64Array) return v;
  return asArray(v, name).data;
}

/** An array that must be 2-D [n, d]; a 1-D array of length n is taken as [n, 1]. */
export function asMatrix(v: unknown, name: string): NdArray {
  const a = asArray(v, name);
  if (a.ndim === 1) return new NdArray(a.data, [a.shape[0], 1]);
  if (a.ndim !== 2) {
    throw new ExprfitError('shape', `${name} must be a 2-D array [n, d], got shape ${fmtShape(a.shape)}`);
  }
  return a;
}

/** Per-axis values: a number repeated `n` times or a list of exactly `n` numbers. */
export function perAxis(name: string, v: unknown, n: number): number[] {
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  const arr = v instanceof NdArray ? Array.from(v.data) : v instanceof Float64Array ? Array.from(v) : v;
  if (!Array.isArray(arr) || arr.length !== n) {
    throw new ExprfitError(
      'value',
      `${name} must be a number or a list of ${n} numbers (one per axis), got ${fmtValue(v)}`,
    );
  }
  return arr.map((x, i) => checkFinite(`${name}[${i}]`, x));
}

export function checkNoNaN(name: string, data: Float64Array): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new ExprfitError('value', `${name} contains ${data[i]} at flat index ${i}`);
    }
  }
}

/**
 * Runs `body`, the work of the API function `fn`, whose messages start with the function's name (`crBasis x[2]
 * is NaN`, `sumOfGaussians: shape ...`, its labels all begin with it): its errors get `detail.function` = `fn`,
 * `detail.separator` (`' '` or `': '`) and `detail.reason` (the rest), so that a caller that calls the function
 * by another name (the script's `cr`) rebuilds the message from them. Option errors keep their own detail.
 */
export function withFunctionDetail<T>(fn: string, body: () => T): T {
  try {
    return body();
  } catch (err) {
    throw err instanceof ExprfitError ? functionDetail(err, fn) : err;
  }
}

function functionDetail(err: ExprfitError, fn: string): ExprfitError {
  if (err instanceof OptionError || err.detail.function !== undefined || !err.message.startsWith(fn))
    return err;
  const rest = err.message.slice(fn.length);
  const separator = rest.startsWith(': ') ? ': ' : ' ';
  if (!rest.startsWith(separator)) return err;
  return err.reworded(err.message, { function: fn, separator, reason: rest.slice(separator.length) });
}
