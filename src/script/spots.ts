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
 * Options are the `exprfit spots` flags in snake_case (parsed by `spotsOptionsFrom`), plus `split_blends`,
 * `residual_passes`, `peaks=TABLE_OR_ARRAY`, `start_NAME=value`, `name=NAME`, `out="file.csv"` and
 * `overlay="file.png"`. Errors point at the option (or argument) that caused them.
 *
 * In the statement table through commands/spots.ts; the pipeline is imported when it runs.
 */
import type { Expr } from '../ast/expr.ts';
import type { SpotsOptions } from '../batch/spots.ts';
import { NdArray } from '../data/ndarray.ts';
import { ExprfitError, spanAt, type SourceSpan } from '../syntax/span.ts';
import { closestMatches } from '../syntax/suggest.ts';
import type { CommandStatement, OptionArg } from '../syntax/statements.ts';
import type { CommandChecker, CommandDef, StatementContext } from './context.ts';
import { displayPath, isIdentifier, outputPath, rethrowAt, where } from './optionArgs.ts';
import { asArray, asString, describeType, isTable, makeTable, typeError, type Value } from './values.ts';
import { nameMap, nameTable } from './nameMap.ts';

// The option names of the statement (snake_case; camelCase is accepted too). `start_NAME` gives the start
// value of a parameter of a user model that has no role (docs/batch.md).
const NUMBER_OPTIONS = [
  'roi',
  'min_distance',
  'smooth',
  'border',
  'max_peaks',
  'threads',
  'group_distance',
  'max_group_size',
  'residual_passes',
];
const BOOLEAN_OPTIONS = ['joint', 'shared_width', 'split_blends'];
const WORDS: Readonly<Record<string, readonly string[]>> = nameTable({
  model: ['symmetric', 'elliptical', 'rotated'],
  estimator: ['lse', 'lsq', 'poisson'],
  stop: ['gpufit', 'strict'],
  joint: ['true', 'false'],
  shared_width: ['true', 'false'],
  split_blends: ['true', 'false'],
});
const FILE_OPTIONS = ['out', 'overlay'];
const OPTIONS = [
  'model',
  'roi',
  'threshold',
  'min_distance',
  'smooth',
  'border',
  'max_peaks',
  'estimator',
  'threads',
  'stop',
  'joint',
  'group_distance',
  'max_group_size',
  'shared_width',
  'split_blends',
  'residual_passes',
  'peaks',
  'start_NAME',
  'name',
  'out',
  'overlay',
];
/** Aliases that spotsOptionsFrom accepts. */
const ALIASES: Readonly<Record<string, string>> = nameTable({ max_group: 'max_group_size' });

const HELP = [
  'img = load("cells.tif")',
  'spots img                          find and fit the spots; the table is named spots',
  'spots img model=rotated roi=9 threshold="5sigma" estimator=poisson min_distance=3 threads=2',
  'print spots                        summary and the first rows',
  'x = col(spots, "x")                a column as an array (col(spots, "amplitude"), ...)',
  'save spots to "spots.csv"          the table (.csv, .tsv, .json, .npy)',
  'save spots to "spots.png"          the overlay: the image with the fitted ellipses (2 sigma)',
  'Options: model=symmetric|elliptical|rotated|"EXPR in x, y"  roi=7 (half-width of the fitted region)',
  '  threshold="5sigma"|NUMBER (k >= 0 sigmas; a number is absolute)  min_distance=1  smooth=0.5  border=0  max_peaks=N',
  '  estimator=lse|poisson  threads=N  stop=gpufit|strict  joint=true|false  group_distance=D',
  '  max_group_size=25  shared_width=false  split_blends=true|false  residual_passes=N',
  '  peaks=TABLE|[[x, y], ...] (fit at these positions)  start_NAME=value (user-model parameters)',
  '  name=spots (the table\'s name)  out="spots.csv"  overlay="spots.png"',
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

/** `minDistance` and `min-distance` → `min_distance`; `start_NAME` keeps NAME's case. */
function canonicalKey(key: string): string {
  if (key.startsWith('start_') && key.length > 6) return key;
  const k = key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return ALIASES[k] ?? k;
}

function unknownKey(o: OptionArg, error: CommandChecker['error']): ExprfitError {
  const close = closestMatches(o.key, OPTIONS);
  return error('option', `unknown option '${o.key}' for spots`, o.keySpan, [
    close.length ? `did you mean '${close[0]}'?` : `the options are: ${OPTIONS.join(', ')}`,
  ]);
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

// ---------------------------------------------------------------------------------------------------------
// static check (exprfit check, and before a script runs)

function checkSpots(stmt: CommandStatement, c: CommandChecker): void {
  const { image, extra } = splitArgs(stmt);
  if (!image) throw noImage(stmt, c.error);
  c.expr(image);
  if (extra) throw extraArgument(extra, c.error);
  let name = 'spots';
  let nameSpan: SourceSpan | undefined = stmt.span;
  for (const o of stmt.options) {
    const key = canonicalKey(o.key);
    if (!key.startsWith('start_') && !OPTIONS.includes(key)) throw unknownKey(o, c.error);
    const w = wordOf(o);
    if (key === 'name') {
      if (w === undefined || !isIdentifier(w))
        throw c.error('value', 'name must be a name such as name=cells', o.value.span);
      name = w;
      nameSpan = o.value.span;
    } else if (WORDS[key] && o.value.kind === 'sym' && !c.has(o.value.name)) {
      if (!WORDS[key].includes(o.value.name) && !(key === 'estimator' && o.value.name === 'mle')) {
        const close = closestMatches(o.value.name, WORDS[key]);
        throw c.error(
          'option',
          key === 'model'
            ? `unknown spot model '${o.value.name}'`
            : `option ${o.key} is one of ${WORDS[key].join(', ')}`,
          o.value.span,
          close.length
            ? [`did you mean '${close[0]}'?`]
            : key === 'model'
              ? ['use symmetric, elliptical, rotated, or an expression in x and y as a string']
              : [],
        );
      }
    } else if (key === 'model' && o.value.kind !== 'str' && o.value.kind !== 'sym') {
      // an expression in x and y: its names are the model's parameters
    } else if (o.value.kind === 'sym' && key === 'threshold' && !c.has(o.value.name)) {
      throw c.error('option', 'threshold is a number or like "5sigma"', o.value.span, [
        'write threshold="5sigma" or threshold=100',
      ]);
    } else if (o.value.kind !== 'str') c.expr(o.value);
  }
  c.define(name, nameSpan ?? stmt.span);
}

// ---------------------------------------------------------------------------------------------------------
// running

interface Parsed {
  readonly image: NdArray;
  readonly options: SpotsOptions;
  readonly out?: string;
  readonly overlay?: string;
  readonly name: string;
  /** Where to point errors about an option (by its canonical key, or `image`). */
  readonly spans: Map<string, SourceSpan | undefined>;
  /** The options as written, by canonical key. */
  readonly written: Map<string, OptionArg>;
}

async function parseStatement(stmt: CommandStatement, ctx: StatementContext): Promise<Parsed> {
  const error: CommandChecker['error'] = (code, message, span, hints) =>
    new ExprfitError(code, message, { span, source: ctx.source, hints });
  const { image: imageExpr, sigmaOf, extra } = splitArgs(stmt);
  if (!imageExpr) throw noImage(stmt, error);
  if (extra) throw extraArgument(extra, error);
  const imageValue = await ctx.evaluator.evaluate(imageExpr);
  if (!(imageValue instanceof NdArray) || imageValue.ndim !== 2) {
    const what =
      imageValue instanceof NdArray
        ? `an array of shape [${imageValue.shape.join(', ')}]`
        : describeType(imageValue);
    throw typeError(
      `spots needs a 2-D image [rows, columns], but this is ${what}`,
      where(ctx, imageExpr.span),
      ['load one with img = load("image.tif") (.png, .tif, .fits, .npy, ...)'],
    );
  }
  const spans = new Map<string, SourceSpan | undefined>([['image', imageExpr.span]]);
  const written = new Map<string, OptionArg>();
  const raw = nameMap<unknown>();
  const extraOptions: SpotsOptions = {};
  const start = nameMap<number>();
  let name = 'spots';
  let modelExpr: Expr | undefined;
  const evaluate = (o: OptionArg): Promise<Value> => ctx.evaluator.evaluate(o.value);
  const num = async (o: OptionArg): Promise<number> => {
    const v = await evaluate(o);
    if (typeof v === 'number') return v;
    if (v instanceof NdArray && v.size === 1) return v.data[0];
    throw typeError(
      `option ${o.key} must be a number, but it is ${describeType(v)}`,
      where(ctx, o.value.span),
    );
  };
  /** A word: `key=word` (unless word names a variable), `key="word"`, or a variable holding a string. */
  const word = async (o: OptionArg): Promise<string> => {
    if (o.value.kind === 'sym' && ctx.interp.lookup(o.value.name) === undefined) return o.value.name;
    const v = await evaluate(o);
    if (typeof v === 'number' && BOOLEAN_OPTIONS.includes(canonicalKey(o.key))) return String(v);
    return asString(v, `option ${o.key}`, where(ctx, o.value.span));
  };
  for (const o of stmt.options) {
    const key = canonicalKey(o.key);
    spans.set(key, o.value.span);
    written.set(key, o);
    if (key.startsWith('start_')) {
      start[key.slice(6)] = await num(o);
      continue;
    }
    switch (key) {
      case 'name': {
        const w = o.value.kind === 'sym' || o.value.kind === 'str' ? wordOf(o)! : '';
        if (!isIdentifier(w))
          throw typeError('name must be a name such as name=cells', where(ctx, o.value.span));
        name = w;
        break;
      }
      case 'model':
        if (o.value.kind === 'sym' || o.value.kind === 'str') raw.model = await word(o);
        else modelExpr = o.value;
        break;
      case 'threshold': {
        const v = o.value.kind === 'sym' ? await word(o) : await evaluate(o);
        if (typeof v === 'number') raw.threshold = sigmaOf.has(o) ? `${v}sigma` : v;
        else if (typeof v === 'string') raw.threshold = v;
        else
          throw typeError(
            `threshold is a number or like "5sigma", not ${describeType(v)}`,
            where(ctx, o.value.span),
          );
        break;
      }
      case 'estimator':
      case 'stop':
        raw[key] = await word(o);
        break;
      case 'peaks':
        extraOptions.peaks = await peaksOf(o, ctx);
        break;
      case 'split_blends':
      case 'residual_passes':
        break; // below, after the checks of spotsOptionsFrom
      default:
        if (BOOLEAN_OPTIONS.includes(key)) {
          const w = await word(o);
          if (w !== 'true' && w !== 'false' && w !== '1' && w !== '0')
            throw typeError(`option ${o.key} is true or false`, where(ctx, o.value.span));
          raw[key] = w;
        } else if (NUMBER_OPTIONS.includes(key)) raw[key] = await num(o);
        else if (FILE_OPTIONS.includes(key))
          raw[key] = asString(await evaluate(o), `option ${o.key}`, where(ctx, o.value.span));
        else throw unknownKey(o, error);
    }
    if (key === 'split_blends') {
      const w = await word(o);
      if (w !== 'true' && w !== 'false' && w !== '1' && w !== '0')
        throw typeError(`option ${o.key} is true or false`, where(ctx, o.value.span));
      extraOptions.splitBlends = w === 'true' || w === '1';
    } else if (key === 'residual_passes') {
      const n = await num(o);
      if (!Number.isInteger(n) || n < 0)
        throw typeError(`residual_passes is a whole number >= 0, got ${n}`, where(ctx, o.value.span));
      extraOptions.residualPasses = n;
    } else if (Object.hasOwn(raw, key)) {
      // each option alone, so that a bad value is reported at its place
      const { spotsOptionsFrom } = await import('../batch/spots.ts');
      try {
        spotsOptionsFrom({ [key]: raw[key] });
      } catch (err) {
        throw rethrowAt(err, ctx, o.value.span ?? o.keySpan);
      }
    }
  }
  const { spotsOptionsFrom } = await import('../batch/spots.ts');
  const parsed = spotsOptionsFrom(raw);
  const options: SpotsOptions = { ...parsed.options, ...extraOptions };
  if (modelExpr) options.model = modelExpr;
  if (Object.keys(start).length) options.start = start;
  return {
    image: imageValue,
    options,
    ...(parsed.out !== undefined ? { out: parsed.out } : {}),
    ...(parsed.overlay !== undefined ? { overlay: parsed.overlay } : {}),
    name,
    spans,
    written,
  };
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

/** The option (canonical key) an error of the pipeline is about, if any. */
function optionOfError(err: ExprfitError, spans: Map<string, SourceSpan | undefined>): string | undefined {
  const m = err.message;
  if (err.code === 'shape' || /^the image\b/.test(m)) return 'image';
  const start = /^start value for '([^']+)'/.exec(m)?.[1];
  if (start !== undefined && spans.has(`start_${start}`)) return `start_${start}`;
  if (/spot model|model parameter/.test(m)) return 'model';
  if (/^peaks? /.test(m)) return 'peaks';
  if (/^threshold/.test(m)) return 'threshold';
  const first = /^(\w+)/.exec(m)?.[1];
  if (first) {
    const key = canonicalKey(first);
    if (spans.has(key)) return key;
  }
  return undefined;
}

/**
 * An error of the pipeline, positioned at the option it is about (named as the script wrote it), at the
 * image, or inside a model string (a syntax error in `model="..."` points into the script's string).
 */
function pipelineError(err: unknown, p: Parsed, stmt: CommandStatement, ctx: StatementContext): unknown {
  if (!(err instanceof ExprfitError)) return err;
  const model = p.written.get('model');
  const inModel = model?.value.kind === 'str' && err.source?.text === model.value.value;
  const key = inModel ? 'model' : optionOfError(err, p.spans);
  const opt = key !== undefined ? p.written.get(key) : undefined;
  let message = err.message;
  let hints = err.hints;
  const first = /^(\w+)/.exec(message)?.[1];
  if (opt && first && first !== opt.key && canonicalKey(first) === key)
    message = opt.key + message.slice(first.length);
  const param = /^no start value for the model parameter '([^']+)'/.exec(message)?.[1];
  if (param)
    hints = [`give it with start_${param}=... (spots finds amplitude, centre, widths, angle and background)`];
  let span = (key !== undefined ? p.spans.get(key) : undefined) ?? stmt.span;
  // a syntax error inside model="...": map its position into the script when the string has no escapes
  const vs = opt?.value.span;
  if (
    key === 'model' &&
    opt?.value.kind === 'str' &&
    vs &&
    err.span &&
    err.source?.text === opt.value.value
  ) {
    const inner = ctx.source.text.slice(vs.start + 1, vs.end - 1);
    if (inner === opt.value.value) {
      const start = Math.min(vs.start + 1 + err.span.start, vs.end - 1);
      span = spanAt(
        ctx.source.text,
        start,
        Math.max(start + 1, Math.min(vs.end - 1, vs.start + 1 + err.span.end)),
      );
      message = `in the model: ${message}`;
    }
  }
  return new ExprfitError(err.code, message, { span, source: ctx.source, hints, cause: err });
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
  const { runSpots, SPOT_COLUMNS } = await import('../batch/spots.ts');
  let res;
  try {
    res = await runSpots(p.image, p.options);
  } catch (err) {
    throw pipelineError(err, p, stmt, ctx);
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
  for (const [file, key] of [
    [p.out, 'out'],
    [p.overlay, 'overlay'],
  ] as const) {
    if (file === undefined) continue;
    const span = p.spans.get(key) ?? stmt.span;
    const path = await outputPath(ctx, file, span);
    try {
      if (key === 'out') await res.writeCsv(path);
      else await res.writeOverlay(path);
    } catch (err) {
      throw rethrowAt(err, ctx, span);
    }
    interp.info(`wrote ${displayPath(path)}`);
  }
  // Spot fits that did not converge count as a fit that did not converge (exit status 3 of exprfit run); their
  // rows are in the table with their status.
  const status = res.columns.status;
  let failed = 0;
  for (let i = 0; i < status.length; i++) if (status[i] !== 0) failed++;
  if (failed > 0) {
    interp.unconverged++;
    const counts = new Map<string, number>();
    for (let i = 0; i < status.length; i++) {
      if (status[i] === 0) continue;
      const why = res.statusNames[status[i]] ?? String(status[i]);
      counts.set(why, (counts.get(why) ?? 0) + 1);
    }
    const detail = [...counts].map(([k, v]) => `${v} ${k}`).join(', ');
    interp.warn(
      `warning: spots ${imageText}: ${failed} of ${status.length} spot fits did not converge (${detail}); see the status column`,
    );
  }
}
