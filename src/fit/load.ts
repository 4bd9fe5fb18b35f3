/**
 * loadResult: a saved fit result (FitResult.toJSON, `save "fit.json"`, `exprfit run --json`) back as a
 * FitResult that evaluates the model (`eval`), computes bands at given points (`evalUncertainty({ at })`) and
 * reports, without the data and without refitting. The model is compiled from the saved expressions (each
 * equation's expanded right-hand side with ties substituted, written with full-precision numbers), so the
 * loaded result evaluates exactly as the original did.
 */
import type { Expr } from '../ast/index.ts';
import { ExprfitError, functionError } from '../core/index.ts';
import { parseExpr } from '../syntax/index.ts';
import type { FitCurves } from './curves.ts';
import { FitResult, RESULT_SCHEMA_VERSION } from './result.ts';
import type { EquationData, EquationStats, FitResultJSON, SavedFitOptions } from './result.ts';
import type { ConstraintResult } from './constraints.ts';
import type { FitWarning, FitWarningCode, ParamResult, Termination } from './types.ts';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A `loadResult: <reason>` error (the reason is in `detail`, for callers that name the file instead). */
function loadError(reason: string): ExprfitError {
  return functionError('value', 'loadResult', reason);
}

function invalid(what: string): ExprfitError {
  return loadError(`not a saved exprfit result: ${what}`);
}

function field(o: Json, key: string, where: string): unknown {
  if (!Object.hasOwn(o, key)) throw invalid(`${where} has no '${key}'`);
  return o[key];
}

function object(o: Json, key: string, where = 'the result'): Json {
  const v = field(o, key, where);
  if (!isObject(v)) throw invalid(`'${key}' of ${where} must be an object`);
  return v;
}

/** A saved number: null stands for a non-finite value (NaN). */
function number(o: Json, key: string, where = 'the result'): number {
  const v = field(o, key, where);
  if (v === null) return NaN;
  if (typeof v !== 'number') throw invalid(`'${key}' of ${where} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function bool(o: Json, key: string, where = 'the result'): boolean {
  const v = field(o, key, where);
  if (typeof v !== 'boolean') throw invalid(`'${key}' of ${where} must be true or false`);
  return v;
}

function string(o: Json, key: string, where = 'the result'): string {
  const v = field(o, key, where);
  if (typeof v !== 'string') throw invalid(`'${key}' of ${where} must be a string`);
  return v;
}

function strings(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
    throw invalid(`${where} must be a list of names`);
  return v as string[];
}

function numbers(v: unknown, where: string): Float64Array {
  if (!Array.isArray(v) || v.some((x) => x !== null && typeof x !== 'number')) {
    throw invalid(`${where} must be a list of numbers`);
  }
  return Float64Array.from(v as (number | null)[], (x) => x ?? NaN);
}

function checkVersion(o: Json): void {
  if (Array.isArray(o.fits) && o.schema === undefined) {
    throw invalid(
      'this is the output of exprfit run --json, {"fits": [...]}: load one of its fits (json.fits[0])',
    );
  }
  if (o.schema !== 'exprfit-result') {
    throw invalid(
      `'schema' is ${JSON.stringify(o.schema)}, not "exprfit-result" (was it written by exprfit ≥ 0.x save?)`,
    );
  }
  const version = number(o, 'version');
  if (version !== RESULT_SCHEMA_VERSION) {
    throw invalid(`version ${version} is not one this exprfit reads (${RESULT_SCHEMA_VERSION})`);
  }
}

function readParams(o: Json): { params: Record<string, ParamResult>; order: string[] } {
  const saved = object(o, 'params');
  const params = Object.create(null) as Record<string, ParamResult>;
  for (const [name, v] of Object.entries(saved)) {
    if (!isObject(v)) throw invalid(`parameter '${name}' must be an object`);
    const where = `parameter '${name}'`;
    const expr = field(v, 'expr', where);
    if (expr !== null && typeof expr !== 'string')
      throw invalid(`'expr' of ${where} must be a string or null`);
    params[name] = {
      name,
      value: number(v, 'value', where),
      stderr: number(v, 'stderr', where),
      min: v.min === null ? -Infinity : number(v, 'min', where),
      max: v.max === null ? Infinity : number(v, 'max', where),
      fixed: bool(v, 'fixed', where),
      ...(expr === null ? {} : { expr }),
      init: number(v, 'init', where),
      atBound: bool(v, 'atBound', where),
      notes: [],
    };
  }
  return { params, order: Object.keys(params) };
}

function readExpressions(o: Json): { exprs: Map<string, Expr>; variables: Map<string, string[]> } {
  const exprs = new Map<string, Expr>();
  const variables = new Map<string, string[]>();
  for (const [lhs, v] of Object.entries(object(o, 'expressions'))) {
    if (!isObject(v)) throw invalid(`expression of '${lhs}' must be an object`);
    const text = string(v, 'expr', `the expression of '${lhs}'`);
    try {
      exprs.set(lhs, parseExpr(text));
    } catch (e) {
      if (e instanceof ExprfitError) throw invalid(`the expression of '${lhs}' does not parse: ${e.message}`);
      throw e;
    }
    variables.set(lhs, strings(v.variables, `the variables of '${lhs}'`));
  }
  return { exprs, variables };
}

function readCovariance(o: Json, free: readonly string[]): number[][] {
  const cov = object(o, 'covariance');
  const matrix = field(cov, 'matrix', 'the covariance');
  if (!Array.isArray(matrix) || matrix.length !== free.length) {
    throw invalid(`the covariance must be a ${free.length} x ${free.length} matrix`);
  }
  return matrix.map((row, i) => {
    const r = numbers(row, `row ${i} of the covariance`);
    if (r.length !== free.length)
      throw invalid(`the covariance must be a ${free.length} x ${free.length} matrix`);
    return Array.from(r);
  });
}

function readEquations(o: Json): EquationStats[] {
  return Object.entries(object(o, 'equations')).map(([lhs, v]) => {
    if (!isObject(v)) throw invalid(`equation '${lhs}' must be an object`);
    const where = `equation '${lhs}'`;
    return {
      lhs,
      ndata: number(v, 'ndata', where),
      chi2: number(v, 'chi2', where),
      r2: number(v, 'r2', where),
    };
  });
}

function readCurves(o: Json): FitCurves {
  const read = (key: string) =>
    Object.fromEntries(Object.entries(object(o, key)).map(([k, v]) => [k, numbers(v, `${key} of '${k}'`)]));
  return { bestFit: read('bestFit'), initFit: read('initFit'), residuals: read('residuals') };
}

function readData(o: Json): Record<string, EquationData> {
  const data = Object.create(null) as Record<string, EquationData>;
  for (const [lhs, v] of Object.entries(object(o, 'data'))) {
    if (!isObject(v)) throw invalid(`data of '${lhs}' must be an object`);
    const where = `the data of '${lhs}'`;
    data[lhs] = {
      variables: strings(v.variables, `the variables of '${lhs}'`),
      observed: bool(v, 'observed', where),
      sigma: bool(v, 'sigma', where),
    };
  }
  return data;
}

function readWarnings(o: Json): FitWarning[] {
  const list = field(o, 'warnings', 'the result');
  if (!Array.isArray(list)) throw invalid("'warnings' must be a list");
  return list.map((w: unknown, i) => {
    if (!isObject(w)) throw invalid(`warning ${i} must be an object`);
    const params = w.params === null ? undefined : strings(w.params, `the parameters of warning ${i}`);
    const code = string(w, 'code', `warning ${i}`) as FitWarningCode;
    return { code, message: string(w, 'message', `warning ${i}`), ...(params ? { params } : {}) };
  });
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw loadError(`invalid JSON: ${(e as Error).message}`);
  }
}

/** The JSON text or value of a saved result, as an object. */
function asObject(json: string | FitResultJSON | Json): Json {
  const value: unknown = typeof json === 'string' ? parseText(json) : json;
  if (!isObject(value)) throw invalid('it must be a JSON object');
  return value;
}

/**
 * A saved result back as a FitResult: `loadResult(text)` or `loadResult(JSON.parse(text))`. It evaluates the
 * model (`eval`), gives bands at new points (`evalUncertainty({ at })`), the saved curves (`bestFit`,
 * `initFit`, `residuals`) and the reports; bands at the fitted data, profiles and MCMC need the data (refit).
 */
export function loadResult(json: string | FitResultJSON | Record<string, unknown>): FitResult {
  const o = asObject(json);
  checkVersion(o);
  const { params, order } = readParams(o);
  const free = strings(field(object(o, 'covariance'), 'names', 'the covariance'), 'the covariance names');
  for (const n of free)
    if (!Object.hasOwn(params, n)) throw invalid(`the covariance names '${n}', not a parameter`);
  const { exprs, variables } = readExpressions(o);
  const options = object(o, 'options') as SavedFitOptions;
  return new FitResult({
    modelText: string(o, 'model'),
    method: string(o, 'method'),
    estimator: string(o, 'estimator'),
    params,
    order,
    free,
    covariance: { names: free, matrix: readCovariance(o, free) },
    chi2: number(o, 'chi2'),
    ndata: number(o, 'ndata'),
    r2: number(o, 'r2'),
    equations: readEquations(o),
    nll: number(o, 'nll'),
    nfev: number(o, 'nfev'),
    njev: number(o, 'njev'),
    iterations: number(o, 'iterations'),
    success: bool(o, 'success'),
    termination: string(o, 'termination') as Termination,
    message: string(o, 'message'),
    warnings: readWarnings(o),
    allowWarnings: options.allowWarnings === true,
    interrupted: o.interrupted === true,
    notes: [],
    exprs,
    variables,
    options,
    data: readData(o),
    curves: readCurves(o),
    ...readConstraints(o),
  });
}

/** The constraints of a constrained fit (absent for other fits). */
function readConstraints(o: Json): { constraints?: ConstraintResult[]; constraintRank?: number } {
  if (o.constraints === undefined) return {};
  if (!Array.isArray(o.constraints)) throw invalid('constraints must be an array');
  const constraints = o.constraints.map((c: unknown, i) => {
    if (!isObject(c)) throw invalid(`constraint ${i + 1} must be an object`);
    const where = `constraint ${i + 1}`;
    return {
      text: string(c, 'text', where),
      equality: bool(c, 'equality', where),
      value: number(c, 'value', where),
      active: bool(c, 'active', where),
      multiplier: number(c, 'multiplier', where),
    };
  });
  return { constraints, constraintRank: number(o, 'constraintRank') };
}
