/**
 * Compiled model kernels: `compileModel(expr, spec)` → `Kernel`; `kernel.bind(data, opts)` → `BoundKernel`
 * whose methods evaluate values, Jacobians and weighted residuals in one fused loop nest per broadcast pattern.
 * See docs/compile.md.
 */
import type { Expr } from '../ast/index.ts';
import { ExprfitError } from '../core/index.ts';
import { broadcastShapes, NdArray } from '../data/index.ts';
import { resolveElements } from '../symbolic/index.ts';
import type { KernelFn, Layout, Mode, OperandLayout, Plan } from './plan.ts';
import { layoutSignature, planKernel, tableSize } from './plan.ts';
import type { ModelSpec } from './program.ts';
import type { SymbolicProgram } from './roles.ts';
import { buildProgram } from './program.ts';
import { PointProgram, codeGenerationAllowed, forEachPoint } from './interpret.ts';
import { compileProducts, hasProduct, vectorsOf, type CompileInner } from './matvec.ts';

export type { ModelSpec } from './program.ts';
export type { Mode } from './plan.ts';

/** A data array for `bind`: an NdArray (any shape), a Float64Array (1-D) or a number (0-d). */
export type DataArray = NdArray | Float64Array | number;

export interface BindOptions {
  /** Observed values: enables `residuals` / `residualsAndJacobian`. Broadcasts with the variables. */
  readonly observed?: NdArray | Float64Array;
  /** Weights multiplying residuals and Jacobian rows (e.g. 1/sigma). Broadcasts with the variables. */
  readonly weights?: NdArray | Float64Array | number;
  /**
   * Evaluate by walking the expression trees instead of running generated code (slower; the default where
   * code generation from strings is disallowed, see docs/compile.md, "Security model").
   */
  readonly interpret?: boolean;
}

/** Values of a model over bound data. */
export interface BoundValues {
  /** numpy broadcast shape of all variables (and observed/weights). */
  readonly shape: readonly number[];
  /** Number of points: the product of `shape`. */
  readonly size: number;
  /** Whether `observed` was bound (then the residual methods exist). */
  readonly hasObserved: boolean;
  /** f at every point (C order) into `out` (length >= size). */
  values(p: Float64Array, fixed: Float64Array, out: Float64Array): void;
  /** `(f - observed) * weights` into `out`. Only when `observed` was bound. */
  residuals?(p: Float64Array, fixed: Float64Array, out: Float64Array): void;
  /** The generated source for one mode of this binding (compiling it if needed), for debugging. */
  sourceFor(mode: Mode): string;
}

export interface BoundKernel extends BoundValues {
  /** Values and the Jacobian df/dp (row-major, `size x params.length`) in one pass. */
  valuesAndJacobian(p: Float64Array, fixed: Float64Array, out: Float64Array, jac: Float64Array): void;
  /** `r = (f - y) * w` and `J = df/dp * w` in one pass. Only when `observed` was bound. */
  residualsAndJacobian?(p: Float64Array, fixed: Float64Array, out: Float64Array, jac: Float64Array): void;
}

export interface BoundResidualValues extends BoundValues {
  residuals(p: Float64Array, fixed: Float64Array, out: Float64Array): void;
}

export interface BoundResidualKernel extends BoundKernel {
  residuals(p: Float64Array, fixed: Float64Array, out: Float64Array): void;
  residualsAndJacobian(p: Float64Array, fixed: Float64Array, out: Float64Array, jac: Float64Array): void;
}

/** A compiled model without derivatives (`compileValues`). */
export interface ValuesKernel {
  readonly params: readonly string[];
  readonly fixed: readonly string[];
  readonly variables: readonly string[];
  /** The checked expression (constants substituted). */
  readonly expr: Expr;
  /** The symbolic program (CSE temps and outputs), for `emitPointFragments` and debugging. */
  readonly program: SymbolicProgram;
  /** Generated JavaScript for 1-D data of one common shape (the most common binding), for debugging. */
  readonly source: string;
  bind(
    data: Readonly<Record<string, DataArray>>,
    opts: BindOptions & { observed: NdArray | Float64Array },
  ): BoundResidualValues;
  bind(data: Readonly<Record<string, DataArray>>, opts?: BindOptions): BoundValues;
}

/** A compiled model with its Jacobian (`compileModel`). */
export interface Kernel extends ValuesKernel {
  /** Simplified partial derivatives, one per param (before CSE). */
  readonly derivatives: readonly Expr[];
  bind(
    data: Readonly<Record<string, DataArray>>,
    opts: BindOptions & { observed: NdArray | Float64Array },
  ): BoundResidualKernel;
  bind(data: Readonly<Record<string, DataArray>>, opts?: BindOptions): BoundKernel;
}

/**
 * Compiles a model expression: `params` are differentiated (Jacobian columns in that order), `fixed` are
 * supplied at call time but not differentiated, `variables` are data arrays; `pi` and `e` are constants unless
 * one of those lists has the name. Throws `ExprfitError` `unknown-name` (with the node's span), `type` (for
 * script-only nodes), `unknown-function`, `arity`, `usage` (bad spec).
 */
export function compileModel(expr: Expr, spec: ModelSpec): Kernel {
  return compileKernel(expr, spec, true) as Kernel;
}

/** Like {@link compileModel} without derivatives (array expressions, `result.eval`). */
export function compileValues(expr: Expr, spec: ModelSpec): ValuesKernel {
  return compileKernel(expr, spec, false) as ValuesKernel;
}

/** A scalar kernel, or for a model with matrix products (`dot(B, beta)`) their fused wrapper (matvec.ts). */
function compileKernel(model: Expr, spec: ModelSpec, withJacobian: boolean): unknown {
  const scalar: CompileInner = (e, s, jac) => new CompiledKernel(buildProgram(e, s, jac), jac);
  const expr = resolveElements(model, vectorsOf(spec));
  return hasProduct(expr)
    ? compileProducts(expr, spec, withJacobian, scalar)
    : scalar(expr, spec, withJacobian);
}

/** A broadcast layout plus its run-time sizes and strides. */
interface BoundLayout {
  readonly layout: Layout;
  readonly dims: Int32Array;
  readonly strides: Int32Array;
}

class CompiledKernel {
  readonly params: readonly string[];
  readonly fixed: readonly string[];
  readonly variables: readonly string[];
  readonly expr: Expr;
  readonly derivatives: readonly Expr[];
  private readonly plans = new Map<string, Plan>();
  /** Whether code generation was allowed when compiled (the compile cache keys kernels by it). */
  private readonly generated = codeGenerationAllowed();

  constructor(
    readonly program: SymbolicProgram,
    readonly withJacobian: boolean,
  ) {
    this.params = program.spec.params;
    this.fixed = program.spec.fixed;
    this.variables = program.spec.variables;
    this.expr = program.expr;
    this.derivatives = program.derivatives;
  }

  /**
   * The generated code for 1-D data (debugging), planned on first read: a fit binds its own layout, so
   * planning this one eagerly would generate and compile a second kernel that nothing runs.
   */
  get source(): string {
    if (!this.generated) return INTERPRETED_SOURCE;
    const flat: Layout = {
      levels: this.variables.length > 0 ? 1 : 0,
      variables: this.variables.map(() => ({ mask: 1, unitInner: true })),
    };
    return this.plan(flat, this.withJacobian ? 'jacobian' : 'values').source;
  }

  plan(layout: Layout, mode: Mode, reassociate = true): Plan {
    const key = layoutSignature(layout, mode, reassociate);
    let p = this.plans.get(key);
    if (!p) {
      p = planKernel(this.program, layout, mode, reassociate);
      this.plans.set(key, p);
    }
    return p;
  }

  bind(data: Readonly<Record<string, DataArray>>, opts: BindOptions = {}): Bound {
    if (data === null || typeof data !== 'object') {
      throw new ExprfitError('usage', 'bind needs an object mapping variable names to arrays');
    }
    const arrays: NdArray[] = this.variables.map((name) => {
      if (!Object.hasOwn(data, name)) throw new ExprfitError('usage', `no data for variable '${name}'`);
      return toNdArray(data[name], name);
    });
    const varShape = broadcastShapes(
      arrays.map((a) => a.shape),
      this.variables,
    );
    const extra = (
      v: NdArray | Float64Array | number | undefined,
      what: string,
    ): NdArray | number | undefined => {
      if (v === undefined) return undefined;
      if (typeof v === 'number' && what === 'weights') return v;
      if (v instanceof Float64Array) {
        // A flat array of exactly the variables' size is read in their broadcast shape (C order).
        return new NdArray(v, v.length === product(varShape) && varShape.length > 0 ? varShape : [v.length]);
      }
      return toNdArray(v, what);
    };
    const observed = extra(opts.observed, 'observed') as NdArray | undefined;
    const weights = extra(opts.weights, 'weights');
    const shapes = arrays.map((a) => a.shape);
    const names = [...this.variables];
    if (observed) {
      shapes.push(observed.shape);
      names.push('observed');
    }
    if (weights instanceof NdArray) {
      shapes.push(weights.shape);
      names.push('weights');
    }
    const shape = broadcastShapes(shapes, names);
    const size = product(shape);
    if (size > 0x7fffffff) throw new ExprfitError('shape', `too many points (${size}) for one kernel`);

    const operands: (NdArray | undefined)[] = [
      ...arrays,
      observed,
      weights instanceof NdArray ? weights : undefined,
    ];
    const collapsed = collapse(
      shape,
      operands.map((a) => a?.shape),
    );
    const opLayout = (k: number): OperandLayout => collapsed.layouts[k]!;
    const layout: Layout = {
      levels: collapsed.dims.length,
      variables: arrays.map((_a, k) => opLayout(k)),
      ...(observed ? { observed: opLayout(arrays.length) } : {}),
      ...(weights === undefined
        ? {}
        : { weights: typeof weights === 'number' ? 'scalar' : opLayout(arrays.length + 1) }),
    };
    const L = layout.levels;
    const strides = new Int32Array(Math.max(1, operands.length * L));
    collapsed.strides.forEach((st, k) => st?.forEach((s, l) => (strides[k * L + l] = s)));
    const bl: BoundLayout = { layout, dims: Int32Array.from(collapsed.dims), strides };
    return new Bound(
      this,
      shape,
      size,
      bl,
      operands.map((a) => a?.data),
      typeof weights === 'number' ? weights : 1,
      observed !== undefined,
      opts.interpret === true || !codeGenerationAllowed(),
    );
  }
}

function toNdArray(v: unknown, name: string): NdArray {
  if (v instanceof NdArray) return v;
  if (typeof v === 'number' || v instanceof Float64Array || Array.isArray(v) || ArrayBuffer.isView(v)) {
    return NdArray.from(v, name);
  }
  throw new ExprfitError('type', `${name} must be an NdArray, a Float64Array or a number`);
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Collapses a broadcast: drops size-1 axes and merges adjacent axes along which every operand is contiguous
 * (or broadcast). Returns the level sizes and, per operand, its element stride per level.
 */
export function collapse(
  shape: readonly number[],
  operandShapes: readonly (readonly number[] | undefined)[],
): { dims: number[]; strides: (number[] | undefined)[]; layouts: (OperandLayout | undefined)[] } {
  const D = shape.length;
  const full = operandShapes.map((s) => {
    if (!s) return undefined;
    const st = new Array<number>(D).fill(0);
    let acc = 1;
    for (let a = s.length - 1; a >= 0; a--) {
      const d = a + D - s.length;
      if (s[a] !== 1) st[d] = acc;
      acc *= s[a];
    }
    return st;
  });
  const dims: number[] = [];
  const strides: (number[] | undefined)[] = full.map((s) => (s ? [] : undefined));
  for (let d = 0; d < D; d++) {
    const n = shape[d];
    if (n === 1) continue;
    const last = dims.length - 1;
    const mergeable = last >= 0 && full.every((st, k) => !st || strides[k]![last] === st[d] * n);
    if (mergeable) {
      dims[last] *= n;
      full.forEach((st, k) => {
        if (st) strides[k]![last] = st[d];
      });
    } else {
      dims.push(n);
      full.forEach((st, k) => {
        if (st) strides[k]!.push(st[d]);
      });
    }
  }
  const layouts = strides.map((st) => {
    if (!st) return undefined;
    let mask = 0;
    let deepest = -1;
    st.forEach((s, l) => {
      if (s !== 0) {
        mask |= 1 << l;
        deepest = l;
      }
    });
    return { mask, unitInner: deepest < 0 || st[deepest] === 1 };
  });
  if (dims.length > 30)
    throw new ExprfitError('shape', `too many dimensions (${dims.length}) for one kernel`);
  return { dims, strides, layouts };
}

interface ModeState {
  readonly plan: Plan;
  readonly tables: Float64Array[];
  /** The exact variant (compiled on first use) for a plan that may fall back to it. */
  readonly fallback: KernelFn | null;
}

/** The "source" of a kernel that is interpreted. */
const INTERPRETED_SOURCE =
  '// code generation from strings is disallowed here: this kernel is interpreted (docs/compile.md)';

class Bound {
  private readonly states = new Map<Mode, ModeState>();
  private interpreter: PointProgram | undefined;
  constructor(
    private readonly kernel: CompiledKernel,
    readonly shape: readonly number[],
    readonly size: number,
    private readonly bl: BoundLayout,
    private readonly arrays: (Float64Array | undefined)[],
    private readonly scalarWeight: number,
    readonly hasObserved: boolean,
    private readonly interpreted: boolean,
  ) {
    Object.freeze(shape);
    if (!hasObserved) {
      // Residual methods exist only with observed data (so `bound.residuals` is a feature test).
      Object.defineProperty(this, 'residuals', { value: undefined });
      Object.defineProperty(this, 'residualsAndJacobian', { value: undefined });
    }
    if (!kernel.withJacobian) Object.defineProperty(this, 'valuesAndJacobian', { value: undefined });
    if (!kernel.withJacobian) Object.defineProperty(this, 'residualsAndJacobian', { value: undefined });
  }

  private state(mode: Mode): ModeState {
    let s = this.states.get(mode);
    if (!s) {
      const plan = this.kernel.plan(this.bl.layout, mode);
      const tables = (p: Plan): Float64Array[] =>
        p.tableMasks.map((m) => new Float64Array(tableSize(m, this.bl.dims)));
      let exact: { fn: KernelFn; tables: Float64Array[] } | undefined;
      const fallback: KernelFn = (p, f, out, jac, dims, st, _tabs, ws, arrs) => {
        if (!exact) {
          const ep = this.kernel.plan(this.bl.layout, mode, false);
          exact = { fn: ep.fn, tables: tables(ep) };
        }
        exact.fn(p, f, out, jac, dims, st, exact.tables, ws, arrs, null);
      };
      s = { plan, tables: tables(plan), fallback: plan.guarded ? fallback : null };
      this.states.set(mode, s);
    }
    return s;
  }

  sourceFor(mode: Mode): string {
    if ((mode === 'jacobian' || mode === 'residualsJacobian') && !this.kernel.withJacobian) {
      throw new ExprfitError('usage', 'this kernel was compiled without derivatives');
    }
    if ((mode === 'residuals' || mode === 'residualsJacobian') && !this.hasObserved) {
      throw new ExprfitError('usage', 'residuals need observed data (bind(data, { observed }))');
    }
    return this.interpreted ? INTERPRETED_SOURCE : this.state(mode).plan.source;
  }

  private run(
    mode: Mode,
    p: Float64Array,
    fixed: Float64Array,
    out: Float64Array,
    jac: Float64Array | null,
  ): void {
    const P = this.kernel.params.length;
    checkArray(p, 'p', P, true);
    checkArray(fixed, 'fixed', this.kernel.fixed.length, true);
    checkArray(out, 'out', this.size, false);
    if (jac !== null) checkArray(jac, 'jac', this.size * P, false);
    if (this.size === 0) return;
    if (this.interpreted) {
      this.interpret(mode, p, fixed, out, jac);
      return;
    }
    const s = this.state(mode);
    s.plan.fn(
      p,
      fixed,
      out,
      jac,
      this.bl.dims,
      this.bl.strides,
      s.tables,
      this.scalarWeight,
      this.arrays,
      s.fallback,
    );
  }

  /** The generated code's work, by the tree-walking evaluator: `(f - y) * w` and `df/dp * w` in residual modes. */
  private interpret(
    mode: Mode,
    p: Float64Array,
    fixed: Float64Array,
    out: Float64Array,
    jac: Float64Array | null,
  ): void {
    this.interpreter ??= new PointProgram(this.kernel.program);
    const prog = this.interpreter;
    prog.setParameters(p, fixed);
    const P = this.kernel.params.length;
    const V = this.kernel.variables.length;
    const outs = new Float64Array(prog.nOutputs);
    const arrays = this.arrays;
    const residual = mode === 'residuals' || mode === 'residualsJacobian';
    const weights = arrays[V + 1];
    forEachPoint(this.bl.dims, this.bl.strides, (i, offset) => {
      prog.evaluatePoint((k) => arrays[k]![offset(k)], outs);
      const w = weights ? weights[offset(V + 1)] : this.scalarWeight;
      out[i] = residual ? (outs[0] - arrays[V]![offset(V)]) * w : outs[0];
      if (jac === null) return;
      for (let j = 0; j < P; j++) jac[i * P + j] = residual ? outs[1 + j] * w : outs[1 + j];
    });
  }

  values(p: Float64Array, fixed: Float64Array, out: Float64Array): void {
    this.run('values', p, fixed, out, null);
  }
  valuesAndJacobian(p: Float64Array, fixed: Float64Array, out: Float64Array, jac: Float64Array): void {
    this.run('jacobian', p, fixed, out, jac);
  }
  residuals(p: Float64Array, fixed: Float64Array, out: Float64Array): void {
    this.run('residuals', p, fixed, out, null);
  }
  residualsAndJacobian(p: Float64Array, fixed: Float64Array, out: Float64Array, jac: Float64Array): void {
    this.run('residualsJacobian', p, fixed, out, jac);
  }
}

function checkArray(a: unknown, name: string, n: number, exact: boolean): void {
  if (!(a instanceof Float64Array)) throw new ExprfitError('type', `${name} must be a Float64Array`);
  if (exact ? a.length !== n : a.length < n) {
    throw new ExprfitError(
      'shape',
      `${name} has length ${a.length}, expected ${exact ? '' : 'at least '}${n}`,
    );
  }
}
