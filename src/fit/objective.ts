/**
 * A scalar objective written as an expression (`minimize (x - 1)^2 + 100*(y - x^2)^2`), with its exact
 * gradient and Hessian from symbolic derivatives compiled to kernels.
 *
 * Over data, the user writes the sum: each `sum(inner)` is `Σ_i inner(data_i, p)` over the broadcast points of
 * the data variables `inner` uses (`sum(abs(y - a*x - b))`, a log-likelihood `-sum(log(pdf))`). The objective
 * `f(p, S_1..S_k)` sees each sum as a number `S_k`; by the chain rule
 *   ∇f = f_p + Σ_k f_{S_k} ∇S_k,
 *   ∇²f = f_pp + Σ_k (f_{pS_k} ∇S_kᵀ + ∇S_k f_{S_k p}) + Σ_{k,l} f_{S_k S_l} ∇S_k ∇S_lᵀ + Σ_k f_{S_k} ∇²S_k,
 * with `∇S_k`, `∇²S_k` the sums of the inner expression's derivatives over the points.
 */
import { type Expr, sym } from '../ast/index.ts';
import { compileModelCached } from '../compile/index.ts';
import { ExprfitError } from '../core/index.ts';
import type { NdArray } from '../data/index.ts';
import { differentiate, freeSymbols } from '../symbolic/index.ts';
import { parseExpr } from '../syntax/index.ts';

/** A smooth scalar function of the free parameters with exact derivatives. */
export interface ScalarProblem {
  readonly n: number;
  /** f(x). */
  value(x: Float64Array): number;
  /** f(x), and ∇f(x) into `g`. */
  valueAndGradient(x: Float64Array, g: Float64Array): number;
  /** ∇²f(x) into `H` (row-major `n x n`). */
  hessian(x: Float64Array, H: Float64Array): void;
}

/** One `sum(inner)` of an objective: the inner expression and the symbol standing for its value. */
interface SumTerm {
  readonly name: string;
  readonly inner: Expr;
}

type Bound = ReturnType<ReturnType<typeof compileModelCached>['bind']>;

/** Parses an objective, accepting `sum(...)` (every other call is checked as usual). */
export function parseObjective(text: string): Expr {
  if (typeof text !== 'string' || !text.trim()) {
    throw new ExprfitError(
      'value',
      `the objective must be an expression such as '(x - 1)^2 + y^2', got ${String(text)}`,
    );
  }
  return parseExpr(text, { userFunctions: [{ name: 'sum', params: ['terms'] }] });
}

/** The objective with every `sum(inner)` replaced by a symbol `$sumK`, and the inner expressions. */
export function splitSums(e: Expr): { outer: Expr; sums: SumTerm[] } {
  const sums: SumTerm[] = [];
  const taken = freeSymbols(e);
  const fresh = (): string => {
    let name = `sum_${sums.length}`;
    while (taken.has(name)) name += '_';
    return name;
  };
  const walk = (x: Expr): Expr => {
    if (x.kind === 'call' && x.fn === 'sum') {
      if (x.args.length !== 1) {
        throw new ExprfitError(
          'arity',
          `sum takes one argument (the expression summed over the data), got ${x.args.length}`,
          { span: x.span },
        );
      }
      const name = fresh();
      sums.push({ name, inner: x.args[0] });
      return sym(name);
    }
    if (x.kind === 'binary') return { ...x, left: walk(x.left), right: walk(x.right) };
    if (x.kind === 'unary') return { ...x, arg: walk(x.arg) };
    if (x.kind === 'call') return { ...x, args: x.args.map(walk) };
    return x;
  };
  return { outer: walk(e), sums };
}

/** What building the problem needs: parameter order, held values, data arrays. */
export interface ObjectiveSpec {
  /** Objective with ties substituted. */
  readonly expr: Expr;
  readonly free: readonly string[];
  readonly held: readonly string[];
  readonly heldValues: Float64Array;
  readonly arrays: ReadonlyMap<string, NdArray>;
}

/** Value, gradient and Hessian rows of one expression over the free parameters, summed over its points. */
class SummedTerm {
  private readonly kernel: Bound;
  private readonly rows: Bound[];
  private readonly out: Float64Array;
  private readonly jac: Float64Array;

  constructor(expr: Expr, params: readonly string[], spec: ObjectiveSpec) {
    const variables = [...freeSymbols(expr)].filter((s) => spec.arrays.has(s));
    const data = Object.fromEntries(variables.map((v) => [v, spec.arrays.get(v)!]));
    const compile = (e: Expr): Bound =>
      compileModelCached(e, { params: [...params], fixed: [...spec.held], variables }).bind(data);
    this.kernel = compile(expr);
    this.rows = params.map((p) => compile(differentiate(expr, p)));
    this.out = new Float64Array(this.kernel.size);
    this.jac = new Float64Array(this.kernel.size * params.length);
  }

  /** Σ value, and Σ gradient into `g` (length = params). */
  valueAndGradient(x: Float64Array, held: Float64Array, g: Float64Array | null): number {
    const n = this.rows.length;
    if (g) this.kernel.valuesAndJacobian(x, held, this.out, this.jac);
    else this.kernel.values(x, held, this.out);
    let f = 0;
    for (const v of this.out) f += v;
    if (!g) return f;
    g.fill(0);
    for (let i = 0; i < this.out.length; i++) for (let j = 0; j < n; j++) g[j] += this.jac[i * n + j];
    return f;
  }

  /** Σ Hessian into `H` (params x params). */
  hessian(x: Float64Array, held: Float64Array, H: Float64Array): void {
    const n = this.rows.length;
    const row = new Float64Array(n);
    this.rows.forEach((k, j) => {
      const out = new Float64Array(k.size);
      const jac = new Float64Array(k.size * n);
      k.valuesAndJacobian(x, held, out, jac);
      row.fill(0);
      for (let i = 0; i < k.size; i++) for (let c = 0; c < n; c++) row[c] += jac[i * n + c];
      H.set(row, j * n);
    });
  }
}

/** The objective as a `ScalarProblem` (see the module comment for the chain rule). */
export function objectiveProblem(spec: ObjectiveSpec): ScalarProblem {
  const { outer, sums } = splitSums(spec.expr);
  const n = spec.free.length;
  const k = sums.length;
  const all = [...spec.free, ...sums.map((s) => s.name)];
  const outerTerm = new SummedTerm(outer, all, spec);
  const inner = sums.map((s) => new SummedTerm(s.inner, spec.free, spec));
  const y = new Float64Array(n + k);
  const gy = new Float64Array(n + k);
  const gs = inner.map(() => new Float64Array(n));
  const held = spec.heldValues;
  const point = (x: Float64Array, withGradient: boolean): void => {
    y.set(x);
    inner.forEach((t, q) => (y[n + q] = t.valueAndGradient(x, held, withGradient ? gs[q] : null)));
  };
  const valueAndGradient = (x: Float64Array, g: Float64Array): number => {
    point(x, true);
    const f = outerTerm.valueAndGradient(y, held, gy);
    for (let j = 0; j < n; j++) g[j] = gy[j];
    for (let q = 0; q < k; q++) for (let j = 0; j < n; j++) g[j] += gy[n + q] * gs[q][j];
    return f;
  };
  return {
    n,
    value(x) {
      point(x, false);
      return outerTerm.valueAndGradient(y, held, null);
    },
    valueAndGradient,
    hessian(x, H) {
      point(x, true);
      outerTerm.valueAndGradient(y, held, gy);
      const Hy = new Float64Array((n + k) * (n + k));
      outerTerm.hessian(y, held, Hy);
      chainHessian(H, Hy, gy, gs, inner, x, held, n);
    },
  };
}

/** ∇²f from the outer Hessian `Hy` over (p, S), the outer gradient `gy`, and the sums' derivatives. */
function chainHessian(
  H: Float64Array,
  Hy: Float64Array,
  gy: Float64Array,
  gs: readonly Float64Array[],
  inner: readonly SummedTerm[],
  x: Float64Array,
  held: Float64Array,
  n: number,
): void {
  const k = inner.length;
  const w = n + k;
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) H[a * n + b] = Hy[a * w + b];
  for (let q = 0; q < k; q++) {
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) {
        H[a * n + b] += Hy[a * w + n + q] * gs[q][b] + gs[q][a] * Hy[(n + q) * w + b];
        for (let l = 0; l < k; l++) H[a * n + b] += Hy[(n + q) * w + n + l] * gs[q][a] * gs[l][b];
      }
    const Hq = new Float64Array(n * n);
    inner[q].hessian(x, held, Hq);
    for (let i = 0; i < n * n; i++) H[i] += gy[n + q] * Hq[i];
  }
}
