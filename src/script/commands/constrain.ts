/**
 * The `constrain` command: constraints of every later fit (the fit API's `constraints` option,
 * docs/constraints.md). `constrain a + b <= 1` adds one (several may follow one another on a line),
 * `constrain` lists them, `constrain clear` removes them all.
 */
import type { Expr } from '../../ast/index.ts';
import { ExprfitError } from '../../core/index.ts';
import { constraintOf } from '../../fit/index.ts';
import type { CommandStatement } from '../../syntax/index.ts';
import type { Checker, CommandDef, StatementContext } from '../context.ts';

const isClear = (e: Expr): boolean => e.kind === 'sym' && e.name === 'clear';

/** The API's text of a comparison (an `ExprfitError` at the argument when it is not one). */
function constraintText(e: Expr, fail: (message: string, span: Expr['span']) => ExprfitError): string {
  try {
    return constraintOf(e).text;
  } catch (err) {
    if (err instanceof ExprfitError) throw fail(err.message, e.span);
    throw err;
  }
}

function runConstrain(s: CommandStatement, ctx: StatementContext): void {
  const interp = ctx.interp;
  if (s.options.length) {
    const o = s.options[0];
    throw new ExprfitError('option', `constrain takes no options ('${o.key}=...')`, {
      span: o.keySpan,
      source: ctx.source,
      hints: ["an equality is written '==' in a script: constrain f1 + f2 + f3 == 1"],
    });
  }
  if (s.args.length === 0) {
    interp.out(
      interp.constraints.length ? interp.constraints.map((c) => c.text).join('\n') : 'no constraints',
    );
    return;
  }
  if (s.args.length === 1 && isClear(s.args[0])) {
    interp.constraints.length = 0;
    return;
  }
  const fail = (message: string, span: Expr['span']): ExprfitError =>
    new ExprfitError('value', message, { span, source: ctx.source });
  const lines = s.args.map((e) => ({ text: constraintText(e, fail), span: e.span ?? s.span }));
  interp.constraints.push(...lines);
}

function checkConstrain(s: CommandStatement, c: Checker): void {
  if (s.args.length === 1 && isClear(s.args[0])) return;
  for (const e of s.args) constraintText(e, (message, span) => c.error('value', message, span));
  if (s.options.length) throw c.error('option', 'constrain takes no options', s.options[0].keySpan);
}

export const constrainCommand: CommandDef = {
  name: 'constrain',
  summary: 'constraints of the fits that follow: constrain a + b <= 1 (docs/constraints.md)',
  help: [
    'constrain a + b <= 1              an inequality on parameters (also >=)',
    'constrain f1 + f2 + f3 == 1       an equality (== in scripts)',
    'constrain x0^2 + y0^2 >= r^2      any expression of parameters',
    'constrain y >= 0                  the model line y at every data point',
    'constrain                         lists the constraints; constrain clear removes them',
    `Every later fit uses them (method lm). The report lists each one's value, whether it is active and its`,
    'multiplier; standard errors are those of the constrained problem.',
  ].join('\n'),
  check: checkConstrain,
  run: runConstrain,
};
