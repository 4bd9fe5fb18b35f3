/**
 * What the commands that work on the last fit share (`band`, `confint`, `confint2d`, `mcmc`): parameter names
 * written as arguments, numbers in the session's digits, an aligned text table, and their static check.
 */
import type { Expr } from '../../ast/index.ts';
import type { OptionsSchema } from '../../core/index.ts';
import type { CommandStatement, OptionArg } from '../../syntax/index.ts';
import type { Checker, StatementContext } from '../context.ts';
import { where } from '../optionArgs.ts';
import { formatScalar, typeError } from '../values.ts';

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

/** The parameter names of the arguments (`confint a b`). */
export function argNames(s: CommandStatement, ctx: StatementContext): string[] {
  return s.args.flatMap((a) => namesOf(a, ctx));
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
