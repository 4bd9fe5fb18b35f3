/** `param A = 1 in [0, inf], c = 0 fixed, sy = 2*sx, auto`: declares fit parameters. */
import { type Expr, printExpr } from '../../ast/index.ts';
import { closestMatches, ExprfitError } from '../../core/index.ts';
import { NdArray } from '../../data/index.ts';
import { defaultStart, vectorLengthProblem } from '../../model/index.ts';
import { freeSymbols, substitute } from '../../symbolic/index.ts';
import type { ParamDecl, ParamStatement } from '../../syntax/index.ts';
import type { InterpreterState, ParamEntry, StatementContext, StatementDef } from '../context.ts';
import { where } from '../optionArgs.ts';
import { asNumber, isAutoParams } from '../values.ts';

/** True when `e` names a declared parameter (so `param sy = 2*sx` is a tie). */
function namesParam(interp: InterpreterState, e: Expr, self: string): boolean {
  for (const n of freeSymbols(e))
    if (n !== self && interp.params.has(n) && !interp.variables.has(n)) return true;
  return false;
}

async function scalarOf(e: Expr, ctx: StatementContext, what: string): Promise<number> {
  const v = await ctx.evaluator.evaluate(e);
  return asNumber(v, what, where(ctx, e.span));
}

function declError(d: ParamDecl, ctx: StatementContext, message: string, span = d.span): ExprfitError {
  return new ExprfitError('value', message, { span, source: ctx.source });
}

async function readBounds(d: ParamDecl, entry: ParamEntry, ctx: StatementContext): Promise<void> {
  if (d.min) entry.min = await scalarOf(d.min, ctx, `the lower bound of '${d.name}'`);
  if (d.max) entry.max = await scalarOf(d.max, ctx, `the upper bound of '${d.name}'`);
  const noFiniteValue = entry.min === entry.max && !Number.isFinite(entry.min);
  if (entry.min > entry.max || noFiniteValue) {
    const why = noFiniteValue
      ? `bounds [${entry.min}, ${entry.max}] leave no finite value`
      : `lower bound ${entry.min} is above the upper bound ${entry.max}`;
    throw declError(d, ctx, `parameter '${d.name}': ${why}`);
  }
}

/** `--set NAME=value` for a parameter: its start value. */
function overrideStart(d: ParamDecl, override: number, ctx: StatementContext): number {
  ctx.interp.usedOverrides.add(d.name);
  if (!Number.isFinite(override)) {
    throw new ExprfitError(
      'usage',
      `--set ${d.name}: the start value of parameter '${d.name}' must be finite, got ${override}`,
      { span: d.span, source: ctx.source },
    );
  }
  return override;
}

async function tieOf(d: ParamDecl, value: Expr, ctx: StatementContext): Promise<Expr> {
  if (d.fixed) {
    throw declError(d, ctx, `parameter '${d.name}' is tied to other parameters, so it cannot also be fixed`);
  }
  // Numbers of variables are substituted; the tie keeps parameter names only.
  return substituteVariables(value, ctx, d.name);
}

async function startOf(d: ParamDecl, value: Expr, ctx: StatementContext): Promise<number> {
  const start = await scalarOf(value, ctx, `the start value of '${d.name}'`);
  if (!Number.isFinite(start)) {
    throw declError(
      d,
      ctx,
      `parameter '${d.name}': the start value must be finite, got ${start}`,
      value.span,
    );
  }
  return start;
}

/** The start value or tie of a declaration (the override of `--set` first). */
async function readValue(d: ParamDecl, entry: ParamEntry, ctx: StatementContext): Promise<void> {
  const override = ctx.interp.overrides.get(d.name);
  if (override !== undefined) entry.value = overrideStart(d, override, ctx);
  else if (d.value && namesParam(ctx.interp, d.value, d.name)) {
    entry.tie = await tieOf(d, d.value, ctx);
    entry.tieText = printExpr(entry.tie);
  } else if (d.value) entry.value = await startOf(d, d.value, ctx);
  else if (d.fixed) throw declError(d, ctx, `a fixed parameter needs a value: param ${d.name} = ... fixed`);
}

/** The length of `param beta[25]`: an integer from 1 to MAX_VECTOR_LENGTH. */
async function lengthOf(d: ParamDecl, e: Expr, ctx: StatementContext): Promise<number> {
  const n = await scalarOf(e, ctx, `the length of '${d.name}'`);
  const problem = vectorLengthProblem(n);
  if (problem) throw declError(d, ctx, `vector parameter '${d.name}': ${problem}`, e.span);
  return n;
}

/** One number for every element, or an array of one per element (`what`: "start", "lower bound", ...). */
async function perElement(
  d: ParamDecl,
  e: Expr,
  length: number,
  ctx: StatementContext,
  what: string,
): Promise<number | Float64Array> {
  const v = await ctx.evaluator.evaluate(e);
  if (!(v instanceof NdArray) || v.size === 1)
    return asNumber(v, `the ${what} of '${d.name}'`, where(ctx, e.span));
  const finite = what === 'start' ? v.data.every(Number.isFinite) : !v.data.some(Number.isNaN);
  if (v.shape.length !== 1 || v.size !== length || !finite) {
    throw declError(
      d,
      ctx,
      `vector parameter '${d.name}': the ${what} must be a number or ${length} ${what === 'start' ? 'finite ' : ''}numbers, got an array of shape [${v.shape.join(', ')}]`,
      e.span,
    );
  }
  return Float64Array.from(v.data);
}

/** Without a start: the fit API's rule for each element within its own bounds. */
function defaultStarts(
  entry: ParamEntry,
  per: NonNullable<ParamEntry['perElement']>,
  length: number,
): Float64Array {
  return Float64Array.from({ length }, (_, k) =>
    defaultStart(per.min?.[k] ?? entry.min, per.max?.[k] ?? entry.max),
  );
}

/** A vector's start and bounds: one value for all elements or one per element. */
async function readVector(
  d: ParamDecl,
  entry: ParamEntry,
  length: number,
  ctx: StatementContext,
): Promise<void> {
  if (d.value && namesParam(ctx.interp, d.value, d.name)) {
    throw declError(
      d,
      ctx,
      `vector parameter '${d.name}' cannot be tied; tie its elements' uses in the model instead`,
    );
  }
  const fields = { value: d.value, min: d.min, max: d.max } as const;
  const words = { value: 'start', min: 'lower bound', max: 'upper bound' } as const;
  const per: NonNullable<ParamEntry['perElement']> = {};
  for (const key of ['value', 'min', 'max'] as const) {
    const e = fields[key];
    if (!e) continue;
    const v = await perElement(d, e, length, ctx, words[key]);
    if (typeof v === 'number') entry[key] = v;
    else per[key] = v;
  }
  if (!d.value && (per.min || per.max)) per.value = defaultStarts(entry, per, length);
  if (Object.keys(per).length) entry.perElement = per;
  if (d.fixed && !d.value)
    throw declError(d, ctx, `a fixed parameter needs a value: param ${d.name}[${length}] = ... fixed`);
}

async function paramDecl(d: ParamDecl, ctx: StatementContext): Promise<void> {
  if (ctx.interp.variables.has(d.name)) {
    throw declError(d, ctx, `'${d.name}' is already a variable; a parameter needs another name`, d.nameSpan);
  }
  const entry: ParamEntry = {
    name: d.name,
    value: NaN,
    min: -Infinity,
    max: Infinity,
    fixed: d.fixed,
    implicit: false,
  };
  if (d.length) entry.length = await lengthOf(d, d.length, ctx);
  if (entry.length !== undefined) await readVector(d, entry, entry.length, ctx);
  else {
    await readBounds(d, entry, ctx);
    await readValue(d, entry, ctx);
  }
  // no start value: the fit API's rule
  if (Number.isNaN(entry.value) && !entry.tie) entry.value = defaultStart(entry.min, entry.max);
  ctx.interp.params.set(d.name, entry);
}

/** A tie expression with variables replaced by their (numeric) values. */
async function substituteVariables(e: Expr, ctx: StatementContext, self: string): Promise<Expr> {
  const interp = ctx.interp;
  const map = new Map<string, Expr>();
  for (const n of freeSymbols(e)) {
    if (n === self) {
      throw new ExprfitError('value', `parameter '${self}' cannot be tied to itself`, {
        span: e.span,
        source: ctx.source,
      });
    }
    if (interp.params.has(n) && !interp.variables.has(n)) continue;
    const v = interp.variables.get(n);
    if (v === undefined) continue; // constants; unknown names are reported below
    const x = asNumber(v, `'${n}' in a tie`, where(ctx, e.span));
    map.set(n, { kind: 'num', value: x });
  }
  const out = substitute(e, map);
  // every remaining name must be a parameter or a constant
  for (const n of freeSymbols(out)) {
    if (interp.params.has(n) || n === 'pi' || n === 'e' || n === 'inf' || n === 'nan') continue;
    throw new ExprfitError('unknown-name', `unknown name '${n}' in the tie of '${self}'`, {
      span: e.span,
      source: ctx.source,
      hints: closestMatches(n, interp.knownNames()).map((c) => `did you mean '${c}'?`),
    });
  }
  return out;
}

async function runParam(s: ParamStatement, ctx: StatementContext): Promise<void> {
  for (const d of s.decls) {
    if (isAutoParams(d)) ctx.interp.autoParams = true;
    else await paramDecl(d, ctx);
  }
}

export const paramStatement: StatementDef<'param'> = {
  kind: 'param',
  run: runParam,
  help: {
    summary: 'declare fit parameters: start value, bounds, fixed, or tied to other parameters',
    usage: [
      'param A = 100 in [0, inf]        start value and bounds',
      'param x0 = 7, y0 = 7             several on one line',
      'param c = 10 fixed               held at its value',
      'param sy = 2*sx                  tied: the right side names another parameter',
      'param beta[25] = 0               a vector: elements beta[0] ... beta[24] (model y = cr(x, 25) @ beta)',
      'param auto                       undeclared model names become parameters (start 1)',
      'After a fit, a parameter name in an expression gives its fitted value.',
    ].join('\n'),
  },
};
