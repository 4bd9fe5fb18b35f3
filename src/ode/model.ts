/**
 * An ODE system compiled for fitting: the right-hand side (with its Jacobian, for the stiff method), the
 * forward sensitivity system (states and S = ∂y/∂p integrated together: S' = (∂f/∂y) S + ∂f/∂p, built
 * symbolically so the stiff method gets its exact Jacobian too), the initial values with ∂y0/∂p, and the
 * outputs with their derivatives. `solve` integrates once per parameter vector for every output.
 */
import { add, type Expr, mul, printExpr, sum, sym } from '../ast/index.ts';
import { BoundedCache, onClearCompileCache } from '../compile/index.ts';
import { differentiate } from '../symbolic/index.ts';
import { integrate, type OdeOptions, type OdeSolution } from './integrate.ts';
import { compileVector, type VectorKernel } from './kernel.ts';
import type { OdeFunctions } from './steppers.ts';
import type { OdeSystem } from './system.ts';

/** The names of the sensitivity states (`#` cannot appear in a user name). */
function sensName(i: number, l: number): string {
  return `#s${i}_${l}`;
}

/** The right side of the states and their sensitivities by `free`. */
function augmentedRhs(sys: OdeSystem, free: readonly string[]): Expr[] {
  const n = sys.states.length;
  const out = [...sys.rhs];
  const dfdy = sys.rhs.map((f) => sys.states.map((s) => differentiate(f, s)));
  const dfdp = sys.rhs.map((f) => free.map((p) => differentiate(f, p)));
  for (let l = 0; l < free.length; l++) {
    for (let i = 0; i < n; i++) {
      const terms = sys.states.map((_s, j) => mul(dfdy[i][j], sym(sensName(j, l))));
      out.push(add(sum(terms), dfdp[i][l]));
    }
  }
  return out;
}

/** A system's right side compiled twice: values only (every step), and with its Jacobian (stiff steps). */
class RhsKernels {
  private withJacobian: VectorKernel | undefined;
  readonly values: VectorKernel;

  constructor(
    private readonly exprs: readonly Expr[],
    private readonly wrt: readonly string[],
    private readonly params: readonly string[],
  ) {
    this.values = compileVector(exprs, wrt, params, { derivatives: false });
  }

  /** Compiled on first use: only the stiff method needs it. */
  jacobian(): VectorKernel {
    return (this.withJacobian ??= compileVector(this.exprs, this.wrt, this.params));
  }
}

/** y' = f(t, y) from kernels compiled with wrt = [...states, t] and fixed = params. */
function functionsOf(k: RhsKernels, n: number, params: Float64Array): OdeFunctions {
  const x = new Float64Array(n + 1);
  const jac = new Float64Array(n * (n + 1));
  const load = (t: number, y: Float64Array) => {
    x.set(y);
    x[n] = t;
  };
  return {
    n,
    rhs(t, y, out) {
      load(t, y);
      k.values.run(x, params, out, null);
    },
    jacobian(t, y, J, ft) {
      load(t, y);
      k.jacobian().run(x, params, ft, jac); // ft is scratch for the values here
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) J[i * n + j] = jac[i * (n + 1) + j];
        ft[i] = jac[i * (n + 1) + n];
      }
    },
  };
}

/** The state (and, with sensitivities, S) at the requested times, for one parameter vector. */
export interface OdeRun {
  readonly solution: OdeSolution;
  /** Whether `solution` rows hold the sensitivities after the states (n + n·P per row). */
  readonly sensitivities: boolean;
}

/** The compiled kernels of a system for given free and held parameters (cached: repeated fits compile once). */
interface OdeKernels {
  readonly plain: RhsKernels;
  readonly augmented: RhsKernels;
  readonly initial: VectorKernel;
  readonly outputs: VectorKernel;
}

const compiled = new BoundedCache<OdeKernels>();
onClearCompileCache(() => compiled.clear());

function kernelsKey(system: OdeSystem, free: readonly string[], held: readonly string[]): string {
  const exprs = [...system.rhs, ...system.initial, ...system.outputs.map((o) => o.rhs)].map(printExpr);
  return JSON.stringify([system.states, system.variable, exprs, free, held]);
}

function compileKernels(system: OdeSystem, free: readonly string[], held: readonly string[]): OdeKernels {
  const key = kernelsKey(system, free, held);
  const hit = compiled.get(key);
  if (hit) return hit;
  const { states, variable } = system;
  const params = [...free, ...held];
  const sens = free.flatMap((_p, l) => states.map((_s, i) => sensName(i, l)));
  const kernels = {
    plain: new RhsKernels(system.rhs, [...states, variable], params),
    augmented: new RhsKernels(augmentedRhs(system, free), [...states, ...sens, variable], params),
    initial: compileVector(system.initial, free, held),
    outputs: compileVector(
      system.outputs.map((o) => o.rhs),
      [...states, ...free],
      [variable, ...held],
    ),
  };
  compiled.set(key, kernels, key.length + kernels.augmented.values.source.length);
  return kernels;
}

export class CompiledOde {
  readonly n: number;
  private readonly plain: RhsKernels;
  private readonly augmented: RhsKernels;
  private readonly initial: VectorKernel;
  /** Outputs as functions of [...states, ...free] with fixed [time, ...held]. */
  readonly outputs: VectorKernel;
  private cache: { key: string; run: OdeRun } | undefined;

  constructor(
    readonly system: OdeSystem,
    readonly free: readonly string[],
    readonly held: readonly string[],
    readonly options: OdeOptions,
    /** Every time at which the solution is needed (concatenated per output). */
    readonly times: Float64Array,
  ) {
    this.n = system.states.length;
    ({
      plain: this.plain,
      augmented: this.augmented,
      initial: this.initial,
      outputs: this.outputs,
    } = compileKernels(system, free, held));
  }

  /** Integrates at the parameters `p` (free) and `fixed` (held); the last run is cached. */
  solve(p: Float64Array, fixed: Float64Array, sensitivities: boolean): OdeRun {
    const key = `${sensitivities ? 's' : 'v'}${p.join(',')};${fixed.join(',')}`;
    if (this.cache?.key === key) return this.cache.run;
    if (!sensitivities && this.cache?.key === `s${key.slice(1)}`) return this.cache.run;
    const run = { solution: this.integrateAt(p, fixed, sensitivities), sensitivities };
    this.cache = { key, run };
    return run;
  }

  private integrateAt(p: Float64Array, fixed: Float64Array, sensitivities: boolean): OdeSolution {
    const n = this.n;
    const P = this.free.length;
    const params = new Float64Array(P + fixed.length);
    params.set(p);
    params.set(fixed, P);
    const y0 = new Float64Array(sensitivities ? n * (1 + P) : n);
    const dy0 = new Float64Array(n * P);
    this.initial.run(p, fixed, y0, sensitivities ? dy0 : null);
    if (sensitivities)
      for (let l = 0; l < P; l++) for (let i = 0; i < n; i++) y0[n + l * n + i] = dy0[i * P + l];
    const kernel = sensitivities ? this.augmented : this.plain;
    const f = functionsOf(kernel, y0.length, params);
    return integrate(f, this.system.t0, y0, this.times, this.options);
  }
}
