/** A bare expression: prints its value (the REPL's calculator). */
import type { StatementDef } from '../context.ts';
import { checkValue, printValue } from './print.ts';

export const exprStatement: StatementDef<'expr'> = {
  kind: 'expr',
  run: printValue,
  check: checkValue,
};
