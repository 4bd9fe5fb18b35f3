/**
 * Fused per-fit kernels for batch fitting: one generated function evaluates a model over one fit's data and
 * accumulates χ², the gradient vector and the (approximate) Hessian directly — no residual vector, no Jacobian
 * matrix, no per-point closures.
 *
 * The code comes from the same planner as `compileModel` (src/compile/plan.ts `Emitter`), so everything that
 * reaches `new Function` is generated names, exprfit's own template text and number literals (docs/compile.md,
 * "Security model"). The planner hoists parameter-only subexpressions out of the loops, computes row terms once
 * per row, factors `exp(a(x) + b(y))` into `exp(a(x)) * exp(b(y))` and tabulates costly column-only terms in a
 * small loop of their own before the main loop nest (the separability trick of issue 5: on a grid an
 * axis-aligned Gaussian needs no `exp` per pixel).
 *
 * Two more tricks are applied here, around the planner:
 * - per-point transcendentals that remain (the rotated Gaussian's `exp` with its cross term) are computed in a
 *   loop of their own before the accumulation loop, into a scratch array (V8 spills every floating-point
 *   register around a `Math.exp` call; the accumulation loop then has no calls at all);
 * - for Poisson likelihood, `Σ y·ln f` is computed after the accumulation loop by the caller, from the model
 *   values stored in a scratch array, with a table-driven logarithm (fastlog.ts).
 *
 * Estimators (the Gpufit formulas; `w` is the weight of a point):
 * - least squares: r = y − f; χ² = Σ w²r²; g_j = Σ w² r ∂f/∂p_j; H_jk = Σ w² ∂f/∂p_j ∂f/∂p_k;
 * - Poisson MLE: χ² = 2 Σ w (f − y − y ln(f/y)) (the term is 2wf where y = 0);
 *   g_j = Σ w (y/f − 1) ∂f/∂p_j; H_jk = Σ w (y/f²) ∂f/∂p_j ∂f/∂p_k (Gpufit's Hessian approximation), or in
 *   `fisher` mode the expected information Σ w/f ∂f/∂p_j ∂f/∂p_k (for standard errors).
 *
 * In both, δ = H⁻¹g is the Gauss–Newton step. `g` is half the negative gradient of χ².
 */
import { constantValue } from '../ast/build.ts';
import type { Expr } from '../ast/expr.ts';
import { Block, Name, NameScope, _, buildFunction, numLit } from '../compile/codegen.ts';
import type { CodeArg } from '../compile/codegen.ts';
import { Emitter, tableSize } from '../compile/plan.ts';
import type { Nest, OperandLayout, Stmt } from '../compile/plan.ts';
import type { SymbolicProgram } from '../compile/roles.ts';
import { R } from '../functions/runtime.ts';

export type BatchEstimator = 'lse' | 'poisson';

/** Shape-independent description of one fit's loop nest: the cache key of generated functions. */
export interface BatchLayout {
  /** Number of loop levels (>= 1). Observed data and weights are contiguous over all of them. */
  readonly levels: number;
  /** One per spec variable, in spec order. */
  readonly variables: readonly OperandLayout[];
}

export interface AccumulateOptions {
  readonly estimator: BatchEstimator;
  /** A weight array (same layout as the observed data) is passed. */
  readonly weighted: boolean;
  /** Poisson only: accumulate the expected (Fisher) information instead of Gpufit's Hessian approximation. */
  readonly fisher?: boolean;
  /** Compute per-point transcendentals in a separate loop (default true). */
  readonly splitTranscendentals?: boolean;
}

/**
 * `(p, fixed, dims, strides, arrays, tables, obs, off, wt, hess, grad, scratch, cst) → number`:
 * evaluates one fit whose observed values start at `obs[off]` (weights at `wt[off]`, the *squared* weights
 * for least squares, the weights for Poisson), writes the full symmetric n x n Hessian (row-major) into `hess`
 * and the gradient into `grad`. Least squares: returns χ². Poisson: stores the model values in scratch slice
 * `valueSlice` and returns Σ w·f; the caller adds the logarithms (χ² = 2(Σ w f − Σ w y ln f + cst)).
 * `scratch` needs `scratchPerPoint * size` elements, `tables[j]` `tableSize(tableMasks[j], dims)` elements.
 */
export type AccumulateFn = (
  p: Float64Array,
  fixed: Float64Array,
  dims: Int32Array,
  strides: Int32Array,
  arrays: Float64Array[],
  tables: Float64Array[],
  obs: Float64Array,
  off: number,
  wt: Float64Array | null,
  hess: Float64Array,
  grad: Float64Array,
  scratch: Float64Array,
  cst: number,
) => number;

export interface AccumulateKernel {
  readonly fn: AccumulateFn;
  readonly source: string;
  readonly tableMasks: readonly number[];
  /** Scratch arrays per point: the number of `size`-long slices the kernel uses. */
  readonly scratchPerPoint: number;
  /** Poisson: the scratch slice holding the model values (for Σ w y ln f, see fastlog.ts); -1 otherwise. */
  readonly valueSlice: number;
}

/** Builds the fused accumulation kernel of `program` (value + derivatives) for one layout. */
export function generateAccumulate(
  program: SymbolicProgram,
  layout: BatchLayout,
  opts: AccumulateOptions,
): AccumulateKernel {
  const scope = new NameScope();
  const L = layout.levels;
  if (L < 1) throw new Error('internal: batch kernels need at least one loop level');
  const P = program.spec.params.length;
  const V = program.spec.variables.length;
  const pa = scope.name('pa');
  const fa = scope.name('fa');
  const dim = scope.name('dim');
  const st = scope.name('st');
  const arr = scope.name('arr');
  const tab = scope.name('tab');
  const obs = scope.name('obs');
  const off = scope.name('off');
  const wt = scope.name('wt');
  const hs = scope.name('hs');
  const gr = scope.name('gr');
  const scr = scope.name('scr');
  const cst = scope.name('cst');
  void cst;
  const fnName = scope.name('fit');
  const dimNames: Name[] = [];
  for (let l = 0; l < L; l++) dimNames.push(scope.name('n'));
  const size = scope.name('sz');

  const em = new Emitter(program, scope, {
    tabulate: true,
    reassociate: true,
    dimName: (l) => dimNames[l],
    tablesArg: tab,
  });
  const arrayName = (op: number): Name => em.preConst(`arr:${op}`, 'd', () => _`${arr}[${op}]`);
  const strideName = (op: number, l: number): Name => em.preConst(`st:${op}:${l}`, 's', () => _`${st}[${op * L + l}]`);
  const levelOf = (mask: number): number => 31 - Math.clz32(mask);
  em.leaves = {
    param: (i) => em.preConst(`p:${i}`, 'p', () => _`${pa}[${i}]`),
    fixed: (i) => em.preConst(`f:${i}`, 'f', () => _`${fa}[${i}]`),
    operandMask: (op) => {
      if (op >= V) throw new Error('internal: observed/weights are not operands of batch kernels');
      return layout.variables[op].mask;
    },
    operand: (op, nest) => {
      const o = layout.variables[op];
      if (o.mask === 0) return em.preConst(`load:${op}`, 'v', () => _`${arrayName(op)}[0]`);
      const key = `op${op}`;
      let v = nest.loads.get(key);
      if (!v) {
        const a = arrayName(op);
        const idx = em.indexCode(nest, key, o.mask, (l) => strideName(op, l), o.unitInner);
        v = scope.name('v');
        em.block(nest, levelOf(o.mask)).push(_`const ${v} = ${a}[${idx}];`);
        nest.loads.set(key, v);
      }
      return v;
    },
  };

  const levels = Array.from({ length: L }, (_x, l) => l);
  const inner = L - 1;
  const fullMask = L >= 31 ? 0x7fffffff : (1 << L) - 1;

  // Per-point transcendentals in their own loop nest, stored in scratch slices; the main nest reads them.
  const prepass = opts.splitTranscendentals !== false ? em.newNest(levels) : undefined;
  const main = em.newNest(levels);
  const k = scope.name('k');
  const kk = scope.name('k'); // the pre-pass' running index
  let scratchSlices = 0;
  const preStores: Stmt[] = [];
  if (prepass) {
    for (const node of perPointCalls(program, em, fullMask, inner)) {
      const slice = scratchSlices++;
      const c = em.code(node, prepass, inner);
      const base = em.preConst(`scr:${slice}`, 'sb', () => (slice === 0 ? numLit(0) : _`${size} * ${slice}`));
      preStores.push(_`${scr}[${base} + ${kk}] = ${c};`);
      // The main nest reads the stored value instead of recomputing it.
      const name = scope.name('t');
      em.block(main, inner).push(_`const ${name} = ${scr}[${base} + ${k} - ${off}];`);
      main.memo.set(node, name);
    }
    for (const s of preStores) em.block(prepass, inner).push(s);
    if (preStores.length) em.block(prepass, inner).push(_`${kk}++;`);
  }

  const named = (e: Expr): CodeArg => {
    const c = constantValue(e);
    if (c !== undefined) return c;
    return em.materialize(e, main);
  };
  const f = named(program.outputs[0]);
  const d: CodeArg[] = [];
  for (let j = 0; j < P; j++) {
    const e = program.outputs[1 + j];
    if (e === undefined) throw new Error('internal: program compiled without derivatives');
    d.push(named(e));
  }
  const isZero = (c: CodeArg): boolean => typeof c === 'number' && c === 0;

  // Accumulators.
  const chi = scope.name('chi');
  const sf = scope.name('sf');
  const g = d.map(() => scope.name('g'));
  const h: Name[][] = d.map(() => []);
  for (let a = 0; a < P; a++) for (let b = a; b < P; b++) h[a][b] = scope.name('h');

  const body = em.block(main, inner);
  const yv = scope.name('y');
  body.push(_`const ${yv} = ${obs}[${k}];`);
  const ww = scope.name('w');
  if (opts.weighted) body.push(_`const ${ww} = ${wt}[${k}];`);
  const poisson = opts.estimator === 'poisson';
  let gf: CodeArg; // factor of the gradient terms
  let hf: CodeArg | undefined; // factor of the Hessian terms (undefined: 1)
  if (!poisson) {
    const r = scope.name('r');
    body.push(_`const ${r} = ${yv} - ${f};`);
    if (opts.weighted) {
      const rw = scope.name('r');
      body.push(_`const ${rw} = ${r} * ${ww};`);
      body.push(_`${chi} += ${r} * ${rw};`);
      gf = rw;
      hf = ww;
    } else {
      body.push(_`${chi} += ${r} * ${r};`);
      gf = r;
      hf = undefined;
    }
  } else {
    const inv = scope.name('q');
    const q = scope.name('q');
    body.push(_`${scr}[${size} * ${scratchSlices} + ${k} - ${off}] = ${f};`);
    body.push(_`const ${inv} = 1 / ${f};`);
    body.push(_`const ${q} = ${yv} * ${inv};`);
    const c = scope.name('c');
    const hw = scope.name('c');
    if (opts.weighted) {
      body.push(_`${sf} += ${ww} * ${f};`);
      body.push(_`const ${c} = (${q} - 1) * ${ww};`);
      body.push(opts.fisher ? _`const ${hw} = ${ww} * ${inv};` : _`const ${hw} = ${ww} * ${q} * ${inv};`);
    } else {
      body.push(_`${sf} += ${f};`);
      body.push(_`const ${c} = ${q} - 1;`);
      if (!opts.fisher) body.push(_`const ${hw} = ${q} * ${inv};`);
    }
    gf = c;
    hf = opts.fisher && !opts.weighted ? inv : hw;
  }
  for (let a = 0; a < P; a++) {
    if (isZero(d[a])) continue;
    body.push(d[a] === 1 ? _`${g[a]} += ${gf};` : _`${g[a]} += ${gf} * ${d[a]};`);
  }
  for (let a = 0; a < P; a++) {
    if (isZero(d[a])) continue;
    let da: CodeArg = d[a];
    if (hf !== undefined) {
      const n = scope.name('e');
      body.push(d[a] === 1 ? _`const ${n} = ${hf};` : _`const ${n} = ${hf} * ${d[a]};`);
      da = n;
    }
    for (let b = a; b < P; b++) {
      if (isZero(d[b])) continue;
      body.push(d[b] === 1 ? _`${h[a][b]} += ${da};` : _`${h[a][b]} += ${da} * ${d[b]};`);
    }
  }
  body.push(_`${k}++;`);

  const fn = new Block();
  for (let l = 0; l < L; l++) fn.push(_`const ${dimNames[l]} = ${dim}[${l}];`);
  fn.push(_`const ${size} = ${timesAll(dimNames)};`);
  for (const s of em.pre) fn.push(s);
  for (const b of em.tableBlocks) fn.push(b);
  if (prepass && preStores.length) {
    fn.push(_`let ${kk} = 0;`);
    fn.push(em.renderNest(prepass));
  }
  fn.push(_`let ${chi} = 0, ${sf} = 0;`);
  for (const n of g) fn.push(_`let ${n} = 0;`);
  for (let a = 0; a < P; a++) for (let b = a; b < P; b++) fn.push(_`let ${h[a][b]} = 0;`);
  fn.push(_`let ${k} = ${off};`);
  fn.push(em.renderNest(main));
  for (let a = 0; a < P; a++) fn.push(_`${gr}[${a}] = ${g[a]};`);
  for (let a = 0; a < P; a++) {
    for (let b = a; b < P; b++) {
      fn.push(_`${hs}[${a * P + b}] = ${h[a][b]};`);
      if (b !== a) fn.push(_`${hs}[${b * P + a}] = ${h[a][b]};`);
    }
  }
  fn.push(poisson ? _`return ${sf};` : _`return ${chi};`);
  void fa;
  const built = buildFunction<AccumulateFn>(
    fnName,
    [pa, fa, dim, st, arr, tab, obs, off, wt, hs, gr, scr, cst],
    fn,
    R,
  );
  return {
    fn: built.fn,
    source: built.source,
    tableMasks: em.tables.map((t) => t.mask),
    scratchPerPoint: scratchSlices + (poisson ? 1 : 0),
    valueSlice: poisson ? scratchSlices : -1,
  };
}

function timesAll(names: readonly Name[]): CodeArg {
  let c: CodeArg = names[0];
  for (let i = 1; i < names.length; i++) c = _`${c} * ${names[i]}`;
  return c;
}

const TRANSCENDENTAL = new Set([
  'exp',
  'log',
  'log10',
  'log2',
  'log1p',
  'expm1',
  'sin',
  'cos',
  'tan',
  'asin',
  'acos',
  'atan',
  'atan2',
  'sinh',
  'cosh',
  'tanh',
  'asinh',
  'acosh',
  'atanh',
  'erf',
  'erfc',
  'gamma',
  'lgamma',
  'pow',
]);

/**
 * The calls to transcendental functions of the program that depend on every loop level (so the planner would
 * compute them once per point), outermost first: an `exp` whose argument splits into per-level terms is left to
 * the planner (it factors it), and a call nested inside another selected call is computed in the pre-pass too.
 */
function perPointCalls(program: SymbolicProgram, em: Emitter, fullMask: number, inner: number): Expr[] {
  void inner;
  const out: Expr[] = [];
  const seen = new Set<Expr>();
  const deref = (e: Expr): Expr => {
    while (e.kind === 'sym') {
      const role = program.roles.get(e.name);
      if (role?.kind !== 'temp') break;
      e = program.temps[role.index].expr;
    }
    return e;
  };
  const walk = (e0: Expr, underSelected: boolean): void => {
    const e = deref(e0);
    if (seen.has(e)) return;
    seen.add(e);
    if (e.kind === 'call') {
      const mask = em.mask(e);
      const selected =
        !underSelected && mask === fullMask && TRANSCENDENTAL.has(e.fn) && !splittable(e, em, deref);
      for (const a of e.args) walk(a, underSelected || selected);
      if (selected) out.push(e);
      return;
    }
    if (e.kind === 'binary') {
      walk(e.left, underSelected);
      walk(e.right, underSelected);
    } else if (e.kind === 'unary') walk(e.arg, underSelected);
  };
  for (const o of program.outputs) walk(o, false);
  return out;
}

/** Whether the planner would factor this `exp` (its argument is a sum of terms each missing some level). */
function splittable(e: Expr & { kind: 'call' }, em: Emitter, deref: (e: Expr) => Expr): boolean {
  if (e.fn !== 'exp') return false;
  const full = em.mask(e.args[0]);
  const terms: Expr[] = [];
  const walk = (x0: Expr): void => {
    const x = deref(x0);
    if (x.kind === 'binary' && (x.op === '+' || x.op === '-') && em.mask(x) === full) {
      walk(x.left);
      walk(x.right);
    } else if (x.kind === 'unary' && x.op === '-') walk(x.arg);
    else if (x.kind === 'binary' && (x.op === '*' || x.op === '/') && (em.mask(x.left) === 0 || em.mask(x.right) === 0)) {
      walk(em.mask(x.left) === 0 ? x.right : x.left);
    } else terms.push(x);
  };
  walk(e.args[0]);
  return terms.length >= 2 && !terms.some((t) => em.mask(t) === full);
}

/** Scratch table sizes for a kernel and level sizes. */
export function tableSizes(kernel: AccumulateKernel, dims: Int32Array): number[] {
  return kernel.tableMasks.map((m) => tableSize(m, dims));
}

export type { Nest };
