/**
 * The page's state and the pure steps on it (no DOM): a session into state, the parameters a model names,
 * slider ranges, and the request the fit worker gets.
 */
import { NdArray } from '../../data/index.ts';
import { CONSTANTS } from '../../functions/index.ts';
import { type Model, parseModelText } from '../../model/index.ts';
import { evaluate } from '../../symbolic/index.ts';
import { parseExpr } from '../../syntax/index.ts';
import type { FitRequest, SessionJSON, SessionParam, WireArray } from '../protocol.ts';

/** A parameter on the page: unbounded sides are ±Infinity. */
export interface ParamState {
  value: number;
  min: number;
  max: number;
  fixed: boolean;
  /** A tie (`1.5*sx`): the value follows the other parameters. */
  expr?: string;
}

export interface PageState {
  /** The data's named arrays. */
  data: Record<string, NdArray>;
  /** Where the data came from (a script or a file name). */
  source: string;
  model: string;
  params: Map<string, ParamState>;
  /** Fit options from the script (JSON; sigma per equation). */
  options: Record<string, unknown>;
  /** Script lines that read the data from the data file, for data too large to write out. */
  load?: string[];
}

const bound = (v: number | null, unbounded: number): number => (v === null ? unbounded : v);

function paramState(p: SessionParam): ParamState {
  const state = { value: p.value, min: bound(p.min, -Infinity), max: bound(p.max, Infinity), fixed: p.fixed };
  return p.expr !== undefined ? { ...state, expr: p.expr } : state;
}

export function stateFromSession(s: SessionJSON): PageState {
  const data: Record<string, NdArray> = {};
  for (const [name, a] of Object.entries(s.data))
    data[name] = new NdArray(Float64Array.from(a.data), a.shape);
  const params = new Map(Object.entries(s.params).map(([n, p]) => [n, paramState(p)]));
  return { data, source: s.file, model: s.model, params, options: s.options };
}

/** The model's parameters: the names it uses that are neither data nor constants, in order of appearance. */
export function modelParams(model: Model, data: Record<string, unknown>): string[] {
  return [...model.names].filter((n) => !Object.hasOwn(data, n) && !Object.hasOwn(CONSTANTS, n));
}

/** An unbounded parameter starting at `value`. */
export function startParam(value: number): ParamState {
  return { value, min: -Infinity, max: Infinity, fixed: false };
}

/** The parameters of `names`: kept where known, new ones at 1 (the fit's default start). */
export function syncParams(
  params: ReadonlyMap<string, ParamState>,
  names: readonly string[],
): Map<string, ParamState> {
  // a new parameter starts at 1, like a fit without a start value
  return new Map(names.map((n) => [n, params.get(n) ?? startParam(1)]));
}

/** The model text parsed, or the error (an ExprfitError with its position) to show. */
export function tryParseModel(text: string): { model: Model } | { error: unknown } {
  try {
    return { model: parseModelText(text) };
  } catch (error) {
    return { error };
  }
}

/**
 * A slider's range: the bounds when both are finite, else around the value (from a finite bound up to
 * twice the distance to it, or value ± 2|value|, or ±1 about 0).
 */
export function sliderRange(p: ParamState): [number, number] {
  if (Number.isFinite(p.min) && Number.isFinite(p.max)) return [p.min, p.max];
  const span = p.value !== 0 ? 2 * Math.abs(p.value) : 1;
  if (Number.isFinite(p.min)) return [p.min, Math.max(p.value, p.min) + Math.max(span, p.value - p.min)];
  if (Number.isFinite(p.max)) return [Math.min(p.value, p.max) - Math.max(span, p.max - p.value), p.max];
  return [p.value - span, p.value + span];
}

/** The parameters as the session (and the worker) write them: null for unbounded sides. */
export function sessionParams(params: ReadonlyMap<string, ParamState>): Record<string, SessionParam> {
  const out: Record<string, SessionParam> = {};
  const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
  for (const [n, p] of params) {
    out[n] = { value: p.value, min: finite(p.min), max: finite(p.max), fixed: p.fixed };
    if (p.expr !== undefined) out[n].expr = p.expr;
  }
  return out;
}

const wire = (a: NdArray): WireArray => ({ shape: [...a.shape], data: a.data });

/**
 * What the fit worker gets: the data the model uses (a table's other columns would be an error of the fit);
 * `bandAt`: the curve's points for a 1-D fit's confidence band.
 */
export function fitRequest(state: PageState, model: Model, bandAt?: FitRequest['bandAt']): FitRequest {
  const data: Record<string, WireArray> = {};
  const used = new Set([...model.names, ...model.equations.map((q) => q.lhs)]);
  for (const [n, a] of Object.entries(state.data)) if (used.has(n)) data[n] = wire(a);
  return {
    model: state.model,
    data,
    params: sessionParams(state.params),
    options: state.options,
    ...(bandAt ? { bandAt } : {}),
  };
}

/** The current values of the parameters by name; tied ones evaluated from the others (ties may chain). */
export function paramValues(params: ReadonlyMap<string, ParamState>): Record<string, number> {
  const values = Object.fromEntries([...params].map(([n, p]) => [n, p.value]));
  const tied = [...params].filter(([, p]) => p.expr !== undefined);
  for (let pass = 0; pass < tied.length; pass++) {
    for (const [n, p] of tied) values[n] = tieValue(p.expr!, values);
  }
  return values;
}

/** A tie's value at `values` (NaN when it cannot be evaluated: the plot then shows no model). */
function tieValue(expr: string, values: Record<string, number>): number {
  try {
    return evaluate(parseExpr(expr), values);
  } catch {
    return NaN;
  }
}
