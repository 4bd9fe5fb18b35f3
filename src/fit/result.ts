/**
 * FitResult: values, uncertainties, statistics and reports of one fit. Every statistic's formula is in
 * its doc comment (and in docs/fitting.md).
 */
import { type Expr, printExpr } from '../ast/index.ts';
import { compileValuesCached } from '../compile/index.ts';
import { ExprfitError } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import type { DataInput, FitWarning, ParamResult, Termination } from './types.ts';
import { aic, bic, reducedChiSquare } from './stats.ts';
import type { FitSetup } from './setup.ts';
import { evalUncertainty } from './bands.ts';
import type { BandOptions } from './bands.ts';
import { fitCurves } from './curves.ts';
import type { FitCurves } from './curves.ts';
import type { ConstraintResult } from './constraints.ts';

/** The version of the saved-result JSON layout (`FitResultJSON.version`); `loadResult` reads this one. */
export const RESULT_SCHEMA_VERSION = 1;

/** Above this many data points `toJSON` leaves `bestFit`, `initFit` and `residuals` empty (the data's size). */
const MAX_SAVED_CURVE_POINTS = 100_000;
const NO_CURVES: FitCurves = { bestFit: {}, initFit: {}, residuals: {} };

/** The data of one fitted equation, by name: its variables, and whether data and sigma were given. */
export interface EquationData {
  readonly variables: readonly string[];
  readonly observed: boolean;
  readonly sigma: boolean;
}

/** The fit options as saved: every JSON-representable option (sigma arrays as the names they were given for). */
export type SavedFitOptions = Readonly<Record<string, unknown>>;

/** Per-equation statistics. */
export interface EquationStats {
  readonly lhs: string;
  /** Number of data points of this equation. */
  readonly ndata: number;
  /** This equation's share of χ²: Σ r_i² over its points. */
  readonly chi2: number;
  /** R² of this equation (see FitResult.r2 for the formula). */
  readonly r2: number;
}

export interface NamedMatrix {
  /** Row/column names: the free parameters, in order. */
  readonly names: readonly string[];
  /** Row-major square matrix as nested arrays. */
  readonly matrix: readonly (readonly number[])[];
}

/** The JSON shape of a result (also what `save "result.json"` and `exprfit run --json` write). */
export interface FitResultJSON {
  /** Always 'exprfit-result': what the file is. */
  schema: 'exprfit-result';
  /** The layout's version (RESULT_SCHEMA_VERSION). */
  version: number;
  /** The model text as given to the fit. */
  model: string;
  params: Record<
    string,
    {
      value: number;
      stderr: number | null;
      min: number | null;
      max: number | null;
      fixed: boolean;
      expr: string | null;
      init: number;
      atBound: boolean;
    }
  >;
  chi2: number;
  redchi: number | null;
  r2: number | null;
  aic: number;
  bic: number;
  ndata: number;
  /** The number of free (varied) parameters k, not the degrees of freedom (those are ndata - nfree). */
  nfree: number;
  /** k again, under lmfit's name. */
  nvarys: number;
  /** Degrees of freedom N - k (lmfit's `nfree`). */
  dof: number;
  /** Negative log-likelihood at the solution (likelihood estimators), else null. */
  nll: number | null;
  nfev: number;
  njev: number;
  iterations: number;
  success: boolean;
  /** `success` and no `warnings` (or warnings accepted by allowWarnings): see FitResult.ok. */
  ok: boolean;
  /** Stopped by its signal (FitResult.interrupted). */
  interrupted: boolean;
  termination: Termination;
  message: string;
  /** Why the result is not to be trusted (empty when it can be): see FitResult.warnings. */
  warnings: { code: string; message: string; params: string[] | null }[];
  method: string;
  estimator: string;
  equations: Record<string, { ndata: number; chi2: number; r2: number | null }>;
  covariance: { names: string[]; matrix: (number | null)[][] };
  /**
   * Every equation of the model (fitted or not) as the result evaluates it: the expanded right-hand side with
   * tied parameters substituted (full-precision numbers), and its data variables.
   */
  expressions: Record<string, { expr: string; variables: string[] }>;
  /** The fit's options (sigma: the names of the equations it was given for). */
  options: SavedFitOptions;
  /** Per fitted equation: its data variables, whether it had data and sigma. */
  data: Record<string, EquationData>;
  /** Per fitted equation: the model at the best fit, at the fitted points (lmfit's `best_fit`); this and the
   * next two are empty above MAX_SAVED_CURVE_POINTS data points. */
  bestFit: Record<string, number[]>;
  /** Per fitted equation: the model at the start values (lmfit's `init_fit`). */
  initFit: Record<string, number[]>;
  /** Per fitted equation with data: the weighted residuals (f - y)/σ (lmfit's `residual`). */
  residuals: Record<string, number[]>;
  /** A constrained fit only: its constraints at the solution (FitResult.constraints). */
  constraints?: {
    text: string;
    equality: boolean;
    value: number | null;
    active: boolean;
    multiplier: number | null;
  }[];
  /** A constrained fit only: the rank of its active constraints (dof = ndata − nfree + constraintRank). */
  constraintRank?: number;
}

export interface FitResultInit {
  readonly modelText: string;
  readonly method: string;
  readonly estimator: string;
  readonly params: Record<string, ParamResult>;
  readonly order: readonly string[];
  readonly free: readonly string[];
  readonly covariance: NamedMatrix;
  readonly chi2: number;
  readonly ndata: number;
  readonly r2: number;
  readonly equations: readonly EquationStats[];
  /** For likelihood estimators: the minimised negative log-likelihood (else NaN). */
  readonly nll: number;
  readonly nfev: number;
  readonly njev: number;
  readonly iterations: number;
  readonly success: boolean;
  readonly termination: Termination;
  readonly message: string;
  readonly warnings: readonly FitWarning[];
  /** The warnings were accepted (option allowWarnings): `ok` is `success` alone. */
  readonly allowWarnings: boolean;
  readonly notes: readonly string[];
  /** Expanded, tie-substituted right-hand sides for `eval`. */
  readonly exprs: ReadonlyMap<string, Expr>;
  readonly variables: ReadonlyMap<string, readonly string[]>;
  /**
   * The fit behind the result, for bands, profiles and MCMC (absent: those need a refit).
   * @internal
   */
  readonly setup?: FitSetup;
  /** Stopped by its signal: the best of the starts done, or a solve stopped between iterations. */
  readonly interrupted?: boolean;
  /** The validated options, as saved. */
  readonly options?: SavedFitOptions;
  /** The data names of each fitted equation. */
  readonly data?: Readonly<Record<string, EquationData>>;
  /** Curves read from a saved result (a fresh result computes them from `setup`). */
  readonly curves?: FitCurves;
  /** A constrained fit's constraints at the solution. */
  readonly constraints?: readonly ConstraintResult[];
  /** The rank of the active constraints' Jacobian: the degrees of freedom they take (default 0). */
  readonly constraintRank?: number;
}

const num = (v: number): number | null => (Number.isFinite(v) ? v : null);

function fmtNum(v: number, digits = 7): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e7) return String(Number(v.toPrecision(digits)));
  return v.toExponential(digits - 1);
}

/** `a + b <= 1: c = 1.2e-12, active, multiplier = 3.4` */
function constraintLine(c: ConstraintResult): string {
  const state = c.equality ? 'equality' : c.active ? 'active' : 'inactive';
  return `${c.text}: c = ${fmtNum(c.value, 5)}, ${state}, multiplier = ${fmtNum(c.multiplier, 6)}`;
}

export class FitResult {
  /** Best-fit values of every parameter (free, fixed and tied). */
  readonly values: Readonly<Record<string, number>>;
  /** Every parameter with value, stderr, bounds, fixed/tied flags, start value and atBound. */
  readonly params: Readonly<Record<string, ParamResult>>;
  /** Names of the free (varied) parameters: the rows/columns of `covariance` and `correlation`. */
  readonly free: readonly string[];
  /**
   * Covariance of the free parameters: C = s²·(JᵀWJ)⁺ at the solution, with J the Jacobian of the model,
   * W = diag(1/σ²), ⁺ the pseudo-inverse (rank-deficient problems), s² = reduced χ² unless `absoluteSigma`
   * (then s² = 1). Poisson: C = (JᵀW J)⁻¹ with W = diag(1/f) (the Fisher information's inverse).
   * Likelihood: the inverse of the observed information (Hessian of the negative log-likelihood).
   * Rows/columns of parameters on a bound are NaN (not determined).
   */
  readonly covariance: NamedMatrix;
  /** Correlation: C_ij / sqrt(C_ii C_jj). */
  readonly correlation: NamedMatrix;
  /** χ² = Σ r_i², r_i = (f_i - y_i)/σ_i over all equations' points (σ = 1 when not given). Poisson: the deviance 2Σ(f - y + y·ln(y/f)). */
  readonly chi2: number;
  /** Reduced χ² = χ² / (N - k), N = ndata, k = nfree; NaN when N <= k. */
  readonly redchi: number;
  /**
   * Coefficient of determination over all equations: R² = 1 - Σ w²(y - f)² / Σ w²(y - ȳ)², w = 1/σ,
   * ȳ the w²-weighted mean of each equation's data. Per equation in `equations`.
   */
  readonly r2: number;
  /** Akaike information criterion: N·ln(χ²/N) + 2k (lmfit). Likelihood estimators: 2·NLL + 2k. */
  readonly aic: number;
  /** Bayesian information criterion: N·ln(χ²/N) + ln(N)·k (lmfit). Likelihood estimators: 2·NLL + ln(N)·k. */
  readonly bic: number;
  /** N: the number of data points (after NaN omission), summed over equations. */
  readonly ndata: number;
  /**
   * k: the number of free (varied) parameters — neither fixed nor tied. Not the degrees of freedom, which are
   * `ndata - nfree` (lmfit's `nfree` is the degrees of freedom; this one is lmfit's `nvarys`).
   */
  readonly nfree: number;
  /** Negative log-likelihood at the solution (likelihood estimator), else NaN. */
  readonly nll: number;
  /** Model evaluations, Jacobian evaluations, solver iterations. */
  readonly nfev: number;
  readonly njev: number;
  readonly iterations: number;
  /**
   * True when the solver met a convergence test (`termination` is ftol, xtol or gtol), as scipy's `success`.
   * That alone does not make the result usable: a plateau also meets the gradient test. See `ok`.
   */
  readonly success: boolean;
  /**
   * True when the result can be used as it is: `success` and no `warnings` (every free parameter is
   * determined by the data at the solution, and χ² is finite), or `success` alone with the option
   * `allowWarnings`. `exprfit run` exits with 3 when a fit is not ok.
   */
  readonly ok: boolean;
  readonly termination: Termination;
  /** The solver's sentence saying why it stopped. */
  readonly message: string;
  /** Per-equation statistics (ndata, χ² share, R²). */
  readonly equations: readonly EquationStats[];
  /**
   * Why the result is not to be trusted although the solver may report success (see FitWarning): parameters
   * not determined by the data (zero derivative, rank-deficient Jacobian), a non-finite χ². Empty when none.
   */
  readonly warnings: readonly FitWarning[];
  /** Notes gathered while fitting (defaulted starts, clipped starts, skipped equations, bound hits). */
  readonly notes: readonly string[];
  readonly method: string;
  readonly estimator: string;
  readonly modelText: string;
  /** Degrees of freedom N - k (lmfit's `nfree`; here `nfree` is k, lmfit's `nvarys`). */
  readonly dof: number;
  /**
   * True when the fit's `signal` stopped it: a multi-start before every start was solved (the result is the
   * best of the starts done; the message says how many), or a single solve between two iterations (the result
   * is where the solver was, `success` false).
   */
  readonly interrupted: boolean;
  /** The fit's options (sigma given as the names of its equations), as `save` writes them. */
  readonly options: SavedFitOptions;
  /** The data names of each fitted equation: its variables, and whether data and sigma were given. */
  readonly data: Readonly<Record<string, EquationData>>;
  /**
   * The fit behind the result (kernels, bounds, refit): what bands, profiles and MCMC work from.
   * @internal
   */
  readonly setup?: FitSetup;
  /**
   * The constraints of a constrained fit (empty otherwise): each one's value `c` at the solution (`c >= 0` or
   * `c = 0`), whether it is active, and its Lagrange multiplier ν (`∇(χ²/2) = Σ ν ∇c`). The covariance of a
   * constrained fit is projected onto the active constraints' tangent space, and `dof` is `N − k + r` with
   * `r` the rank of the active constraints (docs/constraints.md).
   */
  readonly constraints: readonly ConstraintResult[];
  private readonly exprs: ReadonlyMap<string, Expr>;
  private readonly variablesOf: ReadonlyMap<string, readonly string[]>;
  declare private savedCurves?: FitCurves;

  constructor(init: FitResultInit) {
    this.params = init.params;
    this.values = Object.fromEntries(init.order.map((n) => [n, init.params[n].value]));
    this.free = init.free;
    this.covariance = init.covariance;
    const c = init.covariance.matrix;
    this.correlation = {
      names: init.covariance.names,
      matrix: c.map((row, i) =>
        row.map((v, j) => (i === j ? (Number.isFinite(v) ? 1 : NaN) : v / Math.sqrt(c[i][i] * c[j][j]))),
      ),
    };
    this.chi2 = init.chi2;
    this.ndata = init.ndata;
    this.nfree = init.free.length;
    this.nll = init.nll;
    const rank = init.constraintRank ?? 0;
    this.redchi = reducedChiSquare(this.chi2, this.ndata, this.nfree - rank);
    this.r2 = init.r2;
    const N = this.ndata;
    const k = this.nfree;
    if (Number.isFinite(init.nll)) {
      this.aic = 2 * init.nll + 2 * k;
      this.bic = 2 * init.nll + Math.log(N) * k;
    } else {
      this.aic = aic(this.chi2, N, k);
      this.bic = bic(this.chi2, N, k);
    }
    this.nfev = init.nfev;
    this.njev = init.njev;
    this.iterations = init.iterations;
    this.success = init.success;
    this.termination = init.termination;
    this.message = init.message;
    this.equations = init.equations;
    this.warnings = init.warnings;
    this.notes = init.notes;
    this.ok = init.success && (init.allowWarnings || init.warnings.length === 0);
    this.method = init.method;
    this.estimator = init.estimator;
    this.modelText = init.modelText;
    this.dof = this.ndata - this.nfree + rank;
    this.constraints = init.constraints ?? [];
    this.interrupted = init.interrupted ?? false;
    this.options = init.options ?? {};
    this.data = init.data ?? {};
    Object.defineProperty(this, 'savedCurves', { value: init.curves, enumerable: false, writable: true });
    this.exprs = init.exprs;
    this.variablesOf = init.variables;
    // not enumerable: kept out of spreads, deep equality and console output (it holds kernels and closures)
    if (init.setup) Object.defineProperty(this, 'setup', { value: init.setup, enumerable: false });
  }

  /** The model at the best fit per fitted equation, at the fitted points (lmfit's `best_fit`). */
  get bestFit(): Readonly<Record<string, Float64Array>> {
    return this.curves().bestFit;
  }

  /** The model at the start values per fitted equation (lmfit's `init_fit`). */
  get initFit(): Readonly<Record<string, Float64Array>> {
    return this.curves().initFit;
  }

  /** The weighted residuals (f - y)/σ per fitted equation with data (lmfit's `residual`). */
  get residuals(): Readonly<Record<string, Float64Array>> {
    return this.curves().residuals;
  }

  private curves(): FitCurves {
    if (!this.savedCurves) {
      const none = Object.create(null) as Record<string, Float64Array>;
      const init = Float64Array.from(this.free.map((n) => this.params[n].init));
      const curves = this.setup
        ? fitCurves(this.setup, init)
        : { bestFit: none, initFit: none, residuals: none };
      this.savedCurves = curves;
    }
    return this.savedCurves!;
  }

  /**
   * Half-width of the confidence band of the model (or, with `prediction`, of the prediction band) at the
   * fitted data or at new points `at`, as lmfit's `eval_uncertainty`: src/fit/bands.ts has the formulas.
   */
  evalUncertainty(options: BandOptions = {}): NdArray {
    const { exprs, variablesOf: variables } = this;
    const weighted = Object.values(this.data).some((d) => d.sigma);
    const absoluteSigma = this.options.absoluteSigma === true;
    return evalUncertainty(
      { ...this, exprs, variables, setup: this.setup, weighted, absoluteSigma },
      options,
    );
  }

  /** Whether {@link eval} evaluates the equation of `lhs` on new data. */
  evaluates(lhs: string): boolean {
    return this.exprs.has(lhs) || !!this.setup?.binders?.has(lhs);
  }

  /** An equation without an expression (an ODE model's output) at the best fit on new data. */
  private evalBound(lhs: string, data: Record<string, DataInput>): NdArray | undefined {
    const bind = this.setup?.binders?.get(lhs);
    if (!bind) return undefined;
    const kernel = bind(data);
    const out = new Float64Array(kernel.size);
    kernel.values(this.setup!.x, this.setup!.heldValues, out);
    return new NdArray(out, kernel.shape);
  }

  /**
   * Evaluates the fitted model on new data: `result.eval({ x })` for the first (or only) equation, or
   * `result.eval({ x }, 'z')` for the equation of `z`. Any shapes, numpy broadcasting.
   */
  eval(data: Record<string, DataInput>, lhs?: string): NdArray {
    const name = lhs ?? [...this.exprs.keys(), ...(this.setup?.binders?.keys() ?? [])][0];
    const bound = this.evalBound(name, data);
    if (bound) return bound;
    const expr = this.exprs.get(name);
    if (!expr) {
      throw new ExprfitError(
        'unknown-name',
        `the model has no equation for '${name}' (it has ${[...this.exprs.keys()].join(', ')})`,
      );
    }
    const vars = this.variablesOf.get(name) ?? [];
    if (data === null || typeof data !== 'object') {
      throw new ExprfitError('type', 'eval: data must be an object of named arrays, e.g. { x }');
    }
    const arrays: Record<string, NdArray> = Object.create(null) as Record<string, NdArray>;
    for (const v of vars) {
      if (!Object.prototype.hasOwnProperty.call(data, v)) {
        throw new ExprfitError('unknown-name', `eval: no data for variable '${v}'`);
      }
      arrays[v] = NdArray.from(data[v], v);
    }
    const names = Object.keys(this.values);
    const kernel = compileValuesCached(expr, { params: [], fixed: names, variables: [...vars] }).bind(arrays);
    const out = new Float64Array(kernel.size);
    kernel.values(new Float64Array(0), Float64Array.from(names.map((n) => this.values[n])), out);
    return new NdArray(out, kernel.shape);
  }

  /** One line: success, χ², reduced χ², the values, and the warnings. */
  briefReport(): string {
    const vals = Object.values(this.params)
      .map(
        (p) => `${p.name}=${fmtNum(p.value, 6)}${Number.isFinite(p.stderr) ? `±${fmtNum(p.stderr, 2)}` : ''}`,
      )
      .join(' ');
    const warned = this.warnings.length ? ` WARNING: ${this.warnings.map((w) => w.message).join('; ')}` : '';
    return `${this.success ? 'converged' : 'NOT CONVERGED'} (${this.termination}) in ${this.iterations} iterations, ${this.nfev} evaluations: chi2=${fmtNum(this.chi2, 6)} redchi=${fmtNum(this.redchi, 6)} ${vals}${warned}`;
  }

  /** The full report (lmfit's layout): statistics, variables with stderr and start, correlations above 0.1. */
  report(minCorrelation = 0.1): string {
    const L: string[] = [];
    L.push('[[Model]]');
    for (const line of modelLines(this.modelText)) L.push(`    ${line}`);
    L.push('[[Fit Statistics]]');
    const stat = (k: string, v: string): void => void L.push(`    ${k.padEnd(22)} = ${v}`);
    stat('# fitting method', `${this.method}${this.estimator !== 'lsq' ? ` (${this.estimator})` : ''}`);
    stat('# function evals', String(this.nfev));
    stat('# data points', String(this.ndata));
    stat('# variables', String(this.nfree));
    if (Number.isFinite(this.nll)) stat('neg. log-likelihood', fmtNum(this.nll));
    if (Number.isFinite(this.chi2)) {
      stat(this.estimator === 'poisson' ? 'deviance' : 'chi-square', fmtNum(this.chi2));
      stat('reduced chi-square', fmtNum(this.redchi));
    }
    stat('Akaike info crit', fmtNum(this.aic));
    stat('Bayesian info crit', fmtNum(this.bic));
    if (Number.isFinite(this.r2)) stat('R-squared', fmtNum(this.r2));
    if (this.equations.length > 1) {
      for (const e of this.equations) stat(`R-squared (${e.lhs})`, fmtNum(e.r2));
    }
    stat('success', `${this.success} (${this.termination})`);
    L.push(`    ${this.message}`);
    if (this.warnings.length) {
      L.push('[[Warnings]] (the result is not to be trusted)');
      for (const w of this.warnings) L.push(`    ${w.message}`);
    }
    if (this.constraints.length) {
      L.push('[[Constraints]]');
      for (const c of this.constraints) L.push(`    ${constraintLine(c)}`);
    }
    if (this.notes.length) {
      L.push('[[Notes]]');
      for (const w of this.notes) L.push(`    ${w}`);
    }
    L.push('[[Variables]]');
    const width = Math.max(...Object.keys(this.params).map((n) => n.length)) + 1;
    for (const p of Object.values(this.params)) {
      let s = `    ${(p.name + ':').padEnd(width)} ${fmtNum(p.value).padStart(14)}`;
      if (p.fixed) s += ' (fixed)';
      else if (Number.isFinite(p.stderr)) {
        const pct = p.value !== 0 ? ` (${(Math.abs(p.stderr / p.value) * 100).toFixed(2)}%)` : '';
        s += ` +/- ${fmtNum(p.stderr, 5)}${pct}`;
      } else if (p.atBound) s += ' +/- not determined (at bound)';
      else if (p.expr === undefined && !this.free.includes(p.name)) s += ' (not fitted: no data uses it)';
      else s += ' +/- not determined';
      if (p.expr !== undefined) s += ` == '${p.expr}'`;
      else if (!p.fixed) s += ` (init = ${fmtNum(p.init)})`;
      if (p.atBound) s += ` [at ${p.value === p.min ? 'min' : 'max'}]`;
      L.push(s);
    }
    const pairs: [string, number][] = [];
    const C = this.correlation.matrix;
    const names = this.correlation.names;
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        if (Math.abs(C[i][j]) > minCorrelation) pairs.push([`C(${names[i]}, ${names[j]})`, C[i][j]]);
      }
    }
    if (pairs.length) {
      pairs.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
      L.push(`[[Correlations]] (unreported correlations are < ${minCorrelation.toFixed(3)})`);
      const w = Math.max(...pairs.map((p) => p[0].length));
      for (const [k, v] of pairs) L.push(`    ${k.padEnd(w)} = ${v >= 0 ? '+' : ''}${v.toFixed(4)}`);
    }
    return L.join('\n');
  }

  /** Plain JSON (non-finite numbers become null). */
  toJSON(): FitResultJSON {
    const params = Object.create(null) as FitResultJSON['params'];
    for (const p of Object.values(this.params)) {
      params[p.name] = {
        value: p.value,
        stderr: num(p.stderr),
        min: num(p.min),
        max: num(p.max),
        fixed: p.fixed,
        expr: p.expr ?? null,
        init: p.init,
        atBound: p.atBound,
      };
    }
    // the curves are as large as the data: a saved image fit keeps only its parameters and statistics
    const curves = this.ndata <= MAX_SAVED_CURVE_POINTS ? this.curves() : NO_CURVES;
    const lists = (r: Readonly<Record<string, Float64Array>>) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Array.from(v, (x) => num(x) as number)]));
    return {
      schema: 'exprfit-result',
      version: RESULT_SCHEMA_VERSION,
      model: this.modelText,
      params,
      chi2: this.chi2,
      redchi: num(this.redchi),
      r2: num(this.r2),
      aic: this.aic,
      bic: this.bic,
      ndata: this.ndata,
      nfree: this.nfree,
      nvarys: this.nfree,
      dof: this.dof,
      nll: num(this.nll),
      nfev: this.nfev,
      njev: this.njev,
      iterations: this.iterations,
      success: this.success,
      ok: this.ok,
      interrupted: this.interrupted,
      termination: this.termination,
      message: this.message,
      warnings: this.warnings.map((w) => ({
        code: w.code,
        message: w.message,
        params: w.params ? [...w.params] : null,
      })),
      method: this.method,
      estimator: this.estimator,
      equations: Object.fromEntries(
        this.equations.map((e) => [e.lhs, { ndata: e.ndata, chi2: e.chi2, r2: num(e.r2) }]),
      ),
      covariance: {
        names: [...this.covariance.names],
        matrix: this.covariance.matrix.map((r) => r.map(num)),
      },
      expressions: Object.fromEntries(
        [...this.exprs].map(([lhs, e]) => [
          lhs,
          { expr: printExpr(e), variables: [...(this.variablesOf.get(lhs) ?? [])] },
        ]),
      ),
      options: { ...this.options },
      data: { ...this.data },
      bestFit: lists(curves.bestFit),
      initFit: lists(curves.initFit),
      residuals: lists(curves.residuals),
      ...(this.constraints.length ? this.constraintsJSON() : {}),
    };
  }

  /** A constrained fit's constraints and the rank they take from the degrees of freedom. */
  private constraintsJSON(): Pick<FitResultJSON, 'constraints' | 'constraintRank'> {
    const constraints = this.constraints.map((c) => ({
      ...c,
      value: num(c.value),
      multiplier: num(c.multiplier),
    }));
    return { constraints, constraintRank: this.dof - this.ndata + this.nfree };
  }
}

/** The lines of model text: split at newlines and at `;` outside parentheses (not `gaussian(x; g1)`). */
function modelLines(text: string): string[] {
  const lines: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    if (i === text.length || ch === '\n' || (ch === ';' && depth === 0)) {
      lines.push(text.slice(start, i).trim());
      start = i + 1;
      if (ch === '\n') depth = 0;
    }
  }
  return lines.filter(Boolean);
}
