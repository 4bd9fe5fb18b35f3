/**
 * Saved fit results in the script language (read by readResult.ts): a result as the session's current fit — its record for `band`, `plot`, `save` and `report`, with the
 * model evaluated on the session's variables of the names the fit used.
 */
import { ExprfitError, type SourceSpan } from '../core/index.ts';
import { broadcastTo, NdArray } from '../data/index.ts';
import { fit, type FitOptions, type FitResult } from '../fit/index.ts';
import type { ParamsInput } from '../model/index.ts';
import type { FitRecord, InterpreterState, StatementContext } from './context.ts';

/** The session's arrays of the names the fit used, when they are all there (else undefined). */
function sessionData(
  interp: InterpreterState,
  names: readonly string[],
): Record<string, NdArray> | undefined {
  const data: Record<string, NdArray> = {};
  for (const n of names) {
    const v = interp.variables.get(n);
    if (typeof v === 'number') data[n] = new NdArray(Float64Array.of(v), []);
    else if (v instanceof NdArray) data[n] = v;
    else return undefined;
  }
  return data;
}

/** The record of a saved result: each line's model on the session's data of its names, where they exist. */
export function recordOf(interp: InterpreterState, result: FitResult): FitRecord {
  const data: Record<string, NdArray> = {};
  const equations = Object.entries(result.data).flatMap(([lhs, d]) => {
    const vars = sessionData(interp, d.variables);
    if (!vars) return [];
    Object.assign(data, vars);
    const observed = d.observed ? sessionData(interp, [lhs])?.[lhs] : undefined;
    if (observed) data[lhs] = observed;
    let model = result.eval(vars, lhs);
    if (observed && model.size !== observed.size) {
      model = new NdArray(broadcastTo(model, observed.shape), [...observed.shape]);
    }
    const text = `${lhs} = ${equationText(result, lhs)}`;
    return [{ lhs, text, observed, model, variables: d.variables }];
  });
  return { result, equations, data };
}

/** The right-hand side of a line of the saved model text (`y = A*exp(-t/tau)` → `A*exp(-t/tau)`). */
function equationText(result: FitResult, lhs: string): string {
  const line = result.modelText
    .split(/[\n;]/)
    .map((l) => l.trim())
    .find((l) => l.startsWith(`${lhs} `) || l.startsWith(`${lhs}=`));
  return line ? line.slice(line.indexOf('=') + 1).trim() : lhs;
}

/** Adds a saved result to the session's fits (the next number) and makes it the current fit; its number. */
export function adoptResult(interp: InterpreterState, result: FitResult): number {
  interp.fits.push(result);
  interp.lastFit = recordOf(interp, result);
  return interp.fits.length;
}

/** The record, or an error when none of its lines has its data in the session (a result loaded alone). */
export function requireData(
  record: FitRecord,
  ctx: StatementContext,
  span: SourceSpan,
  what: string,
): FitRecord {
  if (record.equations.length) return record;
  const names = Object.entries(record.result.data).flatMap(([lhs, d]) => [...d.variables, lhs]);
  throw new ExprfitError(
    'value',
    `${what} needs the fit's data (${[...new Set(names)].join(', ')}) in the session`,
    {
      span,
      source: ctx.source,
      hints: ['read them first, e.g. data "file.csv", then load the result'],
    },
  );
}

/** The parameters of a saved result as start values (the best fit), bounds, fixed flags and ties. */
function savedParams(result: FitResult): ParamsInput {
  return Object.fromEntries(
    Object.values(result.params).map((p) => [
      p.name,
      p.expr === undefined ? { value: p.value, min: p.min, max: p.max, fixed: p.fixed } : { expr: p.expr },
    ]),
  );
}

/**
 * A record whose result can be refitted (profiles, MCMC): a fit of the session as it is; a loaded result is
 * fitted again, from its saved values with its options, to the session's data of its names (which must be
 * there, and without sigma: a saved result does not say which data were its sigma).
 */
export function refittable(
  record: FitRecord,
  ctx: StatementContext,
  span: SourceSpan,
  what: string,
): FitRecord {
  if (record.result.setup) return record;
  const withData = requireData(record, ctx, span, what);
  const weighted = Object.entries(record.result.data).find(([, d]) => d.sigma);
  if (weighted) {
    throw new ExprfitError(
      'value',
      `${what}: the saved fit had sigma for '${weighted[0]}', which a saved result does not name`,
      {
        span,
        source: ctx.source,
        hints: ['fit the data again (fit sigma=...), then ' + what],
      },
    );
  }
  const { sigma: _sigma, ...options } = record.result.options;
  let again: FitResult;
  try {
    again = fit(record.result.modelText, withData.data, savedParams(record.result), options as FitOptions);
  } catch (e) {
    if (!(e instanceof ExprfitError)) throw e;
    throw new ExprfitError(e.code, `${what}: fitting the saved result again failed: ${e.message}`, {
      span,
      source: ctx.source,
      cause: e,
      detail: e.detail,
    });
  }
  ctx.interp.info(
    `${what}: the saved result fitted again to ${Object.keys(withData.data).join(', ')} from its values: ${again.briefReport()}`,
  );
  return { ...withData, result: again };
}
