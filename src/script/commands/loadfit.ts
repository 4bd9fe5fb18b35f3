/**
 * The `loadfit` command: `loadfit "fit.json"` reads a result written by `save "fit.json"` (or every fit of
 * `exprfit run --json` output) and adds it to the session's fits under the next number, for `compare`; its values are
 * printed as a one-line summary. The API's `loadResult` does the reading (src/fit/load.ts).
 */
import { resolve } from 'node:path';
import { ExprfitError } from '../../core/index.ts';
import { readText } from '../../data/index.ts';
import { type FitResult, loadResult } from '../../fit/index.ts';
import type { CommandDef, StatementContext } from '../context.ts';
import { displayPath, where } from '../optionArgs.ts';
import { typeError } from '../values.ts';

/** The results of a file: one saved result, or every fit of `exprfit run --json` output. */
async function readResults(path: string): Promise<FitResult[]> {
  const text = await readText(path);
  try {
    const value: unknown = JSON.parse(text);
    const fits = (value as { fits?: unknown } | null)?.fits;
    return Array.isArray(fits)
      ? fits.map((f) => loadResult(f as Record<string, unknown>))
      : [loadResult(text)];
  } catch (e) {
    if (e instanceof SyntaxError)
      throw new ExprfitError('value', `${displayPath(path)}: invalid JSON: ${e.message}`);
    if (!(e instanceof ExprfitError)) throw e;
    const reason = e.detail.function === 'loadResult' ? e.detail.reason : undefined;
    throw new ExprfitError(e.code, `${displayPath(path)}: ${reason ?? e.message}`, {
      detail: { file: displayPath(path), reason: reason ?? e.message },
    });
  }
}

async function runLoadfit(stmt: Parameters<CommandDef['run']>[0], ctx: StatementContext): Promise<void> {
  const [file] = stmt.args;
  if (stmt.args.length !== 1 || file.kind !== 'str' || stmt.options.length) {
    throw typeError('loadfit takes one file name: loadfit "fit.json"', where(ctx, file?.span ?? stmt.span));
  }
  const path = resolve(ctx.baseDir, file.value);
  for (const result of await readResults(path)) {
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
