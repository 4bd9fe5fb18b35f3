/**
 * The error bars of the data: `sigma` of the fit (weights 1/σ²) from a column of the data, or as the script
 * gave it, and `absolute_sigma`. The choice is kept as a column name; the options are rebuilt from it when the
 * model's left-hand side changes.
 */
import type { NdArray } from '../../data/index.ts';
import type { Model } from '../../model/index.ts';
import type { PageState } from './state.ts';

/** The choice meaning "the sigma the served script gave". */
export const SCRIPT_SIGMA = '#script';

/** The choices: none, the script's (when it had one), every 1-D data column. */
export function sigmaChoices(state: PageState, scriptSigma: unknown): [value: string, label: string][] {
  const columns = Object.entries(state.data).filter(([, a]) => a.ndim === 1);
  return [
    ['', 'none'],
    ...(scriptSigma !== undefined ? [[SCRIPT_SIGMA, 'as in the script'] as [string, string]] : []),
    ...columns.map(([name]): [string, string] => [name, name]),
  ];
}

/** The first equation fitted to data. */
function fittedLhs(model: Model | undefined, data: Record<string, NdArray>): string | undefined {
  return model?.equations.find((q) => Object.hasOwn(data, q.lhs))?.lhs;
}

/** The options with the chosen sigma (for the first equation fitted to data) in place of the old one. */
export function withSigma(
  state: PageState,
  model: Model | undefined,
  choice: string,
  scriptSigma: unknown,
): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...state.options };
  delete rest.sigma;
  if (choice === SCRIPT_SIGMA && scriptSigma !== undefined) return { ...rest, sigma: scriptSigma };
  const lhs = fittedLhs(model, state.data);
  const column = Object.hasOwn(state.data, choice) ? state.data[choice] : undefined;
  if (!lhs || !column || column.size !== state.data[lhs].size) return rest;
  return { ...rest, sigma: { [lhs]: column.toJSON() } };
}
