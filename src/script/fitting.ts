/**
 * The `fit` statement: assembles the model lines, the data they name, the declared parameters and the
 * options into one call of the fit API, then makes the results available to later statements (fitted values
 * as scalars, `model` and `residuals` arrays, `report`, `save`, `plot`).
 */
import type { Expr } from '../ast/expr.ts';
import { num, sym } from '../ast/build.ts';
import { NdArray } from '../data/ndarray.ts';
import { broadcastTo } from '../data/ndarray.ts';
import { fit, NAN_OMIT_HINT } from '../fit/fit.ts';
import type { FitOptions } from '../fit/types.ts';
import type { FitResult } from '../fit/result.ts';
import { validateFitOptions } from '../fit/options.ts';
import type { Model, Equation } from '../model/model.ts';
import type { ParamInput } from '../model/params.ts';
import { getConstant, getFunction } from '../functions/registry.ts';
import { freeSymbols, inline, mapChildren, substitute } from '../symbolic/index.ts';
import { ExprfitError, type SourceText } from '../syntax/span.ts';
import type { FitStatement, OptionArg } from '../syntax/statements.ts';
import { Evaluator, SCRIPT_CONSTANTS } from './evaluate.ts';
import { getScriptFunction } from './functions.ts';
import type { FitRecord, Interpreter, ModelLine, StatementContext } from './interpreter.ts';
import { optionBoolean, optionWord, unknownOption, where } from './statements.ts';
import {
  asArray,
  describeType,
  isSpline,
  positioned,
  typeError,
  undeclaredModelName,
  type Value,
} from './values.ts';
import { nameMap, nameTable } from './nameMap.ts';

/** Script option names → fit API option names. */
export const FIT_OPTIONS: Readonly<Record<string, keyof FitOptions>> = nameTable({
  method: 'method',
  sigma: 'sigma',
  absolute_sigma: 'absoluteSigma',
  allow_warnings: 'allowWarnings',
  loss: 'loss',
  f_scale: 'fScale',
  estimator: 'estimator',
  nan: 'nanPolicy',
  nan_policy: 'nanPolicy',
  maxfev: 'maxfev',
  max_iterations: 'maxIterations',
  maxiter: 'maxIterations',
  ftol: 'ftol',
  xtol: 'xtol',
  gtol: 'gtol',
  starts: 'starts',
  seed: 'seed',
});

/** The fit options that take true or false (also written 1 or 0). */
export const BOOLEAN_FIT_OPTIONS: readonly string[] = ['absolute_sigma', 'allow_warnings'];

/** Allowed words of the word-valued options (also used for completion). */
export const FIT_OPTION_WORDS: Readonly<Record<string, readonly string[]>> = nameTable({
  method: ['lm', 'lbfgsb', 'nelder'],
  loss: ['linear', 'soft_l1', 'huber', 'cauchy', 'arctan'],
  estimator: ['lsq', 'poisson', 'likelihood'],
  nan: ['raise', 'omit'],
  nan_policy: ['raise', 'omit'],
  absolute_sigma: ['true', 'false'],
  allow_warnings: ['true', 'false'],
});

interface ParsedOptions {
  readonly options: FitOptions;
  /** sigma for all equations (`sigma=`) and per equation (`sigma_NAME=`). */
  readonly sigmaAll?: Value;
  readonly sigmaOf: Map<string, { value: Value; opt: OptionArg }>;
}

async function parseOptions(s: FitStatement, ctx: StatementContext): Promise<ParsedOptions> {
  const options = nameMap<unknown>();
  let sigmaAll: Value | undefined;
  const sigmaOf = new Map<string, { value: Value; opt: OptionArg }>();
  for (const o of s.options) {
    if (o.key.startsWith('sigma_') && o.key.length > 6) {
      sigmaOf.set(o.key.slice(6), { value: await ctx.evaluator.evaluate(o.value), opt: o });
      continue;
    }
    const key = FIT_OPTIONS[o.key];
    if (!key) throw unknownOption(o, [...Object.keys(FIT_OPTIONS), 'sigma_NAME'], ctx, 'fit');
    let value: unknown;
    if (key === 'sigma') {
      sigmaAll = await ctx.evaluator.evaluate(o.value);
      continue;
    } else if (BOOLEAN_FIT_OPTIONS.includes(o.key)) value = optionBoolean(o, ctx);
    else if (FIT_OPTION_WORDS[o.key]) value = optionWord(o, ctx);
    else {
      const v = await ctx.evaluator.evaluate(o.value);
      if (typeof v !== 'number')
        throw typeError(`option ${o.key} must be a number`, where(ctx, o.value.span));
      value = v;
    }
    try {
      validateFitOptions({ [key]: value } as FitOptions);
    } catch (err) {
      if (err instanceof ExprfitError) {
        throw new ExprfitError(err.code, err.message.replace(`option ${key}`, `option ${o.key}`), {
          span: o.span,
          source: ctx.source,
        });
      }
      throw err;
    }
    options[key] = value;
  }
  return { options: options as FitOptions, sigmaAll, sigmaOf };
}

/** A value usable as fit data. */
function dataArray(v: Value, name: string, ctx: { source: SourceText }, span: ModelLine['lhsSpan']): NdArray {
  if (v instanceof NdArray) return v;
  if (typeof v === 'number') return NdArray.scalar(v);
  throw typeError(`'${name}' is ${describeType(v)}, not data`, { span, source: ctx.source });
}

/** True for nodes that are evaluated by the interpreter rather than compiled (array functions, indexing). */
function isArrayPart(e: Expr, interp: Interpreter): boolean {
  if (e.kind === 'index' || e.kind === 'array' || e.kind === 'str') return true;
  if (e.kind !== 'call') return false;
  if (e.fn === 'min' || e.fn === 'max') return false; // element-wise in models
  if (getFunction(e.fn)) return false;
  const own = interp.variables.get(e.fn);
  return !!getScriptFunction(e.fn) || (own !== undefined && isSpline(own));
}

export interface AssembledModel {
  readonly model: Model;
  readonly data: Record<string, NdArray>;
  readonly params: Record<string, ParamInput>;
  /** Names that became parameters without a `param` declaration. */
  readonly implicit: string[];
  /** Per equation, the data variables it uses. */
  readonly variables: Map<string, string[]>;
}

/**
 * Turns the model lines into a Model for `fit()`: user functions inlined, array parts (`B[:, 0]`, `sum(w)`)
 * evaluated into temporaries, numeric variables substituted, other equations' outputs expanded.
 */
export async function assembleModel(
  interp: Interpreter,
  lines: readonly ModelLine[],
  likelihood: boolean,
): Promise<AssembledModel> {
  const data = nameMap<NdArray>();
  const implicit: string[] = [];
  const lhsNames = new Set(lines.map((l) => l.lhs));
  let tempCounter = 0;
  const raw: { line: ModelLine; rhs: Expr }[] = [];
  for (const line of lines) {
    const ev = new Evaluator(interp.scope(interp.baseDir), line.source);
    let rhs: Expr;
    try {
      rhs = inline(line.rhs, interp.functions);
    } catch (err) {
      throw positioned(err, { span: line.span, source: line.source });
    }
    // evaluate array parts (which must not depend on parameters)
    const parts: [Expr, string][] = [];
    const lift = (e: Expr): Expr => {
      if (isArrayPart(e, interp)) {
        for (const n of freeSymbols(e)) {
          if (interp.params.has(n) && !interp.variables.has(n)) {
            throw new ExprfitError(
              'value',
              `parameter '${n}' cannot be used inside ${e.kind === 'index' ? 'an index' : 'an array function'} in a model`,
              {
                span: e.span,
                source: line.source,
              },
            );
          }
        }
        const name = `#m${tempCounter++}`;
        parts.push([e, name]);
        return sym(name, e.span);
      }
      if (e.kind === 'call' && (e.fn === 'minimum' || e.fn === 'maximum')) {
        return { ...mapChildren(e, lift), fn: e.fn === 'minimum' ? 'min' : 'max' } as Expr;
      }
      return mapChildren(e, lift);
    };
    rhs = lift(rhs);
    for (const [e, name] of parts) {
      const v = await ev.evaluate(e);
      if (typeof v !== 'number' && !(v instanceof NdArray)) {
        throw typeError(`${describeType(v)} cannot be used in a model`, {
          span: e.span,
          source: line.source,
        });
      }
      data[name] = v instanceof NdArray ? v : NdArray.scalar(v);
    }
    // names: parameters stay, numbers are substituted, arrays become data, unknown names become parameters
    const subs = new Map<string, Expr>();
    for (const n of freeSymbols(rhs)) {
      if (n.startsWith('#') || (lhsNames.has(n) && n !== line.lhs)) continue;
      if (interp.params.has(n) && !interp.variables.has(n)) continue;
      const v = interp.variables.get(n);
      if (v !== undefined) {
        if (typeof v === 'number') subs.set(n, num(v));
        else if (v instanceof NdArray) data[n] = v;
        else {
          throw typeError(`'${n}' is ${describeType(v)}, which a model cannot use`, {
            span: findSpan(line.rhs, n) ?? line.span,
            source: line.source,
          });
        }
        continue;
      }
      if (getConstant(n) !== undefined) continue;
      if (Object.hasOwn(SCRIPT_CONSTANTS, n)) {
        subs.set(n, num(SCRIPT_CONSTANTS[n]));
        continue;
      }
      if (interp.requiresDeclaredParams()) {
        const at = { span: findSpan(line.rhs, n) ?? line.span, source: line.source };
        throw undeclaredModelName(n, at, interp.knownNames());
      }
      if (!implicit.includes(n)) implicit.push(n);
    }
    raw.push({ line, rhs: subs.size ? substitute(rhs, subs) : rhs });
  }

  // expand other equations' outputs (y = a*x; z = y^2 + b)
  const byLhs = new Map(raw.map((r) => [r.line.lhs, r]));
  const expanded = new Map<string, Expr>();
  const expand = (lhs: string, stack: string[]): Expr => {
    const done = expanded.get(lhs);
    if (done) return done;
    const r = byLhs.get(lhs)!;
    if (stack.includes(lhs)) {
      throw new ExprfitError(
        'value',
        `model lines refer to each other in a cycle: ${[...stack, lhs].join(' -> ')}`,
        {
          span: r.line.span,
          source: r.line.source,
        },
      );
    }
    const map = new Map<string, Expr>();
    for (const n of freeSymbols(r.rhs)) {
      if (n === lhs) {
        throw new ExprfitError('value', `the model of '${lhs}' uses '${lhs}' itself on the right-hand side`, {
          span: r.line.span,
          source: r.line.source,
        });
      }
      if (byLhs.has(n)) map.set(n, expand(n, [...stack, lhs]));
    }
    const e = map.size ? substitute(r.rhs, map) : r.rhs;
    expanded.set(lhs, e);
    return e;
  };
  const equations: Equation[] = raw.map((r) => ({
    lhs: r.line.lhs,
    rhs: r.rhs,
    expanded: expand(r.line.lhs, []),
  }));
  const names = new Set<string>();
  const variables = new Map<string, string[]>();
  for (const eq of equations) {
    const vs: string[] = [];
    for (const n of freeSymbols(eq.expanded)) {
      names.add(n);
      if (Object.hasOwn(data, n)) vs.push(n);
    }
    variables.set(eq.lhs, vs);
  }
  // the data each line is fitted to
  for (const line of lines) {
    const v = interp.variables.get(line.lhs);
    if (likelihood) {
      if (v !== undefined) {
        throw new ExprfitError(
          'value',
          `estimator=likelihood fits a density of its variables; '${line.lhs}' must not be data`,
          {
            span: line.lhsSpan,
            source: line.source,
          },
        );
      }
      continue;
    }
    if (v === undefined) {
      throw new ExprfitError('unknown-name', `no data named '${line.lhs}' to fit this model to`, {
        span: line.lhsSpan,
        source: line.source,
        hints: interp.params.has(line.lhs)
          ? [`'${line.lhs}' is a parameter; the left side of a model line names data`]
          : ['load it first, e.g. data "file.csv" or ' + `${line.lhs} = load("file.npy")`],
      });
    }
    data[line.lhs] = dataArray(v, line.lhs, line, line.lhsSpan);
  }

  // parameters: every declared one the model uses, and the parameters their ties use
  const params = nameMap<ParamInput>();
  const addParam = (n: string): void => {
    if (Object.hasOwn(params, n)) return;
    const p = interp.params.get(n);
    if (!p) return;
    if (p.tie) {
      params[n] = { expr: p.tieText! };
      for (const m of freeSymbols(p.tie)) addParam(m);
    } else {
      params[n] = { value: p.value, min: p.min, max: p.max, fixed: p.fixed };
    }
  };
  for (const n of names) if (!Object.hasOwn(data, n)) addParam(n);

  const first = lines[0];
  const model: Model = {
    text: lines.map((l) => l.text).join('\n'),
    source: first.source,
    equations,
    names,
  };
  return { model, data, params, implicit: implicit.filter((n) => names.has(n)), variables };
}

function findSpan(e: Expr, name: string): Expr['span'] {
  let found: Expr['span'];
  const visit = (n: Expr): void => {
    if (found) return;
    if (n.kind === 'sym' && n.name === name) found = n.span;
    mapChildren(n, (c) => {
      visit(c);
      return c;
    });
  };
  visit(e);
  return found;
}

/** Runs a `fit` statement. */
export async function runFit(s: FitStatement, ctx: StatementContext): Promise<void> {
  const interp = ctx.interp;
  if (interp.models.length === 0) {
    throw new ExprfitError('value', 'no model to fit', {
      span: s.span,
      source: ctx.source,
      hints: ['write a model line first, e.g. model y = a*exp(-k*t) + c'],
    });
  }
  const { options, sigmaAll, sigmaOf } = await parseOptions(s, ctx);
  const lines = interp.models;
  const likelihood = options.estimator === 'likelihood';
  const asm = await assembleModel(interp, lines, likelihood);

  // sigma per equation
  const sigma = nameMap<NdArray | number>();
  const sigmaValue = (v: Value, span: Expr['span']): NdArray | number => {
    if (typeof v === 'number') return v;
    return asArray(v, 'sigma', where(ctx, span));
  };
  if (sigmaAll !== undefined) {
    const opt = s.options.find((o) => o.key === 'sigma')!;
    for (const l of lines) sigma[l.lhs] = sigmaValue(sigmaAll, opt.value.span);
  }
  for (const [lhs, { value, opt }] of sigmaOf) {
    if (!lines.some((l) => l.lhs === lhs)) {
      throw new ExprfitError('option', `option ${opt.key}: the model has no line for '${lhs}'`, {
        span: opt.keySpan,
        source: ctx.source,
        hints: [`the model lines are for ${lines.map((l) => l.lhs).join(', ')}`],
      });
    }
    sigma[lhs] = sigmaValue(value, opt.value.span);
  }
  const fitOptions: FitOptions = {
    ...options,
    ...(Object.keys(sigma).length ? { sigma } : {}),
    ...(interp.options.allowWarnings ? { allowWarnings: true } : {}),
  };

  let result;
  try {
    result = fit(asm.model, asm.data, asm.params, fitOptions);
  } catch (err) {
    if (err instanceof ExprfitError) {
      // messages from the fit API name no place in the script: show the fit statement; and name the
      // script's option rather than the API's
      throw new ExprfitError(
        err.code,
        err.message.replace(NAN_OMIT_HINT, '(use fit nan=omit to drop such points)'),
        {
          span: s.span,
          source: ctx.source,
          hints: err.hints,
          cause: err,
        },
      );
    }
    throw err;
  }

  // results into the session
  interp.fits.push(result);
  for (const p of Object.values(result.params)) {
    let entry = interp.params.get(p.name);
    if (!entry) {
      entry = { name: p.name, value: p.init, min: p.min, max: p.max, fixed: p.fixed, implicit: true };
      interp.params.set(p.name, entry);
    }
    entry.fitted = p.value;
    entry.stderr = p.stderr;
  }
  const equations: FitRecord['equations'][number][] = [];
  for (const l of lines) {
    const observed = likelihood ? undefined : asm.data[l.lhs];
    let model = result.eval(asm.data, l.lhs);
    if (observed && (model.size !== observed.size || model.ndim !== observed.ndim)) {
      model = new NdArray(broadcastTo(model, observed.shape), [...observed.shape]);
    }
    equations.push({
      lhs: l.lhs,
      text: l.text,
      observed,
      model,
      variables: asm.variables.get(l.lhs) ?? [],
      sigma: sigma[l.lhs],
    });
  }
  interp.lastFit = { result, equations, data: asm.data };
  const setArrays = (suffix: string, eq: (typeof equations)[number]): void => {
    interp.variables.set(`model${suffix}`, eq.model);
    if (eq.observed) {
      const r = new Float64Array(eq.model.size);
      const o = eq.observed.data;
      for (let i = 0; i < r.length; i++) r[i] = o[i] - eq.model.data[i];
      interp.variables.set(`residuals${suffix}`, new NdArray(r, [...eq.model.shape]));
    }
  };
  setArrays('', equations[0]);
  if (equations.length > 1) for (const eq of equations) setArrays(`_${eq.lhs}`, eq);
  interp.modelClosed = true;

  if (asm.implicit.length) {
    interp.info(
      `note: ${asm.implicit.map((n) => `'${n}'`).join(', ')} ${asm.implicit.length === 1 ? 'is' : 'are'} not declared with 'param': fitted as parameter${asm.implicit.length === 1 ? '' : 's'} starting at 1`,
    );
  }
  summarize(interp, result);
}

/** The one-line summary of the latest fit; a fit that did not converge, or is not ok, also warns. */
function summarize(interp: Interpreter, result: FitResult): void {
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
