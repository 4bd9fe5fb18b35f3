/** `NAME = EXPR` and `a, b = EXPR`: binds values (arrays, numbers, strings, tables, splines) to names. */
import { ExprfitError, type SourceSpan } from '../../core/index.ts';
import { NdArray } from '../../data/index.ts';
import type { AssignStatement } from '../../syntax/index.ts';
import type { StatementContext, StatementDef } from '../context.ts';
import { where } from '../optionArgs.ts';
import { adoptResult } from '../savedResult.ts';
import { describeType, isFit, isTuple, typeError, type FitValue, type Value } from '../values.ts';

/** A variable may not take a parameter's name. */
function checkAssignable(ctx: StatementContext, name: string, span: SourceSpan): void {
  if (ctx.interp.params.has(name)) {
    throw new ExprfitError('value', `'${name}' is a parameter; a variable needs another name`, {
      span,
      source: ctx.source,
      hints: [`to change its start value write: param ${name} = ...`],
    });
  }
}

/** Binds a variable (checked against the parameters' names). */
export function bindVariable(ctx: StatementContext, name: string, value: Value, span: SourceSpan): void {
  checkAssignable(ctx, name, span);
  ctx.interp.variables.set(name, value);
}

/** The parts of a value assigned to several names: a tuple's items, or an array's rows. */
function unpack(value: Value, s: AssignStatement, ctx: StatementContext): Value[] {
  if (isTuple(value)) return [...value.items];
  if (!(value instanceof NdArray) || value.ndim < 1) {
    throw typeError(
      `${describeType(value)} cannot be unpacked into ${s.targets.length} names`,
      where(ctx, s.value.span),
    );
  }
  const n = value.shape[0];
  const rest = value.shape.slice(1);
  const size = value.size / Math.max(n, 1);
  return Array.from({ length: n }, (_, i) => {
    const part = new NdArray(value.data.slice(i * size, (i + 1) * size), rest);
    return part.ndim === 0 ? part.data[0] : part;
  });
}

function assignOne(s: AssignStatement, value: Value, ctx: StatementContext): void {
  if (isTuple(value)) {
    throw typeError(`this gives ${value.items.length} values; name each of them`, where(ctx, s.value.span), [
      `write: ${value.items.map((_, i) => `${s.targets[0]}${i + 1}`).join(', ')} = ...`,
    ]);
  }
  ctx.interp.variables.set(s.targets[0], isFit(value) ? adopted(value, s.targets[0], ctx) : value);
}

/** A loaded fit result becomes the session's next fit and its current one (for band, plot, save, report). */
function adopted(value: FitValue, name: string, ctx: StatementContext): FitValue {
  if (value.number !== undefined) return value;
  const number = adoptResult(ctx.interp, value.result);
  const shown = ctx.interp.lastFit!.equations.length
    ? ''
    : ' (its data are not in the session: no plot or band at the data)';
  const line = `${name} = fit ${number}: ${value.result.briefReport()}${shown}`;
  if (ctx.interp.options.interactive) ctx.interp.out(line);
  else ctx.interp.info(line);
  return { ...value, number };
}

async function runAssign(s: AssignStatement, ctx: StatementContext): Promise<void> {
  const interp = ctx.interp;
  s.targets.forEach((t, i) => checkAssignable(ctx, t, s.targetSpans[i]));
  const target = s.targets[0];
  if (s.targets.length === 1 && interp.overrides.has(target)) {
    interp.usedOverrides.add(target);
    interp.variables.set(target, interp.overrides.get(target)!);
    return;
  }
  const value = await ctx.evaluator.evaluate(s.value);
  if (s.targets.length === 1) return assignOne(s, value, ctx);
  const items = unpack(value, s, ctx);
  if (items.length !== s.targets.length) {
    throw new ExprfitError(
      'value',
      `${s.targets.length} names on the left but ${items.length} value${items.length === 1 ? '' : 's'} on the right`,
      { span: s.span, source: ctx.source },
    );
  }
  s.targets.forEach((t, i) => interp.variables.set(t, items[i]));
}

export const assignStatement: StatementDef<'assign'> = {
  kind: 'assign',
  run: runAssign,
  help: {
    summary: 'NAME = EXPR: an array or number (element-wise with numpy broadcasting)',
    usage: [
      'img = load("spots.tif")          any supported file as an array',
      'x, y = grid(img)                 pixel-centre coordinates (x = column, y = row)',
      'u = linspace(-1, 1, 30)',
      'v = [1, 2, 3]                    array literals; [[1, 2], [3, 4]] is 2-D',
      'roi = img[10:20, 5:15]           slicing (0-based, stop excluded, negative from the end)',
      'ly = log(y)                      element-wise expressions',
      'g(u, s) = exp(-u^2/(2*s^2))      a function for later expressions and models',
    ].join('\n'),
  },
};
