/**
 * The `plot` statement: the last fit's data, model and residuals as SVG or PNG (src/data/plot.ts). 1-D data:
 * points, the model as a smooth curve over the data's range (when the model has one variable) and a residual
 * panel; 2-D data: data, model and residual maps side by side.
 */
import { NdArray } from '../data/ndarray.ts';
import { broadcastTo } from '../data/ndarray.ts';
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
  const eq = eqName === undefined ? last.equations[0] : last.equations.find((e) => e.lhs === eqName);
  if (!eq) {
    throw new ExprfitError('value', `the last fit has no model line for '${eqName}'`, {
      span: s.span,
      source: ctx.source,
      hints: [`its lines are for ${last.equations.map((e) => e.lhs).join(', ')}`],
    });
  }
  if (!eq.observed) {
    throw new ExprfitError('value', `'${eq.lhs}' has no data to plot (estimator=likelihood)`, {
      span: s.span,
      source: ctx.source,
    });
  }
  const { plotFit } = await import('../data/plot.ts');
  const observed = eq.observed;
  title ??= eq.text.length > 80 ? `${eq.text.slice(0, 77)}...` : eq.text;
  const path = await outputPath(ctx, s.file, s.fileSpan);
  let spec: Parameters<typeof plotFit>[1];
  const dims = observed.shape.filter((d) => d > 1).length;
  if (observed.ndim === 2 && dims === 2) {
    spec = {
      kind: '2d',
      data: observed,
      model: eq.model,
      title,
      ...(xLabel ? { xLabel } : {}),
      ...(yLabel ? { yLabel } : {}),
    };
  } else if (dims <= 1) {
    const n = observed.size;
    const flat = (a: NdArray): Float64Array => (a.size === n ? a.data : broadcastTo(a, observed.shape));
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
    let sigma: Float64Array | undefined;
    if (eq.sigma !== undefined) {
      sigma = typeof eq.sigma === 'number' ? new Float64Array(n).fill(eq.sigma) : flat(eq.sigma);
    }
    spec = {
      kind: '1d',
      x,
      y: observed.data,
      model: flat(eq.model),
      ...(curve ?? {}),
      ...(sigma ? { sigma } : {}),
      xLabel: xLabel ?? xName ?? 'index',
      yLabel: yLabel ?? eq.lhs,
      title,
    };
  } else {
    throw new ExprfitError(
      'shape',
      `plot draws 1-D and 2-D data; '${eq.lhs}' has shape [${observed.shape.join(', ')}]`,
      {
        span: s.span,
        source: ctx.source,
      },
    );
  }
  let res;
  try {
    res = await plotFit(path, spec, width ? { width } : {});
  } catch (err) {
    throw rethrowAt(err, ctx, s.fileSpan);
  }
  for (const w of res.warnings) ctx.interp.warn(`warning: ${w}`);
  ctx.interp.info(`wrote ${displayPath(path)}`);
}
