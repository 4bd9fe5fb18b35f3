/**
 * The `plot` statement: the last fit's data, model and residuals as SVG or PNG (src/data/plot.ts). 1-D data:
 * points, the model as a smooth curve over the data's range (when the model has one variable) and a residual
 * panel; 2-D data: data, model and residual maps side by side; columns of two variables that fill a regular
 * grid (x, y, z of a flattened image) are drawn as maps too; other data of several variables as data against
 * model. A global fit draws every model line (or the one `eq=` names), one below the other.
 */
import { printExpr } from '../../ast/index.ts';
import { defineOptions, ExprfitError, opt } from '../../core/index.ts';
import {
  broadcastTo,
  type ModelBand,
  NdArray,
  type Plot1DSpec,
  type PlotOptions,
  type PlotSpec,
} from '../../data/index.ts';
import type { PlotStatement } from '../../syntax/index.ts';
import type { Checker, FitRecord, StatementContext, StatementDef } from '../context.ts';
import {
  displayPath,
  outputPath,
  requireFit,
  rethrowAt,
  statementOptions,
  where,
  writtenOption,
} from '../optionArgs.ts';
import { recordOf, requireData } from '../savedResult.ts';
import { asArray, describeType, isFit, isTable, type TableValue, typeError, type Value } from '../values.ts';
import { nameMap } from '../nameMap.ts';

const CURVE_POINTS = 400;

/** Any value: `x=` is checked as an array where it is used, with its own message. */
function isValue(v: unknown): v is Value {
  return v !== undefined;
}

export const plotSchema = defineOptions('plot', {
  eq: opt.string({ doc: 'the model line to draw (a global fit draws every line)' }),
  title: opt.string({ doc: 'the title over the plot' }),
  xlabel: opt.string({ doc: 'the label of the x axis' }),
  ylabel: opt.string({ doc: 'the label of the y axis' }),
  width: opt.number({ doc: 'the width in pixels', gt: 50 }),
  x: opt.custom<Value>({
    doc: 'the variable to draw 1-D data against: x=t',
    accept: isValue,
    expected: 'an array',
  }),
  band: opt.boolean({
    doc: 'draw the confidence band of the model shaded under the curve (1-D data)',
    default: false,
  }),
  bandSigma: opt.number({
    doc: "the band's half-width in standard deviations (default 1; values < 1 are probabilities)",
    gt: 0,
  }),
  corner: opt.custom<Value>({
    doc: 'draw the corner plot of a table of samples instead of the fit: corner=chains (after mcmc)',
    accept: isValue,
    expected: 'a table',
  }),
  contour: opt.custom<Value>({
    doc: 'draw a confidence region instead of the fit: contour=confint2d (after confint2d)',
    accept: isValue,
    expected: 'a table',
  }),
  fit: opt.custom<Value>({
    doc: 'the fit result to draw instead of the last fit: fit=result (result = load "fit.json")',
    accept: isValue,
    expected: 'a fit result',
  }),
});

/** `plot ... x=NAME`: the variable to draw 1-D data against. */
interface XVariable {
  readonly name: string;
  readonly values: NdArray;
}

/** The `x=` option: the values and the name they were written as. */
function xVariable(s: PlotStatement, value: Value | undefined, ctx: StatementContext): XVariable | undefined {
  const o = writtenOption(plotSchema, s.options, 'x');
  if (value === undefined || !o) return undefined;
  const values = asArray(value, 'x (the variable to draw the points against)', where(ctx, o.value.span));
  return { name: o.value.kind === 'sym' ? o.value.name : printExpr(o.value), values };
}

/** The model lines to draw: those with data (`eq=` picks one). */
function plottedEquations(
  last: FitRecord,
  s: PlotStatement,
  eqName: string | undefined,
  ctx: StatementContext,
) {
  const equations = eqName === undefined ? last.equations : last.equations.filter((e) => e.lhs === eqName);
  if (!equations.length) {
    throw new ExprfitError('value', `the last fit has no model line for '${eqName}'`, {
      span: s.span,
      source: ctx.source,
      hints: [`its lines are for ${last.equations.map((e) => e.lhs).join(', ')}`],
    });
  }
  // every model line with data, one plot each (a global fit's lines one below the other)
  const plotted = equations.filter((e) => e.observed);
  if (!plotted.length) {
    throw new ExprfitError('value', `'${equations[0].lhs}' has no data to plot (estimator=likelihood)`, {
      span: s.span,
      source: ctx.source,
    });
  }
  return plotted;
}

/** The plot of one model line (an error for data of more than two dimensions). */
function equationSpec(
  last: FitRecord,
  eq: Equation,
  labels: Labels,
  s: PlotStatement,
  ctx: StatementContext,
) {
  let made: ReturnType<typeof plotSpecOf>;
  try {
    made = plotSpecOf(last, eq, labels);
  } catch (err) {
    throw rethrowAt(err, ctx, s.span);
  }
  if (!made.spec) {
    throw new ExprfitError(
      'shape',
      `plot draws 1-D and 2-D data; '${eq.lhs}' has shape [${eq.observed!.shape.join(', ')}]`,
      { span: s.span, source: ctx.source },
    );
  }
  if (made.note) ctx.interp.info(`plot: ${made.note}`);
  return made.spec;
}

async function runPlot(s: PlotStatement, ctx: StatementContext): Promise<void> {
  const o = await statementOptions(plotSchema, s.options, ctx, 'plot');
  const posterior = posteriorSpec(s, o, ctx);
  if (posterior) return writePlot(s, ctx, posterior, o.width ? { width: o.width } : {});
  const chosen = o.fit === undefined ? requireFit(ctx, s.span, 'plot') : fitOption(s, o.fit, ctx);
  const last = requireData(chosen, ctx, s.span, 'plot');
  if (o.bandSigma !== undefined && !o.band) {
    throw typeError('band_sigma is the width of the band: add band=true', where(ctx, s.span));
  }
  const xVar = xVariable(s, o.x, ctx);
  const plotted = plottedEquations(last, s, o.eq, ctx);
  const several = plotted.length > 1;
  const specs: PlotSpec[] = plotted.map((eq) => {
    const shortText = eq.text.length > 80 ? `${eq.text.slice(0, 77)}...` : eq.text;
    // one title: over the whole picture when several lines are drawn, else over the plot
    const labels = {
      title: several ? shortText : (o.title ?? shortText),
      ...(o.xlabel ? { xLabel: o.xlabel } : {}),
      ...(o.ylabel ? { yLabel: o.ylabel } : {}),
      ...(xVar ? { x: xVar } : {}),
      ...(o.band ? { band: { sigma: o.bandSigma ?? 1 } } : {}),
    };
    return equationSpec(last, eq, labels, s, ctx);
  });
  await writePlot(s, ctx, several ? specs : specs[0], {
    ...(o.width ? { width: o.width } : {}),
    ...(several && o.title ? { title: o.title } : {}),
  });
}

async function writePlot(
  s: PlotStatement,
  ctx: StatementContext,
  spec: PlotSpec | PlotSpec[],
  options: PlotOptions,
): Promise<void> {
  const { plotFit } = await import('../../data/node.ts');
  const path = await outputPath(ctx, s.file, s.fileSpan);
  let res;
  try {
    res = await plotFit(path, spec, options);
  } catch (err) {
    throw rethrowAt(err, ctx, s.fileSpan);
  }
  for (const w of res.warnings) ctx.interp.warn(`warning: ${w}`);
  ctx.interp.info(`wrote ${displayPath(path)}`);
}

/** The record of `fit=NAME` (a fit result value), an error naming what it should be otherwise. */
function fitOption(s: PlotStatement, v: Value, ctx: StatementContext): FitRecord {
  if (isFit(v))
    return ctx.interp.lastFit?.result === v.result ? ctx.interp.lastFit : recordOf(ctx.interp, v.result);
  const opt = writtenOption(plotSchema, s.options, 'fit');
  throw typeError(`fit= takes a fit result, got ${describeType(v)}`, where(ctx, opt?.value.span), [
    'result = load "fit.json" gives one',
  ]);
}

/** A table option's value (`corner=chains`), an error naming what it should be otherwise. */
function tableOption(s: PlotStatement, key: string, v: Value, ctx: StatementContext, hint: string) {
  if (isTable(v)) return v;
  const opt = writtenOption(plotSchema, s.options, key);
  throw typeError(`${key}= takes a table, got ${describeType(v)}`, where(ctx, opt?.value.span), [hint]);
}

/** The corner plot of `corner=TABLE` or the region map of `contour=TABLE`, if asked. */
function posteriorSpec(
  s: PlotStatement,
  o: { corner?: Value; contour?: Value; title?: string },
  ctx: StatementContext,
): PlotSpec | undefined {
  if (o.corner !== undefined && o.contour !== undefined) {
    throw typeError('plot draws corner= or contour=, not both', where(ctx, s.span));
  }
  const title = o.title !== undefined ? { title: o.title } : {};
  if (o.corner !== undefined) {
    const t = tableOption(s, 'corner', o.corner, ctx, 'run mcmc first: corner=chains');
    return { kind: 'corner', names: t.names, columns: t.columns, ...title };
  }
  if (o.contour === undefined) return undefined;
  const t = tableOption(s, 'contour', o.contour, ctx, 'run confint2d first: contour=confint2d');
  const region = regionOf(t);
  if (region) return { ...region, ...title };
  const opt = writtenOption(plotSchema, s.options, 'contour');
  throw typeError(
    'contour= takes the table of confint2d: columns x, y and prob on a grid, x running fastest',
    where(ctx, opt?.value.span),
  );
}

/** The grid of a table (x, y, prob) with x running fastest (the table of confint2d), if it is one. */
function regionOf(t: TableValue): PlotSpec | undefined {
  if (t.names.length !== 3 || t.names[2] !== 'prob' || t.rows < 4) return undefined;
  const [xc, yc] = [t.columns[t.names[0]], t.columns[t.names[1]]];
  let nx = 1;
  while (nx < t.rows && yc[nx] === yc[0]) nx++;
  if (nx < 2 || t.rows % nx !== 0) return undefined;
  const xs = xc.slice(0, nx);
  const ys = Float64Array.from({ length: t.rows / nx }, (_, i) => yc[i * nx]);
  for (let k = 0; k < t.rows; k++) {
    if (xc[k] !== xs[k % nx] || yc[k] !== ys[Math.floor(k / nx)]) return undefined;
  }
  return { kind: 'region', x: t.names[0], y: t.names[1], xs, ys, prob: t.columns.prob };
}

function checkPlot(s: PlotStatement, c: Checker): void {
  const ownSubject = s.options.some((o) => o.key === 'corner' || o.key === 'contour' || o.key === 'fit');
  if (!ownSubject) c.requireFit(s.span, 'plot');
  c.options(s.options, plotSchema, 'plot');
}

export const plotStatement: StatementDef<'plot'> = {
  kind: 'plot',
  run: runPlot,
  check: checkPlot,
  options: plotSchema,
  help: {
    summary:
      'plot the last fit as .svg or .png (1-D: data, curve, residuals; 2-D: data, model, residual maps)',
    usage: [
      'plot "fit.svg"',
      'plot "fit.png" title="run 3" eq=y2 width=600',
      'plot "fit.svg" x=t               1-D data drawn against the variable t (default: the model\'s variable)',
      'plot "fit.svg" band=true band_sigma=2   the 2σ confidence band shaded under the model curve (1-D)',
      'plot "corner.svg" corner=chains  after mcmc: histograms on the diagonal, scatter below',
      'plot "region.svg" contour=confint2d   after confint2d: the 1σ, 2σ, 3σ regions of the pair',
      'x, y, z columns that fill a regular grid are drawn as maps; other data of several variables as data',
      'against model. A global fit draws every model line, one below the other (eq=NAME: only that one).',
    ].join('\n'),
  },
};

type Equation = FitRecord['equations'][number];

interface Labels {
  title: string;
  xLabel?: string;
  yLabel?: string;
  /** `x=NAME`: draw 1-D data against this variable. */
  x?: XVariable;
  /** `band=true`: the confidence band of this width (standard deviations) under the model curve. */
  band?: { sigma: number };
}

/**
 * The plot of one model line, always against coordinates, never silently against indices: 2-D data as maps
 * over the coordinates of the variables that run along its columns and rows; 1-D data against `x=NAME`, else
 * its one variable (with the model as a smooth curve); 1-D data of two variables that form a complete regular
 * grid (x, y, z columns of a flattened image) as maps; else (several variables, no grid) data against model.
 * 1-D data of no variable (a spline basis `B[:, 0]`) are drawn against the point index, labelled so. `note`
 * says when the data were not drawn as they are stored. `spec` is undefined for data of more than 2 dimensions.
 */
export function plotSpecOf(
  last: FitRecord,
  eq: Equation,
  labels: Labels,
): { spec?: PlotSpec; note?: string } {
  const observed = eq.observed!;
  const dims = observed.shape.filter((d) => d > 1).length;
  if (labels.x && dims > 1) {
    throw new ExprfitError(
      'option',
      `x= is for 1-D data; '${eq.lhs}' is a map of shape [${observed.shape.join(', ')}]`,
    );
  }
  if (labels.band && dims > 1) {
    throw new ExprfitError(
      'option',
      `band= is for 1-D data; '${eq.lhs}' is a map of shape [${observed.shape.join(', ')}]`,
      { hints: ['the band command gives the band of any data as band_lower and band_upper'] },
    );
  }
  if (observed.ndim === 2 && dims === 2) return { spec: mapSpec(last, eq, labels) };
  if (dims > 1) return {};
  const n = observed.size;
  const flat = (a: NdArray): Float64Array => (a.size === n ? a.data : broadcastTo(a, observed.shape));
  let sigma: Float64Array | undefined;
  if (eq.sigma !== undefined) {
    sigma = typeof eq.sigma === 'number' ? new Float64Array(n).fill(eq.sigma) : flat(eq.sigma);
  }
  if (labels.x) {
    const spec = againstVariable(eq, labels, labels.x, flat, sigma);
    return { spec: labels.band ? { ...spec, band: bandAtData(last, eq, labels.band, spec.x) } : spec };
  }
  // the named variables with one value per point: the coordinates of the data
  const coords = eq.variables.filter((v) => !v.startsWith('#') && last.data[v].size === n && n > 1);
  if (coords.length >= 2) {
    if (labels.band) {
      throw new ExprfitError(
        'option',
        `band= draws the band along one variable; '${eq.lhs}' depends on ${coords.join(', ')}`,
        { hints: ['choose the variable: plot "fit.svg" band=true x=NAME'] },
      );
    }
    return severalVariables(last, eq, labels, coords, flat, sigma);
  }
  if (coords.length === 0 && labels.xLabel !== undefined && n > 1) {
    throw new ExprfitError(
      'option',
      `xlabel names the x axis, but the model of '${eq.lhs}' uses no variable with one value per point: the points are drawn by index`,
      { hints: [`choose the variable to draw against, e.g. plot "fit.svg" x=t`] },
    );
  }
  const xName = coords[0];
  const x = xName ? flat(last.data[xName]) : Float64Array.from({ length: n }, (_, i) => i);
  const arrays = eq.variables.filter((v) => last.data[v].size > 1);
  const curve = xName && arrays.length === 1 && n > 1 ? modelCurve(last, eq, xName, x) : undefined;
  let band: ModelBand | undefined;
  if (labels.band) {
    band = curve
      ? bandAtCurve(last, eq, labels.band, xName!, curve.curveX)
      : bandAtData(last, eq, labels.band, x);
  }
  return {
    spec: {
      kind: '1d',
      x,
      y: observed.data,
      model: flat(eq.model),
      ...(curve ?? {}),
      ...(sigma ? { sigma } : {}),
      ...(band ? { band } : {}),
      xLabel: labels.xLabel ?? xName ?? 'index',
      yLabel: labels.yLabel ?? eq.lhs,
      title: labels.title,
    },
  };
}

/** 1-D data against the variable of `x=NAME` (the model at the data points, no smooth curve). */
function againstVariable(
  eq: Equation,
  labels: Labels,
  x: XVariable,
  flat: (a: NdArray) => Float64Array,
  sigma: Float64Array | undefined,
): Plot1DSpec {
  const observed = eq.observed!;
  if (x.values.size !== observed.size) {
    throw new ExprfitError(
      'shape',
      `x=${x.name} has ${x.values.size} values, but '${eq.lhs}' has ${observed.size}: x must give one value per point`,
    );
  }
  return {
    kind: '1d',
    x: x.values.data,
    y: observed.data,
    model: flat(eq.model),
    ...(sigma ? { sigma } : {}),
    xLabel: labels.xLabel ?? x.name,
    yLabel: labels.yLabel ?? eq.lhs,
    title: labels.title,
  };
}

/** The model as a smooth curve over the range of its one variable `xName` (undefined when it cannot be). */
function modelCurve(
  last: FitRecord,
  eq: Equation,
  xName: string,
  x: Float64Array,
): { curveX: Float64Array; curveY: ArrayLike<number> } | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo) || !last.result.evaluates(eq.lhs))
    return undefined;
  const cx = new Float64Array(CURVE_POINTS);
  for (let i = 0; i < CURVE_POINTS; i++) cx[i] = lo + ((hi - lo) * i) / (CURVE_POINTS - 1);
  const cy = last.result.eval(curveData(last, xName, cx), eq.lhs);
  return cy.size === CURVE_POINTS ? { curveX: cx, curveY: cy.data } : undefined;
}

/** The fit's data with the variable `xName` replaced by the curve's points. */
function curveData(last: FitRecord, xName: string, cx: Float64Array): Record<string, NdArray> {
  const data = nameMap(last.data);
  data[xName] = new NdArray(cx);
  return data;
}

/** The limits model ± half-width, where the model is `model` and the half-width `dely`. */
function bandAround(x: ArrayLike<number>, model: ArrayLike<number>, dely: NdArray): ModelBand {
  const lower = Float64Array.from(model, (m, i) => m - dely.data[i]);
  const upper = Float64Array.from(model, (m, i) => m + dely.data[i]);
  return { x, lower, upper };
}

/** The confidence band along the smooth model curve (`FitResult.evalUncertainty` at the curve's points). */
function bandAtCurve(
  last: FitRecord,
  eq: Equation,
  band: { sigma: number },
  xName: string,
  cx: Float64Array,
): ModelBand {
  const at = curveData(last, xName, cx);
  const dely = last.result.evalUncertainty({ at, equation: eq.lhs, sigma: band.sigma });
  return bandAround(cx, last.result.eval(at, eq.lhs).data, dely);
}

/** The confidence band at the data points, drawn against `x`. */
function bandAtData(last: FitRecord, eq: Equation, band: { sigma: number }, x: ArrayLike<number>) {
  const dely = last.result.evalUncertainty({ equation: eq.lhs, sigma: band.sigma });
  return bandAround(x, broadcastTo(eq.model, dely.shape), dely);
}

/** 1-D data of several variables: maps when two of them fill a regular grid, else data against model. */
function severalVariables(
  last: FitRecord,
  eq: Equation,
  labels: Labels,
  coords: readonly string[],
  flat: (a: NdArray) => Float64Array,
  sigma: Float64Array | undefined,
): { spec: PlotSpec; note: string } {
  const observed = eq.observed!;
  const n = observed.size;
  const model = flat(eq.model);
  const grid =
    coords.length === 2 ? gridOf(flat(last.data[coords[0]]), flat(last.data[coords[1]])) : undefined;
  if (grid) {
    const data2 = new Float64Array(n).fill(NaN);
    const model2 = new Float64Array(n).fill(NaN);
    for (let i = 0; i < n; i++) {
      data2[grid.cell[i]] = observed.data[i];
      model2[grid.cell[i]] = model[i];
    }
    const shape = [grid.h, grid.w];
    return {
      spec: {
        kind: '2d',
        data: new NdArray(data2, shape),
        model: new NdArray(model2, shape),
        xCoords: grid.xCoords,
        yCoords: grid.yCoords,
        title: labels.title,
        xLabel: labels.xLabel ?? coords[0],
        yLabel: labels.yLabel ?? coords[1],
      },
      note: `${eq.lhs} is drawn as a ${grid.h}x${grid.w} map over the grid of ${coords[0]} and ${coords[1]}`,
    };
  }
  return {
    spec: {
      kind: 'compare',
      y: observed.data,
      model,
      ...(sigma ? { sigma } : {}),
      yLabel: labels.yLabel ?? eq.lhs,
      title: labels.title,
    },
    note:
      `${eq.lhs} depends on ${coords.join(', ')}` +
      `${coords.length === 2 ? ', which do not form a complete regular grid' : ''}: ` +
      'drawing data against model, and the residuals by point index (plot ... x=NAME draws them against NAME)',
  };
}

/**
 * 2-D data as maps, over the coordinates of the model's variables that run along the columns (x) and the rows
 * (y) with an even step; without such a variable, the axis is the column or row index, labelled so.
 */
function mapSpec(last: FitRecord, eq: Equation, labels: Labels): PlotSpec {
  const observed = eq.observed!;
  const x = axisCoordinate(last, eq, 1);
  const y = axisCoordinate(last, eq, 0);
  return {
    kind: '2d',
    data: observed,
    model: eq.model,
    title: labels.title,
    xLabel: labels.xLabel ?? x?.name ?? 'column index',
    yLabel: labels.yLabel ?? y?.name ?? 'row index',
    ...(x ? { xCoords: x.range } : {}),
    ...(y ? { yCoords: y.range } : {}),
  };
}

/**
 * The first variable of the model line that, broadcast to the data's [rows, columns], changes only along
 * `axis` (0: rows, 1: columns) and evenly, with the coordinates of its first and last row or column.
 */
function axisCoordinate(
  last: FitRecord,
  eq: Equation,
  axis: 0 | 1,
): { name: string; range: [number, number] } | undefined {
  const shape = eq.observed!.shape;
  const [h, w] = shape;
  const count = axis === 1 ? w : h;
  for (const name of eq.variables) {
    if (name.startsWith('#') || last.data[name].size === 1) continue;
    const v = broadcastTo(last.data[name], shape);
    const at = (i: number, j: number): number => (axis === 1 ? v[i * w + j] : v[j * w + i]);
    const along = Array.from({ length: count }, (_, j) => at(0, j));
    if (!isEvenlySpaced(along)) continue;
    let constant = true;
    for (let i = 1; i < (axis === 1 ? h : w) && constant; i++) {
      for (let j = 0; j < count; j++) if (at(i, j) !== along[j]) constant = false;
    }
    if (constant) return { name, range: [along[0], along[count - 1]] };
  }
  return undefined;
}

/** Finite values with one non-zero step (to a relative 1e-6 of the range). */
function isEvenlySpaced(v: readonly number[]): boolean {
  const n = v.length;
  if (n < 2 || !v.every(Number.isFinite)) return false;
  const step = (v[n - 1] - v[0]) / (n - 1);
  if (step === 0) return false;
  return v.every((u, i) => Math.abs(u - (v[0] + i * step)) <= 1e-6 * Math.abs(v[n - 1] - v[0]));
}

/**
 * Whether points (x[i], y[i]) fill a complete regular grid, each node once: evenly spaced distinct x values
 * (columns) and y values (rows), at least 2 of each. `cell[i]` is point i's index in the row-major [h, w] map.
 */
export function gridOf(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
):
  | { w: number; h: number; cell: Int32Array; xCoords: [number, number]; yCoords: [number, number] }
  | undefined {
  const n = x.length;
  if (y.length !== n || n < 4) return undefined;
  const axis = (
    v: ArrayLike<number>,
  ): { index: Map<number, number>; first: number; last: number } | undefined => {
    const values = [...new Set(Array.from(v))].sort((a, b) => a - b);
    if (values.length < 2 || values.some((u) => !Number.isFinite(u))) return undefined;
    const step = (values[values.length - 1] - values[0]) / (values.length - 1);
    for (let i = 1; i < values.length; i++) {
      if (Math.abs(values[i] - values[i - 1] - step) > 1e-3 * step) return undefined;
    }
    return {
      index: new Map(values.map((u, i) => [u, i])),
      first: values[0],
      last: values[values.length - 1],
    };
  };
  const ax = axis(x);
  const ay = axis(y);
  if (!ax || !ay) return undefined;
  const w = ax.index.size;
  const h = ay.index.size;
  if (w * h !== n) return undefined;
  const cell = new Int32Array(n);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = ay.index.get(y[i])! * w + ax.index.get(x[i])!;
    if (seen[c]) return undefined;
    seen[c] = 1;
    cell[i] = c;
  }
  return { w, h, cell, xCoords: [ax.first, ax.last], yCoords: [ay.first, ay.last] };
}
