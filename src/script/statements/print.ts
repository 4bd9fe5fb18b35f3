/** `print EXPR` and a bare expression: the value, or a summary of an array. */
import type { Statement } from '../../syntax/index.ts';
import type { Checker, StatementContext, StatementDef } from '../context.ts';
import { formatValue } from '../values.ts';

export async function printValue(
  s: Extract<Statement, { kind: 'print' | 'expr' }>,
  ctx: StatementContext,
): Promise<void> {
  const v = await ctx.evaluator.evaluate(s.value);
  ctx.interp.out(formatValue(v, ctx.interp.settings.digits));
}

/** The names the printed expression uses. */
export function checkValue(s: Extract<Statement, { kind: 'print' | 'expr' }>, c: Checker): void {
  c.expr(s.value);
}

export const printStatement: StatementDef<'print'> = {
  kind: 'print',
  run: printValue,
  check: checkValue,
  help: {
    summary: 'print a value, or a summary of an array (shape, min, max, mean, values)',
    usage: 'print A\nprint img\nprint sum(residuals^2)',
  },
};
