/** Optional packages: plotting needs vega, vega-lite and @resvg/resvg-js, which a lean install may omit. */
import { ExprfitError } from '../core/index.ts';

const PLOT_PACKAGES = 'vega, vega-lite and @resvg/resvg-js';

function isMissingModule(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * Imports one of the plotting packages; when it is not installed, an `ExprfitError` that says how to install
 * them instead of the loader's own error.
 */
export async function importPlotPackage<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (!isMissingModule(e)) throw e;
    throw new ExprfitError(
      'io',
      `plotting needs the optional packages ${PLOT_PACKAGES} (missing: ${name}): npm install vega vega-lite @resvg/resvg-js`,
      { cause: e },
    );
  }
}
