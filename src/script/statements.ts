/**
 * One handler per statement kind of the `.fit` language (the table {@link STATEMENT_HANDLERS}), and the
 * table of generic commands (`set`; `spots` in spots.ts): {@link registerCommand}.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { Expr } from '../ast/expr.ts';
import { printExpr } from '../ast/print.ts';
import { defaultStart } from '../model/params.ts';
import { NdArray } from '../data/ndarray.ts';
import { freeSymbols } from '../symbolic/index.ts';
import { getFunction } from '../functions/registry.ts';
import { ExprfitError, type SourceSpan } from '../syntax/span.ts';
import { closestMatches } from '../syntax/suggest.ts';
import type {
  AssignStatement,
  CommandStatement,
  DataStatement,
  FunctionStatement,
  OptionArg,
  ParamDecl,
  ParamStatement,
  SaveStatement,
  Statement,
} from '../syntax/statements.ts';
import { getScriptFunction } from './functions.ts';
import type {
  Interpreter,
  ParamEntry,
  StatementContext,
  StatementHandler,
  StatementHandlers,
} from './interpreter.ts';
import { runFit } from './fitting.ts';
import { plotLastFit } from './plot.ts';
import { spotsCommand } from './spots.ts';
import {
  asArray,
  asInteger,
  asNumber,
  describeType,
  formatValue,
  isAutoParams,
  isTable,
  isTuple,
  showPathAsWritten,
  typeError,
  type TableValue,
  type Value,
  type Where,
} from './values.ts';

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

// ---------------------------------------------------------------------------------------------------------
// options (`key=value`)

/** The word of an option value: `method=lm` or `method="lm"`. */
export function optionWord(opt: OptionArg, ctx: StatementContext): string {
  if (opt.value.kind === 'sym') return opt.value.name;
  if (opt.value.kind === 'str') return opt.value.value;
  throw typeError(`option ${opt.key} expects a word such as ${opt.key}=name`, where(ctx, opt.value.span));
}

export function optionBoolean(opt: OptionArg, ctx: StatementContext): boolean {
  const v = opt.value;
  if (v.kind === 'sym' && (v.name === 'true' || v.name === 'false')) return v.name === 'true';
  if (v.kind === 'num' && (v.value === 0 || v.value === 1)) return v.value === 1;
  throw typeError(`option ${opt.key} expects true or false`, where(ctx, v.span));
}

export async function optionValue(opt: OptionArg, ctx: StatementContext): Promise<Value> {
  return ctx.evaluator.evaluate(opt.value);
}

export function unknownOption(
  opt: OptionArg,
  known: readonly string[],
  ctx: StatementContext,
  what: string,
): ExprfitError {
  const close = closestMatches(opt.key, known);
  return new ExprfitError('option', `unknown option '${opt.key}' for ${what}`, {
    span: opt.keySpan,
    source: ctx.source,
    hints: [close.length ? `did you mean '${close[0]}'?` : `the options are: ${known.join(', ')}`],
  });
}

function noOptions(options: readonly OptionArg[], ctx: StatementContext, what: string): void {
  if (options.length) throw unknownOption(options[0], [], ctx, what);
}

// ---------------------------------------------------------------------------------------------------------
// names

function checkAssignable(interp: Interpreter, name: string, span: SourceSpan, ctx: StatementContext): void {
  if (interp.params.has(name)) {
    throw new ExprfitError('value', `'${name}' is a parameter; a variable needs another name`, {
      span,
      source: ctx.source,
      hints: [`to change its start value write: param ${name} = ...`],
    });
  }
}

function bind(interp: Interpreter, name: string, value: Value): void {
  interp.variables.set(name, value);
}

// ---------------------------------------------------------------------------------------------------------
// statements

async function dataStatement(s: DataStatement, ctx: StatementContext): Promise<void> {
  const { load } = await import('../data/load.ts');
  let prefix = '';
  const loadOptions: Record<string, string> = {};
  for (const o of s.options) {
    if (o.key === 'prefix') prefix = optionWord(o, ctx);
    else if (o.key === 'delimiter' || o.key === 'format' || o.key === 'key') {
      const v = await optionValue(o, ctx);
      loadOptions[o.key] = typeof v === 'string' ? v : optionWord(o, ctx);
    } else throw unknownOption(o, ['prefix', 'delimiter', 'format', 'key'], ctx, 'data');
  }
  const file = resolve(ctx.baseDir, s.file);
  let loaded;
  try {
    loaded = await load(file, loadOptions);
  } catch (err) {
    throw rethrowAt(showPathAsWritten(err, file, s.file), ctx, s.fileSpan);
  }
  let columns: Record<string, NdArray>;
  let names: string[];
  if (loaded.kind === 'table') ({ columns, names } = loaded);
  else if (loaded.kind === 'arrays') ({ arrays: columns, names } = loaded);
  else {
    throw new ExprfitError('value', `${s.file} holds one array, not named columns`, {
      span: s.fileSpan,
      source: ctx.source,
      hints: [`read it with a name: img = load("${s.file}")`],
    });
  }
  const skipped: string[] = [];
  for (const n of names) {
    const name = prefix + n;
    if (!isIdentifier(name)) {
      skipped.push(n);
      continue;
    }
    checkAssignable(ctx.interp, name, s.fileSpan, ctx);
    bind(ctx.interp, name, columns[n]);
  }
  if (skipped.length) {
    ctx.interp.info(
      `note: ${s.file}: column${skipped.length > 1 ? 's' : ''} ${skipped.map((n) => JSON.stringify(n)).join(', ')} skipped (not a valid name); use load("${s.file}", "${skipped[0]}")`,
    );
  }
}

/** An error from a lower layer, positioned at `span` (io errors keep their own text). */
export function rethrowAt(err: unknown, ctx: StatementContext, span: SourceSpan): unknown {
  if (!(err instanceof ExprfitError) || (err.span && err.source)) return err;
  return new ExprfitError(err.code, err.message, { span, source: ctx.source, hints: err.hints, cause: err });
}

async function assignStatement(s: AssignStatement, ctx: StatementContext): Promise<void> {
  const interp = ctx.interp;
  s.targets.forEach((t, i) => checkAssignable(interp, t, s.targetSpans[i], ctx));
  if (s.targets.length === 1 && interp.overrides.has(s.targets[0])) {
    interp.usedOverrides.add(s.targets[0]);
    bind(interp, s.targets[0], interp.overrides.get(s.targets[0])!);
    return;
  }
  const value = await ctx.evaluator.evaluate(s.value);
  if (s.targets.length === 1) {
    if (isTuple(value)) {
      throw typeError(
        `this gives ${value.items.length} values; name each of them`,
        where(ctx, s.value.span),
        [`write: ${value.items.map((_, i) => `${s.targets[0]}${i + 1}`).join(', ')} = ...`],
      );
    }
    bind(interp, s.targets[0], value);
    return;
  }
  let items: Value[];
  if (isTuple(value)) items = [...value.items];
  else if (value instanceof NdArray && value.ndim >= 1) {
    const n = value.shape[0];
    const rest = value.shape.slice(1);
    const size = value.size / Math.max(n, 1);
    items = Array.from({ length: n }, (_, i) => {
      const part = new NdArray(value.data.slice(i * size, (i + 1) * size), rest);
      return part.ndim === 0 ? part.data[0] : part;
    });
  } else
    throw typeError(
      `${describeType(value)} cannot be unpacked into ${s.targets.length} names`,
      where(ctx, s.value.span),
    );
  if (items.length !== s.targets.length) {
    throw new ExprfitError(
      'value',
      `${s.targets.length} names on the left but ${items.length} value${items.length === 1 ? '' : 's'} on the right`,
      { span: s.span, source: ctx.source },
    );
  }
  s.targets.forEach((t, i) => bind(interp, t, items[i]));
}

/** True when `e` names a declared parameter (so `param sy = 2*sx` is a tie). */
function namesParam(interp: Interpreter, e: Expr, self: string): boolean {
  for (const n of freeSymbols(e))
    if (n !== self && interp.params.has(n) && !interp.variables.has(n)) return true;
  return false;
}

async function scalarOf(e: Expr, ctx: StatementContext, what: string): Promise<number> {
  const v = await ctx.evaluator.evaluate(e);
  return asNumber(v, what, where(ctx, e.span));
}

async function paramDecl(d: ParamDecl, ctx: StatementContext): Promise<void> {
  const interp = ctx.interp;
  if (interp.variables.has(d.name)) {
    throw new ExprfitError('value', `'${d.name}' is already a variable; a parameter needs another name`, {
      span: d.nameSpan,
      source: ctx.source,
    });
  }
  const entry: ParamEntry = {
    name: d.name,
    value: NaN,
    min: -Infinity,
    max: Infinity,
    fixed: d.fixed,
    implicit: false,
  };
  if (d.min) entry.min = await scalarOf(d.min, ctx, `the lower bound of '${d.name}'`);
  if (d.max) entry.max = await scalarOf(d.max, ctx, `the upper bound of '${d.name}'`);
  const noFiniteValue = entry.min === entry.max && !Number.isFinite(entry.min);
  if (entry.min > entry.max || noFiniteValue) {
    const why = noFiniteValue
      ? `bounds [${entry.min}, ${entry.max}] leave no finite value`
      : `lower bound ${entry.min} is above the upper bound ${entry.max}`;
    throw new ExprfitError('value', `parameter '${d.name}': ${why}`, { span: d.span, source: ctx.source });
  }
  const override = interp.overrides.get(d.name);
  if (override !== undefined) {
    interp.usedOverrides.add(d.name);
    if (!Number.isFinite(override)) {
      throw new ExprfitError(
        'usage',
        `--set ${d.name}: the start value of parameter '${d.name}' must be finite, got ${override}`,
        { span: d.span, source: ctx.source },
      );
    }
    entry.value = override;
  } else if (d.value && namesParam(interp, d.value, d.name)) {
    if (d.fixed) {
      throw new ExprfitError(
        'value',
        `parameter '${d.name}' is tied to other parameters, so it cannot also be fixed`,
        {
          span: d.span,
          source: ctx.source,
        },
      );
    }
    if (d.min || d.max) {
      throw new ExprfitError(
        'value',
        `parameter '${d.name}' is tied to other parameters, so it cannot have bounds: bound the parameters it uses instead`,
        { span: d.span, source: ctx.source },
      );
    }
    // Numbers of variables are substituted; the tie keeps parameter names only.
    const tie = await substituteVariables(d.value, ctx, d.name);
    entry.tie = tie;
    entry.tieText = printExpr(tie);
  } else if (d.value) {
    entry.value = await scalarOf(d.value, ctx, `the start value of '${d.name}'`);
    if (!Number.isFinite(entry.value)) {
      throw new ExprfitError(
        'value',
        `parameter '${d.name}': the start value must be finite, got ${entry.value}`,
        {
          span: d.value.span,
          source: ctx.source,
        },
      );
    }
  } else if (d.fixed) {
    throw new ExprfitError('value', `a fixed parameter needs a value: param ${d.name} = ... fixed`, {
      span: d.span,
      source: ctx.source,
    });
  }
  // no start value: the fit API's rule
  if (Number.isNaN(entry.value) && !entry.tie) entry.value = defaultStart(entry.min, entry.max);
  interp.params.set(d.name, entry);
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
    if (v === undefined) continue; // constants; unknown names are reported by evaluation below
    const x = asNumber(v, `'${n}' in a tie`, where(ctx, e.span));
    map.set(n, { kind: 'num', value: x });
  }
  const { substitute } = await import('../symbolic/index.ts');
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

async function paramStatement(s: ParamStatement, ctx: StatementContext): Promise<void> {
  for (const d of s.decls) {
    if (isAutoParams(d)) ctx.interp.autoParams = true;
    else await paramDecl(d, ctx);
  }
}

function modelStatement(s: Extract<Statement, { kind: 'model' }>, ctx: StatementContext): void {
  const interp = ctx.interp;
  if (interp.modelClosed) {
    interp.models = [];
    interp.modelClosed = false;
  }
  // one line of text for reports and plot titles (continuation lines joined)
  const text = ctx.source.text
    .slice(s.lhsSpan.start, s.span.end)
    .replace(/\s*\\?[ \t]*(#[^\n]*)?\r?\n\s*/g, ' ')
    .trim();
  const line = { lhs: s.lhs, lhsSpan: s.lhsSpan, rhs: s.rhs, span: s.span, source: ctx.source, text };
  const i = interp.models.findIndex((m) => m.lhs === s.lhs);
  if (i >= 0) interp.models[i] = line;
  else interp.models.push(line);
}

function functionStatement(s: FunctionStatement, ctx: StatementContext): void {
  if (getFunction(s.name) || getScriptFunction(s.name)) {
    throw new ExprfitError('value', `'${s.name}' is a builtin function and cannot be redefined`, {
      span: s.nameSpan,
      source: ctx.source,
      hints: ['choose another name for your function'],
    });
  }
  ctx.interp.functions.set(s.name, { params: [...s.params], body: s.body, span: s.span });
}

function requireFit(
  ctx: StatementContext,
  span: SourceSpan,
  what: string,
): NonNullable<Interpreter['lastFit']> {
  const last = ctx.interp.lastFit;
  if (!last) {
    throw new ExprfitError('value', `nothing to ${what} yet: run 'fit' first`, { span, source: ctx.source });
  }
  return last;
}

function reportStatement(s: Extract<Statement, { kind: 'report' }>, ctx: StatementContext): void {
  const last = requireFit(ctx, s.span, 'report');
  let minCorrelation = 0.1;
  for (const o of s.options) {
    if (o.key === 'min_correlation' && o.value.kind === 'num') minCorrelation = o.value.value;
    else throw unknownOption(o, ['min_correlation'], ctx, 'report');
  }
  if (s.mode === undefined || s.mode === 'full') ctx.interp.out(last.result.report(minCorrelation));
  else if (s.mode === 'brief') ctx.interp.out(last.result.briefReport());
  else if (s.mode === 'json') ctx.interp.out(JSON.stringify(last.result.toJSON(), null, 2));
  else {
    throw new ExprfitError('value', `unknown report mode '${s.mode}'`, {
      span: s.span,
      source: ctx.source,
      hints: ['write report, report brief or report json'],
    });
  }
}

async function printStatement(
  s: Extract<Statement, { kind: 'print' }>,
  ctx: StatementContext,
): Promise<void> {
  const v = await ctx.evaluator.evaluate(s.value);
  ctx.interp.out(formatValue(v, ctx.interp.settings.digits));
}

async function exprStatement(s: Extract<Statement, { kind: 'expr' }>, ctx: StatementContext): Promise<void> {
  const v = await ctx.evaluator.evaluate(s.value);
  ctx.interp.out(formatValue(v, ctx.interp.settings.digits));
}

async function saveStatement(s: SaveStatement, ctx: StatementContext): Promise<void> {
  const { extname } = await import('node:path');
  if (!s.what) {
    const last = requireFit(ctx, s.span, 'save');
    noOptions(s.options, ctx, 'save');
    if (extname(s.file).toLowerCase() !== '.json') {
      throw new ExprfitError(
        'value',
        `the fit result is saved as .json, not ${extname(s.file) || 'a file without extension'}`,
        {
          span: s.fileSpan,
          source: ctx.source,
          hints: ['to save an array write: save NAME to "file.npy" (.npy, .csv, .png, .json)'],
        },
      );
    }
    const path = await outputPath(ctx, s.file, s.fileSpan);
    const { writeJson } = await import('../data/json.ts');
    try {
      await writeJson(path, last.result.toJSON());
    } catch (err) {
      throw rethrowAt(err, ctx, s.fileSpan);
    }
    ctx.interp.info(`wrote ${displayPath(path)}`);
    return;
  }
  const value = await ctx.evaluator.evaluate(s.what);
  if (isTable(value)) return saveTable(value, s, ctx);
  const array = asArray(value, 'what is saved', where(ctx, s.what.span));
  const opts: { name?: string; png?: 'heatmap' | 'grey16'; range?: [number, number]; colormap?: string } = {};
  if (s.what.kind === 'sym') opts.name = s.what.name;
  for (const o of s.options) {
    switch (o.key) {
      case 'name':
        opts.name = optionWord(o, ctx);
        break;
      case 'colormap':
        opts.colormap = optionWord(o, ctx);
        break;
      case 'png': {
        const w = optionWord(o, ctx);
        if (w !== 'heatmap' && w !== 'grey16') {
          throw typeError(`option png is heatmap or grey16, not ${w}`, where(ctx, o.value.span));
        }
        opts.png = w;
        break;
      }
      case 'range': {
        const r = asArray(await optionValue(o, ctx), 'range', where(ctx, o.value.span));
        if (r.size !== 2) throw typeError('range must be [low, high]', where(ctx, o.value.span));
        opts.range = [r.data[0], r.data[1]];
        break;
      }
      case 'scale':
      case 'nsigma':
        throw typeError(`option ${o.key} is for the overlay of a spots table`, where(ctx, o.keySpan));
      default:
        throw unknownOption(o, ['name', 'colormap', 'png', 'range'], ctx, 'save');
    }
  }
  const path = await outputPath(ctx, s.file, s.fileSpan);
  const { saveArray } = await import('../data/load.ts');
  try {
    await saveArray(path, array, opts);
  } catch (err) {
    throw rethrowAt(err, ctx, s.fileSpan);
  }
  ctx.interp.info(`wrote ${displayPath(path)}`);
}

const TABLE_FORMATS = ['.csv', '.tsv', '.txt', '.json', '.npy'];

/**
 * `save TABLE to "file"`: .csv/.tsv/.txt (a header of column names), .json (an object of columns), .npy (a
 * [rows, columns] array), or .png for a table with an overlay (`save spots to "spots.png"`: the image with the
 * fitted ellipses; options scale=, nsigma=, range=[lo, hi]).
 */
async function saveTable(t: TableValue, s: SaveStatement, ctx: StatementContext): Promise<void> {
  const { extname } = await import('node:path');
  const ext = extname(s.file).toLowerCase();
  const png = ext === '.png' && t.overlay !== undefined;
  if (!png && !TABLE_FORMATS.includes(ext)) {
    throw new ExprfitError(
      'value',
      `a table is saved as ${TABLE_FORMATS.join(', ')}${t.overlay ? ' or .png (the overlay)' : ''}, not ${ext || 'a file without extension'}`,
      {
        span: s.fileSpan,
        source: ctx.source,
        hints:
          ext === '.png'
            ? ['only the table of the spots statement has an image to draw on']
            : [`write e.g. save ${s.what ? printExpr(s.what) : 'spots'} to "table.csv"`],
      },
    );
  }
  const overlay: { scale?: number; nsigma?: number; range?: [number, number] } = {};
  const known = png ? ['scale', 'nsigma', 'range'] : [];
  for (const o of s.options) {
    if (!known.includes(o.key)) {
      if (!png && ['scale', 'nsigma', 'range'].includes(o.key) && t.overlay) {
        throw typeError(`option ${o.key} is for the overlay (.png)`, where(ctx, o.keySpan));
      }
      throw new ExprfitError('option', `unknown option '${o.key}' for saving a table`, {
        span: o.keySpan,
        source: ctx.source,
        hints: [png ? `the options are: ${known.join(', ')}` : 'a table is saved without options'],
      });
    }
    const v = await optionValue(o, ctx);
    const at = where(ctx, o.value.span);
    if (o.key === 'scale') overlay.scale = asInteger(v, 'scale', at);
    else if (o.key === 'nsigma') overlay.nsigma = asNumber(v, 'nsigma', at);
    else {
      const r = asArray(v, 'range', at);
      if (r.size !== 2) throw typeError('range must be [low, high]', at);
      overlay.range = [r.data[0], r.data[1]];
    }
  }
  const path = await outputPath(ctx, s.file, s.fileSpan);
  try {
    if (png) await t.overlay!(path, overlay);
    else if (ext === '.json') {
      const { writeJson } = await import('../data/json.ts');
      await writeJson(path, Object.fromEntries(t.names.map((n) => [n, t.columns[n]])));
    } else if (ext === '.npy') {
      const { saveArray } = await import('../data/load.ts');
      const k = t.names.length;
      const data = new Float64Array(t.rows * k);
      t.names.forEach((n, j) => t.columns[n].forEach((x, i) => (data[i * k + j] = x)));
      await saveArray(path, new NdArray(data, [t.rows, k]));
    } else {
      const { writeTable } = await import('../data/table.ts');
      const delimiter = ext === '.tsv' ? '\t' : ext === '.txt' ? ' ' : ',';
      await writeTable(path, Object.fromEntries(t.names.map((n) => [n, t.columns[n]])), { delimiter });
    }
  } catch (err) {
    throw rethrowAt(err, ctx, s.fileSpan);
  }
  ctx.interp.info(`wrote ${displayPath(path)}`);
}

async function plotStatement(s: Extract<Statement, { kind: 'plot' }>, ctx: StatementContext): Promise<void> {
  const last = requireFit(ctx, s.span, 'plot');
  await plotLastFit(last, s, ctx);
}

// ---------------------------------------------------------------------------------------------------------
// commands

/** What a command's static check can do (src/script/check.ts gives it). */
export interface CommandChecker {
  /** Checks the names and calls of an expression (unknown names are errors). */
  expr(e: Expr): void;
  /** Whether a name is defined at this point of the script. */
  has(name: string): boolean;
  /** Records that the command defines variable `name` (e.g. the table `spots`). */
  define(name: string, span: SourceSpan): void;
  /** An error positioned in the script. */
  error(
    code: ExprfitError['code'],
    message: string,
    span: SourceSpan | undefined,
    hints?: string[],
  ): ExprfitError;
}

/** A generic command `name arg ... key=value ...` (the grammar's COMMAND_KEYWORDS). */
export interface CommandDef {
  readonly name: string;
  /** One line for `:help`. */
  readonly summary: string;
  /** Full help text (usage and examples). */
  readonly help: string;
  /** Option names (for completion and checks). */
  readonly options?: readonly string[];
  /** The words some options take (`estimator`: `lse`, `poisson`), for completion. */
  readonly words?: Readonly<Record<string, readonly string[]>>;
  /**
   * Static check before a script runs (`exprfit check`): the names the arguments use, the options, the names
   * the command defines. Without it, arguments that name known variables are checked.
   */
  check?(stmt: CommandStatement, checker: CommandChecker): void;
  run(stmt: CommandStatement, ctx: StatementContext): void | Promise<void>;
}

const COMMANDS = new Map<string, CommandDef>();

/**
 * Registers a command. The keyword must be in the grammar's COMMAND_KEYWORDS (grammar/tokens.ts) to parse;
 * e.g. issue 5's `spots img roi=7 ...` registers `spots` here.
 */
export function registerCommand(def: CommandDef): void {
  COMMANDS.set(def.name, def);
}

export function getCommand(name: string): CommandDef | undefined {
  return COMMANDS.get(name);
}

export function commandNames(): string[] {
  return [...COMMANDS.keys()].sort();
}

registerCommand({
  name: 'set',
  summary: 'session settings: set digits=6 (significant digits of printed numbers; 0 = full precision)',
  help: 'set                show the settings\nset digits=6       print numbers with 6 significant digits (0: full precision)',
  run(stmt, ctx) {
    const interp = ctx.interp;
    if (stmt.args.length) {
      throw typeError('set takes settings as key=value, e.g. set digits=6', where(ctx, stmt.args[0].span));
    }
    if (!stmt.options.length) {
      interp.out(`digits = ${interp.settings.digits ?? 0}`);
      return;
    }
    for (const o of stmt.options) {
      if (o.key !== 'digits') throw unknownOption(o, ['digits'], ctx, 'set');
      const d = o.value.kind === 'num' ? o.value.value : NaN;
      if (!Number.isInteger(d) || d < 0 || d > 17) {
        throw typeError(
          'digits is a whole number from 1 to 17, or 0 for full precision',
          where(ctx, o.value.span),
        );
      }
      if (d === 0) delete interp.settings.digits;
      else interp.settings.digits = d;
    }
  },
});

// spots.ts imports helpers from this module; spotsCommand is a function declaration, so it can be called here
// whichever of the two modules is loaded first.
registerCommand(spotsCommand());

async function commandStatement(s: CommandStatement, ctx: StatementContext): Promise<void> {
  const def = COMMANDS.get(s.name);
  if (!def) {
    throw new ExprfitError('usage', `the '${s.name}' command is not available in this version`, {
      span: s.nameSpan,
      source: ctx.source,
    });
  }
  await def.run(s, ctx);
}

async function fitStatement(s: Extract<Statement, { kind: 'fit' }>, ctx: StatementContext): Promise<void> {
  await runFit(s, ctx);
}

/** The statement handlers. Add a statement kind here (and to the grammar); add commands with registerCommand. */
export const STATEMENT_HANDLERS: StatementHandlers = {
  data: dataStatement,
  assign: assignStatement,
  param: paramStatement,
  model: modelStatement,
  function: functionStatement,
  fit: fitStatement,
  report: reportStatement,
  print: printStatement,
  save: saveStatement,
  plot: plotStatement,
  command: commandStatement,
  expr: exprStatement,
};

export type { StatementHandler };
