/**
 * Tree utilities: free names, dependence, substitution and inlining of user functions.
 */
import { array, assertNever, binary, call, type Expr, index, type IndexItem, unary } from '../ast/index.ts';
import { ExprfitError } from '../core/index.ts';

/** A user function `g(u, s) = body`. */
export interface UserFunction {
  readonly params: readonly string[];
  readonly body: Expr;
}

/** User functions by name (a Map, so that names such as `__proto__` are plain keys). */
export type UserFunctions = ReadonlyMap<string, UserFunction>;

function mapItems(items: readonly IndexItem[], f: (e: Expr) => Expr): IndexItem[] {
  return items.map((it) =>
    it.kind === 'at'
      ? { kind: 'at', index: f(it.index) }
      : {
          kind: 'slice',
          ...(it.start ? { start: f(it.start) } : {}),
          ...(it.stop ? { stop: f(it.stop) } : {}),
          ...(it.step ? { step: f(it.step) } : {}),
        },
  );
}

/**
 * Rebuilds `e` with `f` applied to each direct child; returns `e` itself when no child changed.
 * Spans are kept.
 */
export function mapChildren(e: Expr, f: (child: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'num':
    case 'sym':
    case 'str':
      return e;
    case 'unary': {
      const a = f(e.arg);
      return a === e.arg ? e : unary(e.op, a, e.span);
    }
    case 'binary': {
      const l = f(e.left);
      const r = f(e.right);
      return l === e.left && r === e.right ? e : binary(e.op, l, r, e.span);
    }
    case 'call': {
      let changed = false;
      const args = e.args.map((a) => {
        const b = f(a);
        if (b !== a) changed = true;
        return b;
      });
      if (!changed) return e;
      const c = call(e.fn, args, e.span, e.fnSpan);
      return e.prefix === undefined ? c : { ...c, prefix: e.prefix };
    }
    case 'array': {
      let changed = false;
      const items = e.items.map((a) => {
        const b = f(a);
        if (b !== a) changed = true;
        return b;
      });
      return changed ? array(items, e.span) : e;
    }
    case 'index':
      return index(f(e.target), mapItems(e.items, f), e.span);
    default:
      return assertNever(e);
  }
}

/** Calls `f` on every node of the tree (pre-order). */
export function forEachNode(e: Expr, f: (node: Expr) => void): void {
  f(e);
  switch (e.kind) {
    case 'num':
    case 'sym':
    case 'str':
      return;
    case 'unary':
      forEachNode(e.arg, f);
      return;
    case 'binary':
      forEachNode(e.left, f);
      forEachNode(e.right, f);
      return;
    case 'call':
      for (const a of e.args) forEachNode(a, f);
      return;
    case 'array':
      for (const a of e.items) forEachNode(a, f);
      return;
    case 'index':
      forEachNode(e.target, f);
      for (const it of e.items) {
        if (it.kind === 'at') forEachNode(it.index, f);
        else {
          if (it.start) forEachNode(it.start, f);
          if (it.stop) forEachNode(it.stop, f);
          if (it.step) forEachNode(it.step, f);
        }
      }
      return;
    default:
      assertNever(e);
  }
}

/** Every name the expression reads (function names excluded; `pi` and `e` included when used). */
export function freeSymbols(e: Expr): Set<string> {
  const out = new Set<string>();
  forEachNode(e, (n) => {
    if (n.kind === 'sym') out.add(n.name);
  });
  return out;
}

const symbolSetCache = new WeakMap<Expr, ReadonlySet<string>>();
const NO_SYMBOLS: ReadonlySet<string> = new Set();

/** The union of sets, reusing the largest one when it already holds every name. */
function unionOf(sets: readonly ReadonlySet<string>[]): ReadonlySet<string> {
  let largest = NO_SYMBOLS;
  for (const s of sets) if (s.size > largest.size) largest = s;
  let out: Set<string> | undefined;
  for (const s of sets) {
    if (s === largest) continue;
    for (const n of s) {
      if (largest.has(n) || out?.has(n)) continue;
      out ??= new Set(largest);
      out.add(n);
    }
  }
  return out ?? largest;
}

/**
 * The names an expression reads, as {@link freeSymbols}, memoized per node and shared between nodes: one pass
 * answers "does this subtree depend on p" for every parameter (the differentiator skips constant subtrees).
 */
export function symbolSet(e: Expr): ReadonlySet<string> {
  if (e.kind === 'num' || e.kind === 'str') return NO_SYMBOLS;
  const hit = symbolSetCache.get(e);
  if (hit) return hit;
  let r: ReadonlySet<string>;
  if (e.kind === 'sym') r = new Set([e.name]);
  else if (e.kind === 'unary') r = symbolSet(e.arg);
  else if (e.kind === 'binary') r = unionOf([symbolSet(e.left), symbolSet(e.right)]);
  else if (e.kind === 'call') r = unionOf(e.args.map(symbolSet));
  else r = freeSymbols(e);
  symbolSetCache.set(e, r);
  return r;
}

const dependsCache = new WeakMap<Expr, Map<string, boolean>>();

/** True when the name occurs in the expression (memoized per node). */
export function dependsOn(e: Expr, name: string): boolean {
  switch (e.kind) {
    case 'num':
    case 'str':
      return false;
    case 'sym':
      return e.name === name;
    default:
      break;
  }
  let byName = dependsCache.get(e);
  if (byName) {
    const hit = byName.get(name);
    if (hit !== undefined) return hit;
  } else {
    byName = new Map();
    dependsCache.set(e, byName);
  }
  let result = false;
  switch (e.kind) {
    case 'unary':
      result = dependsOn(e.arg, name);
      break;
    case 'binary':
      result = dependsOn(e.left, name) || dependsOn(e.right, name);
      break;
    case 'call':
      result = e.args.some((a) => dependsOn(a, name));
      break;
    default: {
      forEachNode(e, (n) => {
        if (n.kind === 'sym' && n.name === name) result = true;
      });
    }
  }
  byName.set(name, result);
  return result;
}

/**
 * Replaces names simultaneously: `substitute(x*y, {x: y, y: x})` is `y*x`. Nodes without replaced names are
 * returned unchanged (shared).
 */
export function substitute(e: Expr, map: ReadonlyMap<string, Expr>): Expr {
  if (map.size === 0) return e;
  const memo = new Map<Expr, Expr>();
  const go = (n: Expr): Expr => {
    if (n.kind === 'sym') return map.get(n.name) ?? n;
    if (n.kind === 'num' || n.kind === 'str') return n;
    const hit = memo.get(n);
    if (hit) return hit;
    const r = mapChildren(n, go);
    memo.set(n, r);
    return r;
  };
  return go(e);
}

/**
 * Expands calls of user functions (recursively, inner calls too): the body with its parameters replaced by
 * the argument expressions. User functions shadow builtins of the same name. Errors: wrong argument count
 * (`arity`) and a function that calls itself directly or indirectly (`usage`), both positioned at the call.
 */
export function inline(e: Expr, userFunctions: UserFunctions): Expr {
  if (userFunctions.size === 0) return e;
  const stack: string[] = [];
  const go = (n: Expr): Expr => {
    const m = mapChildren(n, go);
    if (m.kind !== 'call') return m;
    const def = userFunctions.get(m.fn);
    if (!def) return m;
    const span = m.fnSpan ?? m.span;
    if (def.params.length !== m.args.length) {
      throw new ExprfitError(
        'arity',
        `function '${m.fn}' takes ${def.params.length} argument${def.params.length === 1 ? '' : 's'}, got ${m.args.length}`,
        { span },
      );
    }
    if (stack.includes(m.fn)) {
      throw new ExprfitError(
        'usage',
        `function '${m.fn}' calls itself (${[...stack.slice(stack.indexOf(m.fn)), m.fn].join(' -> ')}); recursion is not allowed`,
        { span },
      );
    }
    const bindings = new Map<string, Expr>();
    def.params.forEach((p, i) => bindings.set(p, m.args[i]));
    stack.push(m.fn);
    try {
      // Inline calls inside the body first (with the parameters still symbolic), then substitute.
      return substitute(go(def.body), bindings);
    } finally {
      stack.pop();
    }
  };
  return go(e);
}
