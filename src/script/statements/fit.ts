/**
 * The `fit` statement: assembles the model lines, the data they name, the declared parameters and the
 * options into one call of the fit API, then makes the results available to later statements (fitted values
 * as scalars, `model` and `residuals` arrays, `report`, `save`, `plot`).
 */
import type { Expr } from '../../ast/index.ts';
import {
  defineOptions,
  ExprfitError,
  opt,
  type OptionSpec,
  SettingHintError,
  spellKey,
  type SuggestedSetting,
} from '../../core/index.ts';
import { broadcastTo, NdArray } from '../../data/index.ts';
import { fit, type FitOptions, type FitResult, fitSchema as apiFitSchema } from '../../fit/index.ts';
import type { FitStatement, OptionArg } from '../../syntax/index.ts';
import { assembleModel, type AssembledModel } from '../assemble.ts';
import type { FitRecord, InterpreterState, ModelLine, StatementContext, StatementDef } from '../context.ts';
import { nameMap } from '../nameMap.ts';
import { sessionProgress, statementOptions, where, writtenOption } from '../optionArgs.ts';
import { asArray, type Value } from '../values.ts';
import { fitOdeLines, odeOptions, splitOdeOptions } from '../odeFit.ts';

function isValue(v: unknown): v is Value {
  return v !== undefined;
}

/**
 * The options of the `fit` statement: the fit API's own declarations (src/fit/options.ts `fitSchema`: names,
 * ranges, defaults, docs; written in snake_case here), with `sigma=` taking a script value (a number or an
 * array for every model line). `sigma_NAME=` (the sigma of one model line) is read by the statement itself.
 */
const FIT_SPECS = {
  ...apiFitSchema.specs,
  sigma: opt.custom<Value>({
    doc: 'the standard deviation of the data of every model line (sigma_NAME=: of one line)',
    accept: isValue,
    expected: 'a number or an array',
  }),
};

export const fitSchema = defineOptions('fit', FIT_SPECS);

/** `sigma_NAME=`: the sigma of one model line. */
function isSigmaOf(o: OptionArg): boolean {
  return o.key.startsWith('sigma_') && o.key.length > 6;
}

/** A setting as the statement writes it: its shortest spelling (`fit nan=omit`). */
function scriptSetting(s: SuggestedSetting): string {
  const spec: OptionSpec = fitSchema.specs[s.key as keyof typeof FIT_SPECS];
  const names = [s.key, ...(spec?.aliases ?? [])].map((k) => spellKey(k, 'script'));
  return `fit ${names.reduce((a, b) => (b.length < a.length ? b : a))}=${s.value}`;
}

interface ParsedOptions {
  readonly options: FitOptions;
  /** sigma for all equations (`sigma=`) and per equation (`sigma_NAME=`). */
  readonly sigmaAll?: Value;
  readonly sigmaOf: Map<string, { value: Value; opt: OptionArg }>;
}

async function parseOptions(s: FitStatement, ctx: StatementContext): Promise<ParsedOptions> {
  const sigmaOf = new Map<string, { value: Value; opt: OptionArg }>();
  for (const o of s.options.filter(isSigmaOf)) {
    sigmaOf.set(o.key.slice(6), { value: await ctx.evaluator.evaluate(o.value), opt: o });
  }
  const opts = s.options.filter((o) => !isSigmaOf(o));
  const { sigma, ...options } = await statementOptions(fitSchema, opts, ctx, 'fit');
  return { options: options as FitOptions, sigmaAll: sigma, sigmaOf };
}

/** An error unless the session has model lines. */
function requireModel(s: FitStatement, ctx: StatementContext): void {
  if (ctx.interp.models.length) return;
  throw new ExprfitError('value', 'no model to fit', {
    span: s.span,
    source: ctx.source,
    hints: ['write a model line first, e.g. model y = a*exp(-k*t) + c'],
  });
}

/** The sigma of each model line: `sigma=` for all, `sigma_NAME=` for one. */
function sigmaPerLine(
  s: FitStatement,
  parsed: ParsedOptions,
  lines: readonly ModelLine[],
  ctx: StatementContext,
): Record<string, NdArray | number> {
  const sigma = nameMap<NdArray | number>();
  const sigmaValue = (v: Value, span: Expr['span']): NdArray | number =>
    typeof v === 'number' ? v : asArray(v, 'sigma', where(ctx, span));
  if (parsed.sigmaAll !== undefined) {
    const opt = writtenOption(fitSchema, s.options, 'sigma')!;
    for (const l of lines) sigma[l.lhs] = sigmaValue(parsed.sigmaAll, opt.value.span);
  }
  for (const [lhs, { value, opt }] of parsed.sigmaOf) {
    if (!lines.some((l) => l.lhs === lhs)) {
      throw new ExprfitError('option', `option ${opt.key}: the model has no line for '${lhs}'`, {
        span: opt.keySpan,
        source: ctx.source,
        hints: [`the model lines are for ${lines.map((l) => l.lhs).join(', ')}`],
      });
    }
    sigma[lhs] = sigmaValue(value, opt.value.span);
  }
  return sigma;
}

/** Calls the fit API; its errors name no place in the script: they point at the fit statement. */
function callFit(
  asm: AssembledModel,
  options: FitOptions,
  s: FitStatement,
  ctx: StatementContext,
): FitResult {
  try {
    return fit(asm.model, asm.data, asm.params, options);
  } catch (err) {
    // a setting the error suggests, as the script writes it (`fit nan=omit`)
    const e = err instanceof SettingHintError ? err.respelled(scriptSetting(err.setting)) : err;
    if (!(e instanceof ExprfitError)) throw err;
    throw e.placed(s.span, ctx.source);
  }
}

/** Fitted values and standard errors into the parameters (names the model used become parameters). */
function storeParams(interp: InterpreterState, result: FitResult): void {
  for (const p of Object.values(result.params)) {
    let entry = interp.params.get(p.name);
    if (!entry) {
      entry = { name: p.name, value: p.init, min: p.min, max: p.max, fixed: p.fixed, implicit: true };
      interp.params.set(p.name, entry);
    }
    entry.fitted = p.value;
    entry.stderr = p.stderr;
  }
}

type FittedEquation = FitRecord['equations'][number];

/** Per model line: observed data, the model in the data's shape, its variables and sigma. */
function fittedEquations(
  result: FitResult,
  asm: AssembledModel,
  lines: readonly ModelLine[],
  sigma: Record<string, NdArray | number>,
  likelihood: boolean,
): FittedEquation[] {
  return lines.map((l) => {
    const observed = likelihood ? undefined : asm.data[l.lhs];
    let model = result.eval(asm.data, l.lhs);
    if (observed && (model.size !== observed.size || model.ndim !== observed.ndim)) {
      model = new NdArray(broadcastTo(model, observed.shape), [...observed.shape]);
    }
    const variables = asm.variables.get(l.lhs) ?? [];
    return { lhs: l.lhs, text: l.text, observed, model, variables, sigma: sigma[l.lhs] };
  });
}

/** The variables `model` and `residuals` (and `model_NAME`, `residuals_NAME` for several lines). */
function setResultArrays(interp: InterpreterState, equations: readonly FittedEquation[]): void {
  const setArrays = (suffix: string, eq: FittedEquation): void => {
    interp.variables.set(`model${suffix}`, eq.model);
    if (!eq.observed) return;
    const r = new Float64Array(eq.model.size);
    const o = eq.observed.data;
    for (let i = 0; i < r.length; i++) r[i] = o[i] - eq.model.data[i];
    interp.variables.set(`residuals${suffix}`, new NdArray(r, [...eq.model.shape]));
  };
  setArrays('', equations[0]);
  if (equations.length > 1) for (const eq of equations) setArrays(`_${eq.lhs}`, eq);
}

function noteImplicit(interp: InterpreterState, implicit: readonly string[]): void {
  if (!implicit.length) return;
  const one = implicit.length === 1;
  interp.info(
    `note: ${implicit.map((n) => `'${n}'`).join(', ')} ${one ? 'is' : 'are'} not declared with 'param': fitted as parameter${one ? '' : 's'} starting at 1`,
  );
}

/** What a `fit` statement hands the fit API: the assembled model, its data and parameters, and the options. */
export interface FitCall {
  readonly asm: AssembledModel;
  readonly options: FitOptions;
  readonly sigma: Record<string, NdArray | number>;
  readonly likelihood: boolean;
}

/**
 * A `fit` statement's call of the fit API, without fitting (`exprfit serve` hands it to the web page):
 * options, model lines and data assembled as the statement would fit them.
 */
export async function prepareFitCall(s: FitStatement, ctx: StatementContext): Promise<FitCall> {
  const interp = ctx.interp;
  requireModel(s, ctx);
  if (interp.odes.length) {
    throw new ExprfitError(
      'usage',
      'a fit of an ODE model is not handed to the web page yet: run the script with exprfit run',
      { span: s.span, source: ctx.source },
    );
  }
  const parsed = await parseOptions(s, ctx);
  const likelihood = parsed.options.estimator === 'likelihood';
  const asm = await assembleModel(interp, interp.models, likelihood);
  const sigma = sigmaPerLine(s, parsed, interp.models, ctx);
  const options = { ...parsed.options, ...(Object.keys(sigma).length ? { sigma } : {}) };
  return { asm, options, sigma, likelihood };
}

/** Runs a `fit` statement: options, model and data into one call of the fit API, the results into the session. */
async function runFit(s: FitStatement, ctx: StatementContext): Promise<void> {
  const interp = ctx.interp;
  if (interp.odes.length) {
    requireModel(s, ctx);
    return runOdeFit(s, ctx);
  }
  const { asm, options, sigma, likelihood } = await prepareFitCall(s, ctx);
  const lines = interp.models;
  const result = callFit(
    asm,
    {
      ...options,
      ...(interp.options.allowWarnings ? { allowWarnings: true } : {}),
      ...(interp.constraints.length ? { constraints: interp.constraints.map((c) => c.text) } : {}),
      ...sessionProgress({ interp }, 'starts', 'iterations'),
    },
    s,
    ctx,
  );
  interp.fits.push(result);
  storeParams(interp, result);
  const equations = fittedEquations(result, asm, lines, sigma, likelihood);
  interp.lastFit = { result, equations, data: asm.data };
  setResultArrays(interp, equations);
  interp.modelClosed = true;
  noteImplicit(interp, asm.implicit);
  summarize(interp, result);
}

/** `fit` with an ODE system: the model lines are its outputs (src/script/odeFit.ts). */
async function runOdeFit(s: FitStatement, ctx: StatementContext): Promise<void> {
  const interp = ctx.interp;
  const { ode, rest } = splitOdeOptions(s.options);
  const parsed = await parseOptions({ ...s, options: rest }, ctx);
  const lines = interp.models;
  const sigma = sigmaPerLine(s, parsed, lines, ctx);
  const options = {
    ...parsed.options,
    sigma,
    ode: await odeOptions(ode, ctx),
    ...(interp.constraints.length ? { constraints: interp.constraints.map((c) => c.text) } : {}),
  };
  const { result, data, implicit, times } = withFitPosition(s, ctx, () =>
    fitOdeLines(interp, lines, options, ctx.source),
  );
  interp.fits.push(result);
  storeParams(interp, result);
  const equations = lines.map((l) => ({
    lhs: l.lhs,
    text: l.text,
    observed: data[l.lhs],
    model: new NdArray(result.bestFit[l.lhs], [result.bestFit[l.lhs].length]),
    variables: [times.get(l.lhs)!],
    sigma: sigma[l.lhs],
  }));
  interp.lastFit = { result, equations, data };
  setResultArrays(interp, equations);
  interp.modelClosed = true;
  noteImplicit(interp, implicit);
  summarize(interp, result);
}

/** Errors of the fit API without a place in the script point at the fit statement. */
function withFitPosition<T>(s: FitStatement, ctx: StatementContext, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (!(err instanceof ExprfitError) || err.span) throw err;
    throw err.placed(s.span, ctx.source);
  }
}

/** The one-line summary of the latest fit; a fit that did not converge, or is not ok, also warns. */
function summarize(interp: InterpreterState, result: FitResult): void {
  const n = interp.fits.length;
  if (result.ok) {
    const line = `fit ${n}: ${result.briefReport()}`;
    if (interp.options.interactive) interp.out(line);
    else interp.info(line);
    return;
  }
  if (result.success) {
    interp.untrusted++;
    const what = result.warnings.map((w) => w.message).join('; ');
    interp.warn(
      `warning: fit ${n} converged (${result.termination}) to a result not to be trusted: ${what} (try other start values or bounds; fit allow_warnings=true or --allow-warnings accepts it)`,
    );
  } else {
    interp.unconverged++;
    interp.warn(`warning: fit ${n} did not converge (${result.termination}): ${result.message}`);
  }
  if (interp.options.interactive) interp.out(result.briefReport());
}

export const fitStatement: StatementDef<'fit'> = {
  kind: 'fit',
  run: runFit,
  options: fitSchema,
  help: {
    summary: 'fit the model to the data',
    usage: [
      'fit',
      'fit method=lm|lbfgsb|nelder|powell|bfgs|de sigma=s absolute_sigma=true loss=huber f_scale=1 ctol=1e-9',
      '    estimator=lsq|poisson|likelihood nan=omit maxfev=1000 starts=10 seed=1',
      '    ftol=1e-10 xtol=1e-10 gtol=1e-10 max_iterations=200 sigma_NAME=... (sigma of one model line)',
      '    allow_warnings=true (accept a fit whose parameters the data do not determine: no exit status 3)',
      'Afterwards: fitted values as scalars, arrays model and residuals (data - model), report, save, plot.',
    ].join('\n'),
  },
};
