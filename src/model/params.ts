/**
 * Parameters as lmfit knows them: a start value, bounds, fixed, or tied to other parameters by an expression.
 * `normalizeParams` validates the user's specification before any solving.
 */
import { ExprfitError } from '../core/index.ts';

/** What a user may write for one parameter: a start value, or the full form. */
export type ParamInput =
  | number
  | {
      /** Start value. Default (the report says so): `defaultStart(min, max)`. */
      value?: number;
      /** Lower bound (default -Infinity). */
      min?: number;
      /** Upper bound (default +Infinity). */
      max?: number;
      /** Held at `value` during the fit (default false). */
      fixed?: boolean;
      /** Tie to other parameters, e.g. `'2*sx'` (lmfit's `expr`). A tied parameter is not free; its bounds
       * (min/max) become constraints `expr >= min`, `expr <= max` of the fit (docs/constraints.md). */
      expr?: string;
    };

/** One value for every element of a vector parameter, or one per element. */
export type PerElement<T> = T | readonly T[];

/** A vector parameter as a user writes it: a length, or arrays whose length gives it. */
/** A vector parameter (`param beta[25]`, src/model/vector.ts); each field one value for all elements or one per element. */
export interface VectorParamInput {
  /** Number of elements (default: the length of the array fields, or the matrix it multiplies). */
  length?: number;
  /** Start value(s): one for all elements or one per element. */
  value?: PerElement<number>;
  min?: PerElement<number>;
  max?: PerElement<number>;
  fixed?: PerElement<boolean>;
}

/** Per name a scalar parameter, or a vector parameter (an object with `length` or array fields, or an array of starts). */
export type ParamsInput = Record<string, ParamInput | VectorParamInput | readonly number[]>;

/** A parameter after validation. */
export interface ParamSpec {
  readonly name: string;
  /** Start value, after clipping into [min, max]. */
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly fixed: boolean;
  readonly expr?: string;
  /** The start value as the user gave it (before clipping); undefined when none was given. */
  readonly given?: number;
  /** Notes for the report: 'no start value given: started at 1', 'start 5 outside [0, 2]: clipped to 2'. */
  readonly notes: readonly string[];
}

function checkNumber(name: string, field: string, v: unknown, allowInfinite: boolean): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || Number.isNaN(v) || (!allowInfinite && !Number.isFinite(v))) {
    throw new ExprfitError(
      'value',
      `parameter '${name}': ${field} must be a ${allowInfinite ? 'number' : 'finite number'}, got ${String(v)}`,
    );
  }
  return v;
}

/**
 * The start of a parameter given none, as scipy's `curve_fit` chooses it when both bounds are finite: their
 * midpoint. With at most one finite bound: 1 when the bounds allow it, else that bound. The same rule for
 * the API and `.fit` scripts.
 */
export function defaultStart(min: number, max: number): number {
  if (Number.isFinite(min) && Number.isFinite(max)) return 0.5 * (min + max);
  if (min > 1) return min;
  if (max < 1) return max;
  return 1;
}

/** Validates one parameter's specification (min <= max, finite start, ...). */
export function normalizeParam(name: string, input: ParamInput | undefined): ParamSpec {
  const spec = typeof input === 'number' || input === undefined ? { value: input } : input;
  if (typeof spec !== 'object' || spec === null) {
    throw new ExprfitError(
      'value',
      `parameter '${name}': expected a number or { value, min, max, fixed, expr }`,
    );
  }
  const allowed = new Set(['value', 'min', 'max', 'fixed', 'expr']);
  for (const k of Object.keys(spec)) {
    if (!allowed.has(k)) {
      throw new ExprfitError(
        'value',
        `parameter '${name}': unknown field '${k}' (allowed: value, min, max, fixed, expr)`,
      );
    }
  }
  const given = checkNumber(name, 'value', spec.value, false);
  const min = checkNumber(name, 'min', spec.min, true) ?? -Infinity;
  const max = checkNumber(name, 'max', spec.max, true) ?? Infinity;
  if (min > max)
    throw new ExprfitError('value', `parameter '${name}': min ${min} is greater than max ${max}`);
  if (min === max && !Number.isFinite(min))
    throw new ExprfitError('value', `parameter '${name}': bounds [${min}, ${max}] leave no finite value`);
  if (spec.fixed !== undefined && typeof spec.fixed !== 'boolean') {
    throw new ExprfitError(
      'value',
      `parameter '${name}': fixed must be true or false, got ${String(spec.fixed)}`,
    );
  }
  if (spec.expr !== undefined && (typeof spec.expr !== 'string' || spec.expr.trim() === '')) {
    throw new ExprfitError('value', `parameter '${name}': expr must be a non-empty string`);
  }
  if (spec.expr !== undefined && spec.fixed) {
    throw new ExprfitError('value', `parameter '${name}': a tied parameter (expr) cannot also be fixed`);
  }
  const notes: string[] = [];
  let value: number;
  if (given === undefined) {
    value = defaultStart(min, max);
    if (spec.expr === undefined) notes.push(`no start value given: started at ${value}`);
  } else if (spec.expr === undefined && (given < min || given > max)) {
    value = given < min ? min : max;
    notes.push(`start ${given} outside [${min}, ${max}]: clipped to ${value}`);
  } else {
    value = given;
  }
  return { name, value, min, max, fixed: spec.fixed ?? false, expr: spec.expr, given, notes };
}
