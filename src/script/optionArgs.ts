/**
 * What the statements share: names, paths, positions, and the options (`key=value`) of a statement read
 * through its schema (src/core/options.ts), with errors in the script's spelling and at the option's place.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import {
  camelKey,
  describeValue,
  ExprfitError,
  OptionError,
  type OptionErrorDetail,
  optionKeys,
  type OptionsOf,
  type OptionSpecs,
  type OptionsSchema,
  parseOptions,
  type SourceSpan,
  type SourceText,
  spellKey,
} from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import type { OptionArg } from '../syntax/index.ts';
import type { FitRecord, StatementContext } from './context.ts';
import type { Value, Where } from './values.ts';

/** Identifiers the language accepts as names (data columns that are not are skipped). */
const IDENTIFIER = /^[\p{L}_][\p{L}\p{M}\p{Nd}_\u2080-\u2089]*$/u;
const RESERVED = new Set(['and', 'or', 'not', 'in', 'to']);

export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED.has(name);
}

export function where(ctx: StatementContext, span: SourceSpan | undefined): Where {
  return { span, source: ctx.source };
}

/** A path as shown to the user: relative to the current folder when that is shorter. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && rel.length < file.length ? rel : file;
}

/** An output file: resolved against the script's folder; its folder is created when missing. */
export async function outputPath(ctx: StatementContext, file: string, span: SourceSpan): Promise<string> {
  const { isStandardStreamName } = await import('../data/index.ts');
  if (isStandardStreamName(file)) return file; // `-` is stdout, not a file named '-' beside the script
  const path = resolve(ctx.baseDir, file);
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (err) {
    throw new ExprfitError('io', `${file}: cannot create the folder ${displayPath(dirname(path))}`, {
      span,
      source: ctx.source,
      cause: err,
    });
  }
  return path;
}

/** An error from a lower layer, positioned at `span` (io errors keep their own text). */
export function rethrowAt(err: unknown, ctx: StatementContext, span: SourceSpan): unknown {
  if (!(err instanceof ExprfitError) || (err.span && err.source)) return err;
  return err.placed(span, ctx.source);
}

/** The last fit, for `report`, `save` and `plot`; an error when there is none yet. */
export function requireFit(ctx: StatementContext, span: SourceSpan, what: string): FitRecord {
  const last = ctx.interp.lastFit;
  if (!last) {
    throw new ExprfitError('value', `nothing to ${what} yet: run 'fit' first`, { span, source: ctx.source });
  }
  return last;
}

// ---------------------------------------------------------------------------------------------------------
// options (`key=value`) through a schema

/** The declared key of an option as written (`nan_policy`, its alias `nan`, or camelCase), if any. */
export function declaredKey(schema: OptionsSchema, written: string): string | undefined {
  const camel = camelKey(written, 'script');
  return optionKeys(schema, 'script').find(
    (k) => k === camel || (schema.specs[k].aliases ?? []).includes(camel),
  );
}

/** The options of a statement as written in scripts: `min_correlation`, ... */
export function scriptKeys(schema: OptionsSchema): string[] {
  return optionKeys(schema, 'script').map((k) => spellKey(k, 'script'));
}

/** The words a statement option takes (enum values, `true`/`false`), for checks and completion. */
export function optionWords(schema: OptionsSchema, key: string): readonly string[] | undefined {
  const spec = schema.specs[key];
  if (spec.kind === 'boolean') return ['true', 'false'];
  return spec.kind === 'enum' ? spec.words : undefined;
}

/** Where an option error points: the key for an unknown option, else the whole `key=value`. */
function spanOf(d: OptionErrorDetail, opt: OptionArg): SourceSpan {
  return d.problem === 'unknown' ? opt.keySpan : opt.span;
}

/** An option error in the script's words: `unknown option 'titel' for plot`, `option loss is one of ...`. */
function scriptMessage(d: OptionErrorDetail, schema: OptionsSchema, written: string, what: string) {
  const close = d.suggestions.map((s) => (d.suggestionsAreKeys ? spellKey(s, 'script') : s));
  const didYouMean = close.length ? [`did you mean '${close[0]}'?`] : [];
  if (d.problem === 'unknown') {
    const known = scriptKeys(schema);
    const list = known.length ? `the options are: ${known.join(', ')}` : `${what} takes no options`;
    return { message: `unknown option '${written}' for ${what}`, hints: close.length ? didYouMean : [list] };
  }
  if (d.problem === 'duplicate') return { message: `option ${written} is given twice`, hints: [] };
  const spec = schema.specs[d.key];
  if (spec?.kind === 'enum') {
    return { message: `option ${written} is one of ${(spec.words ?? []).join(', ')}`, hints: didYouMean };
  }
  return {
    message: `option ${written} must be ${d.expected}, got ${describeValue(d.value)}`,
    hints: didYouMean,
  };
}

/** The option (of `opts`) an option error is about. */
function optionOf(d: OptionErrorDetail, schema: OptionsSchema, opts: readonly OptionArg[]): OptionArg {
  const byKey = (o: OptionArg) =>
    d.problem === 'unknown' ? camelKey(o.key, 'script') === d.key : declaredKey(schema, o.key) === d.key;
  return [...opts].reverse().find(byKey) ?? opts[0];
}

/** Renders an option error of the schema module for a script: its spelling, positioned at the option. */
export function scriptOptionError(
  err: unknown,
  schema: OptionsSchema,
  opts: readonly OptionArg[],
  source: SourceText,
  what: string,
): unknown {
  if (!(err instanceof OptionError) || !opts.length) return err;
  const opt = optionOf(err.detail, schema, opts);
  const { message, hints } = scriptMessage(err.detail, schema, opt.key, what);
  return new ExprfitError('option', message, { span: spanOf(err.detail, opt), source, hints, cause: err });
}

/** Throws the unknown-option error of the first option `schema` does not declare. */
export function checkOptionNames(
  schema: OptionsSchema,
  opts: readonly OptionArg[],
  source: SourceText,
  what: string,
): void {
  const unknown = opts.filter((o) => declaredKey(schema, o.key) === undefined);
  try {
    if (unknown.length) parseOptions(schema, { [unknown[0].key]: true }, 'script');
  } catch (err) {
    throw scriptOptionError(err, schema, unknown, source, what);
  }
}

/** The word an option value is written as: `method=lm`, `method="lm"`, `absolute_sigma=1`. */
export function wordOf(opt: OptionArg): string | undefined {
  const v = opt.value;
  if (v.kind === 'sym') return v.name;
  if (v.kind === 'str') return v.value;
  if (v.kind === 'num') return String(v.value);
  return undefined;
}

/** Text: a string literal, a variable holding a string, or a bare word (`prefix=b_`, `eq=y`). */
async function textOf(opt: OptionArg, ctx: StatementContext): Promise<Value> {
  const v = opt.value;
  if (v.kind === 'sym') {
    const known = ctx.interp.variables.get(v.name);
    return typeof known === 'string' ? known : v.name;
  }
  return ctx.evaluator.evaluate(v);
}

/** The value of one option, read as its declared kind: words stay words, expressions are evaluated. */
async function rawValue(opt: OptionArg, schema: OptionsSchema, ctx: StatementContext): Promise<unknown> {
  const spec = schema.specs[declaredKey(schema, opt.key)!];
  if (spec.kind === 'enum' || spec.kind === 'boolean') {
    const w = wordOf(opt);
    if (w !== undefined) return opt.value.kind === 'num' ? opt.value.value : w;
  }
  if (spec.kind === 'string') return textOf(opt, ctx);
  const value = await ctx.evaluator.evaluate(opt.value);
  return spec.kind === 'numberArray' && value instanceof NdArray ? Array.from(value.data) : value;
}

/**
 * The options of a statement, read and validated through its schema: unknown keys, words and ranges are
 * errors in the script's spelling (`unknown option 'titel' for plot`), positioned at the option.
 */
export async function statementOptions<S extends OptionSpecs>(
  schema: OptionsSchema<S>,
  opts: readonly OptionArg[],
  ctx: StatementContext,
  what: string,
): Promise<OptionsOf<S>> {
  checkOptionNames(schema, opts, ctx.source, what);
  const raw: Record<string, unknown> = Object.create(null);
  for (const o of opts) raw[o.key] = await rawValue(o, schema, ctx);
  try {
    return parseOptions(schema, raw, 'script');
  } catch (err) {
    throw scriptOptionError(err, schema, opts, ctx.source, what);
  }
}

/** The option as written in the statement, for errors about it (`opts` holds a declared key `key`). */
export function writtenOption(
  schema: OptionsSchema,
  opts: readonly OptionArg[],
  key: string,
): OptionArg | undefined {
  return opts.find((o) => declaredKey(schema, o.key) === key);
}

/**
 * The API option `onProgress` reporting `unit`s of long work (multi-start `starts`, profile `refits`, MCMC
 * `steps`) to the session when it listens (the CLI's and REPL's progress line); nothing otherwise. Open-ended
 * progress (total Infinity, e.g. a single solve's iterations) is reported in `openEndedUnit`.
 */
export function sessionProgress(
  ctx: Pick<StatementContext, 'interp'>,
  unit: string,
  openEndedUnit = unit,
): { onProgress?: (done: number, total: number) => void; signal?: AbortSignal } {
  const report = ctx.interp.options.onProgress;
  const signal = ctx.interp.signal;
  const unitOf = (total: number): string => (total === Infinity ? openEndedUnit : unit);
  return {
    ...(report ? { onProgress: (done: number, total: number) => report(unitOf(total), done, total) } : {}),
    ...(signal ? { signal } : {}),
  };
}
