/**
 * `save "result.json"` (the last fit), `save NAME to "file"` (an array: .npy, .csv, .png, .json) and
 * `save TABLE to "file"` (.csv/.tsv/.txt, .json, .npy, or the overlay .png of a spots table).
 */
import { extname } from 'node:path';
import { printExpr } from '../../ast/index.ts';
import { defineOptions, ExprfitError, opt } from '../../core/index.ts';
import { COLORMAPS, NdArray } from '../../data/index.ts';
import type { OptionArg, SaveStatement } from '../../syntax/index.ts';
import type { Checker, StatementContext, StatementDef } from '../context.ts';
import {
  checkOptionNames,
  declaredKey,
  displayPath,
  outputPath,
  requireFit,
  rethrowAt,
  statementOptions,
  where,
} from '../optionArgs.ts';
import { asArray, isTable, typeError, type TableValue } from '../values.ts';

function isRange(v: unknown): v is NdArray {
  return v instanceof NdArray && v.size === 2 && v.data.every(Number.isFinite);
}

export const saveSchema = defineOptions('save', {
  name: opt.string({ doc: 'the name stored with the array (default: the name saved)' }),
  // checked where the colours are looked up (the data layer names the known colormaps)
  colormap: opt.string({ doc: `the colours of a .png heatmap: ${Object.keys(COLORMAPS).join(', ')}` }),
  png: opt.enum(['heatmap', 'grey16'], { doc: 'a .png as a colour heatmap or 16-bit grey values' }),
  range: opt.custom<NdArray>({
    doc: 'the values mapped to the ends of the colour scale: range=[low, high]',
    accept: isRange,
    expected: 'two numbers [low, high]',
  }),
  scale: opt.integer({ doc: 'the overlay of a spots table: pixels per image pixel', min: 1 }),
  nsigma: opt.number({ doc: 'the overlay of a spots table: ellipse size in sigmas', gt: 0 }),
});

/** The options of the overlay (.png) of a table, a subset of the schema. */
const OVERLAY_KEYS = ['scale', 'nsigma', 'range'];
/** `save "result.json"` takes no options. */
const saveResultSchema = defineOptions('save', {});

function rangeOf(r: NdArray | undefined): [number, number] | undefined {
  return r && [r.data[0], r.data[1]];
}

async function writeFile(
  ctx: StatementContext,
  s: SaveStatement,
  write: (path: string) => Promise<void>,
): Promise<void> {
  const path = await outputPath(ctx, s.file, s.fileSpan);
  try {
    await write(path);
  } catch (err) {
    throw rethrowAt(err, ctx, s.fileSpan);
  }
  ctx.interp.info(`wrote ${displayPath(path)}`);
}

async function saveResult(s: SaveStatement, ctx: StatementContext): Promise<void> {
  const last = requireFit(ctx, s.span, 'save');
  checkOptionNames(saveResultSchema, s.options, ctx.source, 'save');
  const path = await outputPath(ctx, s.file, s.fileSpan);
  const { isStreamTarget } = await import('../../data/index.ts');
  // the result is always JSON: stdout (`-`) and devices such as /dev/null need no .json extension
  if (extname(s.file).toLowerCase() !== '.json' && !(await isStreamTarget(path))) {
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
  const { writeJson } = await import('../../data/index.ts');
  await writeFile(ctx, s, (path) => writeJson(path, last.result.toJSON()));
}

async function saveArray(s: SaveStatement, value: NdArray, ctx: StatementContext): Promise<void> {
  const overlayOnly = s.options.find((o) => o.key === 'scale' || o.key === 'nsigma');
  if (overlayOnly) {
    throw typeError(
      `option ${overlayOnly.key} is for the overlay of a spots table`,
      where(ctx, overlayOnly.keySpan),
    );
  }
  const o = await statementOptions(saveSchema, s.options, ctx, 'save');
  const name = o.name ?? (s.what?.kind === 'sym' ? s.what.name : undefined);
  const opts = { name, png: o.png, range: rangeOf(o.range), colormap: o.colormap };
  const { saveArray: save } = await import('../../data/node.ts');
  await writeFile(ctx, s, (path) => save(path, value, opts));
}

const TABLE_FORMATS = ['.csv', '.tsv', '.txt', '.json', '.npy'];

function checkTableFormat(t: TableValue, s: SaveStatement, ext: string, ctx: StatementContext): void {
  if ((ext === '.png' && t.overlay) || TABLE_FORMATS.includes(ext)) return;
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

/** A table takes the overlay's options when saved as .png, and none otherwise. */
function checkTableOptions(t: TableValue, s: SaveStatement, png: boolean, ctx: StatementContext): void {
  const bad = s.options.find(
    (o: OptionArg) => !png || !OVERLAY_KEYS.includes(declaredKey(saveSchema, o.key) ?? ''),
  );
  if (!bad) return;
  if (!png && t.overlay && OVERLAY_KEYS.includes(bad.key)) {
    throw typeError(`option ${bad.key} is for the overlay (.png)`, where(ctx, bad.keySpan));
  }
  throw new ExprfitError('option', `unknown option '${bad.key}' for saving a table`, {
    span: bad.keySpan,
    source: ctx.source,
    hints: [png ? `the options are: ${OVERLAY_KEYS.join(', ')}` : 'a table is saved without options'],
  });
}

async function writeTableFile(t: TableValue, path: string, ext: string): Promise<void> {
  const columns = Object.fromEntries(t.names.map((n) => [n, t.columns[n]]));
  if (ext === '.json') {
    const { writeJson } = await import('../../data/index.ts');
    return writeJson(path, columns);
  }
  if (ext === '.npy') {
    const { saveArray: save } = await import('../../data/node.ts');
    const k = t.names.length;
    const data = new Float64Array(t.rows * k);
    t.names.forEach((n, j) => t.columns[n].forEach((x, i) => (data[i * k + j] = x)));
    return save(path, new NdArray(data, [t.rows, k]));
  }
  const { writeTable } = await import('../../data/index.ts');
  const delimiter = ext === '.tsv' ? '\t' : ext === '.txt' ? ' ' : ',';
  return writeTable(path, columns, { delimiter });
}

/**
 * `save TABLE to "file"`: .csv/.tsv/.txt (a header of column names), .json (an object of columns), .npy (a
 * [rows, columns] array), or .png for a table with an overlay (`save spots to "spots.png"`: the image with the
 * fitted ellipses; options scale=, nsigma=, range=[lo, hi]).
 */
async function saveTable(t: TableValue, s: SaveStatement, ctx: StatementContext): Promise<void> {
  const ext = extname(s.file).toLowerCase();
  const png = ext === '.png' && t.overlay !== undefined;
  checkTableFormat(t, s, ext, ctx);
  checkTableOptions(t, s, png, ctx);
  const o = await statementOptions(saveSchema, s.options, ctx, 'save');
  const overlay = { scale: o.scale, nsigma: o.nsigma, range: rangeOf(o.range) };
  await writeFile(ctx, s, (path) => (png ? t.overlay!(path, overlay) : writeTableFile(t, path, ext)));
}

async function runSave(s: SaveStatement, ctx: StatementContext): Promise<void> {
  if (!s.what) return saveResult(s, ctx);
  const value = await ctx.evaluator.evaluate(s.what);
  if (isTable(value)) return saveTable(value, s, ctx);
  return saveArray(s, asArray(value, 'what is saved', where(ctx, s.what.span)), ctx);
}

function checkSave(s: SaveStatement, c: Checker): void {
  if (s.what) {
    c.expr(s.what);
    c.options(s.options, saveSchema, 'save');
  } else {
    c.requireFit(s.span, 'save');
    c.options(s.options, saveResultSchema, 'save');
  }
}

export const saveStatement: StatementDef<'save'> = {
  kind: 'save',
  run: runSave,
  check: checkSave,
  options: saveSchema,
  help: {
    summary: 'save the last fit result (.json) or an array (.npy, .csv, .png heatmap, .json)',
    usage: [
      'save "result.json"               the last fit: params, stderr, chi2, covariance, ...',
      'save model to "model.npy"        any array: model, residuals, or a name',
      'save I to "heat.png" colormap=grey range=[0, 1]',
      'save img to "img16.png" png=grey16',
      'Files are written whole (temporary file, then renamed); missing folders are created.',
    ].join('\n'),
  },
};
