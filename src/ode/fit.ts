/**
 * Fitting ODE models: `fitOde(text, data, params, options)`. The outputs of the system become the equations
 * of an ordinary prepared fit whose kernels integrate the system (once per parameter vector for every output)
 * and take the Jacobian from the forward sensitivities, so the fit API's solver, statistics, covariance and
 * report apply unchanged. A failed integration makes the residuals NaN (the solver rejects the step) and, at
 * the end, the result's message says why.
 */
import type { BoundResidualKernel } from '../compile/index.ts';
import { ExprfitError, type SourceText } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import {
  type DataInput,
  type FitOptions,
  type FitResult,
  type KernelBinder,
  type PreparedEquation,
  type PreparedFit,
  solveFit,
  validateFitOptions,
} from '../fit/index.ts';
import { getConstant } from '../functions/index.ts';
import {
  requireScalarParams,
  type Model,
  normalizeParam,
  type ParamsInput,
  type ParamSpec,
} from '../model/index.ts';
import { freeSymbols } from '../symbolic/index.ts';
import { parseOde } from '../syntax/index.ts';
import { validateOdeOptions, type OdeOptions, type OdeOptionsInput } from './integrate.ts';
import { CompiledOde } from './model.ts';
import { buildOdeSystem, type OdeOutput, type OdeSystem } from './system.ts';

/** The options of `fitOde`: the fit's, and the integrator's under `ode`. */
export type OdeFitOptions = FitOptions & { readonly ode?: OdeOptionsInput };

/** Parses ODE model text (`D(A, t) = -k*A; A(0) = A0; y = A`) into a checked system. */
export function odeModel(text: string, file?: string): OdeSystem {
  const source: SourceText = file === undefined ? { text } : { text, file };
  try {
    return buildOdeSystem(parseOde(text, file), source);
  } catch (e) {
    throw e instanceof ExprfitError && !e.source ? e.withSource(source) : e;
  }
}

function toArray(name: string, v: DataInput | undefined): Float64Array {
  if (v === undefined) throw new ExprfitError('unknown-name', `no data for '${name}'`);
  const a =
    v instanceof NdArray
      ? v.data
      : typeof v === 'number'
        ? Float64Array.of(v)
        : Float64Array.from(v as ArrayLike<number>);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]))
      throw new ExprfitError('value', `data '${name}' has the value ${a[i]} at index ${i}`);
  }
  return a;
}

/** The parameter names of a system: every name that is not a state, a time, data or a constant. */
function parameterNames(sys: OdeSystem, data: Record<string, unknown>): string[] {
  const skip = new Set<string>([...sys.states, sys.variable, ...sys.outputs.map((o) => o.time)]);
  const names: string[] = [];
  const exprs = [...sys.rhs, ...sys.initial, ...sys.outputs.map((o) => o.rhs)];
  for (const e of exprs) {
    for (const n of freeSymbols(e)) {
      if (skip.has(n) || names.includes(n) || getConstant(n) !== undefined) continue;
      if (Object.hasOwn(data, n)) {
        throw new ExprfitError(
          'value',
          `'${n}' is data, but ODE models use data only as observed outputs and times`,
        );
      }
      names.push(n);
    }
  }
  return names;
}

function paramSpecs(names: readonly string[], given: ParamsInput): Map<string, ParamSpec> {
  const input = requireScalarParams(given, 'an ODE fit');
  for (const k of Object.keys(input)) {
    if (!names.includes(k)) {
      const list = names.join(', ') || 'none';
      throw new ExprfitError(
        'unknown-name',
        `parameter '${k}' does not appear in the ODE model (its parameters are: ${list})`,
      );
    }
  }
  const specs = new Map<string, ParamSpec>();
  for (const n of names) {
    const spec = normalizeParam(n, Object.hasOwn(input, n) ? input[n] : undefined);
    if (spec.expr !== undefined)
      throw new ExprfitError('value', `parameter '${n}': ties (expr) are not supported in ODE models`);
    specs.set(n, spec);
  }
  return specs;
}

/** Fit options that ODE models do not take yet: an error naming the option, never silently ignored. */
function refuseUnsupported(options: ReturnType<typeof validateFitOptions>): void {
  if (options.constraints.length)
    throw new ExprfitError('option', 'constraints are not supported in ODE fits yet');
  if (options.linear !== 'none')
    throw new ExprfitError('option', `linear: '${options.linear}' is not supported in ODE fits (use 'none')`);
}

interface OutputData {
  readonly output: OdeOutput;
  readonly times: Float64Array;
  readonly observed: Float64Array;
  readonly weights: Float64Array | null;
  readonly offset: number;
}

function outputData(
  sys: OdeSystem,
  data: Record<string, DataInput>,
  sigma: Record<string, unknown>,
): OutputData[] {
  let offset = 0;
  return sys.outputs.map((output) => {
    const observed = toArray(output.lhs, data[output.lhs]);
    const times = toArray(output.time, data[output.time]);
    if (times.length !== observed.length) {
      throw new ExprfitError(
        'shape',
        `'${output.lhs}' has ${observed.length} values but its times '${output.time}' have ${times.length}`,
      );
    }
    const s = sigma[output.lhs] as DataInput | undefined;
    const weights = s === undefined ? null : sigmaWeights(output.lhs, s, observed.length);
    const d = { output, times, observed, weights, offset };
    offset += times.length;
    return d;
  });
}

function sigmaWeights(lhs: string, s: DataInput, n: number): Float64Array {
  const a = toArray(`sigma of ${lhs}`, s);
  if (a.length !== 1 && a.length !== n)
    throw new ExprfitError('shape', `sigma of '${lhs}' has ${a.length} values, the data ${n}`);
  return Float64Array.from({ length: n }, (_v, i) => 1 / a[a.length === 1 ? 0 : i]);
}

/**
 * The kernel of one output (a BoundResidualKernel of the fit): values from the (cached) solution, the
 * Jacobian from the sensitivities by the chain rule.
 */
class OutputKernel implements BoundResidualKernel {
  readonly shape: readonly number[];
  readonly size: number;
  readonly hasObserved = true;
  private readonly x: Float64Array;
  private readonly fixedArgs: Float64Array;
  private readonly vals: Float64Array;
  private readonly jac: Float64Array;

  constructor(
    private readonly ode: CompiledOde,
    private readonly k: number,
    private readonly d: OutputData,
  ) {
    const width = ode.n + ode.free.length;
    this.size = d.times.length;
    this.shape = [this.size];
    this.x = new Float64Array(width);
    this.fixedArgs = new Float64Array(1 + ode.held.length);
    this.vals = new Float64Array(ode.outputs.size);
    this.jac = new Float64Array(ode.outputs.size * width);
  }

  sourceFor(): string {
    return this.ode.outputs.source;
  }

  values(p: Float64Array, fixed: Float64Array, out: Float64Array): void {
    this.evaluate(p, fixed, out, null);
  }

  valuesAndJacobian(p: Float64Array, fixed: Float64Array, out: Float64Array, J: Float64Array): void {
    this.evaluate(p, fixed, out, J);
  }

  residuals(p: Float64Array, fixed: Float64Array, out: Float64Array): void {
    this.evaluate(p, fixed, out, null);
    this.weigh(out, null);
  }

  residualsAndJacobian(p: Float64Array, fixed: Float64Array, out: Float64Array, J: Float64Array): void {
    this.evaluate(p, fixed, out, J);
    this.weigh(out, J);
  }

  private evaluate(p: Float64Array, fixed: Float64Array, out: Float64Array, J: Float64Array | null): void {
    const { ode, d, x, fixedArgs } = this;
    const n = ode.n;
    const run = ode.solve(p, fixed, J !== null);
    const width = run.sensitivities ? n * (1 + ode.free.length) : n;
    x.set(p, n);
    fixedArgs.set(fixed, 1);
    for (let i = 0; i < this.size; i++) {
      const row = run.solution.values.subarray((d.offset + i) * width, (d.offset + i + 1) * width);
      x.set(row.subarray(0, n));
      fixedArgs[0] = d.times[i];
      ode.outputs.run(x, fixedArgs, this.vals, J ? this.jac : null);
      out[i] = this.vals[this.k];
      if (J) chainRule(J, i, row, this.jac, this.k, n, ode.free.length);
    }
  }

  /** r = (f − y)·w and J·w. */
  private weigh(out: Float64Array, J: Float64Array | null): void {
    const { d } = this;
    const P = this.ode.free.length;
    for (let i = 0; i < this.size; i++) {
      const w = d.weights ? d.weights[i] : 1;
      out[i] = (out[i] - d.observed[i]) * w;
      if (J && w !== 1) for (let l = 0; l < P; l++) J[i * P + l] *= w;
    }
  }
}

/** dg/dp = Σ_j ∂g/∂y_j S_jl + ∂g/∂p_l for output k at point i. */
function chainRule(
  J: Float64Array,
  i: number,
  row: Float64Array,
  jac: Float64Array,
  k: number,
  n: number,
  P: number,
): void {
  const base = k * (n + P);
  for (let l = 0; l < P; l++) {
    let s = jac[base + n + l];
    for (let j = 0; j < n; j++) s += jac[base + j] * row[n + l * n + j];
    J[i * P + l] = s;
  }
}

function modelOf(sys: OdeSystem): Model {
  const equations = sys.outputs.map((o) => ({ lhs: o.lhs, rhs: o.rhs, expanded: o.rhs, span: o.span }));
  const names = new Set<string>();
  for (const o of sys.outputs) for (const s of freeSymbols(o.rhs)) names.add(s);
  return { text: sys.source.text, source: sys.source, equations, names };
}

function concatTimes(outputs: readonly OutputData[]): Float64Array {
  const all = new Float64Array(outputs.reduce((s, o) => s + o.times.length, 0));
  for (const o of outputs) all.set(o.times, o.offset);
  return all;
}

/** The system (parsed when given as text); it needs an output. */
function systemOf(system: string | OdeSystem): OdeSystem {
  const sys = typeof system === 'string' ? odeModel(system) : system;
  if (sys.outputs.length > 0) return sys;
  const msg = 'the ODE model has no output to fit: add one such as y = A (fitted to the data y)';
  throw new ExprfitError('value', msg, { source: sys.source });
}

/** The fit's options (least squares only) and the integrator's. */
function optionsOf(optionsIn: OdeFitOptions) {
  const { ode: odeIn, ...fitIn } = optionsIn;
  const options = validateFitOptions(fitIn);
  if (options.estimator !== 'lsq') {
    const msg = `ODE models are fitted by least squares (estimator 'lsq'), not '${options.estimator}'`;
    throw new ExprfitError('option', msg);
  }
  return { options, odeOptions: validateOdeOptions(odeIn ?? {}) };
}

function preparedEquations(ode: CompiledOde, outputs: readonly OutputData[]): PreparedEquation[] {
  return outputs.map((d, k) => ({
    lhs: d.output.lhs,
    expr: d.output.rhs,
    variables: [d.output.time],
    observed: d.observed,
    weights: d.weights,
    kernel: new OutputKernel(ode, k, d),
    size: d.times.length,
    shape: [d.times.length],
  }));
}

/** Per output, its kernel at new times (for `result.eval` and bands at new points). */
function bindersOf(
  sys: OdeSystem,
  free: string[],
  held: string[],
  options: OdeOptions,
): Map<string, KernelBinder> {
  return new Map(
    sys.outputs.map((output, k) => {
      const bind = (data: Readonly<Record<string, DataInput>>) => {
        const times = toArray(output.time, data[output.time]);
        const observed = new Float64Array(times.length);
        const d = { output, times, observed, weights: null, offset: 0 };
        return new OutputKernel(new CompiledOde(sys, free, held, options, times), k, d);
      };
      return [output.lhs, bind];
    }),
  );
}

/** Prepares an ODE fit: the outputs as equations whose kernels integrate the system. */
export function prepareOdeFit(
  system: string | OdeSystem,
  data: Record<string, DataInput>,
  paramsIn: ParamsInput = {},
  optionsIn: OdeFitOptions = {},
): { prep: PreparedFit; ode: CompiledOde } {
  const sys = systemOf(system);
  const { options, odeOptions } = optionsOf(optionsIn);
  refuseUnsupported(options);
  const order = parameterNames(sys, data);
  const params = paramSpecs(order, paramsIn);
  const free = order.filter((n) => !params.get(n)!.fixed);
  const held = order.filter((n) => params.get(n)!.fixed);
  const outputs = outputData(sys, data, options.sigma);
  const ode = new CompiledOde(sys, free, held, odeOptions, concatTimes(outputs));
  const equations = preparedEquations(ode, outputs);
  const ndata = equations.reduce((s, e) => s + e.size, 0);
  const ties = new Map<string, never>();
  const model = modelOf(sys);
  const binders = bindersOf(sys, free, held, odeOptions);
  const prep: PreparedFit = {
    model,
    params,
    order,
    free,
    held,
    ties,
    constraints: [],
    equations,
    skipped: [],
    evaluable: new Map(),
    ndata,
    options,
    binders,
  };
  return { prep, ode };
}

/**
 * Fits an ODE model to data.
 *
 * @param system  ODE model text: derivatives `D(A, t) = -k1*A`, initial values `A(0) = A0` and outputs
 *                `yA = A`, `y = A + 2*B`, `yB = B(tB)` (B at the times tB), separated by newlines or `;`
 * @param data    per output its observed values, and the times (`t`, or the variable named in `B(tB)`)
 * @param params  per parameter a start value or `{ value, min, max, fixed }`
 * @param options the fit's options (`sigma`, `maxfev`, ...) and the integrator's under `ode`
 */
export function fitOde(
  system: string | OdeSystem,
  data: Record<string, DataInput>,
  params: ParamsInput = {},
  options: OdeFitOptions = {},
): FitResult {
  const { prep, ode } = prepareOdeFit(system, data, params, options);
  const result = solveFit(prep);
  const x = Float64Array.from(prep.free.map((n) => result.values[n]));
  const held = Float64Array.from(prep.held.map((n) => result.values[n]));
  const last = ode.solve(x, held, false).solution;
  if (last.status === 'ok') return result;
  return Object.assign(result, { message: `the ODE integration failed: ${last.message}; ${result.message}` });
}
