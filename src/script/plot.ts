/**
 * The `plot` statement: the last fit's data, model and residuals as SVG or PNG (src/data/plot.ts). 1-D data:
 * points, the model as a smooth curve over the data's range (when the model has one variable) and a residual
 * panel; 2-D data: data, model and residual maps side by side; columns of two variables that fill a regular
 * grid (x, y, z of a flattened image) are drawn as maps too; other data of several variables as data against
 * model. A global fit draws every model line (or the one `eq=` names), one below the other.
 */
import { NdArray } from '../data/ndarray.ts';
import { broadcastTo } from '../data/ndarray.ts';
import type { PlotSpec } from '../data/plot.ts';
import { ExprfitError } from '../syntax/span.ts';
import type { PlotStatement } from '../syntax/statements.ts';
import type { FitRecord, StatementContext } from './interpreter.ts';
import { displayPath, optionWord, outputPath, rethrowAt, unknownOption, where } from './statements.ts';
import { typeError } from './values.ts';

const CURVE_POINTS = 400;

export async function plotLastFit(last: FitRecord, s: PlotStatement, ctx: StatementContext): Promise<void> {
  let eqName: string | undefined;
  let title: string | undefined;
  let xLabel: string | undefined;
  let yLabel: string | undefined;
  let width: number | undefined;
  for (const o of s.options) {
    switch (o.key) {
      case 'eq':
        eqName = optionWord(o, ctx);
        break;
      case 'title':
      case 'xlabel':
      case 'ylabel': {
        const v = await ctx.evaluator.evaluate(o.value);
        const text = typeof v === 'string' ? v : optionWord(o, ctx);
        if (o.key === 'title') title = text;
        else if (o.key === 'xlabel') xLabel = text;
        else yLabel = text;
        break;
      }
      case 'width': {
        const v = await ctx.evaluator.evaluate(o.value);
        if (typeof v !== 'number' || !(v > 50))
          throw typeError('width is a number of pixels above 50', where(ctx, o.value.span));
        width = v;
        break;
      }
      default:
        throw unknownOption(o, ['eq', 'title', 'xlabel', 'ylabel', 'width'], ctx, 'plot');
    }
  }
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
  const { plotFit } = await import('../data/plot.ts');
  const path = await outputPath(ctx, s.file, s.fileSpan);
  const several = plotted.length > 1;
  const specs: PlotSpec[] = [];
  for (const eq of plotted) {
    const shortText = eq.text.length > 80 ? `${eq.text.slice(0, 77)}...` : eq.text;
    const { spec, note } = specOf(last, eq, {
      // one title: over the whole picture when several lines are drawn, else over the plot
      title: several ? shortText : (title ?? shortText),
      ...(xLabel ? { xLabel } : {}),
      ...(yLabel ? { yLabel } : {}),
    });
    if (!spec) {
      throw new ExprfitError(
        'shape',
        `plot draws 1-D and 2-D data; '${eq.lhs}' has shape [${eq.observed!.shape.join(', ')}]`,
        { span: s.span, source: ctx.source },
      );
    }
    if (note) ctx.interp.info(`plot: ${note}`);
    specs.push(spec);
  }
  let res;
  try {
    res = await plotFit(path, several ? specs : specs[0], {
      ...(width ? { width } : {}),
      ...(several && title ? { title } : {}),
    });
  } catch (err) {
    throw rethrowAt(err, ctx, s.fileSpan);
  }
  for (const w of res.warnings) ctx.interp.warn(`warning: ${w}`);
  ctx.interp.info(`wrote ${displayPath(path)}`);
}

type Equation = FitRecord['equations'][number];

interface Labels {
  title: string;
  xLabel?: string;
  yLabel?: string;
}

/**
 * The plot of one model line: 2-D data as maps; 1-D data against its one variable (with the model as a smooth
 * curve); 1-D data of two variables that form a complete regular grid (x, y, z columns of a flattened image) as
 * maps; else (several variables, no grid) data against model. `note` says when the data were not drawn as
 * they are stored. `spec` is undefined for data of more than 2 dimensions.
 */
function specOf(last: FitRecord, eq: Equation, labels: Labels): { spec?: PlotSpec; note?: string } {
  const observed = eq.observed!;
  const dims = observed.shape.filter((d) => d > 1).length;
  if (observed.ndim === 2 && dims === 2) {
    return { spec: { kind: '2d', data: observed, model: eq.model, ...labels } };
  }
  if (dims > 1) return {};
  const n = observed.size;
  const flat = (a: NdArray): Float64Array => (a.size === n ? a.data : broadcastTo(a, observed.shape));
  let sigma: Float64Array | undefined;
  if (eq.sigma !== undefined) {
    sigma = typeof eq.sigma === 'number' ? new Float64Array(n).fill(eq.sigma) : flat(eq.sigma);
  }
  // the named variables with one value per point: the coordinates of the data
  const coords = eq.variables.filter((v) => !v.startsWith('#') && last.data[v].size === n && n > 1);
  if (coords.length >= 2) {
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
        'drawing data against model, and the residuals by point index',
    };
  }
  // x: the first 1-D data variable of the line with one value per point
  const xName = eq.variables.find((v) => !v.startsWith('#') && last.data[v].size === n);
  const x = xName ? flat(last.data[xName]) : Float64Array.from({ length: n }, (_, i) => i);
  let curve: { curveX: Float64Array; curveY: Float64Array } | undefined;
  const arrays = eq.variables.filter((v) => last.data[v].size > 1);
  if (xName && arrays.length === 1 && n > 1) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of x) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (Number.isFinite(lo) && Number.isFinite(hi) && hi > lo) {
      const cx = new Float64Array(CURVE_POINTS);
      for (let i = 0; i < CURVE_POINTS; i++) cx[i] = lo + ((hi - lo) * i) / (CURVE_POINTS - 1);
      const data: Record<string, NdArray> = { ...last.data, [xName]: new NdArray(cx) };
      const cy = last.result.eval(data, eq.lhs);
      if (cy.size === CURVE_POINTS) curve = { curveX: cx, curveY: cy.data };
    }
  }
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
