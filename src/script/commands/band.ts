/**
 * The `band` command: the confidence (or prediction) band of the last fit's model at its data, by
 * `FitResult.evalUncertainty` (src/fit/bands.ts). It prints a summary and makes the arrays `band_lower`,
 * `band_upper` and the table `band` (the variables, model, lower, upper) available to later statements.
 */
import { ExprfitError } from '../../core/index.ts';
import { broadcastTo, NdArray } from '../../data/index.ts';
import { bandOptions, sigmaToProbability } from '../../fit/index.ts';
import type { CommandStatement } from '../../syntax/index.ts';
import type { CommandDef, FitRecord, StatementContext } from '../context.ts';
import { rethrowAt, statementOptions, where } from '../optionArgs.ts';
import { requireData } from '../savedResult.ts';
import { makeTable, typeError } from '../values.ts';
import { checkAfterFit, fitOfArgs, formatNumber } from './afterFit.ts';

const DEFINES = ['band_lower', 'band_upper', 'band'];

function equationOf(last: FitRecord, lhs: string | undefined, s: CommandStatement, ctx: StatementContext) {
  const eq = lhs === undefined ? last.equations[0] : last.equations.find((e) => e.lhs === lhs);
  if (eq) return eq;
  throw new ExprfitError('value', `the last fit has no model line for '${lhs}'`, {
    span: s.span,
    source: ctx.source,
    hints: [`its lines are for ${last.equations.map((e) => e.lhs).join(', ')}`],
  });
}

/** The table `band`: the equation's variables with one value per point, the model and the band's limits. */
function bandTable(last: FitRecord, variables: readonly string[], columns: Record<string, Float64Array>) {
  const n = columns.model.length;
  const own = variables.filter((v) => !v.startsWith('#') && last.data[v]?.size === n && !(v in columns));
  const all = { ...Object.fromEntries(own.map((v) => [v, last.data[v].data])), ...columns };
  return makeTable(all, { names: [...own, 'model', 'lower', 'upper'] });
}

/** A loaded result (no kernels bound to its data): the band at the session's data of its variables. */
function pointsOf(last: FitRecord, variables: readonly string[]): { at?: Record<string, NdArray> } {
  if (last.result.setup) return {};
  return { at: Object.fromEntries(variables.map((v) => [v, last.data[v]])) };
}

async function runBand(s: CommandStatement, ctx: StatementContext): Promise<void> {
  const { fit: last, args } = fitOfArgs(s, ctx, 'band');
  if (args.length) {
    throw typeError('band takes options only, e.g. band sigma=2 prediction=true', where(ctx, args[0].span));
  }
  const o = await statementOptions(bandOptions, s.options, ctx, 'band');
  const eq = equationOf(requireData(last, ctx, s.span, 'band'), o.equation, s, ctx);
  let dely: NdArray;
  try {
    dely = last.result.evalUncertainty({ ...o, equation: eq.lhs, ...pointsOf(last, eq.variables) });
  } catch (err) {
    throw rethrowAt(err, ctx, s.span);
  }
  const model = new NdArray(broadcastTo(eq.model, dely.shape), dely.shape);
  const lower = new NdArray(
    model.data.map((m, i) => m - dely.data[i]),
    dely.shape,
  );
  const upper = new NdArray(
    model.data.map((m, i) => m + dely.data[i]),
    dely.shape,
  );
  const vars = ctx.interp.variables;
  vars.set('band_lower', lower);
  vars.set('band_upper', upper);
  vars.set(
    'band',
    bandTable(last, eq.variables, { model: model.data, lower: lower.data, upper: upper.data }),
  );
  const prob = o.level ?? sigmaToProbability(o.sigma ?? 1);
  const what = o.prediction ? 'prediction' : 'confidence';
  ctx.interp.out(
    `band: ${formatNumber(ctx, 100 * prob)}% ${what} band of ${eq.lhs} at ${dely.size} points, ` +
      `${halfWidths(ctx, dely)} (band_lower, band_upper; the table band)`,
  );
}

/** `half-width 0.01 to 0.03`: the range of the finite half-widths. */
function halfWidths(ctx: StatementContext, dely: NdArray): string {
  const widths = Array.from(dely.data).filter(Number.isFinite);
  if (!widths.length) return 'no finite half-width';
  const lo = widths.reduce((a, b) => Math.min(a, b));
  const hi = widths.reduce((a, b) => Math.max(a, b));
  return `half-width ${formatNumber(ctx, lo)} to ${formatNumber(ctx, hi)}`;
}

export const bandCommand: CommandDef = {
  name: 'band',
  summary: 'the confidence or prediction band of the last fit: band_lower, band_upper and the table band',
  help: [
    'band                          1σ confidence band of the model at the data (as lmfit eval_uncertainty)',
    'band sigma=2                  2σ (sigma < 1 is read as a probability, as in lmfit)',
    'band result sigma=2           the band of the fit result named result (result = load "fit.json")',
    'band level=0.95 prediction=true equation=y2',
    '                              95% prediction band (adds the noise) of the line y2 of a global fit',
    'save band to "band.csv"       the variables, model, lower and upper as columns',
    'plot "fit.svg" band=true      draws the band shaded under the model curve',
  ].join('\n'),
  optionsOnly: true,
  options: bandOptions,
  check: (s, c) => checkAfterFit(s, c, bandOptions, DEFINES),
  run: runBand,
};
