/**
 * Loop-nest planning and emission for one broadcast pattern.
 *
 * The output's (collapsed) axes are loop levels 0..L-1, outermost first. Every data operand varies along a
 * set of levels (a bit mask: the levels where its stride is not 0). Every subexpression gets the union of its
 * operands' masks, and is placed by that mask:
 *
 * - mask 0 (params, fixed values, constants only): computed once before the loops;
 * - otherwise at the deepest level of its mask (loop-invariant code motion to the outermost loop possible);
 * - when its mask skips an outer level (on an [N, M] grid, a costly term of the inner `x` alone), it is
 *   tabulated: computed once per distinct value in a small loop nest of its own before the main nest and read
 *   from the table in the main loop.
 *
 * In the derivatives (never in the value, which keeps the reference evaluator's operation order), products are
 * reassociated so that invariant factors are multiplied once outside the loop and division by an invariant
 * becomes multiplication by its hoisted reciprocal; each hoisted factor is range-checked and the kernel reruns
 * as its exact variant (planned without reassociation) when one is subnormal, infinite or NaN.
 * `exp(u + v)` whose terms vary along different
 * levels is factored into `exp(u) * exp(v)` (each factor hoisted or tabulated), with a guard that falls back
 * to `exp(u + v)` when the product leaves the normal range (overflow, underflow, NaN), so results stay within
 * a few ulps of the unfactored value.
 */
import { assertNever, binary, call, constantValue, type Expr, ExprMap, num, unary } from '../ast/index.ts';
import { R } from '../functions/index.ts';
import {
  Block,
  Code,
  MATH,
  Name,
  NameScope,
  _,
  buildFunction,
  join,
  numLit,
  spillToScratch,
  trustedCall,
} from './codegen.ts';
import type { CodeArg } from './codegen.ts';
import type { SymbolicProgram } from './roles.ts';
import { OBSERVED_SYM, WEIGHTS_SYM, builtin } from './roles.ts';

/** A statement: a line of code or a nested block. */
export type Stmt = Code | Block;

export type Mode = 'values' | 'jacobian' | 'residuals' | 'residualsJacobian';

/** How one operand walks the loop nest. */
export interface OperandLayout {
  /** Bit l set: the operand's stride along level l is not 0. */
  readonly mask: number;
  /** The stride along its deepest level is 1 (always true for C-order arrays). */
  readonly unitInner: boolean;
}

/** The shape-independent description of a broadcast pattern (the cache key of generated functions). */
export interface Layout {
  readonly levels: number;
  /** One per spec variable, in spec order. */
  readonly variables: readonly OperandLayout[];
  readonly observed?: OperandLayout;
  readonly weights?: OperandLayout | 'scalar';
}

export function layoutSignature(layout: Layout, mode: Mode, reassociate = true): string {
  const op = (o: OperandLayout): string => `${o.mask.toString(36)}${o.unitInner ? '' : 's'}`;
  const w = layout.weights === undefined ? '-' : layout.weights === 'scalar' ? 'k' : op(layout.weights);
  return `${mode}${reassociate ? '' : '/exact'}|${layout.levels}|${layout.variables.map(op).join(',')}|${layout.observed ? op(layout.observed) : '-'}|${w}`;
}

/**
 * A generated kernel: `(params, fixed, out, jac, dims, strides, tables, scalarWeight, arrays, fallback)`.
 * `strides[op * levels + l]` is operand `op`'s stride along level `l` (operands: variables in spec order, then
 * observed, then weights); `arrays[op]` its data; `tables[j]` scratch of `tableSize(plan.tableMasks[j], dims)` elements.
 */
export type KernelFn = (
  p: Float64Array,
  f: Float64Array,
  out: Float64Array,
  jac: Float64Array | null,
  dims: Int32Array,
  strides: Int32Array,
  tables: Float64Array[],
  scalarWeight: number,
  arrays: (Float64Array | undefined)[],
  /** The exact variant (no reassociation), called when a hoisted factor is out of range; `null` in it. */
  fallback: KernelFn | null,
) => void;

export interface Plan {
  readonly fn: KernelFn;
  readonly source: string;
  /** The level mask of each scratch table. */
  readonly tableMasks: readonly number[];
  /** The kernel may call its `fallback` (it reassociated products; see `Emitter` option `reassociate`). */
  readonly guarded: boolean;
}

/** Number of elements of scratch table with level mask `mask` for level sizes `dims`. */
export function tableSize(mask: number, dims: Int32Array | readonly number[]): number {
  let n = 1;
  for (let l = 0; l < dims.length; l++) if (mask & (1 << l)) n *= dims[l];
  return n;
}

const MIN_NORMAL = 2.2250738585072014e-308;
/** Estimated cost above which a term that skips an outer level is tabulated. */
const TABULATE_COST = 8;
const CHEAP_CALLS = new Set(['abs', 'sign', 'min', 'max', 'floor', 'ceil', 'if', 'heaviside']);
const MEDIUM_CALLS = new Set(['sqrt', 'cbrt', 'hypot']);

const levelOf = (mask: number): number => (mask === 0 ? -1 : 31 - Math.clz32(mask));
const bitsOf = (mask: number): number[] => {
  const out: number[] = [];
  for (let l = 0; l < 31; l++) if (mask & (1 << l)) out.push(l);
  return out;
};
const popcount = (mask: number): number => bitsOf(mask).length;

/**
 * A Map whose changes since a mark can be undone, in time proportional to those changes (a nest's memos are
 * rolled back after each `exp` fallback branch; copying them whole there cost time quadratic in the model).
 */
class UndoMap<K, V> {
  private readonly map = new Map<K, V>();
  private readonly log: { key: K; had: boolean; old: V | undefined }[] = [];
  private marks = 0;

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (this.marks > 0) this.log.push({ key, had: this.map.has(key), old: this.map.get(key) });
    this.map.set(key, value);
  }

  mark(): number {
    this.marks++;
    return this.log.length;
  }

  rollback(mark: number): void {
    while (this.log.length > mark) {
      const { key, had, old } = this.log.pop()!;
      if (had) this.map.set(key, old as V);
      else this.map.delete(key);
    }
    this.marks--;
  }
}

/** One loop nest: the main nest over all levels, or a table nest over some of them. */
export class Nest {
  readonly stmts = new Map<number, Stmt[]>();
  readonly memo = new UndoMap<Expr, Name>();
  readonly loads = new UndoMap<string, Name>();
  readonly bases = new UndoMap<string, Name>();
  readonly idx = new Map<number, Name>();
  readonly fullMask: number;
  constructor(
    readonly levels: readonly number[],
    scope: NameScope,
    indices?: readonly Name[],
  ) {
    let m = 0;
    levels.forEach((l, j) => {
      m |= 1 << l;
      this.stmts.set(l, []);
      this.idx.set(l, indices?.[j] ?? scope.name('i'));
    });
    this.fullMask = m;
  }
  /** Marks the memos (loads, bases, materialized values); {@link rollback} forgets what was added since. */
  mark(): readonly number[] {
    return [this.memo.mark(), this.loads.mark(), this.bases.mark()];
  }
  rollback(mark: readonly number[]): void {
    this.memo.rollback(mark[0]);
    this.loads.rollback(mark[1]);
    this.bases.rollback(mark[2]);
  }
  /** Is `mask` all of this nest's levels up to its deepest one (then it needs no table)? */
  isPrefix(mask: number): boolean {
    const lv = levelOf(mask);
    const upTo = lv < 0 ? 0 : this.fullMask & (lv >= 30 ? 0x7fffffff : (1 << (lv + 1)) - 1);
    return mask === upTo;
  }
}

/** Where leaf values come from. The kernel planner loads them from arrays; fragment emission takes codes. */
interface LeafSource {
  param(index: number): CodeArg;
  fixed(index: number): CodeArg;
  /** Operand (variable index, or `V` for observed, `V + 1` for weights). */
  operand(op: number, nest: Nest): CodeArg;
  operandMask(op: number): number;
}

interface Table {
  readonly index: number;
  readonly mask: number;
  readonly arr: Name;
  readonly key: string;
}

interface SplitExp {
  readonly groups: readonly { readonly sum: Expr; readonly exp: Expr }[];
}

/** Emits code for the expressions of a SymbolicProgram into one or more loop nests. */
export class Emitter {
  readonly pre: Stmt[] = [];
  readonly preMemo = new Map<Expr, Name>();
  readonly tableBlocks: Block[] = [];
  readonly tables: Table[] = [];
  private readonly tableMemo = new Map<Expr, Table>();
  private readonly maskMemo = new Map<Expr, number>();
  private readonly costMemo = new Map<Expr, number>();
  private readonly regroupMemo = new Map<Expr, Expr>();
  private readonly splitMemo = new Map<Expr, SplitExp | null>();
  private readonly preNames = new Map<string, Name>();
  /** Nodes built by `regroup`: never regrouped again (guarantees termination). */
  private readonly regrouped = new WeakSet<Expr>();
  /** The hoisted invariant factors made by `regroup` (their values are range-checked, see `guard`). */
  private readonly invariants = new WeakSet<Expr>();
  private readonly invariantForms = new ExprMap<Expr>();
  /** Whether a range check was emitted. */
  guarded = false;
  #valueNodes: Set<Expr> | undefined;

  /**
   * Every node the model value is computed from (through CSE temps). These are never reassociated, so compiled
   * values keep the reference evaluator's operation order (a 1-ulp change in front of an ill-conditioned
   * function, lgamma near 1 say, would be a large relative change); derivative-only nodes are reassociated.
   */
  private valueNodes(): Set<Expr> {
    if (this.#valueNodes) return this.#valueNodes;
    const set = new Set<Expr>();
    const walk = (e: Expr): void => {
      if (set.has(e)) return;
      set.add(e);
      switch (e.kind) {
        case 'sym': {
          const role = this.program.roles.get(e.name);
          if (role?.kind === 'temp') walk(this.program.temps[role.index].expr);
          break;
        }
        case 'unary':
          walk(e.arg);
          break;
        case 'binary':
          walk(e.left);
          walk(e.right);
          break;
        case 'call':
          e.args.forEach(walk);
          break;
        default:
          break;
      }
    };
    walk(this.program.outputs[0]);
    return (this.#valueNodes = set);
  }
  leaves!: LeafSource;

  constructor(
    readonly program: SymbolicProgram,
    readonly scope: NameScope,
    readonly opts: {
      readonly tabulate: boolean;
      /**
       * Reassociate products outside the value's own computation to hoist invariant factors (and divide by an
       * invariant through its reciprocal). This changes results beyond rounding only when an intermediate
       * leaves the normal range: each hoisted factor is checked and, when it is subnormal, infinite or NaN, the
       * statement `guard` runs (a kernel returns the result of its exact variant, planned without
       * reassociation). Without `guard` there is no check.
       */
      readonly reassociate: boolean;
      readonly guard?: Code;
      /** Size of each level (for table strides). */
      readonly dimName?: (level: number) => CodeArg;
      readonly tablesArg?: Name;
    },
  ) {}

  /** A loop nest over `levels` (ascending) whose statements this emitter fills (loop indices: given or new). */
  newNest(levels: readonly number[], indices?: readonly Name[]): Nest {
    return new Nest(levels, this.scope, indices);
  }

  /** A `const` in the pre-loop block, memoized by key. */
  preConst(key: string, prefix: string, value: () => CodeArg): Name {
    let n = this.preNames.get(key);
    if (!n) {
      const v = value();
      n = this.scope.name(prefix);
      this.pre.push(_`const ${n} = ${v};`);
      this.preNames.set(key, n);
    }
    return n;
  }

  block(nest: Nest, level: number): Stmt[] {
    if (level < 0) return this.pre;
    const b = nest.stmts.get(level);
    if (!b) throw new Error(`internal: level ${level} is not in this nest`);
    return b;
  }

  mask(e: Expr): number {
    const hit = this.maskMemo.get(e);
    if (hit !== undefined) return hit;
    let m: number;
    switch (e.kind) {
      case 'num':
        m = 0;
        break;
      case 'sym': {
        const role = this.program.roles.get(e.name);
        if (!role) throw new Error(`internal: unbound name in program`);
        const V = this.program.spec.variables.length;
        switch (role.kind) {
          case 'param':
          case 'fixed':
            m = 0;
            break;
          case 'variable':
            m = this.leaves.operandMask(role.index);
            break;
          case 'observed':
            m = this.leaves.operandMask(V);
            break;
          case 'weights':
            m = this.leaves.operandMask(V + 1);
            break;
          case 'temp':
            m = this.mask(this.program.temps[role.index].expr);
            break;
          default:
            return assertNever(role);
        }
        break;
      }
      case 'unary':
        m = this.mask(e.arg);
        break;
      case 'binary':
        m = this.mask(e.left) | this.mask(e.right);
        break;
      case 'call':
        m = 0;
        for (const a of e.args) m |= this.mask(a);
        break;
      case 'str':
      case 'array':
      case 'index':
        throw new Error('internal: script node in a compiled program');
      default:
        return assertNever(e);
    }
    this.maskMemo.set(e, m);
    return m;
  }

  level(e: Expr): number {
    return levelOf(this.mask(e));
  }

  /** The expression behind a temp reference (or the node itself). */
  private deref(e: Expr): Expr {
    while (e.kind === 'sym') {
      const role = this.program.roles.get(e.name);
      if (role?.kind !== 'temp') break;
      e = this.program.temps[role.index].expr;
    }
    return e;
  }

  /** Code for `e` used by a consumer placed at level `at` of `nest`. */
  code(e: Expr, nest: Nest, at: number): CodeArg {
    const c = constantValue(e);
    if (c !== undefined) return numLit(c);
    if (e.kind === 'sym') return this.leaf(e, nest);
    const lv = this.level(e);
    const done = (lv < 0 ? this.preMemo : nest.memo).get(e);
    if (done) return done;
    if (lv < at || this.shouldTabulate(e, nest)) return this.materialize(e, nest);
    return this.inline(e, nest, lv);
  }

  /** A generated name holding the value of `e`, computed at `e`'s level (or read from its table). */
  materialize(e: Expr, nest: Nest): Name {
    if (e.kind === 'sym') {
      const v = this.leaf(e, nest);
      if (v instanceof Name) return v;
    }
    const lv = this.level(e);
    const memo = lv < 0 ? this.preMemo : nest.memo;
    const hit = memo.get(e);
    if (hit) return hit;
    let name: Name;
    if (lv >= 0 && this.shouldTabulate(e, nest)) {
      name = this.tableRead(e, nest);
    } else {
      const c = e.kind === 'sym' ? this.leaf(e, nest) : this.inline(e, nest, lv);
      if (c instanceof Name) name = c;
      else {
        name = this.scope.name('t');
        this.block(nest, lv).push(_`const ${name} = ${c};`);
      }
      this.checkRange(e, name, this.block(nest, lv));
    }
    memo.set(e, name);
    return name;
  }

  /**
   * For a hoisted invariant of `regroup`: run the guard unless its value is 0 or a normal finite number.
   * (0 is let through: an exact zero factor, such as sin(theta) at theta = 0 or an amplitude of 0, is common,
   * and gives the same products in any order; only an underflow to 0 could differ.)
   */
  private checkRange(e: Expr, name: Name, block: Stmt[]): void {
    if (!this.invariants.has(e) || !this.opts.guard) return;
    this.guarded = true;
    const a = _`${MATH}.abs(${name})`;
    const g = new Block(_`if (!((${a} >= ${MIN_NORMAL} && ${a} < Infinity) || ${name} === 0)) {`);
    g.push(this.opts.guard);
    block.push(g);
  }

  private leaf(e: Expr & { kind: 'sym' }, nest: Nest): CodeArg {
    const role = this.program.roles.get(e.name);
    if (!role) throw new Error('internal: unbound name in program');
    const V = this.program.spec.variables.length;
    switch (role.kind) {
      case 'param':
        return this.leaves.param(role.index);
      case 'fixed':
        return this.leaves.fixed(role.index);
      case 'variable':
        return this.leaves.operand(role.index, nest);
      case 'observed':
        return this.leaves.operand(V, nest);
      case 'weights':
        return this.leaves.operand(V + 1, nest);
      case 'temp': {
        const t = this.program.temps[role.index].expr;
        const c = constantValue(t);
        if (c !== undefined) return numLit(c);
        return this.materialize(t, nest);
      }
      default:
        return assertNever(role);
    }
  }

  // ---------------------------------------------------------------- indexing

  /**
   * Index code of an operand (data array or table) with level mask `mask` at its deepest level in `nest`.
   * Outer-level offsets are accumulated in `const` bases at their own levels.
   */
  indexCode(
    nest: Nest,
    key: string,
    mask: number,
    stride: (level: number) => CodeArg,
    unitInner: boolean,
  ): CodeArg {
    const levels = bitsOf(mask);
    let base: Name | undefined;
    for (let j = 0; j < levels.length - 1; j++) {
      const l = levels[j];
      const bkey = `${key}@${l}`;
      let b = nest.bases.get(bkey);
      if (!b) {
        b = this.scope.name('b');
        const i = nest.idx.get(l)!;
        const s = stride(l);
        this.block(nest, l).push(
          base ? _`const ${b} = ${base} + ${i} * ${s};` : _`const ${b} = ${i} * ${s};`,
        );
        nest.bases.set(bkey, b);
      }
      base = b;
    }
    const last = levels[levels.length - 1];
    const i = nest.idx.get(last)!;
    const term = unitInner ? i : _`${i} * ${stride(last)}`;
    return base ? _`${base} + ${term}` : term;
  }

  // ---------------------------------------------------------------- tables

  private shouldTabulate(e: Expr, nest: Nest): boolean {
    if (!this.opts.tabulate) return false;
    const m = this.mask(e);
    if (m === 0 || nest.isPrefix(m)) return false;
    return this.cost(e) >= TABULATE_COST;
  }

  /** Rough cost of evaluating `e` at its own level (children at lower levels are hoisted, so free). */
  private cost(e: Expr): number {
    const hit = this.costMemo.get(e);
    if (hit !== undefined) return hit;
    const m = this.mask(e);
    let k = 0;
    switch (e.kind) {
      case 'num':
        break;
      case 'sym': {
        const role = this.program.roles.get(e.name);
        if (role?.kind === 'temp') k = this.cost(this.program.temps[role.index].expr);
        break;
      }
      case 'unary':
        k = 1 + this.costWithin(e.arg, m);
        break;
      case 'binary': {
        let own = 1;
        // division by an invariant becomes a multiplication by its hoisted reciprocal (see regroup)
        if (e.op === '/') own = this.mask(e.right) === m || !this.opts.reassociate ? 4 : 1;
        else if (e.op === '^') {
          const n = constantValue(e.right);
          own =
            n === undefined
              ? 25
              : Number.isInteger(n) && Math.abs(n) <= 4
                ? 1 + Math.abs(n)
                : Math.abs(n) === 0.5
                  ? 5
                  : 25;
        }
        k = own + this.costWithin(e.left, m) + this.costWithin(e.right, m);
        break;
      }
      case 'call':
        k = CHEAP_CALLS.has(e.fn) ? 2 : MEDIUM_CALLS.has(e.fn) ? 5 : 20;
        for (const a of e.args) k += this.costWithin(a, m);
        break;
      case 'str':
      case 'array':
      case 'index':
        throw new Error('internal: script node in a compiled program');
      default:
        return assertNever(e);
    }
    this.costMemo.set(e, k);
    return k;
  }

  /** The cost of a child computed at its parent's level (mask `m`); a child at a lower level is hoisted, so free. */
  private costWithin(c: Expr, m: number): number {
    return this.mask(c) === m ? this.cost(c) : 0;
  }

  private tableStride(mask: number, level: number): CodeArg {
    const later = bitsOf(mask).filter((l) => l > level);
    if (later.length === 0) return 1;
    const dimName = this.opts.dimName!;
    return this.preConst(`tabstride:${mask}:${level}`, 'ts', () => join(later.map(dimName), ' * '));
  }

  private tableRead(e: Expr, nest: Nest): Name {
    const tbl = this.tableFor(e);
    const idx = this.indexCode(nest, tbl.key, tbl.mask, (l) => this.tableStride(tbl.mask, l), true);
    const name = this.scope.name('t');
    this.block(nest, levelOf(tbl.mask)).push(_`const ${name} = ${tbl.arr}[${idx}];`);
    return name;
  }

  private tableFor(e: Expr): Table {
    const hit = this.tableMemo.get(e);
    if (hit) return hit;
    const mask = this.mask(e);
    const index = this.tables.length;
    const tabs = this.opts.tablesArg!;
    const arr = this.preConst(`table:${index}`, 'tb', () => _`${tabs}[${index}]`);
    const tbl: Table = { index, mask, arr, key: `tb${index}` };
    this.tables.push(tbl);
    this.tableMemo.set(e, tbl);
    const nest = new Nest(bitsOf(mask), this.scope);
    const lv = levelOf(mask);
    const counter = this.scope.name('c');
    let v = this.inline(e, nest, lv);
    if (this.invariants.has(e) && this.opts.guard && !(v instanceof Name)) {
      const t = this.scope.name('t');
      this.block(nest, lv).push(_`const ${t} = ${v};`);
      v = t;
    }
    if (v instanceof Name) this.checkRange(e, v, this.block(nest, lv));
    this.block(nest, lv).push(_`${arr}[${counter}++] = ${v};`);
    const outer = new Block();
    outer.push(_`let ${counter} = 0;`);
    outer.push(this.renderNest(nest));
    this.tableBlocks.push(outer);
    return tbl;
  }

  /** Renders the loops of a nest (its statements must all have been emitted). */
  renderNest(nest: Nest): Block {
    const dimName = this.opts.dimName!;
    let inner: Block | undefined;
    for (let j = nest.levels.length - 1; j >= 0; j--) {
      const l = nest.levels[j];
      const i = nest.idx.get(l)!;
      const b = new Block(_`for (let ${i} = 0; ${i} < ${dimName(l)}; ${i}++) {`);
      for (const s of nest.stmts.get(l)!) b.push(s);
      if (inner) b.push(inner);
      inner = b;
    }
    return inner ?? new Block();
  }

  // ---------------------------------------------------------------- expressions

  /** Code for `e` computed at level `lv` (its own level); lower-level children are hoisted. */
  inline(e: Expr, nest: Nest, lv: number): CodeArg {
    const c = constantValue(e);
    if (c !== undefined) return numLit(c);
    switch (e.kind) {
      case 'num':
        return numLit(e.value);
      case 'sym':
        return this.leaf(e, nest);
      case 'unary': {
        const a = this.code(e.arg, nest, lv);
        return e.op === '-' ? _`(-${a})` : _`(${a} === 0 ? 1 : 0)`;
      }
      case 'binary':
        return this.binary(e, nest, lv);
      case 'call': {
        if (e.fn === 'exp' && lv >= 0 && e.args.length === 1) {
          const split = this.splitExp(e, nest, lv);
          if (split) return this.emitSplitExp(split, nest, lv);
        }
        const def = builtin(e.fn);
        if (!def) throw new Error(`internal: unknown builtin in a checked program`);
        const args = e.args.map((a) => this.code(a, nest, lv));
        return trustedCall(
          def.emit,
          def.name,
          args.map((a) => (a instanceof Code ? a : _`${a}`)),
        );
      }
      case 'str':
      case 'array':
      case 'index':
        throw new Error('internal: script node in a compiled program');
      default:
        return assertNever(e);
    }
  }

  private binary(e: Expr & { kind: 'binary' }, nest: Nest, lv: number): CodeArg {
    if ((e.op === '*' || e.op === '/') && lv >= 0 && this.opts.reassociate && !this.regrouped.has(e)) {
      const r = this.regroup(e, lv);
      if (r !== e) return this.inline(r, nest, lv);
    }
    if (e.op === '^') return this.power(e, nest, lv);
    const l = this.code(e.left, nest, lv);
    const r = this.code(e.right, nest, lv);
    switch (e.op) {
      case '+':
        return _`(${l} + ${r})`;
      case '-':
        return _`(${l} - ${r})`;
      case '*':
        return _`(${l} * ${r})`;
      case '/':
        return _`(${l} / ${r})`;
      case '<':
        return _`(${l} < ${r} ? 1 : 0)`;
      case '<=':
        return _`(${l} <= ${r} ? 1 : 0)`;
      case '>':
        return _`(${l} > ${r} ? 1 : 0)`;
      case '>=':
        return _`(${l} >= ${r} ? 1 : 0)`;
      case '==':
        return _`(${l} === ${r} ? 1 : 0)`;
      case '!=':
        return _`(${l} !== ${r} ? 1 : 0)`;
      case 'and':
        return _`(${l} !== 0 && ${r} !== 0 ? 1 : 0)`;
      case 'or':
        return _`(${l} !== 0 || ${r} !== 0 ? 1 : 0)`;
      default:
        throw new Error(`internal: operator ${e.op}`);
    }
  }

  /** Small integer and half-integer powers as multiplications and `Math.sqrt`. */
  private power(e: Expr & { kind: 'binary' }, nest: Nest, lv: number): CodeArg {
    const n = constantValue(e.right);
    if (n === 1) return this.code(e.left, nest, lv);
    if (n === 0) return 1;
    if (n !== undefined && Number.isInteger(n) && Math.abs(n) <= 4) {
      const t = this.nameOf(e.left, nest, lv);
      const a = Math.abs(n);
      // The operation order of powInt (src/functions/runtime.ts), so compiled and reference values agree exactly.
      const pos =
        a === 1
          ? _`${t}`
          : a === 2
            ? _`(${t} * ${t})`
            : a === 3
              ? _`(${t} * ${t} * ${t})`
              : _`(${t} * ${t} * (${t} * ${t}))`;
      return n > 0 ? pos : _`(1 / ${pos})`;
    }
    if (n !== undefined && Math.abs(n) === 0.5) {
      // Math.pow(x, ±0.5) exactly where it differs from Math.sqrt: pow(-Infinity, 0.5) is Infinity and
      // pow(-0, 0.5) is +0 (so pow(-0, -0.5) is +Infinity).
      const t = this.nameOf(e.left, nest, lv);
      const s = _`(${t} === -Infinity ? Infinity : ${MATH}.sqrt(${t} + 0))`;
      return n > 0 ? s : _`(1 / ${s})`;
    }
    return _`${MATH}.pow(${this.code(e.left, nest, lv)}, ${this.code(e.right, nest, lv)})`;
  }

  /** `e` as a name or literal (so it may be repeated without recomputation). */
  private nameOf(e: Expr, nest: Nest, lv: number): CodeArg {
    const c = this.code(e, nest, lv);
    if (c instanceof Name || typeof c === 'number') return c;
    const k = constantValue(e);
    if (k !== undefined) return c;
    return this.materialize(e, nest);
  }

  /**
   * Reassociates a product/quotient chain at level `lv` so that factors invariant at `lv` are combined into one
   * hoisted factor (division by an invariant becomes multiplication by its reciprocal). Returns `e` unchanged
   * when there is nothing to gain.
   */
  private regroup(e: Expr & { kind: 'binary' }, lv: number): Expr {
    const hit = this.regroupMemo.get(e);
    if (hit) return hit;
    if (this.valueNodes().has(e)) return e;
    const factors: { e: Expr; div: boolean }[] = [];
    const flat = (x: Expr, div: boolean): void => {
      if (x.kind === 'binary' && (x.op === '*' || x.op === '/') && this.level(x) === lv) {
        flat(x.left, div);
        flat(x.right, x.op === '/' ? !div : div);
      } else if (!(constantValue(x) === 1 && !div)) factors.push({ e: x, div });
    };
    flat(e, false);
    const inv = factors.filter((f) => this.level(f.e) < lv);
    const invDen = inv.filter((f) => f.div);
    let result: Expr = e;
    if (inv.length >= 2 || invDen.length >= 1) {
      const mk = (op: '*' | '/', a: Expr, b: Expr): Expr => {
        const n = binary(op, a, b);
        this.regrouped.add(n);
        return n;
      };
      // The invariant part lives at a lower level and may be regrouped again there (levels decrease).
      const prod = (fs: { e: Expr }[]): Expr | undefined =>
        fs.length === 0 ? undefined : fs.slice(1).reduce<Expr>((a, f) => binary('*', a, f.e), fs[0].e);
      const numI = prod(inv.filter((f) => !f.div));
      const denI = prod(invDen);
      let invariant = denI ? binary('/', numI ?? num(1), denI) : numI!;
      // the same invariant (e.g. 1/s^2) found in several derivatives is one node, so it is hoisted once
      const known = this.invariantForms.get(invariant);
      if (known) invariant = known;
      else this.invariantForms.set(invariant, invariant);
      this.invariants.add(invariant);
      let acc: Expr | undefined;
      for (const f of factors) {
        if (this.level(f.e) < lv) continue;
        acc = f.div ? mk('/', acc ?? num(1), f.e) : acc ? mk('*', acc, f.e) : f.e;
      }
      result = acc ? mk('*', acc, invariant) : invariant;
    }
    this.regroupMemo.set(e, result);
    return result;
  }

  /** Factors `exp(sum)` when the sum's terms vary along different levels (see the module comment). */
  private splitExp(e: Expr & { kind: 'call' }, nest: Nest, lv: number): SplitExp | null {
    if (this.splitMemo.has(e)) return this.splitMemo.get(e)!;
    const terms: { e: Expr; neg: boolean; scale: Expr[] }[] = [];
    const walk = (x: Expr, neg: boolean, scale: Expr[]): void => {
      const d = this.deref(x);
      if (this.level(d) === lv) {
        if (d.kind === 'binary' && (d.op === '+' || d.op === '-')) {
          walk(d.left, neg, scale);
          walk(d.right, d.op === '-' ? !neg : neg, scale);
          return;
        }
        if (d.kind === 'unary' && d.op === '-') {
          walk(d.arg, !neg, scale);
          return;
        }
        if (d.kind === 'binary' && d.op === '*' && this.mask(d.left) === 0) {
          walk(d.right, neg, [...scale, d.left]);
          return;
        }
        if (d.kind === 'binary' && (d.op === '*' || d.op === '/') && this.mask(d.right) === 0) {
          walk(d.left, neg, [...scale, d.op === '/' ? binary('/', num(1), d.right) : d.right]);
          return;
        }
      }
      terms.push({ e: x, neg, scale });
    };
    walk(e.args[0], false, []);
    const union = this.mask(e.args[0]);
    let result: SplitExp | null = null;
    if (terms.length >= 2 && !terms.some((t) => this.mask(t.e) === union)) {
      const masks = [...new Set(terms.map((t) => this.mask(t.e)))].sort((a, b) => popcount(b) - popcount(a));
      const groupMasks: number[] = [];
      for (const m of masks) if (!groupMasks.some((g) => (g & m) === m)) groupMasks.push(m);
      if (
        groupMasks.length >= 2 &&
        groupMasks.every((g) => levelOf(g) < lv || (this.opts.tabulate && !nest.isPrefix(g)))
      ) {
        const buckets = groupMasks.map(() => [] as Expr[]);
        const negs = groupMasks.map(() => [] as boolean[]);
        for (const t of terms) {
          const m = this.mask(t.e);
          const g = groupMasks.findIndex((gm) => (gm & m) === m);
          const scaled = t.scale.reduce<Expr>((a, s) => binary('*', s, a), t.e);
          buckets[g].push(scaled);
          negs[g].push(t.neg);
        }
        result = {
          groups: buckets.map((b, g) => {
            let sum: Expr = negs[g][0] ? unary('-', b[0]) : b[0];
            for (let k = 1; k < b.length; k++) sum = binary(negs[g][k] ? '-' : '+', sum, b[k]);
            return { sum, exp: call('exp', [sum]) };
          }),
        };
      }
    }
    this.splitMemo.set(e, result);
    return result;
  }

  private emitSplitExp(split: SplitExp, nest: Nest, lv: number): Name {
    // Hoisted group sums are shared by their exp and the fallback.
    for (const g of split.groups) {
      if (this.level(g.sum) < lv && !this.shouldTabulate(g.sum, nest)) this.materialize(g.sum, nest);
    }
    const factors = split.groups.map((g) => this.code(g.exp, nest, lv));
    const name = this.scope.name('t');
    const stmts = this.block(nest, lv);
    stmts.push(_`let ${name} = ${join(factors, ' * ')};`);
    // The fallback is emitted into the branch: whatever it materializes at this level stays inside it.
    const mark = nest.mark();
    const branch: Stmt[] = [];
    nest.stmts.set(lv, branch);
    const sums = split.groups.map((g) => this.code(g.sum, nest, lv));
    nest.stmts.set(lv, stmts);
    nest.rollback(mark);
    const fallback = new Block(_`if (!(${name} >= ${MIN_NORMAL} && ${name} < Infinity)) {`);
    for (const b of branch) fallback.push(b);
    fallback.push(_`${name} = ${MATH}.exp(${join(sums, ' + ')});`);
    stmts.push(fallback);
    return name;
  }
}

/**
 * Above this many temporaries a kernel keeps them in a scratch array instead of locals: V8 keeps every local
 * in the stack frame, which overflows between about 100,000 and 133,000 of them.
 */
const SCRATCH_ABOVE = 20_000;

/**
 * Generates the kernel function for one layout and mode. `scratchAbove` (for tests) is the number of
 * temporaries above which they are kept in a scratch array.
 */
export function planKernel(
  program: SymbolicProgram,
  layout: Layout,
  mode: Mode,
  reassociate = true,
  scratchAbove = SCRATCH_ABOVE,
): Plan {
  const scope = new NameScope();
  const L = layout.levels;
  const V = program.spec.variables.length;
  const P = program.spec.params.length;
  const pa = scope.name('pa');
  const fa = scope.name('fa');
  const out = scope.name('out');
  const jac = scope.name('jac');
  const dims = scope.name('dim');
  const st = scope.name('st');
  const tabs = scope.name('tab');
  const ws = scope.name('ws');
  const arrs = scope.name('arr');
  const fb = scope.name('fb');
  const fnName = scope.name('kern');

  const dimNames: Name[] = [];
  for (let l = 0; l < L; l++) {
    const n = scope.name('n');
    dimNames.push(n);
  }
  const em = new Emitter(program, scope, {
    tabulate: true,
    reassociate,
    // out of range: start over with the exact variant (the kernel writes nothing else, so that is safe)
    guard: _`return ${fb}(${pa}, ${fa}, ${out}, ${jac}, ${dims}, ${st}, ${tabs}, ${ws}, ${arrs}, null);`,
    dimName: (l) => dimNames[l],
    tablesArg: tabs,
  });
  const header: Code[] = dimNames.map((n, l) => _`const ${n} = ${dims}[${l}];`);

  const operandLayout = (op: number): OperandLayout | 'scalar' | undefined =>
    op < V ? layout.variables[op] : op === V ? layout.observed : layout.weights;

  const arrayName = (op: number): Name => em.preConst(`arr:${op}`, 'd', () => _`${arrs}[${op}]`);
  const strideName = (op: number, l: number): Name =>
    em.preConst(`st:${op}:${l}`, 's', () => _`${st}[${op * L + l}]`);

  em.leaves = {
    param: (i) => em.preConst(`p:${i}`, 'p', () => _`${pa}[${i}]`),
    fixed: (i) => em.preConst(`f:${i}`, 'f', () => _`${fa}[${i}]`),
    operandMask: (op) => {
      const o = operandLayout(op);
      if (o === undefined) throw new Error('internal: operand not bound');
      return o === 'scalar' ? 0 : o.mask;
    },
    operand: (op, nest) => {
      const o = operandLayout(op);
      if (o === undefined) throw new Error('internal: operand not bound');
      if (o === 'scalar') return ws;
      const key = `op${op}`;
      if (o.mask === 0) return em.preConst(`load:${op}`, 'v', () => _`${arrayName(op)}[0]`);
      let v = nest.loads.get(key);
      if (!v) {
        const arr = arrayName(op);
        const idx = em.indexCode(nest, key, o.mask, (l) => strideName(op, l), o.unitInner);
        v = scope.name('v');
        em.block(nest, levelOf(o.mask)).push(_`const ${v} = ${arr}[${idx}];`);
        nest.loads.set(key, v);
      }
      return v;
    },
  };

  const levels = Array.from({ length: L }, (_x, l) => l);
  const main = em.newNest(levels);
  const inner = L - 1;
  const k = scope.name('k');
  const o = scope.name('o');
  const residual = mode === 'residuals' || mode === 'residualsJacobian';
  const withJac = mode === 'jacobian' || mode === 'residualsJacobian';
  const hasW = residual && layout.weights !== undefined;
  const W = { kind: 'sym', name: WEIGHTS_SYM } as const;
  const OBS = { kind: 'sym', name: OBSERVED_SYM } as const;
  if (residual && !layout.observed) throw new Error('internal: residual mode without observed data');

  let valueExpr = program.outputs[0];
  if (residual) {
    valueExpr = binary('-', valueExpr, OBS);
    if (hasW) valueExpr = binary('*', valueExpr, W);
  }
  const stores: Stmt[] = [];
  const vcode = em.code(valueExpr, main, inner);
  stores.push(_`${out}[${k}] = ${vcode};`);
  if (withJac) {
    for (let j = 0; j < P; j++) {
      let d = program.outputs[1 + j];
      if (d === undefined) throw new Error('internal: program compiled without derivatives');
      const c = constantValue(d);
      let dc: CodeArg;
      if (c === 0) dc = 0;
      else {
        if (hasW) d = c === 1 ? W : binary('*', d, W);
        dc = em.code(d, main, inner);
      }
      stores.push(j === 0 ? _`${jac}[${o}] = ${dc};` : _`${jac}[${o} + ${j}] = ${dc};`);
    }
    stores.push(_`${o} += ${P};`);
  }
  stores.push(_`${k}++;`);
  for (const s of stores) em.block(main, inner).push(s);

  const body = new Block();
  for (const h of header) body.push(h);
  if (L === 0) {
    // pre holds everything, stores included.
    body.push(_`let ${k} = 0, ${o} = 0;`);
    for (const s of em.pre) body.push(s);
  } else {
    for (const s of em.pre) body.push(s);
    for (const b of em.tableBlocks) body.push(b);
    body.push(_`let ${k} = 0, ${o} = 0;`);
    body.push(em.renderNest(main));
  }
  const params = [pa, fa, out, jac, dims, st, tabs, ws, arrs, fb];
  const scratch = scope.name('sc');
  // Only names `t<n>` are spilled, so at most as many as were handed out: no scan of the code below that.
  const spilled = scope.issued('t') > scratchAbove ? spillToScratch(body, 't', scratch, scratchAbove) : body;
  const built = buildFunction<KernelFn>(fnName, params, spilled, R);
  return {
    fn: built.fn,
    source: built.source,
    tableMasks: em.tables.map((t) => t.mask),
    guarded: em.guarded,
  };
}
