/**
 * Reading saved fit results in the script language: `loadfit "fit.json"` (every result of a file) and
 * `result = load "fit.json"` (a `.json` file that is a saved result, else data). The API's `loadResult` does the
 * reading (src/fit/load.ts); messages name the file as `shown`.
 */
import { ExprfitError } from '../core/index.ts';
import { readText } from '../data/index.ts';
import { type FitResult, loadResult } from '../fit/index.ts';

/** The results of a file's JSON text: one saved result, or every fit of `exprfit run --json` output. */
function resultsOf(text: string, shown: string): FitResult[] {
  try {
    const value: unknown = JSON.parse(text);
    const fits = (value as { fits?: unknown } | null)?.fits;
    return Array.isArray(fits)
      ? fits.map((f) => loadResult(f as Record<string, unknown>))
      : [loadResult(text)];
  } catch (e) {
    if (e instanceof SyntaxError) throw new ExprfitError('value', `${shown}: invalid JSON: ${e.message}`);
    if (!(e instanceof ExprfitError)) throw e;
    const reason = e.detail.function === 'loadResult' ? e.detail.reason : undefined;
    throw new ExprfitError(e.code, `${shown}: ${reason ?? e.message}`, {
      detail: { file: shown, reason: reason ?? e.message },
    });
  }
}

/** The results of a file: one saved result, or every fit of `exprfit run --json` output. */
export async function readSavedResults(path: string, shown = path): Promise<FitResult[]> {
  return resultsOf(await readText(path), shown);
}

/** The saved result of a `.json` file, or undefined when the file holds something else (data). */
export async function savedResultOf(path: string): Promise<FitResult | undefined> {
  if (!/\.json$/i.test(path)) return undefined;
  const text = await readText(path);
  if (!/"schema"\s*:\s*"exprfit-result"/.test(text.slice(0, 4096))) return undefined;
  return resultsOf(text, path)[0];
}
