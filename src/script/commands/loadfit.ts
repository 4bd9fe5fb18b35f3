/**
 * The `loadfit` command: `loadfit "fit.json"` reads a result written by `save "fit.json"` (or every fit of
 * `exprfit run --json` output) and adds it to the session's fits under the next number, for `compare`; its values are
 * printed as a one-line summary. The API's `loadResult` does the reading (src/fit/load.ts).
 */
import { resolve } from 'node:path';
import type { CommandDef, StatementContext } from '../context.ts';
import { displayPath, where } from '../optionArgs.ts';
import { readSavedResults } from '../readResult.ts';
import { typeError } from '../values.ts';

async function runLoadfit(stmt: Parameters<CommandDef['run']>[0], ctx: StatementContext): Promise<void> {
  const [file] = stmt.args;
  if (stmt.args.length !== 1 || file.kind !== 'str' || stmt.options.length) {
    throw typeError('loadfit takes one file name: loadfit "fit.json"', where(ctx, file?.span ?? stmt.span));
  }
  const path = resolve(ctx.baseDir, file.value);
  for (const result of await readSavedResults(path, displayPath(path))) {
    ctx.interp.fits.push(result);
    ctx.interp.out(`fit ${ctx.interp.fits.length} (from ${displayPath(path)}): ${result.briefReport()}`);
  }
}

export const loadfitCommand: CommandDef = {
  name: 'loadfit',
  summary: 'loadfit "fit.json": a saved result as the next fit of the session (for compare)',
  help: 'loadfit "fit.json"   a result saved by save "fit.json" becomes the next numbered fit (see compare)',
  run: runLoadfit,
};
