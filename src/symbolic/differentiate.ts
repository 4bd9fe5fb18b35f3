/**
 * Symbolic differentiation. `differentiate(expr, name)` simplifies the input, applies the derivative rule
 * of every operator (operators.ts) and builtin (the registry's `derivative`), and simplifies the result.
 * Because simplify is memoized and the raw derivative reuses the simplified input's subtrees, the value
 * `simplify(expr)` and all its partial derivatives share subexpressions for CSE.
 *
 * User functions must be inlined first (`inline` in transform.ts); a call of an unknown function is an
 * `unknown-function` error. Script-only nodes (strings, arrays, indexing) are `type` errors.
 *
 * Conventions at non-smooth points are those documented for each builtin (docs/functions.md): the
 * derivative of abs at 0 is 0, of sign/floor/ceil/heaviside and comparisons 0, min/max/if differentiate
 * the selected argument/branch (ties: the first).
 */
import {
  add,
  type ArrayNode,
  assertNever,
  type BinaryNode,
  type CallNode,
  type Expr,
  type IndexNode,
  neg,
  type StrNode,
  sub,
} from '../ast/index.ts';
import { ExprfitError } from '../core/index.ts';
import {
  argumentNames,
  arityOk,
  arityText,
  BINARY_OPERATORS,
  type FunctionDef,
  getFunction,
  isZero,
  ONE,
  UNARY_OPERATORS,
  ZERO,
} from '../functions/index.ts';
import { simplify } from './simplify.ts';
import { symbolSet } from './transform.ts';

/** d expr / d name, simplified. */
export function differentiate(expr: Expr, name: string): Expr {
  const s = simplify(expr);
  return simplify(rawDerivative(s, name));
}

/** The value (simplified) and its derivatives with respect to each name (simplified). */
export function gradient(expr: Expr, names: readonly string[]): { value: Expr; derivatives: Expr[] } {
  const value = simplify(expr);
  return { value, derivatives: names.map((n) => simplify(rawDerivative(value, n))) };
}

/**
 * The derivative before simplification (memoized per node within one call). Subtrees without `name` are 0
 * without a walk, so the partial derivatives of a sum of N terms cost O(N) together, not O(N²).
 */
export function rawDerivative(expr: Expr, name: string): Expr {
  const memo = new Map<Expr, Expr>();
  const d = (e: Expr): Expr => {
    switch (e.kind) {
      case 'num':
        return ZERO;
      case 'sym':
        return e.name === name ? ONE : ZERO;
      default:
        break;
    }
    const index = e.kind === 'binary' ? sumIndex(e) : null;
    if (!(index ? index.byName.has(name) : symbolSet(e).has(name))) {
      checkDifferentiable(e);
      return ZERO;
    }
    const hit = memo.get(e);
    if (hit) return hit;
    const r = index ? sumDerivative(index, name, d) : rule(e);
    memo.set(e, r);
    return r;
  };
  const rule = (e: Expr): Expr => {
    switch (e.kind) {
      case 'num':
      case 'sym':
        return d(e);
      case 'unary': {
        const da = d(e.arg);
        if (isZero(da)) return ZERO;
        return UNARY_OPERATORS[e.op].derivative(e.arg, da);
      }
      case 'binary': {
        const dl = d(e.left);
        const dr = d(e.right);
        if (isZero(dl) && isZero(dr)) return ZERO;
        return BINARY_OPERATORS[e.op].derivative(e.left, e.right, dl, dr);
      }
      case 'call': {
        const def = checkedFunction(e);
        const dargs = e.args.map((a, i) => (def.integerArgs?.includes(i) ? ZERO : d(a)));
        if (dargs.every(isZero)) return ZERO;
        refuseShapeDerivative(def, e, dargs, name);
        return def.derivative(e.args, dargs);
      }
      case 'str':
      case 'array':
      case 'index':
        throw notDifferentiable(e);
      default:
        return assertNever(e);
    }
  };
  return d(expr);
}

/**
 * An argument without a derivative rule (`noDerivativeArgs`, e.g. the shape `a` of `gammainc(a, x)`) that
 * depends on the variable of differentiation: an error at that argument.
 */
function refuseShapeDerivative(def: FunctionDef, call: CallNode, dargs: readonly Expr[], name: string): void {
  const index = def.noDerivativeArgs?.find((i) => !isZero(dargs[i]));
  if (index === undefined) return;
  const arg = argumentNames(def)[index] ?? `argument ${index + 1}`;
  throw new ExprfitError(
    'usage',
    `${def.name}() has no derivative with respect to its argument '${arg}', which depends on '${name}': keep it fixed (a constant or a fixed parameter)`,
    { span: call.args[index].span ?? call.fnSpan ?? call.span },
  );
}

/** The builtin a call names, with its arity checked. */
function checkedFunction(e: CallNode): FunctionDef {
  const def = getFunction(e.fn);
  const span = e.fnSpan ?? e.span;
  if (!def) {
    throw new ExprfitError(
      'unknown-function',
      `cannot differentiate unknown function '${e.fn}' (user functions are inlined first)`,
      { span },
    );
  }
  if (!arityOk(def, e.args.length)) {
    throw new ExprfitError('arity', `${def.name}() takes ${arityText(def)}, got ${e.args.length}`, {
      span,
    });
  }
  return def;
}

function notDifferentiable(e: StrNode | ArrayNode | IndexNode): ExprfitError {
  const what = e.kind === 'str' ? 'a string' : e.kind === 'array' ? 'an array' : 'an index expression';
  return new ExprfitError('type', `cannot differentiate ${what}`, { span: e.span });
}

/** Subtrees known to differentiate without error (nodes are immutable). */
const differentiable = new WeakSet<Expr>();

/**
 * Throws the error that differentiating a subtree without the variable would throw, in the same visiting
 * order (a call before its arguments, integer arguments skipped), so that skipping such subtrees changes
 * nothing but the time.
 */
function checkDifferentiable(e: Expr): void {
  if (e.kind === 'num' || e.kind === 'sym' || differentiable.has(e)) return;
  switch (e.kind) {
    case 'unary':
      checkDifferentiable(e.arg);
      break;
    case 'binary':
      checkDifferentiable(e.left);
      checkDifferentiable(e.right);
      break;
    case 'call': {
      const def = checkedFunction(e);
      e.args.forEach((a, i) => {
        if (!def.integerArgs?.includes(i)) checkDifferentiable(a);
      });
      break;
    }
    default:
      throw notDifferentiable(e);
  }
  differentiable.add(e);
}

/** The terms of a sum's left spine `((t0 ± t1) ± t2) ± …`, and for each name the terms that read it. */
interface SumIndex {
  readonly terms: readonly Expr[];
  readonly ops: readonly ('+' | '-')[];
  readonly byName: ReadonlyMap<string, readonly number[]>;
}

/** Below this many terms a sum is differentiated by the plain recursion. */
const INDEXED_SUM = 8;
const sumIndexCache = new WeakMap<Expr, SumIndex | null>();

/**
 * The index of a long sum (memoized, shared by all names), or null: a short sum, or one with a term that
 * does not differentiate (then the recursion throws the same error as before, in the same order).
 */
function sumIndex(e: BinaryNode): SumIndex | null {
  if (e.op !== '+' && e.op !== '-') return null;
  const cached = sumIndexCache.get(e);
  if (cached !== undefined) return cached;
  const terms: Expr[] = [];
  const ops: ('+' | '-')[] = [];
  let node: Expr = e;
  while (node.kind === 'binary' && (node.op === '+' || node.op === '-')) {
    terms.push(node.right);
    ops.push(node.op);
    node = node.left;
  }
  terms.push(node);
  ops.push('+');
  terms.reverse();
  ops.reverse();
  const index = terms.length >= INDEXED_SUM && terms.every(differentiates) ? indexTerms(terms, ops) : null;
  sumIndexCache.set(e, index);
  return index;
}

function differentiates(e: Expr): boolean {
  try {
    checkDifferentiable(e);
    return true;
  } catch {
    return false;
  }
}

function indexTerms(terms: readonly Expr[], ops: readonly ('+' | '-')[]): SumIndex {
  const byName = new Map<string, number[]>();
  terms.forEach((t, i) => {
    for (const n of namesOf(t)) {
      const list = byName.get(n);
      if (list) list.push(i);
      else byName.set(n, [i]);
    }
  });
  return { terms, ops, byName };
}

/** The names a term reads: a long sum's from its index (no symbol sets along its spine), else its symbol set. */
function namesOf(e: Expr): Iterable<string> {
  const index = e.kind === 'binary' ? sumIndex(e) : null;
  return index ? index.byName.keys() : symbolSet(e);
}

/**
 * d(sum)/d name over the terms that read the name, folded left as the recursion over the spine folds
 * `plus(dl, dr)` / `minus(dl, dr)`: the same tree, in time proportional to those terms.
 */
function sumDerivative(index: SumIndex, name: string, d: (e: Expr) => Expr): Expr {
  let acc: Expr | undefined;
  for (const i of index.byName.get(name) ?? []) {
    const dt = d(index.terms[i]);
    if (isZero(dt)) continue;
    const minus = index.ops[i] === '-';
    if (acc === undefined) acc = minus ? neg(dt) : dt;
    else acc = minus ? sub(acc, dt) : add(acc, dt);
  }
  return acc ?? ZERO;
}
