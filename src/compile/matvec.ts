/**
 * Fused matrix–vector products in kernels: `dot(B, beta)` (`B @ beta`) with `B` a data matrix `[..., K]` and
 * `beta` a vector parameter whose elements are the spec names `beta[0]` … `beta[K-1]`.
 *
 * Each product is replaced by a per-point temporary `s = B @ beta` (a data array refreshed before every call),
 * so the rest of the model `g(…, s)` compiles like any other kernel. The Jacobian column of element k is
 * `dg/ds · B[:, k]` (plus the direct partial when `beta[k]` also appears on its own): one loop over points and
 * columns, not K unrolled terms per derivative. `dg/ds` is a second, values-only kernel.
 */
import { type Expr, sym } from '../ast/index.ts';
import { ExprfitError } from '../core/index.ts';
import { broadcastTo, NdArray } from '../data/index.ts';
import { differentiate, forEachNode, freeSymbols, mapChildren, simplify } from '../symbolic/index.ts';
import type { SymbolicProgram } from './roles.ts';

type Data = NdArray | Float64Array | number;

/** What the wrapper needs of a bound scalar kernel (kernel.ts `Bound`). */
interface InnerBound {
  readonly shape: readonly number[];
  readonly size: number;
  readonly hasObserved: boolean;
  values(p: Float64Array, fixed: Float64Array, out: Float64Array): void;
  residuals?(p: Float64Array, fixed: Float64Array, out: Float64Array): void;
  valuesAndJacobian?(p: Float64Array, fixed: Float64Array, out: Float64Array, jac: Float64Array): void;
  residualsAndJacobian?(p: Float64Array, fixed: Float64Array, out: Float64Array, jac: Float64Array): void;
  sourceFor(mode: Mode): string;
}

interface BindOpts {
  readonly observed?: NdArray | Float64Array;
  readonly weights?: NdArray | Float64Array | number;
  readonly interpret?: boolean;
}

/** What the wrapper needs of a compiled scalar kernel (kernel.ts `CompiledKernel`). */
interface InnerKernel {
  readonly params: readonly string[];
  readonly fixed: readonly string[];
  readonly variables: readonly string[];
  readonly expr: Expr;
  readonly program: SymbolicProgram;
  readonly derivatives?: readonly Expr[];
  readonly source: string;
  bind(data: Readonly<Record<string, Data>>, opts?: BindOpts): InnerBound;
}

type Mode = 'values' | 'jacobian' | 'residuals' | 'residualsJacobian';

interface Spec {
  readonly params: readonly string[];
  readonly fixed?: readonly string[];
  readonly variables: readonly string[];
}

export type CompileInner = (expr: Expr, spec: Spec, withJacobian: boolean) => InnerKernel;

/** Where one element of a vector parameter is read from: `p` (a free parameter) or `fixed`. */
interface Element {
  readonly free: boolean;
  readonly index: number;
}

/** One `dot(B, beta)` of the model. */
interface Product {
  readonly matrix: string;
  readonly vector: string;
  /** The per-point temporary standing for the product in the inner kernel. */
  readonly temp: string;
  readonly elements: readonly Element[];
  /** `dg/ds` as a values kernel over (params, fixed) as its fixed inputs; null without derivatives. */
  readonly derivative: InnerKernel | null;
}

/** True when `expr` has a `dot(…)` call. */
export function hasProduct(expr: Expr): boolean {
  let found = false;
  forEachNode(expr, (e) => {
    if (e.kind === 'call' && e.fn === 'dot') found = true;
  });
  return found;
}

/** The vector parameters of a spec (names `v[k]` among params and fixed), with their lengths. */
export function vectorsOf(spec: Spec): Map<string, number> {
  const out = new Map<string, number>();
  if (spec === null || typeof spec !== 'object') return out;
  for (const name of [...(spec.params ?? []), ...(spec.fixed ?? [])]) {
    const m = typeof name === 'string' ? /^(.+)\[(\d+)\]$/.exec(name) : null;
    if (m) out.set(m[1], Math.max(out.get(m[1]) ?? 0, Number(m[2]) + 1));
  }
  return out;
}

/** The elements `v[0]`, `v[1]`, … of vector `v` among the spec's params and fixed names. */
function elementsOf(vector: string, spec: Spec): Element[] {
  const params = new Map(spec.params.map((n, i) => [n, i]));
  const fixed = new Map((spec.fixed ?? []).map((n, i) => [n, i]));
  const out: Element[] = [];
  for (let k = 0; ; k++) {
    const name = `${vector}[${k}]`;
    const p = params.get(name);
    const f = fixed.get(name);
    if (p === undefined && f === undefined) return out;
    out.push(p !== undefined ? { free: true, index: p } : { free: false, index: f! });
  }
}

function productError(e: Expr, message: string): ExprfitError {
  return new ExprfitError('type', message, { span: e.span });
}

/** The operands of one `dot(B, v)` call, checked against the spec. */
function productOperands(
  e: Expr & { kind: 'call' },
  spec: Spec,
): { matrix: string; vector: string; elements: Element[] } {
  const [b, v] = e.args;
  if (e.args.length !== 2) throw productError(e, `dot(B, v) takes 2 arguments, got ${e.args.length}`);
  if (b.kind !== 'sym' || !spec.variables.includes(b.name)) {
    throw productError(b, 'the first operand of a matrix product (dot(B, v), B @ v) must be a data matrix');
  }
  if (v.kind !== 'sym') {
    throw productError(
      v,
      'the second operand of a matrix product (dot(B, v), B @ v) must be a vector parameter',
    );
  }
  const elements = elementsOf(v.name, spec);
  if (elements.length === 0) {
    throw productError(
      v,
      `'${v.name}' is not a vector parameter (its elements ${v.name}[0], ... are not parameters)`,
    );
  }
  return { matrix: b.name, vector: v.name, elements };
}

/** The model with each product replaced by its temporary, and the products. */
function splitProducts(
  expr: Expr,
  spec: Spec,
): { inner: Expr; found: { matrix: string; vector: string; temp: string; elements: Element[] }[] } {
  const found: { matrix: string; vector: string; temp: string; elements: Element[] }[] = [];
  const replace = (e: Expr): Expr => {
    if (e.kind !== 'call' || e.fn !== 'dot') return mapChildren(e, replace);
    const ops = productOperands(e, spec);
    const same = found.find((f) => f.matrix === ops.matrix && f.vector === ops.vector);
    if (same) return sym(same.temp, e.span);
    const temp = `#dot${found.length}`;
    found.push({ ...ops, temp });
    return sym(temp, e.span);
  };
  return { inner: replace(expr), found };
}

/** Compiles a model with matrix products: see the file comment. */
export function compileProducts(
  expr: Expr,
  spec: Spec,
  withJacobian: boolean,
  compileInner: CompileInner,
): InnerKernel {
  const { inner, found } = splitProducts(expr, spec);
  const used = freeSymbols(inner);
  const variables = [...spec.variables.filter((v) => used.has(v)), ...found.map((f) => f.temp)];
  const fixed = spec.fixed ?? [];
  const kernel = compileInner(inner, { params: spec.params, fixed, variables }, withJacobian);
  const inputs = { params: [], fixed: [...spec.params, ...fixed], variables };
  const products: Product[] = found.map((f) => ({
    ...f,
    derivative: withJacobian ? compileInner(simplify(differentiate(inner, f.temp)), inputs, false) : null,
  }));
  return new ProductKernel(expr, spec, kernel, products, withJacobian);
}

class ProductKernel implements InnerKernel {
  readonly params: readonly string[];
  readonly fixed: readonly string[];
  readonly variables: readonly string[];
  readonly program: SymbolicProgram;
  /** The partial derivatives of the model with each product as its temporary (`#dot0`, …). */
  readonly derivatives?: readonly Expr[];
  readonly source: string;

  constructor(
    readonly expr: Expr,
    spec: Spec,
    private readonly inner: InnerKernel,
    private readonly products: readonly Product[],
    private readonly withJacobian: boolean,
  ) {
    this.params = Object.freeze([...spec.params]);
    this.fixed = Object.freeze([...(spec.fixed ?? [])]);
    this.variables = Object.freeze([...spec.variables]);
    this.program = inner.program;
    this.derivatives = inner.derivatives;
    this.source = `// matrix products computed before this kernel: ${products.map((p) => p.temp).join(', ')}\n${inner.source}`;
  }

  bind(data: Readonly<Record<string, Data>>, opts: BindOpts = {}): InnerBound {
    if (data === null || typeof data !== 'object') {
      throw new ExprfitError('usage', 'bind needs an object mapping variable names to arrays');
    }
    const innerData: Record<string, Data> = Object.create(null) as Record<string, Data>;
    for (const v of this.inner.variables) if (Object.hasOwn(data, v)) innerData[v] = data[v];
    const bound = this.products.map((p) => bindProduct(p, data, innerData));
    const main = this.inner.bind(innerData, opts);
    const derivs = this.withJacobian
      ? this.products.map((p) => p.derivative!.bind(innerData, derivativeOpts(main, opts)))
      : [];
    const rows = bound.map((b) => rowIndex(b.temp, main.shape));
    return new ProductBound(main, bound, derivs, rows, this.params.length, this.fixed.length);
  }
}

/** Binding of the derivative kernel: residuals against zeros give `w · dg/ds`. */
function derivativeOpts(main: InnerBound, opts: BindOpts): BindOpts {
  return {
    observed: new NdArray(new Float64Array(main.size), main.shape),
    ...(opts.weights !== undefined ? { weights: opts.weights } : {}),
    ...(opts.interpret ? { interpret: true } : {}),
  };
}

/** A product bound to its matrix: the matrix data and the temporary the inner kernel reads. */
interface BoundProduct {
  readonly product: Product;
  readonly matrix: Float64Array;
  readonly columns: number;
  readonly temp: NdArray;
}

function bindProduct(
  p: Product,
  data: Readonly<Record<string, Data>>,
  innerData: Record<string, Data>,
): BoundProduct {
  if (!Object.hasOwn(data, p.matrix)) throw new ExprfitError('usage', `no data for variable '${p.matrix}'`);
  const raw = data[p.matrix];
  const B = raw instanceof NdArray ? raw : NdArray.from(raw, p.matrix);
  const K = p.elements.length;
  const columns = B.shape.length ? B.shape[B.shape.length - 1] : 1;
  if (columns !== K) {
    throw new ExprfitError(
      'shape',
      `dot(${p.matrix}, ${p.vector}): '${p.matrix}' has shape [${B.shape.join(', ')}], whose last axis (${columns}) does not match the ${K} elements of '${p.vector}'`,
    );
  }
  const rowShape = B.shape.slice(0, -1);
  const temp = new NdArray(new Float64Array(B.size / K), rowShape);
  innerData[p.temp] = temp;
  return { product: p, matrix: B.data, columns: K, temp };
}

/** For each point of the broadcast shape, the row of the product's matrix it reads. */
function rowIndex(temp: NdArray, shape: readonly number[]): Int32Array {
  const rows = new Float64Array(temp.size);
  for (let i = 0; i < rows.length; i++) rows[i] = i;
  return Int32Array.from(broadcastTo(new NdArray(rows, temp.shape), shape));
}

class ProductBound implements InnerBound {
  readonly shape: readonly number[];
  readonly size: number;
  readonly hasObserved: boolean;
  private readonly coef: Float64Array[];
  private readonly slope: Float64Array;
  private inputs = new Float64Array(0);

  constructor(
    private readonly main: InnerBound,
    private readonly products: readonly BoundProduct[],
    private readonly derivs: readonly InnerBound[],
    private readonly rows: readonly Int32Array[],
    private readonly nParams: number,
    nFixed: number,
  ) {
    this.shape = main.shape;
    this.size = main.size;
    this.hasObserved = main.hasObserved;
    this.coef = products.map((b) => new Float64Array(b.columns));
    this.slope = new Float64Array(main.size);
    this.inputs = new Float64Array(nParams + nFixed);
    if (!main.hasObserved) {
      Object.defineProperty(this, 'residuals', { value: undefined });
      Object.defineProperty(this, 'residualsAndJacobian', { value: undefined });
    }
    if (!main.valuesAndJacobian) {
      Object.defineProperty(this, 'valuesAndJacobian', { value: undefined });
      Object.defineProperty(this, 'residualsAndJacobian', { value: undefined });
    }
  }

  /** s = B @ beta for every product, before the inner kernel reads s. */
  private refresh(p: Float64Array, fixed: Float64Array): void {
    this.products.forEach((b, j) => {
      const c = this.coef[j];
      b.product.elements.forEach((el, k) => (c[k] = el.free ? p[el.index] : fixed[el.index]));
      matVec(b.matrix, c, b.temp.data);
    });
  }

  /** Adds `(w ·) dg/ds · B[:, k]` to the Jacobian column of every free element. */
  private addColumns(p: Float64Array, fixed: Float64Array, jac: Float64Array, weighted: boolean): void {
    this.inputs.set(p, 0);
    this.inputs.set(fixed, p.length);
    const none = new Float64Array(0);
    this.products.forEach((b, j) => {
      const d = this.derivs[j];
      if (weighted) d.residuals!(none, this.inputs, this.slope);
      else d.values(none, this.inputs, this.slope);
      addProductColumns(b, this.rows[j], this.slope, jac, this.nParams);
    });
  }

  values(p: Float64Array, fixed: Float64Array, out: Float64Array): void {
    this.refresh(p, fixed);
    this.main.values(p, fixed, out);
  }
  residuals(p: Float64Array, fixed: Float64Array, out: Float64Array): void {
    this.refresh(p, fixed);
    this.main.residuals!(p, fixed, out);
  }
  valuesAndJacobian(p: Float64Array, fixed: Float64Array, out: Float64Array, jac: Float64Array): void {
    this.refresh(p, fixed);
    this.main.valuesAndJacobian!(p, fixed, out, jac);
    this.addColumns(p, fixed, jac, false);
  }
  residualsAndJacobian(p: Float64Array, fixed: Float64Array, out: Float64Array, jac: Float64Array): void {
    this.refresh(p, fixed);
    this.main.residualsAndJacobian!(p, fixed, out, jac);
    this.addColumns(p, fixed, jac, true);
  }
  sourceFor(mode: Mode): string {
    return this.main.sourceFor(mode);
  }
}

/** out[r] = Σ_k B[r, k] c[k] (B row-major with c.length columns). */
function matVec(B: Float64Array, c: Float64Array, out: Float64Array): void {
  const K = c.length;
  for (let r = 0, o = 0; r < out.length; r++, o += K) {
    let s = 0;
    for (let k = 0; k < K; k++) s += B[o + k] * c[k];
    out[r] = s;
  }
}

/** jac[i, col(k)] += slope[i] · B[row(i), k] for each free element k. */
function addProductColumns(
  b: BoundProduct,
  rows: Int32Array,
  slope: Float64Array,
  jac: Float64Array,
  P: number,
): void {
  const K = b.columns;
  const B = b.matrix;
  b.product.elements.forEach((el, k) => {
    if (!el.free) return;
    const col = el.index;
    for (let i = 0; i < slope.length; i++) jac[i * P + col] += slope[i] * B[rows[i] * K + k];
  });
}
