/** `data "file.csv" prefix=b_`: reads a table and binds each column by its header name. */
import { resolve } from 'node:path';
import { defineOptions, ExprfitError, opt } from '../../core/index.ts';
import type { NdArray } from '../../data/index.ts';
import type { LoadOptions } from '../../data/node.ts';
import type { DataStatement } from '../../syntax/index.ts';
import type { StatementContext, StatementDef } from '../context.ts';
import { isIdentifier, rethrowAt, statementOptions } from '../optionArgs.ts';
import { showPathAsWritten } from '../values.ts';
import { bindVariable } from './assign.ts';

export const dataSchema = defineOptions('data', {
  prefix: opt.string({ doc: 'put before each column name: prefix=b_ gives b_t, b_y, ...' }),
  delimiter: opt.string({ doc: 'the column separator, e.g. delimiter=";"' }),
  format: opt.string({ doc: 'the file format when the extension does not say: csv, tsv, text, json, npz' }),
  key: opt.string({ doc: 'the entry of a .json or .npz file that holds the table' }),
});

async function readColumns(s: DataStatement, ctx: StatementContext, loadOptions: LoadOptions) {
  const { load } = await import('../../data/node.ts');
  const file = resolve(ctx.baseDir, s.file);
  let loaded;
  try {
    loaded = await load(file, loadOptions);
  } catch (err) {
    throw rethrowAt(showPathAsWritten(err, file, s.file), ctx, s.fileSpan);
  }
  if (loaded.kind === 'table') return { columns: loaded.columns, names: loaded.names };
  if (loaded.kind === 'arrays') return { columns: loaded.arrays, names: loaded.names };
  throw new ExprfitError('value', `${s.file} holds one array, not named columns`, {
    span: s.fileSpan,
    source: ctx.source,
    hints: [`read it with a name: img = load("${s.file}")`],
  });
}

async function runData(s: DataStatement, ctx: StatementContext): Promise<void> {
  const { prefix = '', ...loadOptions } = await statementOptions(dataSchema, s.options, ctx, 'data');
  const { columns, names } = await readColumns(s, ctx, loadOptions as LoadOptions);
  const skipped: string[] = [];
  for (const n of names) {
    const name = prefix + n;
    if (!isIdentifier(name)) skipped.push(n);
    else bindVariable(ctx, name, columns[n] as NdArray, s.fileSpan);
  }
  if (skipped.length) {
    ctx.interp.info(
      `note: ${s.file}: column${skipped.length > 1 ? 's' : ''} ${skipped.map((n) => JSON.stringify(n)).join(', ')} skipped (not a valid name); use load("${s.file}", "${skipped[0]}")`,
    );
  }
}

export const dataStatement: StatementDef<'data'> = {
  kind: 'data',
  run: runData,
  options: dataSchema,
  help: {
    summary: 'read a table and bind each column by its header name',
    usage: [
      'data "decay.csv"                 columns t, y, sigma, ... become arrays',
      'data "run2.csv" prefix=b_        columns become b_t, b_y, ...',
      'Options: prefix=..., delimiter=";", format=csv|tsv|text|json|npz, key=...',
      'Relative paths are relative to the script (in the REPL: the current folder).',
    ].join('\n'),
  },
};
