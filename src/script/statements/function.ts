/** `g(u, s) = exp(-u^2/(2*s^2))`: a user function for later expressions and models. */
import { ExprfitError } from '../../core/index.ts';
import { getFunction } from '../../functions/index.ts';
import type { FunctionStatement } from '../../syntax/index.ts';
import type { StatementContext, StatementDef } from '../context.ts';
import { getScriptFunction } from '../functions.ts';

function runFunction(s: FunctionStatement, ctx: StatementContext): void {
  if (getFunction(s.name) || getScriptFunction(s.name)) {
    throw new ExprfitError('value', `'${s.name}' is a builtin function and cannot be redefined`, {
      span: s.nameSpan,
      source: ctx.source,
      hints: ['choose another name for your function'],
    });
  }
  ctx.interp.functions.set(s.name, { params: [...s.params], body: s.body, span: s.span });
}

export const functionStatement: StatementDef<'function'> = { kind: 'function', run: runFunction };
