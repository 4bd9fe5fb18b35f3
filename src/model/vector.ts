/**
 * Vector parameters (`param beta[25]`; API `{ beta: { length: 25, value: 0 } }`): a name standing for the
 * scalar parameters `beta[0]` … `beta[K-1]`. Each field may be one value for all elements or an array with one
 * per element. `expandVectorParams` turns such inputs into the elements' own inputs.
 */
import { ExprfitError } from '../core/index.ts';
import { elementName } from '../symbolic/index.ts';
import type { ParamInput, VectorParamInput } from './params.ts';

type PerElement<T> = T | readonly T[];

const VECTOR_FIELDS = ['length', 'value', 'min', 'max', 'fixed'] as const;

/** True for an input that declares a vector: an array of starts, or an object with a length or an array field. */
export function isVectorInput(v: unknown): v is VectorParamInput | readonly number[] {
  if (Array.isArray(v)) return true;
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return o.length !== undefined || VECTOR_FIELDS.some((k) => Array.isArray(o[k]));
}

/** The scalar parameters' inputs of `params` (vector parameters left out). */
export function scalarInputs(params: Readonly<Record<string, unknown>>): Record<string, ParamInput> {
  const out: Record<string, ParamInput> = {};
  for (const [name, input] of Object.entries(params))
    if (!isVectorInput(input)) out[name] = input as ParamInput;
  return out;
}

/**
 * The inputs of an operation that takes scalar parameters only (`minimize`, ODE fits, the web page): an error
 * naming the first vector parameter and `what` refuses it.
 */
export function requireScalarParams(
  params: Readonly<Record<string, unknown>>,
  what: string,
): Record<string, ParamInput> {
  for (const [name, input] of Object.entries(params)) {
    if (isVectorInput(input)) {
      throw new ExprfitError(
        'usage',
        `${what} takes scalar parameters only: '${name}' is a vector parameter`,
      );
    }
  }
  return params as Record<string, ParamInput>;
}

/** Most elements of a vector parameter: each is a fitted parameter, a column of the fit's Jacobian. */
export const MAX_VECTOR_LENGTH = 100_000;

/** What is wrong with `n` as the length of a vector parameter (undefined: nothing). */
export function vectorLengthProblem(n: number): string | undefined {
  if (!Number.isInteger(n) || n < 1) return `the length must be an integer >= 1, got ${n}`;
  if (n > MAX_VECTOR_LENGTH) {
    return `the length must be at most ${MAX_VECTOR_LENGTH} (each element is a fitted parameter), got ${n}`;
  }
  return undefined;
}

/** The vector's length from its input (undefined: not said; the matrix it multiplies tells). */
export function declaredLength(
  name: string,
  input: VectorParamInput | readonly number[],
): number | undefined {
  if (Array.isArray(input)) return input.length;
  const o = input as VectorParamInput;
  const lengths = VECTOR_FIELDS.slice(1)
    .map((k) => o[k])
    .filter((v): v is readonly never[] => Array.isArray(v))
    .map((v) => v.length);
  const all = o.length !== undefined ? [o.length, ...lengths] : lengths;
  const problem = o.length === undefined ? undefined : vectorLengthProblem(o.length);
  if (problem) throw new ExprfitError('value', `parameter '${name}': ${problem}`);
  if (all.some((n) => n !== all[0])) {
    throw new ExprfitError(
      'value',
      `parameter '${name}': its fields give different lengths (${all.join(', ')})`,
    );
  }
  return all[0];
}

function fieldAt<T>(v: PerElement<T> | undefined, k: number): T | undefined {
  if (!Array.isArray(v)) return v as T | undefined;
  return (v as readonly T[])[k];
}

/** The elements' own inputs: `beta[0]: { value, min, max, fixed }`, … */
export function elementInputs(
  name: string,
  input: VectorParamInput | readonly number[],
  length: number,
): [string, ParamInput][] {
  if (Array.isArray(input)) return (input as readonly number[]).map((v, k) => [elementName(name, k), v]);
  const o = input as VectorParamInput;
  for (const key of Object.keys(o)) {
    if (!(VECTOR_FIELDS as readonly string[]).includes(key)) {
      throw new ExprfitError(
        'value',
        `parameter '${name}': unknown field '${key}' (allowed: ${VECTOR_FIELDS.join(', ')})`,
      );
    }
  }
  const out: [string, ParamInput][] = [];
  for (let k = 0; k < length; k++) {
    const el: Record<string, number | boolean> = {};
    for (const f of ['value', 'min', 'max', 'fixed'] as const) {
      const v = fieldAt(o[f], k);
      if (v !== undefined) el[f] = v;
    }
    out.push([elementName(name, k), el as ParamInput]);
  }
  return out;
}
