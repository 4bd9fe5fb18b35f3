/**
 * The integration driver: adaptive steps (error per step below `atol + rtol·|y|` in the RMS norm), dense
 * output at the requested times, a bounded number of steps, and `method: 'auto'` starting explicit
 * (Dormand–Prince 5(4)) and switching to the stiff Rodas4 when Hairer's stiffness test fires or the step
 * size collapses. Failure is a status with a message, never an exception.
 */
import { defineOptions, opt, type OptionsInput, type OptionsOf, validateOptions } from '../core/index.ts';
import { Dopri5, Rodas4, type OdeFunctions, type Stepper } from './steppers.ts';

/** The integrators: see {@link odeSchema}. */
export type OdeMethod = 'auto' | 'dopri5' | 'rosenbrock';
const ODE_METHODS = ['auto', 'dopri5', 'rosenbrock'] as const satisfies readonly OdeMethod[];

/** The integrator options of ODE models (the `ode` key of a fit's options, `fit ... rtol=1e-8` in scripts). */
export const odeSchema = defineOptions('ode', {
  method: opt.enum(ODE_METHODS, {
    doc: "'dopri5' (explicit Dormand–Prince 5(4)), 'rosenbrock' (stiff Rodas4 with the exact Jacobian) or 'auto' (dopri5, switching to rosenbrock when the problem turns out stiff)",
    default: 'auto',
  }),
  rtol: opt.number({ doc: 'relative tolerance of each integration step', default: 1e-8, gt: 0 }),
  atol: opt.number({ doc: 'absolute tolerance of each integration step', default: 1e-10, gt: 0 }),
  maxSteps: opt.integer({
    doc: 'the most integration steps (accepted and rejected) per solve',
    default: 100_000,
    min: 1,
  }),
});
export type OdeOptionsInput = OptionsInput<typeof odeSchema>;
export type OdeOptions = OptionsOf<typeof odeSchema>;

export function validateOdeOptions(o: OdeOptionsInput = {}): OdeOptions {
  return validateOptions(odeSchema, o);
}

export type OdeStatus = 'ok' | 'max-steps' | 'step-too-small';

export interface OdeSolution {
  readonly status: OdeStatus;
  /** Why integration stopped early ('' when ok). */
  readonly message: string;
  /** The state at each requested time (row-major, times.length x n); NaN rows after a failure. */
  readonly values: Float64Array;
  readonly steps: number;
  /** The method that finished (auto may have switched). */
  readonly method: 'dopri5' | 'rosenbrock';
}

/** The requested times in increasing order (indices into `times`); all must be >= t0 and finite. */
function timeOrder(times: Float64Array): Int32Array {
  const order = Int32Array.from(times.keys());
  return order.sort((a, b) => times[a] - times[b]);
}

class Driver {
  readonly n: number;
  readonly values: Float64Array;
  readonly order: Int32Array;
  next = 0;
  steps = 0;
  method: 'dopri5' | 'rosenbrock';
  stepper: Stepper;

  constructor(
    readonly f: OdeFunctions,
    readonly times: Float64Array,
    readonly options: OdeOptions,
  ) {
    this.n = f.n;
    this.values = new Float64Array(times.length * f.n).fill(NaN);
    this.order = timeOrder(times);
    this.method = options.method === 'rosenbrock' ? 'rosenbrock' : 'dopri5';
    this.stepper = this.make(this.method);
  }

  make(method: 'dopri5' | 'rosenbrock'): Stepper {
    return method === 'dopri5' ? new Dopri5(this.f) : new Rodas4(this.f);
  }

  /** Switches dopri5 → rosenbrock under 'auto'; false when no switch is possible. */
  switchToStiff(): boolean {
    if (this.options.method !== 'auto' || this.method === 'rosenbrock') return false;
    this.method = 'rosenbrock';
    this.stepper = this.make('rosenbrock');
    return true;
  }

  /** Writes the requested times up to `t1` from the stepper's dense output ([t, t + h]). */
  emit(t: number, h: number, yAt: (theta: number, out: Float64Array) => void, t1: number): void {
    const { order, times, n } = this;
    while (this.next < order.length && times[order[this.next]] <= t1) {
      const k = order[this.next++];
      const theta = h === 0 ? 1 : Math.min(1, Math.max(0, (times[k] - t) / h));
      yAt(theta, this.values.subarray(k * n, k * n + n));
    }
  }

  done(): boolean {
    return this.next >= this.order.length;
  }

  last(): number {
    return this.times[this.order[this.order.length - 1]];
  }
}

function errorNorm(err: Float64Array, y0: Float64Array, y1: Float64Array, o: OdeOptions): number {
  let s = 0;
  for (let i = 0; i < err.length; i++) {
    const sc = o.atol + o.rtol * Math.max(Math.abs(y0[i]), Math.abs(y1[i]));
    s += (err[i] / sc) ** 2;
  }
  const e = Math.sqrt(s / err.length);
  return Number.isNaN(e) ? Infinity : e;
}

/** Hairer's starting step: |y|/|f| scaled, checked with one Euler step, for an order-`q` method. */
function initialStep(f: OdeFunctions, t0: number, y0: Float64Array, span: number, o: OdeOptions): number {
  const n = f.n;
  const f0 = new Float64Array(n);
  f.rhs(t0, y0, f0);
  const sc = (i: number) => o.atol + o.rtol * Math.abs(y0[i]);
  const rms = (v: (i: number) => number) =>
    Math.sqrt(y0.reduce((s, _v, i) => s + (v(i) / sc(i)) ** 2, 0) / n);
  const d0 = rms((i) => y0[i]);
  const d1 = rms((i) => f0[i]);
  let h0 = d0 < 1e-5 || d1 < 1e-5 || !Number.isFinite(d1) ? 1e-6 : (0.01 * d0) / d1;
  h0 = Math.min(h0, span);
  const y1 = y0.map((v, i) => v + h0 * f0[i]);
  const f1 = new Float64Array(n);
  f.rhs(t0 + h0, y1, f1);
  const d2 = rms((i) => f1[i] - f0[i]) / h0;
  const big = Math.max(d1, d2);
  const h1 = big <= 1e-15 || !Number.isFinite(big) ? Math.max(1e-6, h0 * 1e-3) : (0.01 / big) ** (1 / 5);
  const h = Math.min(100 * h0, h1, span);
  return h > 0 && Number.isFinite(h) ? h : Math.min(1e-6, span);
}

function failed(d: Driver, status: OdeStatus, message: string): OdeSolution {
  return { status, message, values: d.values, steps: d.steps, method: d.method };
}

/** The system in reversed time: z(τ) = y(t0 − τ) solves z' = −f(t0 − τ, z). */
function reversed(f: OdeFunctions, t0: number): OdeFunctions {
  return {
    n: f.n,
    rhs(tau, y, out) {
      f.rhs(t0 - tau, y, out);
      for (let i = 0; i < out.length; i++) out[i] = -out[i];
    },
    jacobian(tau, y, jac, ft) {
      f.jacobian(t0 - tau, y, jac, ft);
      for (let i = 0; i < jac.length; i++) jac[i] = -jac[i];
    },
  };
}

/** Copies the rows of `part` (solved at `times[idx[k]]`) into `values`. */
function scatter(values: Float64Array, part: OdeSolution, idx: readonly number[], n: number): void {
  idx.forEach((k, j) => values.set(part.values.subarray(j * n, j * n + n), k * n));
}

/**
 * Integrates y' = f(t, y), y(t0) = y0 and returns y at `times` (any order; times before t0 are reached by
 * integrating backwards from t0).
 */
export function integrate(
  f: OdeFunctions,
  t0: number,
  y0: Float64Array,
  times: Float64Array,
  options: OdeOptions,
): OdeSolution {
  const back = [...times.keys()].filter((k) => times[k] < t0);
  if (back.length === 0) return integrateForward(f, t0, y0, times, options);
  const fwd = [...times.keys()].filter((k) => !(times[k] < t0));
  const n = f.n;
  const after = integrateForward(
    f,
    t0,
    y0,
    Float64Array.from(fwd, (k) => times[k]),
    options,
  );
  const before = integrateForward(
    reversed(f, t0),
    0,
    y0,
    Float64Array.from(back, (k) => t0 - times[k]),
    options,
  );
  const values = new Float64Array(times.length * n).fill(NaN);
  scatter(values, after, fwd, n);
  scatter(values, before, back, n);
  const failed = after.status !== 'ok' ? after : before;
  const method = after.method === 'rosenbrock' || before.method === 'rosenbrock' ? 'rosenbrock' : 'dopri5';
  return {
    status: failed.status,
    message: failed.message,
    values,
    steps: after.steps + before.steps,
    method,
  };
}

/** The factor of the next step size after the error estimate `e` of a method of order `q`. */
function stepFactor(e: number, q: number, accepted: boolean, rejectedBefore: boolean): number {
  if (!accepted) return Number.isFinite(e) ? Math.max(0.1, 0.9 * e ** (-1 / q)) : 0.1;
  const most = rejectedBefore ? 1 : 6;
  return e === 0 ? most : Math.min(most, Math.max(0.2, 0.9 * e ** (-1 / q)));
}

/** Where an integration stands: time, state, next step size. */
interface Progress {
  t: number;
  h: number;
  rejectedBefore: boolean;
  readonly y: Float64Array;
  readonly yNew: Float64Array;
  readonly err: Float64Array;
}

/** One step attempt: accepted (the requested times it passes are written) or rejected, and the next h. */
function attemptStep(d: Driver, s: Progress, tEnd: number): void {
  s.h = Math.min(s.h, tEnd - s.t);
  d.stepper.attempt(s.t, s.y, s.h, s.yNew, s.err);
  const e = errorNorm(s.err, s.y, s.yNew, d.options);
  const accepted = e <= 1;
  const factor = stepFactor(e, d.stepper.order, accepted, s.rejectedBefore);
  if (accepted) {
    d.emit(s.t, s.h, (theta, out) => d.stepper.dense(theta, out), s.t + s.h);
    d.stepper.accept();
    s.t += s.h;
    s.y.set(s.yNew);
    if (d.stepper.stiff()) d.switchToStiff();
  }
  s.h *= factor;
  s.rejectedBefore = !accepted;
}

function integrateForward(
  f: OdeFunctions,
  t0: number,
  y0: Float64Array,
  times: Float64Array,
  options: OdeOptions,
): OdeSolution {
  const d = new Driver(f, times, options);
  d.emit(t0, 0, (_th, out) => out.set(y0), t0);
  if (d.done()) return failed(d, 'ok', '');
  const tEnd = d.last();
  const [yNew, err] = [new Float64Array(f.n), new Float64Array(f.n)];
  const s: Progress = {
    t: t0,
    h: initialStep(f, t0, y0, tEnd - t0, options),
    rejectedBefore: false,
    y: Float64Array.from(y0),
    yNew,
    err,
  };
  while (!d.done()) {
    if (d.steps++ >= options.maxSteps) {
      return failed(
        d,
        'max-steps',
        `the integration needed more than ${options.maxSteps} steps (at t = ${s.t})`,
      );
    }
    if (tEnd - s.t <= 1e-13 * Math.max(1, Math.abs(s.t))) {
      d.emit(s.t, 0, (_th, out) => out.set(s.y), Infinity);
      break;
    }
    if (s.h >= 1e-14 * Math.max(1, Math.abs(s.t))) attemptStep(d, s, tEnd);
    else if (d.switchToStiff()) s.h = initialStep(f, s.t, s.y, tEnd - s.t, options);
    else return failed(d, 'step-too-small', `the step size fell below the resolution of t at t = ${s.t}`);
  }
  return { status: 'ok', message: '', values: d.values, steps: d.steps, method: d.method };
}
