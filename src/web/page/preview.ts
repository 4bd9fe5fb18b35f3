/**
 * The plots of the page for the current parameter values (no DOM): per equation with data, the model over the
 * data — a 1-D curve with residuals, data/model/residual maps for images, or data against model — as the
 * CLI's plot specs (src/data/plotSpec.ts).
 */
import { compileValuesCached } from '../../compile/index.ts';
import { type ModelBand, NdArray, type PlotSpec } from '../../data/index.ts';
import type { Equation, Model } from '../../model/index.ts';
import { freeSymbols } from '../../symbolic/index.ts';
import { sigmaOf } from './fitOptions.ts';
import type { PageState } from './state.ts';

/** Points of the dense model curve of a 1-D plot. */
const CURVE_POINTS = 400;

/** The data variables an equation uses. */
function variablesOf(eq: Equation, data: Record<string, unknown>): string[] {
  return [...freeSymbols(eq.expanded)].filter((n) => Object.hasOwn(data, n));
}

/** The equation's model on `data` (its variables) at `values`. */
function evalEquation(eq: Equation, data: Record<string, NdArray>, values: Record<string, number>): NdArray {
  const names = Object.keys(values);
  const variables = variablesOf(eq, data);
  const arrays = Object.fromEntries(variables.map((v) => [v, data[v]]));
  const kernel = compileValuesCached(eq.expanded, { params: [], fixed: names, variables }).bind(arrays);
  const out = new Float64Array(kernel.size);
  kernel.values(new Float64Array(0), Float64Array.from(names.map((n) => values[n])), out);
  return new NdArray(out, kernel.shape);
}

/** The variable of a 1-D equation (one 1-D variable, 1-D data), or undefined. */
export function curveVariable(eq: Equation, data: Record<string, NdArray>): string | undefined {
  const vars = variablesOf(eq, data);
  const observed = data[eq.lhs];
  if (vars.length !== 1 || observed?.ndim !== 1 || data[vars[0]].ndim !== 1) return undefined;
  return vars[0];
}

/** CURVE_POINTS points evenly over the finite range of `x`. */
export function curvePoints(x: NdArray): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x.data) {
    if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  }
  if (!(hi >= lo)) return new Float64Array(0);
  return Float64Array.from({ length: CURVE_POINTS }, (_, i) => lo + ((hi - lo) * i) / (CURVE_POINTS - 1));
}

/** A fitted band: half-widths at the curve points of one equation. */
export interface FittedBand {
  lhs: string;
  x: Float64Array;
  halfWidth: Float64Array;
}

/** `a`'s values, n of them: a model that uses no variable is one value for every point. */
function filled(a: NdArray, n: number): ArrayLike<number> {
  return a.size === 1 && n !== 1 ? new Float64Array(n).fill(a.data[0]) : a.data;
}

function sameSize(a: NdArray, n: number): ArrayLike<number> | undefined {
  return a.size === n ? a.data : undefined;
}

function spec1d(
  eq: Equation,
  state: PageState,
  values: Record<string, number>,
  v: string,
  band?: FittedBand,
): PlotSpec {
  const x = state.data[v];
  const y = state.data[eq.lhs];
  const curveX = curvePoints(x);
  const curveY = filled(evalEquation(eq, { [v]: new NdArray(curveX) }, values), curveX.length);
  const sigma = sigmaOf(state.options)[eq.lhs];
  const bandOf = (b: FittedBand): ModelBand => ({
    x: b.x,
    lower: Float64Array.from(b.x, (_, i) => curveY[i] - b.halfWidth[i]),
    upper: Float64Array.from(b.x, (_, i) => curveY[i] + b.halfWidth[i]),
  });
  return {
    kind: '1d',
    x: x.data,
    y: y.data,
    model: filled(evalEquation(eq, state.data, values), y.size),
    curveX,
    curveY,
    ...(sigma instanceof NdArray && sameSize(sigma, y.size) ? { sigma: sigma.data } : {}),
    ...(band && band.lhs === eq.lhs && band.x.length === curveX.length ? { band: bandOf(band) } : {}),
    xLabel: v,
    yLabel: eq.lhs,
  };
}

function specOf(eq: Equation, state: PageState, values: Record<string, number>, band?: FittedBand): PlotSpec {
  const v = curveVariable(eq, state.data);
  if (v !== undefined) return spec1d(eq, state, values, v, band);
  const observed = state.data[eq.lhs];
  const model = evalEquation(eq, state.data, values);
  if (observed.ndim === 2 && model.size === observed.size) {
    return { kind: '2d', data: observed, model: model.reshape(observed.shape), title: eq.lhs };
  }
  return { kind: 'compare', y: observed.data, model: model.data, yLabel: eq.lhs };
}

/** The plots of every equation fitted to data, at `values`. */
export function previewSpecs(
  model: Model,
  state: PageState,
  values: Record<string, number>,
  band?: FittedBand,
): PlotSpec[] {
  return model.equations
    .filter((eq) => Object.hasOwn(state.data, eq.lhs))
    .map((eq) => specOf(eq, state, values, band));
}
