/** A bare expression: prints its value (the REPL's calculator). */
import type { StatementDef } from '../context.ts';
import { printValue } from './print.ts';

export const exprStatement: StatementDef<'expr'> = { kind: 'expr', run: printValue };
