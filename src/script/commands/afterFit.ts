/**
 * What the commands that work on the last fit share (`band`, `confint`, `confint2d`, `mcmc`): parameter names
 * written as arguments, numbers in the session's digits, an aligned text table, and their static check.
 */
import type { Expr } from '../../ast/index.ts';
import type { OptionsSchema } from '../../core/index.ts';
import type { CommandStatement, OptionArg } from '../../syntax/index.ts';
import type { Checker, FitRecord, StatementContext } from '../context.ts';
import { requireFit, where } from '../optionArgs.ts';
import { recordOf } from '../savedResult.ts';
import { formatScalar, isFit, typeError } from '../values.ts';

/** A number as the session prints it (6 significant digits unless `set digits` says otherwise). */
export function formatNumber(ctx: StatementContext, v: number): string {
  return formatScalar(v, ctx.interp.settings.digits ?? 6);
}

/** Rows of cells as text: the first column left-aligned, the others right-aligned. */
export function alignedTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows
    .map((r) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  '))
    .join('\n');
}

/** Parameter names written as words: `a`, `"a,b"` or `[a, b]`. */
function namesOf(e: Expr, ctx: StatementContext): string[] {
  if (e.kind === 'array') return e.items.flatMap((item) => namesOf(item, ctx));
  if (e.kind === 'sym') return [e.name];
  if (e.kind === 'str') return e.value.split(',').map((s) => s.trim());
  throw typeError('expected parameter names, e.g. a or [a, b]', where(ctx, e.span));
}

/** The fit a command works on: a fit value named first (`band result`), else the last fit; its other arguments. */
export function fitOfArgs(
  s: CommandStatement,
  ctx: StatementContext,
  what: string,
): { fit: FitRecord; args: readonly Expr[] } {
  const [first, ...rest] = s.args;
  const named = first?.kind === 'sym' ? ctx.interp.variables.get(first.name) : undefined;
  if (named === undefined || !isFit(named)) return { fit: requireFit(ctx, s.span, what), args: s.args };
  const last = ctx.interp.lastFit;
  return { fit: last?.result === named.result ? last : recordOf(ctx.interp, named.result), args: rest };
}

/** The parameter names of the arguments (`confint a b`). */
export function argNames(args: readonly Expr[], ctx: StatementContext): string[] {
  return args.flatMap((a) => namesOf(a, ctx));
}

/** The options other than `key` (a key whose value is read as names, `params=[a, b]`), and its names. */
export function splitNamesOption(
  opts: readonly OptionArg[],
  key: string,
  ctx: StatementContext,
): { names?: string[]; rest: OptionArg[] } {
  const named = opts.filter((o) => o.key === key);
  const names = named.length ? named.flatMap((o) => namesOf(o.value, ctx)) : undefined;
  return { names, rest: opts.filter((o) => o.key !== key) };
}

/** The check of a command on the last fit: a fit before it, its options, the names it defines. */
export function checkAfterFit(
  s: CommandStatement,
  c: Checker,
  schema: OptionsSchema,
  defines: readonly string[],
  namesKey?: string,
): void {
  c.requireFit(s.span, s.name);
  const opts = s.options.filter((o) => o.key !== namesKey);
  const names = s.options.filter((o) => o.key === namesKey);
  const bad = names.find((o) => !['sym', 'str', 'array'].includes(o.value.kind));
  if (bad)
    throw c.error('value', `${namesKey} takes parameter names, e.g. ${namesKey}=[a, b]`, bad.value.span);
  c.options(opts, schema, s.name);
  for (const name of defines) c.define(name, s.span);
}
