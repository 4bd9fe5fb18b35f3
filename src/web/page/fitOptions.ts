/**
 * The fit options and parameters of a session (JSON) as the fit API takes them: sigma arrays `{ shape, data }`
 * back into NdArrays, null bounds back to ±Infinity. Used by the fit worker and the page's preview (error bars).
 */
import { NdArray } from '../../data/index.ts';
import type { FitOptions } from '../../fit/index.ts';
import type { ParamsInput } from '../../model/index.ts';
import type { SessionParam } from '../protocol.ts';

const isArrayJSON = (v: unknown): v is { shape: number[]; data: ArrayLike<number | null> } =>
  v !== null && typeof v === 'object' && Array.isArray((v as { shape?: unknown }).shape);

const toArray = (v: { shape: number[]; data: ArrayLike<number | null> }): NdArray =>
  new NdArray(
    Float64Array.from(v.data, (x) => (x === null ? NaN : x)),
    v.shape,
  );

/** sigma of one equation (a number, or an array), or undefined. */
function sigmaValue(v: unknown): NdArray | number | undefined {
  if (typeof v === 'number') return v;
  return isArrayJSON(v) ? toArray(v) : undefined;
}

/** The sigma option per equation: `{ y: NdArray | number }`. */
export function sigmaOf(options: Record<string, unknown>): Record<string, NdArray | number> {
  const raw = options.sigma;
  if (raw === null || typeof raw !== 'object') return {};
  const out: Record<string, NdArray | number> = {};
  for (const [lhs, v] of Object.entries(raw as Record<string, unknown>)) {
    const s = sigmaValue(v);
    if (s !== undefined) out[lhs] = s;
  }
  return out;
}

/** The options for `fit()`. */
export function apiFitOptions(options: Record<string, unknown>): FitOptions {
  const sigma = sigmaOf(options);
  const rest: Record<string, unknown> = { ...options };
  delete rest.sigma;
  return { ...(rest as FitOptions), ...(Object.keys(sigma).length ? { sigma } : {}) };
}

/** The parameters for `fit()`: null bounds are unbounded. */
export function apiParams(params: Record<string, SessionParam>): ParamsInput {
  const out: ParamsInput = {};
  for (const [n, p] of Object.entries(params)) {
    out[n] =
      p.expr !== undefined
        ? { expr: p.expr }
        : { value: p.value, min: p.min ?? -Infinity, max: p.max ?? Infinity, fixed: p.fixed };
  }
  return out;
}
