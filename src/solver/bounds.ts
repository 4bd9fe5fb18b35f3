/**
 * Input checks shared by the solvers: start point and box bounds. These are user mistakes, so they
 * throw `ExprfitError('value', ...)` before any solving (non-convergence never throws).
 */
import { ExprfitError } from '../core/index.ts';

export type NumericArray = Float64Array | readonly number[];

export interface CheckedStart {
  readonly n: number;
  readonly x: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** True when some start value was outside its bounds and was clipped. */
  readonly clipped: boolean;
  /** True when some bound is finite. */
  readonly bounded: boolean;
}

/**
 * Checks `x0` (finite numbers) and the bounds (length n, no NaN, `lower <= upper`, `-Infinity` /
 * `Infinity` allowed), and returns a clipped copy of `x0`. Parameters whose `lower === upper` are
 * allowed (they stay fixed at that value).
 */
export function checkStart(
  x0: NumericArray,
  lower: NumericArray | undefined,
  upper: NumericArray | undefined,
  n: number = x0?.length,
): CheckedStart {
  if (!Number.isInteger(n) || n < 0)
    throw new ExprfitError('value', `number of parameters must be an integer >= 0, got ${n}`);
  if (x0 == null || typeof (x0 as ArrayLike<number>).length !== 'number') {
    throw new ExprfitError('value', 'the start point must be an array of numbers');
  }
  if (x0.length !== n) {
    throw new ExprfitError(
      'value',
      `the start point has ${x0.length} values but the problem has ${n} parameters`,
    );
  }
  const lo = new Float64Array(n).fill(-Infinity);
  const hi = new Float64Array(n).fill(Infinity);
  for (const [name, b, out] of [
    ['lower', lower, lo],
    ['upper', upper, hi],
  ] as const) {
    if (b === undefined || b === null) continue;
    if (b.length !== n)
      throw new ExprfitError(
        'value',
        `${name} bounds have ${b.length} values but the problem has ${n} parameters`,
      );
    for (let j = 0; j < n; j++) {
      const v = b[j];
      if (typeof v !== 'number' || Number.isNaN(v)) {
        throw new ExprfitError('value', `${name} bound of parameter ${j} is not a number (${String(v)})`);
      }
      out[j] = v;
    }
  }
  const x = new Float64Array(n);
  let clipped = false;
  let bounded = false;
  for (let j = 0; j < n; j++) {
    const v = x0[j];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ExprfitError(
        'value',
        `start value of parameter ${j} must be a finite number, got ${String(v)}`,
      );
    }
    if (lo[j] > hi[j]) {
      throw new ExprfitError(
        'value',
        `parameter ${j}: lower bound ${lo[j]} is greater than upper bound ${hi[j]}`,
      );
    }
    if (lo[j] === Infinity || hi[j] === -Infinity) {
      throw new ExprfitError('value', `parameter ${j}: bounds [${lo[j]}, ${hi[j]}] leave no finite value`);
    }
    if (Number.isFinite(lo[j]) || Number.isFinite(hi[j])) bounded = true;
    let c = v;
    if (c < lo[j]) c = lo[j];
    if (c > hi[j]) c = hi[j];
    if (c !== v) clipped = true;
    x[j] = c;
  }
  return { n, x, lower: lo, upper: hi, clipped, bounded };
}

/** Index and value of the first non-finite entry of `a[0..len)`, or -1. */
export function firstNonFinite(a: Float64Array, len: number = a.length): number {
  for (let i = 0; i < len; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

/** Clips `x` into [lower, upper] in place. */
export function clipInto(x: Float64Array, lower: Float64Array, upper: Float64Array): void {
  for (let j = 0; j < x.length; j++) {
    if (x[j] < lower[j]) x[j] = lower[j];
    else if (x[j] > upper[j]) x[j] = upper[j];
  }
}
