/**
 * The `plot` statement: the last fit's data, model and residuals as SVG or PNG (src/data/plot.ts). 1-D data:
 * points, the model as a smooth curve over the data's range (when the model has one variable) and a residual
 * panel; 2-D data: data, model and residual maps side by side; columns of two variables that fill a regular
 * grid (x, y, z of a flattened image) are drawn as maps too; other data of several variables as data against
 * model. A global fit draws every model line (or the one `eq=` names), one below the other.
 */
import { defineOptions, opt } from '../../core/options.ts';
import { NdArray } from '../../data/ndarray.ts';
import { broadcastTo } from '../../data/ndarray.ts';
import type { PlotSpec } from '../../data/plot.ts';
import { ExprfitError } from '../../core/errors.ts';
import type { PlotStatement } from '../../syntax/statements.ts';
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
import { asArray, type Value } from '../values.ts';
import { nameMap } from '../nameMap.ts';
import { printExpr } from '../../ast/print.ts';

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
  const last = requireFit(ctx, s.span, 'plot');
  const o = await statementOptions(plotSchema, s.options, ctx, 'plot');
  const xVar = xVariable(s, o.x, ctx);
  const plotted = plottedEquations(last, s, o.eq, ctx);
  const { plotFit } = await import('../../data/plot.ts');
  const path = await outputPath(ctx, s.file, s.fileSpan);
  const several = plotted.length > 1;
  const specs: PlotSpec[] = plotted.map((eq) => {
    const shortText = eq.text.length > 80 ? `${eq.text.slice(0, 77)}...` : eq.text;
    // one title: over the whole picture when several lines are drawn, else over the plot
    const labels = {
      title: several ? shortText : (o.title ?? shortText),
      ...(o.xlabel ? { xLabel: o.xlabel } : {}),
      ...(o.ylabel ? { yLabel: o.ylabel } : {}),
      ...(xVar ? { x: xVar } : {}),
    };
    return equationSpec(last, eq, labels, s, ctx);
  });
  let res;
  try {
    res = await plotFit(path, several ? specs : specs[0], {
      ...(o.width ? { width: o.width } : {}),
      ...(several && o.title ? { title: o.title } : {}),
    });
  } catch (err) {
    throw rethrowAt(err, ctx, s.fileSpan);
  }
  for (const w of res.warnings) ctx.interp.warn(`warning: ${w}`);
  ctx.interp.info(`wrote ${displayPath(path)}`);
}

function checkPlot(s: PlotStatement, c: Checker): void {
  c.requireFit(s.span, 'plot');
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
  if (observed.ndim === 2 && dims === 2) return { spec: mapSpec(last, eq, labels) };
  if (dims > 1) return {};
  const n = observed.size;
  const flat = (a: NdArray): Float64Array => (a.size === n ? a.data : broadcastTo(a, observed.shape));
  let sigma: Float64Array | undefined;
  if (eq.sigma !== undefined) {
    sigma = typeof eq.sigma === 'number' ? new Float64Array(n).fill(eq.sigma) : flat(eq.sigma);
  }
  if (labels.x) return { spec: againstVariable(eq, labels, labels.x, flat, sigma) };
  // the named variables with one value per point: the coordinates of the data
  const coords = eq.variables.filter((v) => !v.startsWith('#') && last.data[v].size === n && n > 1);
  if (coords.length >= 2) return severalVariables(last, eq, labels, coords, flat, sigma);
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
  return {
    spec: {
      kind: '1d',
      x,
      y: observed.data,
      model: flat(eq.model),
      ...(curve ?? {}),
      ...(sigma ? { sigma } : {}),
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
): PlotSpec {
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
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) return undefined;
  const cx = new Float64Array(CURVE_POINTS);
  for (let i = 0; i < CURVE_POINTS; i++) cx[i] = lo + ((hi - lo) * i) / (CURVE_POINTS - 1);
  const data = nameMap(last.data);
  data[xName] = new NdArray(cx);
  const cy = last.result.eval(data, eq.lhs);
  return cy.size === CURVE_POINTS ? { curveX: cx, curveY: cy.data } : undefined;
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
