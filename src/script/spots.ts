/**
 * The `spots` statement of `.fit` scripts and the REPL: finds and fits the spots of an image with the batch
 * pipeline (`runSpots`, docs/batch.md), as `exprfit spots` does, and binds the result table (one row per spot:
 * id, x, y, amplitude, sigma_x, sigma_y, theta, background, x_err, y_err, amplitude_err, chi2, iterations,
 * status) to the name `spots` (or `name=...`):
 *
 *     img = load("cells.tif")
 *     spots img model=rotated roi=9 threshold="5sigma" estimator=poisson min_distance=3 threads=2
 *     print spots                     # the summary and the first rows
 *     x = col(spots, "x")             # a column as an array
 *     save spots to "spots.csv"       # the table
 *     save spots to "spots.png"       # the overlay: the image with the fitted ellipses
 *
 * Options are those of `spotsStatementSchema`: the pipeline's `spotsSchema` (src/batch/spots/options.ts) in
 * snake_case, parsed with `parseOptions`, plus this statement's own `peaks=TABLE_OR_ARRAY`, `name=NAME`,
 * `out="file.csv"` and `overlay="file.png"`; and `start_NAME=value` for each parameter NAME of a user model.
 * Errors point at the option (or argument) that caused them.
 *
 * In the statement table through commands/spots.ts; the pipeline is imported when it runs.
 */
import type { Expr } from '../ast/index.ts';
import {
  checkMissingStarts,
  checkSpotImage,
  checkStartValue,
  peaksFromOption,
  type SpotModel,
  type SpotsOptions,
  spotsSchema,
  STATUS,
  type ValidSpotsOptions,
} from '../batch/index.ts';
import type { SpotsResult, SpotsStackResult } from '../batch/node.ts';
import {
  closestMatches,
  defineOptions,
  ExprfitError,
  helpLines,
  opt,
  OptionError,
  optionKeyOf,
  optionKeys,
  parseOptions,
  requireOptionKey,
  type SourceSpan,
  spanAt,
  spellKey,
  valueWords,
} from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import type { CommandStatement, OptionArg } from '../syntax/index.ts';
import { resolve } from 'node:path';
import type { CommandChecker, CommandDef, StatementContext } from './context.ts';
import { displayPath, isIdentifier, outputPath, rethrowAt, sessionProgress, where } from './optionArgs.ts';
import { asArray, asString, describeType, isTable, makeTable, typeError } from './values.ts';
import { nameMap, nameTable } from './nameMap.ts';

/** The files the `spots` statement and `exprfit spots` write (the CLI's `--out`, `--overlay`). */
export const spotsFileSpecs = {
  out: opt.string({
    doc: 'write the table (.csv, .tsv, ...)',
    frontEnds: ['script', 'cli'],
    placeholder: 'file',
  }),
  overlay: opt.string({
    doc: 'write the overlay: the image with the fitted ellipses (.png)',
    frontEnds: ['script', 'cli'],
    placeholder: 'file',
  }),
};

/** The start value of a user-model parameter: `start_NAME=value` in scripts, `--start NAME=VALUE` in the CLI. */
export const spotsStartSpec = {
  start: opt.string({
    doc: 'start value of a user-model parameter spots does not estimate',
    frontEnds: ['cli'],
    placeholder: 'name=value',
  }),
};

/** The statement's options: the pipeline's and its own (read by the statement, not passed to the pipeline). */
const spotsStatementSchema = defineOptions('spots', {
  ...spotsSchema.specs,
  peaks: opt.custom<unknown>({
    doc: 'fit at these positions (a spots table, or an array [n, 2])',
    accept: (v): v is unknown => v !== undefined,
    expected: 'a table with columns x and y, or an array [n, 2]',
    frontEnds: ['script'],
  }),
  name: opt.string({ doc: 'the name of the table (default spots)', frontEnds: ['script'] }),
  ...spotsFileSpecs,
});

const FILE_OPTIONS = Object.keys(spotsFileSpecs);

/** `start_NAME=value`: the start value of the parameter NAME of a user model (one key per parameter). */
const START_KEY = 'start_NAME';

/** The option names (snake_case; camelCase is accepted too), for completion and `exprfit check`. */
const OPTIONS = [...optionKeys(spotsStatementSchema, 'script').map((k) => spellKey(k, 'script')), START_KEY];

type SpotsKey = keyof typeof spotsStatementSchema.specs;

/** The words of options that take words (`estimator`: `lse`, `poisson`, ...), for completion. */
const WORDS: Readonly<Record<string, readonly string[]>> = nameTable(
  Object.fromEntries(
    optionKeys(spotsStatementSchema, 'script').flatMap((k) => {
      const words = valueWords(spotsStatementSchema.specs[k as SpotsKey]);
      return words.length ? [[spellKey(k, 'script'), words]] : [];
    }),
  ),
);

const HELP = [
  'img = load("cells.tif")',
  'spots img                          find and fit the spots; the table is named spots',
  'spots img model=rotated roi=9 threshold="5sigma" estimator=poisson min_distance=3 threads=2',
  'print spots                        summary and the first rows',
  'x = col(spots, "x")                a column as an array (col(spots, "amplitude"), ...)',
  'save spots to "spots.csv"          the table (.csv, .tsv, .json, .npy)',
  'save spots to "spots.png"          the overlay: the image with the fitted ellipses (2 sigma)',
  'spots "stack.tif" threads=2         a stack (multi-page .tif, 3-D .npy, or a 3-D array): frame by frame,',
  '                                   one table with a frame column (docs/spots.md)',
  'Options:',
  ...helpLines(spotsStatementSchema, 'script', [[`${START_KEY}=<number>`, spotsStartSpec.start.doc]]),
  'Columns: id, x, y (0-based pixel centres), amplitude, sigma_x, sigma_y, theta, background, x_err, y_err,',
  '  amplitude_err, chi2, iterations, status (0 converged, 1 max-iterations, 2 singular, 3 non-finite,',
  '  4 too-few-points: fewer valid pixels than parameters).',
  'Spots closer than group_distance (default 6 sigma) are fitted jointly as a sum of Gaussians.',
].join('\n');

/** The `spots` command. */
export function spotsCommand(): CommandDef {
  return {
    name: 'spots',
    summary: 'find and fit the spots (2-D Gaussians) of an image; the table is named spots',
    help: HELP,
    options: OPTIONS,
    words: WORDS,
    check: checkSpots,
    run: runSpotsStatement,
  };
}

function isStartKey(key: string): boolean {
  return key.startsWith('start_') && key.length > 6;
}

/** `minDistance` and `min-distance` → `min_distance`, aliases to their key; `start_NAME` keeps NAME's case. */
function canonicalKey(key: string): string {
  if (isStartKey(key)) return key;
  const k = optionKeyOf(spotsStatementSchema, key, 'script');
  return k !== undefined ? spellKey(k, 'script') : key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Puts an option error, spelled as in scripts, at a place in the script. */
type Place = (err: OptionError, span: SourceSpan | undefined) => ExprfitError;

/** Checks that an option is declared (or is a `start_NAME`): else the schema's unknown-option error, placed. */
function checkDeclared(o: OptionArg, place: Place): void {
  if (isStartKey(o.key)) return;
  try {
    requireOptionKey(spotsStatementSchema, o.key, 'script');
  } catch (err) {
    throw err instanceof OptionError ? place(err, o.keySpan) : err;
  }
}

/** The word of `key=word` / `key="word"` (undefined for other expressions). */
function wordOf(o: OptionArg): string | undefined {
  if (o.value.kind === 'sym') return o.value.name;
  if (o.value.kind === 'str') return o.value.value;
  if (o.value.kind === 'num') return String(o.value.value);
  return undefined;
}

/**
 * `threshold=5sigma` parses as the option `threshold=5` and the argument `sigma` right after it: read together
 * as "5sigma". Returns the argument that is the image and such `sigma` arguments.
 */
function splitArgs(stmt: CommandStatement): { image?: Expr; sigmaOf: Set<OptionArg>; extra?: Expr } {
  const sigmaOf = new Set<OptionArg>();
  let extra: Expr | undefined;
  for (const a of stmt.args.slice(1)) {
    const opt = stmt.options.find(
      (o) =>
        canonicalKey(o.key) === 'threshold' &&
        (o.value.kind === 'num' ||
          (o.value.kind === 'unary' && o.value.op === '-' && o.value.arg.kind === 'num')) &&
        o.value.span &&
        a.span &&
        o.value.span.end === a.span.start,
    );
    if (opt && a.kind === 'sym' && a.name === 'sigma') sigmaOf.add(opt);
    else extra ??= a;
  }
  return { image: stmt.args[0], sigmaOf, extra };
}

function noImage(stmt: CommandStatement, error: CommandChecker['error']): ExprfitError {
  return error('usage', 'spots needs an image: spots IMAGE key=value ...', stmt.nameSpan, [
    'e.g. img = load("cells.tif") then spots img roi=7; to show the last table write: print spots',
  ]);
}

function extraArgument(e: Expr, error: CommandChecker['error']): ExprfitError {
  const hint =
    e.kind === 'sym' && /^no_?joint$/i.test(e.name)
      ? 'write joint=false'
      : 'spots takes one image; options are written key=value (e.g. roi=7), without spaces around values';
  return error('usage', 'spots takes one image argument', e.span, [hint]);
}

/** An option error of the schema, spelled as in scripts and pointing at the option it is about. */
function positioned(err: unknown, options: readonly OptionArg[], place: Place): unknown {
  if (!(err instanceof OptionError)) return err;
  const o = [...options].reverse().find((a) => optionKeyOf(spotsSchema, a.key, 'script') === err.detail.key);
  return place(err, err.detail.problem === 'unknown' ? o?.keySpan : (o?.value.span ?? o?.keySpan));
}

// ---------------------------------------------------------------------------------------------------------
// static check (exprfit check, and before a script runs)

/** `model=rotatd`: an unknown built-in model (a string or an expression is a user model). */
function checkModelWord(o: OptionArg, name: string, c: CommandChecker): void {
  const words = WORDS.model;
  if (words.includes(name)) return;
  const close = closestMatches(name, words);
  throw c.error(
    'option',
    `unknown spot model '${name}'`,
    o.value.span,
    close.length
      ? [`did you mean '${close[0]}'?`]
      : ['use symmetric, elliptical, rotated, or an expression in x and y as a string'],
  );
}

/** A word value (`estimator=poison`) checked against the schema. */
function checkWord(o: OptionArg, key: string, word: string, place: Place): void {
  try {
    parseOptions(spotsSchema, { [key]: word }, 'script');
  } catch (err) {
    throw positioned(err, [o], place);
  }
}

function checkOption(o: OptionArg, c: CommandChecker): void {
  const place: Place = (err, span) => c.place(err.forFrontEnd('script'), span);
  checkDeclared(o, place);
  const key = canonicalKey(o.key);
  if (o.value.kind === 'sym' && WORDS[key] && !c.has(o.value.name)) {
    if (key === 'model') checkModelWord(o, o.value.name, c);
    else checkWord(o, key, o.value.name, place);
  } else if (key === 'model' && o.value.kind !== 'str' && o.value.kind !== 'sym') {
    // an expression in x and y: its names are the model's parameters
  } else if (o.value.kind === 'sym' && key === 'threshold' && !c.has(o.value.name)) {
    throw c.error('option', 'threshold is a number or like "5sigma"', o.value.span, [
      'write threshold="5sigma" or threshold=100',
    ]);
  } else if (o.value.kind !== 'str') c.expr(o.value);
}

function checkSpots(stmt: CommandStatement, c: CommandChecker): void {
  const { image, extra } = splitArgs(stmt);
  if (!image) throw noImage(stmt, c.error);
  c.expr(image);
  if (extra) throw extraArgument(extra, c.error);
  let name = 'spots';
  let nameSpan: SourceSpan | undefined = stmt.span;
  for (const o of stmt.options) {
    if (canonicalKey(o.key) !== 'name') {
      checkOption(o, c);
      continue;
    }
    const w = wordOf(o);
    if (w === undefined || !isIdentifier(w))
      throw c.error('value', 'name must be a name such as name=cells', o.value.span);
    name = w;
    nameSpan = o.value.span;
  }
  c.define(name, nameSpan ?? stmt.span);
}

// ---------------------------------------------------------------------------------------------------------
// running

interface Parsed {
  /** The image; or a stack: a 3-D array [frames, rows, cols] or the path of a stack file. */
  readonly image: NdArray | string;
  readonly options: SpotsOptions;
  readonly out?: string;
  readonly overlay?: string;
  readonly name: string;
  /** Where to point errors about an option (by its canonical key, or `image`). */
  readonly spans: Map<string, SourceSpan | undefined>;
}

/** The statement's options, read in one pass: the pipeline's (as written, for parseOptions) and its own. */
interface Gathered {
  readonly raw: Record<string, unknown>;
  readonly start: Record<string, number>;
  peaks?: { x: Float64Array; y: Float64Array };
  modelExpr?: Expr;
  name: string;
  readonly files: Record<string, string>;
}

async function imageOf(
  imageExpr: Expr,
  stmtSpan: SourceSpan,
  ctx: StatementContext,
): Promise<NdArray | string> {
  const imageValue = await ctx.evaluator.evaluate(imageExpr);
  if (typeof imageValue === 'string') return resolve(ctx.baseDir, imageValue);
  if (imageValue instanceof NdArray && imageValue.ndim === 3) return imageValue;
  if (!(imageValue instanceof NdArray) || imageValue.ndim !== 2) {
    const what =
      imageValue instanceof NdArray
        ? `an array of shape [${imageValue.shape.join(', ')}]`
        : describeType(imageValue);
    throw typeError(
      `spots needs a 2-D image [rows, columns], but this is ${what}`,
      where(ctx, imageExpr.span),
      [
        'load one with img = load("image.tif") (.png, .tif, .fits, .npy, ...)',
        'a stack [frames, rows, columns] is fitted frame by frame: spots stack, or spots "stack.tif" to read the file one frame at a time',
      ],
    );
  }
  try {
    checkSpotImage(imageValue);
  } catch (err) {
    throw rethrowAt(err, ctx, imageExpr.span ?? stmtSpan);
  }
  return imageValue;
}

/** A number option value (`start_NAME=...`). */
async function numberOf(o: OptionArg, ctx: StatementContext): Promise<number> {
  const v = await ctx.evaluator.evaluate(o.value);
  if (typeof v === 'number') return v;
  if (v instanceof NdArray && v.size === 1) return v.data[0];
  throw typeError(`option ${o.key} must be a number, but it is ${describeType(v)}`, where(ctx, o.value.span));
}

/**
 * The value of an option of the schema: a bare word (`estimator=poisson`, `joint=yes`) where the option
 * takes words and no variable has that name, else the value of the expression (a one-element array as a
 * number). `parseOptions` reads and checks it.
 */
async function schemaValue(o: OptionArg, key: string, ctx: StatementContext): Promise<unknown> {
  if (o.value.kind === 'sym' && WORDS[key] && ctx.interp.lookup(o.value.name) === undefined)
    return o.value.name;
  const v = await ctx.evaluator.evaluate(o.value);
  return v instanceof NdArray && v.size === 1 ? v.data[0] : v;
}

/** `threshold=5sigma`, `threshold="5sigma"`, `threshold=120` or a variable holding one of these. */
async function thresholdOf(o: OptionArg, sigma: boolean, ctx: StatementContext): Promise<unknown> {
  if (o.value.kind === 'sym' && ctx.interp.lookup(o.value.name) === undefined) return o.value.name;
  const v = await ctx.evaluator.evaluate(o.value);
  if (typeof v === 'number') return sigma ? `${v}sigma` : v;
  if (typeof v === 'string') return v;
  throw typeError(`threshold is a number or like "5sigma", not ${describeType(v)}`, where(ctx, o.value.span));
}

async function gatherOption(
  o: OptionArg,
  g: Gathered,
  sigmaOf: Set<OptionArg>,
  ctx: StatementContext,
): Promise<void> {
  checkDeclared(o, (err, span) => err.at('script', span, ctx.source));
  const key = canonicalKey(o.key);
  if (isStartKey(key)) g.start[key.slice(6)] = await numberOf(o, ctx);
  else if (key === 'name') {
    const w = o.value.kind === 'sym' || o.value.kind === 'str' ? wordOf(o)! : '';
    if (!isIdentifier(w)) throw typeError('name must be a name such as name=cells', where(ctx, o.value.span));
    g.name = w;
  } else if (key === 'peaks') g.peaks = await peaksOf(o, ctx);
  else if (FILE_OPTIONS.includes(key))
    g.files[key] = asString(
      await ctx.evaluator.evaluate(o.value),
      `option ${o.key}`,
      where(ctx, o.value.span),
    );
  else if (key === 'model' && o.value.kind !== 'sym' && o.value.kind !== 'str') g.modelExpr = o.value;
  else if (key === 'threshold') g.raw[o.key] = await thresholdOf(o, sigmaOf.has(o), ctx);
  else g.raw[o.key] = await schemaValue(o, key, ctx);
}

async function parseStatement(stmt: CommandStatement, ctx: StatementContext): Promise<Parsed> {
  const error: CommandChecker['error'] = (code, message, span, hints) =>
    new ExprfitError(code, message, { span, source: ctx.source, hints });
  const { image: imageExpr, sigmaOf, extra } = splitArgs(stmt);
  if (!imageExpr) throw noImage(stmt, error);
  if (extra) throw extraArgument(extra, error);
  const image = await imageOf(imageExpr, stmt.span, ctx);
  const spans = new Map<string, SourceSpan | undefined>([['image', imageExpr.span]]);
  const g: Gathered = {
    raw: nameMap<unknown>(),
    start: nameMap<number>(),
    name: 'spots',
    files: nameMap<string>(),
  };
  for (const o of stmt.options) {
    spans.set(canonicalKey(o.key), o.value.span);
    await gatherOption(o, g, sigmaOf, ctx);
  }
  const options = pipelineOptions(g, stmt, ctx);
  await checkModel(options, stmt, spans, ctx);
  if (g.peaks && image instanceof NdArray) checkPeaks(g.peaks, image, spans.get('peaks') ?? stmt.span, ctx);
  return { image, options, ...g.files, name: g.name, spans };
}

/** The options of the pipeline: the schema's, parsed and checked, with the model expression, starts and peaks. */
function pipelineOptions(g: Gathered, stmt: CommandStatement, ctx: StatementContext): SpotsOptions {
  let parsed: ValidSpotsOptions;
  try {
    parsed = parseOptions(spotsSchema, g.raw, 'script');
  } catch (err) {
    throw positioned(err, stmt.options, (e, span) => e.at('script', span, ctx.source));
  }
  return {
    ...parsed,
    ...(g.modelExpr ? { model: g.modelExpr } : {}),
    ...(Object.keys(g.start).length ? { start: g.start } : {}),
    ...(g.peaks ? { peaks: g.peaks } : {}),
  };
}

/** Every peak inside the image (checked here so that the error points at `peaks=`). */
function checkPeaks(
  peaks: Gathered['peaks'] & object,
  image: NdArray,
  span: SourceSpan,
  ctx: StatementContext,
): void {
  try {
    peaksFromOption(peaks, image.shape[image.ndim - 1], image.shape[image.ndim - 2]);
  } catch (err) {
    throw rethrowAt(err, ctx, span);
  }
}

/** `peaks=TABLE` (its x and y columns, e.g. an earlier spots table) or `peaks=[[x, y], ...]` ([n, 2]). */
async function peaksOf(o: OptionArg, ctx: StatementContext): Promise<{ x: Float64Array; y: Float64Array }> {
  const v = await ctx.evaluator.evaluate(o.value);
  const at = where(ctx, o.value.span);
  if (isTable(v)) {
    if (!v.columns.x || !v.columns.y) throw typeError('peaks: the table needs columns x and y', at);
    return { x: v.columns.x, y: v.columns.y };
  }
  const a = asArray(v, 'peaks', at);
  if (a.ndim !== 2 || a.shape[1] !== 2) {
    throw typeError(
      `peaks is a table with columns x and y, or an array [n, 2] of (x, y) rows; got shape [${a.shape.join(', ')}]`,
      at,
    );
  }
  const n = a.shape[0];
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = a.data[2 * i];
    y[i] = a.data[2 * i + 1];
  }
  return { x, y };
}

/**
 * The spot model and the start values, checked before the pipeline runs so that errors point at the option:
 * the model (a syntax error in `model="..."` points into the script's string), each `start_NAME`.
 */
async function checkModel(
  options: SpotsOptions,
  stmt: CommandStatement,
  spans: Map<string, SourceSpan | undefined>,
  ctx: StatementContext,
): Promise<SpotModel> {
  const written = stmt.options.find((o) => canonicalKey(o.key) === 'model');
  const { spotModel } = await import('../batch/index.ts');
  let model: SpotModel;
  try {
    model = spotModel(options.model);
  } catch (err) {
    throw modelError(err, written, stmt, ctx);
  }
  for (const [name, v] of Object.entries(options.start ?? {})) {
    try {
      checkStartValue(model, name, v);
    } catch (err) {
      throw rethrowAt(err, ctx, spans.get(`start_${name}`) ?? stmt.span);
    }
  }
  try {
    checkMissingStarts(model, options.start ?? {}, 'script');
  } catch (err) {
    throw rethrowAt(err, ctx, written?.value.span ?? stmt.span);
  }
  return model;
}

/** An error of the model, at the option (inside the string for a syntax error in `model="..."`). */
function modelError(
  err: unknown,
  written: OptionArg | undefined,
  stmt: CommandStatement,
  ctx: StatementContext,
): unknown {
  if (!(err instanceof ExprfitError)) return err;
  const vs = written?.value.span;
  const inString = written?.value.kind === 'str' && err.source?.text === written.value.value;
  if (!inString || !vs || !err.span || ctx.source.text.slice(vs.start + 1, vs.end - 1) !== err.source?.text)
    return err.placed(vs ?? stmt.span, ctx.source);
  const start = Math.min(vs.start + 1 + err.span.start, vs.end - 1);
  const end = Math.max(start + 1, Math.min(vs.end - 1, vs.start + 1 + err.span.end));
  return err.reworded(`in the model: ${err.message}`).placed(spanAt(ctx.source.text, start, end), ctx.source);
}

async function runSpotsStatement(stmt: CommandStatement, ctx: StatementContext): Promise<void> {
  const interp = ctx.interp;
  const p = await parseStatement(stmt, ctx);
  if (interp.params.has(p.name)) {
    throw new ExprfitError('value', `'${p.name}' is a parameter; the spots table needs another name`, {
      span: p.spans.get('name') ?? stmt.nameSpan,
      source: ctx.source,
      hints: ['name the table with name=...'],
    });
  }
  if (!(p.image instanceof NdArray) || p.image.ndim === 3) return runStack(stmt, p, ctx);
  const { runSpots, SPOT_COLUMNS } = await import('../batch/node.ts');
  let res;
  try {
    res = await runSpots(p.image, p.options);
  } catch (err) {
    throw rethrowAt(err, ctx, stmt.span);
  }
  const table = makeTable(res.columns as Readonly<Record<string, Float64Array>>, {
    names: SPOT_COLUMNS,
    rowName: 'spot',
    caption: res.summary,
    overlay: (file, options) => res.writeOverlay(file, options),
  });
  interp.variables.set(p.name, table);
  const imageText = stmt.args[0].span
    ? ctx.source.text.slice(stmt.args[0].span.start, stmt.args[0].span.end)
    : 'image';
  interp.info(`spots ${imageText}: ${res.summary}${p.name === 'spots' ? '' : ` (table ${p.name})`}`);
  await writeFiles(res, p, stmt, ctx);
  warnUnconverged(res, imageText, ctx);
}

/** A stack (a 3-D array or a stack file): frame by frame, one table with a frame column; progress in frames. */
async function runStack(stmt: CommandStatement, p: Parsed, ctx: StatementContext): Promise<void> {
  if (p.overlay !== undefined) {
    throw new ExprfitError('usage', 'overlay= draws one image; this is a stack of frames', {
      span: p.spans.get('overlay') ?? stmt.span,
      source: ctx.source,
      hints: ['leave out overlay=, or run spots on one frame'],
    });
  }
  const { runSpotsStack, STACK_COLUMNS } = await import('../batch/node.ts');
  let res;
  try {
    res = await runSpotsStack(p.image, { ...p.options, ...sessionProgress(ctx, 'frames') });
  } catch (err) {
    throw rethrowAt(err, ctx, p.spans.get('image') ?? stmt.span);
  }
  const table = makeTable(res.columns as Readonly<Record<string, Float64Array>>, {
    names: STACK_COLUMNS,
    rowName: 'spot',
    caption: res.summary,
  });
  ctx.interp.variables.set(p.name, table);
  const imageText = stmt.args[0].span
    ? ctx.source.text.slice(stmt.args[0].span.start, stmt.args[0].span.end)
    : 'stack';
  ctx.interp.info(`spots ${imageText}: ${res.summary}${p.name === 'spots' ? '' : ` (table ${p.name})`}`);
  await writeFiles(res, p, stmt, ctx);
  warnUnconverged(res, imageText, ctx);
}

/** `out=` and `overlay=`: the table and the overlay written right away. */
async function writeFiles(
  res: SpotsResult | SpotsStackResult,
  p: Parsed,
  stmt: CommandStatement,
  ctx: StatementContext,
): Promise<void> {
  for (const [file, key] of [
    [p.out, 'out'],
    [p.overlay, 'overlay'],
  ] as const) {
    if (file === undefined) continue;
    const span = p.spans.get(key) ?? stmt.span;
    const path = await outputPath(ctx, file, span);
    try {
      if (key === 'out') await res.writeCsv(path);
      else if ('writeOverlay' in res) await res.writeOverlay(path);
    } catch (err) {
      throw rethrowAt(err, ctx, span);
    }
    ctx.interp.info(`wrote ${displayPath(path)}`);
  }
}

/**
 * Spot fits that did not converge count as a fit that did not converge (exit status 3 of exprfit run); their
 * rows are in the table with their status.
 */
function warnUnconverged(
  res: SpotsResult | SpotsStackResult,
  imageText: string,
  ctx: StatementContext,
): void {
  const status = res.columns.status;
  const counts = new Map<string, number>();
  for (let i = 0; i < status.length; i++) {
    if (status[i] === STATUS.converged) continue;
    const why = res.statusNames[status[i]] ?? String(status[i]);
    counts.set(why, (counts.get(why) ?? 0) + 1);
  }
  const failed = [...counts.values()].reduce((a, b) => a + b, 0);
  if (failed === 0) return;
  ctx.interp.unconverged++;
  const detail = [...counts].map(([k, v]) => `${v} ${k}`).join(', ');
  ctx.interp.warn(
    `warning: spots ${imageText}: ${failed} of ${status.length} spot fits did not converge (${detail}); see the status column`,
  );
}
