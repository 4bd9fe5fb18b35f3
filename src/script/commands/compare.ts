/**
 * The `compare` command: model comparison of the session's fits by number (`compare 1 2`; all fits when none
 * are named). Two fits with different numbers of free parameters: the F-test (least squares) and the
 * likelihood-ratio test, the one with fewer parameters taken as the restricted model. Always: AIC and BIC with
 * their weights. Formulas in src/fit/compare.ts and docs/after-fit.md.
 */
import type { Expr } from '../../ast/index.ts';
import { ExprfitError } from '../../core/index.ts';
import {
  akaikeWeights,
  bicWeights,
  type FitResult,
  fTest,
  likelihoodRatioTest,
  type NestedTest,
} from '../../fit/index.ts';
import type { CommandDef, StatementContext } from '../context.ts';
import { where } from '../optionArgs.ts';
import { formatScalar, typeError } from '../values.ts';

/** The fit numbered by `arg` (1 = the session's first fit). */
async function fitNumber(arg: Expr, ctx: StatementContext): Promise<number> {
  const v = await ctx.evaluator.evaluate(arg);
  const n = typeof v === 'number' ? v : NaN;
  const count = ctx.interp.fits.length;
  if (!Number.isInteger(n) || n < 1 || n > count) {
    throw typeError(
      `compare takes fit numbers from 1 to ${count}, got ${typeof v === 'number' ? v : 'a non-number'}`,
      where(ctx, arg.span),
    );
  }
  return n;
}

function pValueText(p: number): string {
  return p < 1e-300 ? '< 1e-300' : formatScalar(p, 4);
}

function testLine(t: NestedTest): string {
  const name = t.test === 'F' ? `F(${t.df.join(', ')})` : `likelihood ratio chi2(${t.df[0]})`;
  return `  ${name.padEnd(26)} = ${formatScalar(t.statistic, 6).padStart(12)}   p = ${pValueText(t.pValue)}`;
}

/** The nested tests of two fits, the one with fewer free parameters as the restricted model. */
function nestedLines(a: number, b: number, fits: readonly FitResult[]): string[] {
  const [r, f] = fits[a - 1].nfree <= fits[b - 1].nfree ? [a, b] : [b, a];
  const restricted = fits[r - 1];
  const full = fits[f - 1];
  if (restricted.nfree === full.nfree) return [];
  const lines = [`fit ${r} (restricted, k=${restricted.nfree}) vs fit ${f} (full, k=${full.nfree}):`];
  if (full.estimator === 'lsq') lines.push(testLine(fTest(restricted, full)));
  lines.push(testLine(likelihoodRatioTest(restricted, full)));
  return lines;
}

function weightLines(numbers: readonly number[], fits: readonly FitResult[]): string[] {
  const chosen = numbers.map((n) => fits[n - 1]);
  const a = akaikeWeights(chosen);
  const b = bicWeights(chosen);
  const head = `  ${'fit'.padEnd(5)}${'k'.padStart(4)}${'chi2'.padStart(14)}${'AIC'.padStart(14)}${'AIC weight'.padStart(12)}${'BIC'.padStart(14)}${'BIC weight'.padStart(12)}`;
  const rows = numbers.map((n, i) => {
    const f = chosen[i];
    const cols = [
      String(f.nfree).padStart(4),
      formatScalar(f.chi2, 6).padStart(14),
      formatScalar(a.values[i], 6).padStart(14),
      formatScalar(a.weights[i], 4).padStart(12),
      formatScalar(b.values[i], 6).padStart(14),
      formatScalar(b.weights[i], 4).padStart(12),
    ];
    return `  ${String(n).padEnd(5)}${cols.join('')}`;
  });
  return [head, ...rows];
}

async function runCompare(stmt: Parameters<CommandDef['run']>[0], ctx: StatementContext): Promise<void> {
  const fits = ctx.interp.fits;
  if (fits.length < 2) {
    throw new ExprfitError('value', `compare needs two fits or more (the session has ${fits.length})`, {
      span: stmt.span,
      source: ctx.source,
    });
  }
  if (stmt.options.length) {
    throw typeError('compare takes fit numbers only, e.g. compare 1 2', where(ctx, stmt.options[0].span));
  }
  const numbers = stmt.args.length
    ? await Promise.all(stmt.args.map((a) => fitNumber(a, ctx)))
    : fits.map((_, i) => i + 1);
  if (numbers.length < 2) {
    throw new ExprfitError('value', `compare needs two fits or more (the session has ${fits.length})`, {
      span: stmt.span,
      source: ctx.source,
    });
  }
  const nested = numbers.length === 2 ? nestedLines(numbers[0], numbers[1], fits) : [];
  for (const line of [...nested, ...weightLines(numbers, fits)]) ctx.interp.out(line);
}

export const compareCommand: CommandDef = {
  name: 'compare',
  summary: 'compare fits: compare 1 2 (F-test, likelihood ratio, AIC/BIC weights; all fits when none named)',
  help: [
    'compare            AIC and BIC with their weights for every fit of the session',
    'compare 1 2        also the F-test and likelihood-ratio test of the nested pair',
    '                   (the fit with fewer free parameters is the restricted model)',
  ].join('\n'),
  run: runCompare,
};
