/**
 * Row/column-separable sums for least squares on a full 2-D grid: when the model value and every partial
 * derivative are short sums of products `k(params) · c(column) · r(row)` (an axis-aligned Gaussian after
 * separable.ts has factored its `exp`), the normal equations need per-pixel work only for the residual:
 *
 * - JᵀJ_ab = Σ_{t ∈ a, t' ∈ b} k_t k_t' · (Σ_col c_t c_t') · (Σ_row r_t r_t'): 1-D sums, O(w + h);
 * - Jᵀr_a = Σ_t k_t Σ_row r_t(row) · S_t(row) with S_t(row) = Σ_col res · c_t(col): one multiply-add per
 *   pixel per distinct column factor;
 * - f = Σ_u a_u(row) · c_u(col): the row parts of the value are combined once per row.
 *
 * This file finds that form symbolically (no model is special-cased): it expands the value and the
 * derivatives through `+`, `−`, `*`, division by a one-level or invariant factor and small integer powers,
 * treating every subexpression that varies along at most one level as an atom. Anything else (an `exp` of a
 * sum across levels, a quotient of two mixed terms, …) has no such form and the per-pixel kernel is used.
 *
 * Only unweighted least squares uses it: there JᵀJ needs no per-pixel work at all (the 15x15 Gaussian: 2.4 →
 * about 1 µs per evaluation). With a weight per pixel (weights, or Poisson's y/f²) each pixel still adds its
 * weight times every product of two column factors; measured on that benchmark this was no faster than the
 * per-pixel kernel for Poisson and slower for weighted least squares (V8 spills the per-row sums).
 */
import { binary, constantValue, type Expr, num, printExpr, unary } from '../ast/index.ts';
import {
  _,
  Block,
  buildFunction,
  type Code,
  type CodeArg,
  emitPointFragments,
  type FragmentValue,
  MATH,
  Name,
  NameScope,
  type Role,
  type Stmt,
  type SymbolicProgram,
} from '../compile/index.ts';
import { R } from '../functions/index.ts';
import { cse } from '../symbolic/index.ts';
import {
  type AccumulateFn,
  type AccumulateKernel,
  type AccumulateOptions,
  type BatchLayout,
  generateAccumulate,
  LOOP_ACCUMULATION_ABOVE,
  loopMaskFunction,
} from './kernel.ts';

/** One product term: `coef` (index into `coefs`, −1 for 1) times one factor per level (index, −1 for 1). */
export interface SepTerm {
  readonly coef: number;
  readonly factors: readonly [number, number];
}

export interface SeparableForm {
  /** Distinct factors per level: `[0]` along the outer loop (rows), `[1]` along the inner (columns). */
  readonly levelFactors: readonly [readonly Expr[], readonly Expr[]];
  /** Distinct invariant coefficients (signs included). */
  readonly coefs: readonly Expr[];
  readonly value: readonly SepTerm[];
  /** One list per parameter (empty: the derivative is 0). */
  readonly derivatives: readonly (readonly SepTerm[])[];
}

interface Factor {
  readonly e: Expr;
  readonly div: boolean;
}

interface RawTerm {
  readonly neg: boolean;
  readonly k: readonly Factor[];
  readonly lv: readonly [readonly Factor[], readonly Factor[]];
}

/** Most product terms of one expression (beyond, the 1-D sums stop paying). */
const MAX_TERMS = 8;
/** Most distinct factors per level. */
const MAX_FACTORS = 8;

/**
 * The generated accumulation kernel of a batch: the separable one for unweighted least squares where the model
 * has that form, else `generateAccumulate`'s per-pixel kernel.
 */
export function batchKernel(
  program: SymbolicProgram,
  layout: BatchLayout,
  opts: AccumulateOptions,
): AccumulateKernel {
  const loops = opts.loops ?? program.spec.params.length > LOOP_ACCUMULATION_ABOVE;
  const form =
    opts.estimator === 'lse' && !opts.weighted && !loops ? separableForm(program, layout) : undefined;
  return form ? generateSeparableLse(program, layout, form) : generateAccumulate(program, layout, opts);
}

/**
 * The separable form of `program` on a 2-level `layout` whose variables each vary along at most one level, or
 * undefined when the value or some derivative has none (or too many terms).
 */
export function separableForm(program: SymbolicProgram, layout: BatchLayout): SeparableForm | undefined {
  if (layout.levels !== 2) return undefined;
  if (program.derivatives.length !== program.spec.params.length) return undefined;
  if (!layout.variables.every((o) => o.mask === 0 || o.mask === 1 || o.mask === 2)) return undefined;
  const mask = loopMaskFunction(program, layout);
  const raws: RawTerm[][] = [];
  for (const e of [program.expr, ...program.derivatives]) {
    const t = expand(e, mask);
    if (!t || t.length > MAX_TERMS) return undefined;
    raws.push(t);
  }
  const levelKeys: [Map<string, number>, Map<string, number>] = [new Map(), new Map()];
  const levelFactors: [Expr[], Expr[]] = [[], []];
  const coefKeys = new Map<string, number>();
  const coefs: Expr[] = [];
  const intern = (keys: Map<string, number>, list: Expr[], e: Expr | undefined): number => {
    if (e === undefined) return -1;
    const key = printExpr(e);
    let i = keys.get(key);
    if (i === undefined) {
      i = list.length;
      list.push(e);
      keys.set(key, i);
    }
    return i;
  };
  const lists = raws.map((terms) =>
    terms.map((t): SepTerm => {
      const k = productOf(t.k);
      const signed = t.neg ? (k ? unary('-', k) : num(-1)) : k;
      return {
        coef: intern(coefKeys, coefs, signed),
        factors: [
          intern(levelKeys[0], levelFactors[0], productOf(t.lv[0])),
          intern(levelKeys[1], levelFactors[1], productOf(t.lv[1])),
        ],
      };
    }),
  );
  if (levelFactors[0].length > MAX_FACTORS || levelFactors[1].length > MAX_FACTORS) return undefined;
  // A form without factors along both levels has nothing to gain.
  if (levelFactors[0].length === 0 || levelFactors[1].length === 0) return undefined;
  return { levelFactors, coefs, value: lists[0], derivatives: lists.slice(1) };
}

/** `e` as a sum of separable product terms, or undefined. A literal 0 is the empty sum. */
function expand(e: Expr, mask: (e: Expr) => number): RawTerm[] | undefined {
  const c = constantValue(e);
  if (c === 0) return [];
  const m = mask(e);
  if (m === 0) return [{ neg: false, k: [{ e, div: false }], lv: [[], []] }];
  if (e.kind === 'unary' && e.op === '-') return expand(e.arg, mask)?.map(negate);
  // Products and quotients are split even along one level, so that invariant factors go to the coefficient
  // (A·exp(a(x)) and exp(a(x)) share one column factor); any other one-level subexpression is an atom.
  const product = e.kind === 'binary' && (e.op === '*' || e.op === '/');
  if ((m === 1 || m === 2) && !product) {
    const f = [{ e, div: false }];
    return [{ neg: false, k: [], lv: m === 1 ? [f, []] : [[], f] }];
  }
  if (e.kind !== 'binary') return undefined;
  const { op, left, right } = e;
  if (op === '+' || op === '-') {
    const a = expand(left, mask);
    const b = expand(right, mask);
    if (!a || !b || a.length + b.length > MAX_TERMS) return undefined;
    return [...a, ...(op === '-' ? b.map(negate) : b)];
  }
  if (op === '*') return times(expand(left, mask), expand(right, mask));
  if (op === '/') {
    const mr = mask(right);
    if (mr === 3) return undefined;
    const d = [{ e: right, div: true }];
    const by: RawTerm = { neg: false, k: mr === 0 ? d : [], lv: [mr === 1 ? d : [], mr === 2 ? d : []] };
    return times(expand(left, mask), [by]);
  }
  if (op === '^') {
    const n = constantValue(right);
    if (n === undefined || !Number.isInteger(n) || n < 1 || n > 3) return undefined;
    const base = expand(left, mask);
    let acc = base;
    for (let i = 1; i < n; i++) acc = times(acc, base);
    return acc;
  }
  return undefined;
}

function negate(t: RawTerm): RawTerm {
  return { ...t, neg: !t.neg };
}

function times(a: RawTerm[] | undefined, b: RawTerm[] | undefined): RawTerm[] | undefined {
  if (!a || !b || a.length * b.length > MAX_TERMS) return undefined;
  const out: RawTerm[] = [];
  for (const s of a) {
    for (const t of b) {
      out.push({
        neg: s.neg !== t.neg,
        k: [...s.k, ...t.k],
        lv: [
          [...s.lv[0], ...t.lv[0]],
          [...s.lv[1], ...t.lv[1]],
        ],
      });
    }
  }
  return out;
}

/** The product of the factors (multiplications first, then each division), or undefined for none. */
function productOf(fs: readonly Factor[]): Expr | undefined {
  let acc: Expr | undefined;
  for (const f of fs) if (!f.div && constantValue(f.e) !== 1) acc = acc ? binary('*', acc, f.e) : f.e;
  for (const f of fs) if (f.div) acc = binary('/', acc ?? num(1), f.e);
  return acc;
}

/**
 * The least-squares accumulation kernel (unweighted, every point of the grid) of a separable form, with the
 * contract of `generateAccumulate` (kernel.ts): χ² returned, the full Hessian approximation JᵀJ and Jᵀr
 * written. Its scratch tables (`tables[1]`) hold the column factors, one array per factor.
 */
export function generateSeparableLse(
  program: SymbolicProgram,
  layout: BatchLayout,
  form: SeparableForm,
): AccumulateKernel {
  const scope = new NameScope();
  const args = ['pa', 'fa', 'dim', 'st', 'arr', 'tab', 'obs', 'off', 'wt', 'hs', 'gr', 'scr', 'cst'].map(
    (a) => scope.name(a),
  );
  const [pa, fa, dim, st, arr, tab, obs, off, , hs, gr] = args;
  const fn = new Block();
  const n = [scope.name('n'), scope.name('n')];
  fn.push(_`const ${n[0]} = ${dim}[0];`);
  fn.push(_`const ${n[1]} = ${dim}[1];`);
  const idx = [scope.name('i'), scope.name('i')];
  const g = emitFactors(program, layout, form, { scope, fn, idx, n, pa, fa, arr, st });
  const tb = constant(fn, scope, 'tb', _`${tab}[1]`);
  const colTab = form.levelFactors[1].map((_e, u) => constant(fn, scope, 'ta', _`${tb}[${u}]`));
  // 1-D sums of products of factors (−1: the factor 1), for the JᵀJ terms of parameter pairs.
  const colPairs = new PairSums(scope, 'cc');
  const rowPairs = new PairSums(scope, 'rr');
  const hessian = hessianParts(form, colPairs, rowPairs);
  colPairs.declare(fn);
  fn.push(columnLoop(g, colTab, colPairs));
  const chi = scope.name('chi');
  fn.push(_`let ${chi} = 0;`);
  rowPairs.declare(fn);
  const terms = form.derivatives.flat();
  const gradSums = new Map<string, Name>(); // (column factor, row factor) → Σ_rows r_v · S_u
  for (const t of terms) if (!gradSums.has(gradKey(t))) gradSums.set(gradKey(t), scope.name('gs'));
  for (const s of gradSums.values()) fn.push(_`let ${s} = 0;`);
  const k = scope.name('k');
  fn.push(_`let ${k} = ${off};`);
  fn.push(rowLoop(g, form, { colTab, rowPairs, gradSums, chi, k, obs }));
  // Jᵀr and JᵀJ from the sums.
  const scaled = (t: SepTerm, x: CodeArg): CodeArg => (t.coef < 0 ? x : _`${g.coef[t.coef]} * ${x}`);
  form.derivatives.forEach((list, a) => {
    fn.push(_`${gr}[${a}] = ${sumOf(list.map((t) => scaled(t, gradSums.get(gradKey(t))!)))};`);
  });
  const P = program.spec.params.length;
  for (const { a, b, parts } of hessian) {
    const products = parts.map(({ t, s }) => {
      const c = colPairs.get(t.factors[1], s.factors[1], n[1]);
      return scaled(t, scaled(s, _`${c} * ${rowPairs.get(t.factors[0], s.factors[0], n[0])}`));
    });
    const h = constant(fn, scope, 'h', sumOf(products));
    fn.push(_`${hs}[${a * P + b}] = ${h};`);
    if (a !== b) fn.push(_`${hs}[${b * P + a}] = ${h};`);
  }
  fn.push(_`return ${chi};`);
  const built = buildFunction<AccumulateFn>(scope.name('fit'), args, fn, R);
  return {
    fn: built.fn,
    source: built.source,
    tableLevels: [[], form.levelFactors[1].map(() => [1])],
    scratchPerPoint: 0,
    valueSlice: -1,
    fusedLog: false,
  };
}

/** The emitted coefficients and factors of a separable kernel, and the names its loops share. */
interface SepEmission {
  readonly scope: NameScope;
  readonly idx: readonly Name[];
  readonly n: readonly Name[];
  readonly coef: readonly CodeArg[];
  readonly colCode: readonly CodeArg[];
  readonly rowCode: readonly CodeArg[];
  /** Per level: the variable loads and the fragment statements at the top of its loop. */
  readonly top: readonly [readonly Stmt[], readonly Stmt[]];
}

/**
 * Emits the parameters, fixed values and variables, then the coefficients (guarded, before the loops) with
 * the column factors, and the row factors; statements before the loops go to `c.fn`.
 */
function emitFactors(
  program: SymbolicProgram,
  layout: BatchLayout,
  form: SeparableForm,
  c: { scope: NameScope; fn: Block; idx: Name[]; n: Name[]; pa: Name; fa: Name; arr: Name; st: Name },
): SepEmission {
  const { scope, fn } = c;
  const params = program.spec.params.map((_p, i) => constant(fn, scope, 'p', _`${c.pa}[${i}]`));
  const fixed = program.spec.fixed.map((_p, i) => constant(fn, scope, 'f', _`${c.fa}[${i}]`));
  const { loads, bindings } = bindVariables(layout, fn, scope, c.idx, c.arr, c.st);
  const emit = (l: number, exprs: readonly Expr[]) => {
    const frag = emitPointFragments(programOf(program, [num(0), ...exprs]), {
      scope,
      levels: 1,
      params,
      fixed,
      variables: bindings[l],
      reassociate: { onUnsafe: _`return NaN;` },
    });
    for (const stmt of frag.pre) fn.push(stmt);
    return { at: frag.atLevel[0], codes: frag.derivatives };
  };
  const nc = form.coefs.length;
  const colEm = emit(1, [...form.coefs, ...form.levelFactors[1]]);
  const coef = colEm.codes.slice(0, nc);
  guardCoefficients(fn, coef);
  const rowEm = emit(0, form.levelFactors[0]);
  return {
    scope,
    idx: c.idx,
    n: c.n,
    coef,
    colCode: colEm.codes.slice(nc),
    rowCode: rowEm.codes,
    top: [
      [...loads[0].lines, ...rowEm.at],
      [...loads[1].lines, ...colEm.at],
    ],
  };
}

/** The parameter pairs (a ≤ b) of JᵀJ with their pairs of terms; the 1-D sums they need are registered. */
function hessianParts(
  form: SeparableForm,
  colPairs: PairSums,
  rowPairs: PairSums,
): { a: number; b: number; parts: { t: SepTerm; s: SepTerm }[] }[] {
  const out: { a: number; b: number; parts: { t: SepTerm; s: SepTerm }[] }[] = [];
  const P = form.derivatives.length;
  for (let a = 0; a < P; a++) {
    for (let b = a; b < P; b++) {
      const parts = form.derivatives[a].flatMap((t) => form.derivatives[b].map((s) => ({ t, s })));
      for (const { t, s } of parts) {
        colPairs.need(t.factors[1], s.factors[1]);
        rowPairs.need(t.factors[0], s.factors[0]);
      }
      out.push({ a, b, parts });
    }
  }
  return out;
}

/** The key of a term's gradient sum: its (column factor, row factor). */
function gradKey(t: SepTerm): string {
  return `${t.factors[1]},${t.factors[0]}`;
}

/** The loop over columns: each column factor into its table, and the column pair sums. */
function columnLoop(g: SepEmission, colTab: readonly Name[], colPairs: PairSums): Block {
  const i = g.idx[1];
  const loop = new Block(_`for (let ${i} = 0; ${i} < ${g.n[1]}; ${i}++) {`);
  for (const stmt of g.top[1]) loop.push(stmt);
  g.colCode.forEach((c, u) => loop.push(_`${colTab[u]}[${i}] = ${c};`));
  for (const stmt of colPairs.accumulate(g.colCode)) loop.push(stmt);
  return loop;
}

/**
 * The loop over rows: the row factors and their pair sums, the pixels of the row (residual, χ², per column
 * factor u S_u = Σ_col r · c_u) and the gradient sums Σ_rows S_u · r_v.
 */
function rowLoop(
  g: SepEmission,
  form: SeparableForm,
  o: {
    colTab: readonly Name[];
    rowPairs: PairSums;
    gradSums: ReadonlyMap<string, Name>;
    chi: Name;
    k: Name;
    obs: Name;
  },
): Block {
  const { scope, idx, n, rowCode } = g;
  const loop = new Block(_`for (let ${idx[0]} = 0; ${idx[0]} < ${n[0]}; ${idx[0]}++) {`);
  for (const stmt of g.top[0]) loop.push(stmt);
  for (const stmt of o.rowPairs.accumulate(rowCode)) loop.push(stmt);
  // The value per pixel: Σ_u a_u · c_u with a_u = Σ coef · row factor, per row.
  const byCol = new Map<number, CodeArg[]>();
  for (const t of form.value) {
    const r = t.factors[0] < 0 ? undefined : rowCode[t.factors[0]];
    const c = t.coef < 0 ? undefined : g.coef[t.coef];
    const term: CodeArg = r === undefined ? (c ?? 1) : c === undefined ? r : _`${c} * ${r}`;
    byCol.set(t.factors[1], [...(byCol.get(t.factors[1]) ?? []), term]);
  }
  const rowCoef = new Map<number, Name>();
  for (const [u, parts] of byCol) rowCoef.set(u, constant(loop, scope, 'a', sumOf(parts)));
  const terms = form.derivatives.flat();
  const usedCols = [...new Set([...byCol.keys(), ...terms.map((t) => t.factors[1])])];
  const sums = new Map(usedCols.map((u) => [u, scope.name('sc')]));
  for (const S of sums.values()) loop.push(_`let ${S} = 0;`);
  loop.push(pixelLoop(g, { ...o, rowCoef, sums }));
  const done = new Set<string>();
  for (const t of terms) {
    if (done.has(gradKey(t))) continue;
    done.add(gradKey(t));
    const s = o.gradSums.get(gradKey(t))!;
    const S = sums.get(t.factors[1])!;
    loop.push(t.factors[0] < 0 ? _`${s} += ${S};` : _`${s} += ${S} * ${rowCode[t.factors[0]]};`);
  }
  return loop;
}

/** The loop over the pixels of a row: residual, χ² and the row's sums S_u = Σ_col r · c_u. */
function pixelLoop(
  g: SepEmission,
  o: {
    colTab: readonly Name[];
    rowCoef: ReadonlyMap<number, Name>;
    sums: ReadonlyMap<number, Name>;
    chi: Name;
    k: Name;
    obs: Name;
  },
): Block {
  const i = g.idx[1];
  const pix = new Block(_`for (let ${i} = 0; ${i} < ${g.n[1]}; ${i}++) {`);
  const cval = new Map<number, Name>();
  for (const u of o.sums.keys()) {
    if (u >= 0) cval.set(u, constant(pix, g.scope, 'c', _`${o.colTab[u]}[${i}]`));
  }
  let value: CodeArg | undefined;
  for (const [u, a] of o.rowCoef) {
    const term = u < 0 ? a : _`${a} * ${cval.get(u)!}`;
    value = value === undefined ? term : _`${value} + ${term}`;
  }
  const res = g.scope.name('r');
  pix.push(_`const ${res} = ${o.obs}[${o.k}] - (${value ?? 0});`);
  pix.push(_`${o.chi} += ${res} * ${res};`);
  for (const [u, S] of o.sums) pix.push(u < 0 ? _`${S} += ${res};` : _`${S} += ${res} * ${cval.get(u)!};`);
  pix.push(_`${o.k}++;`);
  return pix;
}

/** Smallest positive normal double. */
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * `return NaN;` unless every coefficient is 0 or a normal finite number: the coefficients are products and
 * quotients of parameters regrouped out of the per-pixel order (A/s³ of ∂/∂s), so, like the emitter's hoisted
 * factors (`reassociate`), an overflow or underflow in them would otherwise give a finite χ² with non-finite
 * or wrong JᵀJ and Jᵀr where the per-pixel kernel returns NaN.
 */
function guardCoefficients(fn: Block, coefs: readonly CodeArg[]): void {
  for (const c of coefs) {
    const a = _`${MATH}.abs(${c})`;
    fn.push(_`if (!((${a} >= ${MIN_NORMAL} && ${a} < Infinity) || ${c} === 0)) return NaN;`);
  }
}

/** The sum of the terms (0 for none). */
function sumOf(terms: readonly CodeArg[]): CodeArg {
  return terms.length ? terms.reduce((x, y) => _`${x} + ${y}`) : 0;
}

/**
 * Binds each variable of a 2-level layout: a scalar as a constant before the loops, a one-level variable as a
 * load at the top of its level's loop (per level: those statements and the fragment bindings of a 1-level
 * emission of that level's factors).
 */
function bindVariables(
  layout: BatchLayout,
  fn: Block,
  scope: NameScope,
  idx: readonly Name[],
  arr: Name,
  st: Name,
): { loads: [Block, Block]; bindings: [FragmentValue[], FragmentValue[]] } {
  const loads: [Block, Block] = [new Block(), new Block()];
  const bindings: [FragmentValue[], FragmentValue[]] = [[], []];
  layout.variables.forEach((o, op) => {
    const data = constant(fn, scope, 'd', _`${arr}[${op}]`);
    if (o.mask === 0) {
      const v = constant(fn, scope, 'v', _`${data}[0]`);
      for (const b of bindings) b.push({ code: v, level: -1 });
      return;
    }
    const l = o.mask === 1 ? 0 : 1;
    const v = scope.name('v');
    if (o.unitInner) loads[l].push(_`const ${v} = ${data}[${idx[l]}];`);
    else {
      const s = constant(fn, scope, 's', _`${st}[${op * 2 + l}]`);
      loads[l].push(_`const ${v} = ${data}[${idx[l]} * ${s}];`);
    }
    bindings[l].push({ code: v, level: 0 });
    bindings[1 - l].push({ code: 0, level: -1 });
  });
  return { loads, bindings };
}

/** `const name = code;` pushed to `b`; returns the name. */
function constant(b: Block, scope: NameScope, prefix: string, code: CodeArg): Name {
  const name = scope.name(prefix);
  b.push(_`const ${name} = ${code};`);
  return name;
}

/** A program whose outputs are `exprs` (CSE'd), with the roles of `base` for parameters and variables. */
function programOf(base: SymbolicProgram, exprs: readonly Expr[]): SymbolicProgram {
  const { temps, outputs } = cse(exprs);
  const roles = new Map<string, Role>();
  for (const [name, role] of base.roles) if (role.kind !== 'temp') roles.set(name, role);
  temps.forEach((t, index) => roles.set(t.name, { kind: 'temp', index }));
  return { spec: base.spec, roles, temps, outputs, derivatives: [], expr: exprs[0] };
}

/** Sums over one level of products of two of its factors (−1: the factor 1; the pair (−1, −1) is the size). */
class PairSums {
  readonly #names = new Map<string, Name>();
  readonly #pairs: [number, number][] = [];
  constructor(
    readonly scope: NameScope,
    readonly prefix: string,
  ) {}

  need(u: number, v: number): void {
    const [x, y] = u <= v ? [u, v] : [v, u];
    if (y < 0) return;
    const key = `${x},${y}`;
    if (this.#names.has(key)) return;
    this.#names.set(key, this.scope.name(this.prefix));
    this.#pairs.push([x, y]);
  }

  declare(b: Block): void {
    for (const m of this.#names.values()) b.push(_`let ${m} = 0;`);
  }

  accumulate(codes: readonly CodeArg[]): Code[] {
    return this.#pairs.map(([x, y]) => {
      const name = this.#names.get(`${x},${y}`)!;
      return x < 0 ? _`${name} += ${codes[y]};` : _`${name} += ${codes[x]} * ${codes[y]};`;
    });
  }

  get(u: number, v: number, size: CodeArg): CodeArg {
    const [x, y] = u <= v ? [u, v] : [v, u];
    return y < 0 ? size : this.#names.get(`${x},${y}`)!;
  }
}
