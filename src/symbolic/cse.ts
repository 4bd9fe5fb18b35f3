/**
 * Common-subexpression elimination across several expressions at once (a model's value and all its
 * partial derivatives).
 *
 * The trees are hash-consed bottom-up (structurally equal subtrees get one id; spans ignored), giving a
 * DAG. A node becomes a temporary when the DAG references it at least twice (as a child of distinct parent
 * nodes, or as a root) and it is not trivial (a name, a number or a negated number). Temporaries are named
 * `$0, $1, ...` in dependency order (each refers only to earlier ones, through `sym('$k')`); `outputs[i]`
 * is `exprs[i]` rewritten over the temporaries (an output may be just `sym('$k')`).
 *
 * Temporaries hoisted out of an `if` branch are evaluated unconditionally; that is harmless (no side
 * effects; NaN or Infinity in an unselected branch is never used).
 */
import { binary, call, type Expr, num, sym, unary } from '../ast/index.ts';
import { ExprfitError } from '../core/index.ts';

export interface CseResult {
  readonly temps: { readonly name: string; readonly expr: Expr }[];
  readonly outputs: Expr[];
}

interface Node {
  readonly expr: Expr;
  readonly children: readonly number[];
  uses: number;
}

function isTrivial(e: Expr): boolean {
  return e.kind === 'num' || e.kind === 'sym' || (e.kind === 'unary' && e.op === '-' && e.arg.kind === 'num');
}

function numberKey(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/** Operators numbered for the numeric keys of unary and binary nodes. */
const BINARY_CODE: Readonly<Record<string, number>> = Object.fromEntries(
  ['+', '-', '*', '/', '^', '<', '<=', '>', '>=', '==', '!=', 'and', 'or'].map((op, i) => [op, i + 3]),
);
const UNARY_CODE: Readonly<Record<string, number>> = { '-': 1, not: 2 };
/** Node ids below this fit a numeric key `code * 2^48 + id1 * 2^24 + id2` (exact below 2^53). */
const ID_LIMIT = 2 ** 24;

/**
 * The numeric key of a unary or binary node over child ids (no string per node), or undefined when an id is
 * too large or the operator unknown (then the node is keyed by a string).
 */
function numericKey(code: number | undefined, a: number, b: number): number | undefined {
  if (code === undefined || a >= ID_LIMIT || b >= ID_LIMIT) return undefined;
  return code * 2 ** 48 + a * ID_LIMIT + b;
}

export function cse(exprs: readonly Expr[]): CseResult {
  const nodes: Node[] = [];
  const byKey = new Map<string | number, number>();
  /** Names by themselves (the key `s<name>` of byKey, without building it). */
  const symIds = new Map<string, number>();
  const idOf = new Map<Expr, number>();

  const intern = (e: Expr): number => {
    const known = idOf.get(e);
    if (known !== undefined) return known;
    let key: string | number;
    let children: number[];
    switch (e.kind) {
      case 'num':
        key = `n${numberKey(e.value)}`;
        children = [];
        break;
      case 'sym': {
        let id = symIds.get(e.name);
        if (id === undefined) {
          id = nodes.length;
          nodes.push({ expr: e, children: [], uses: 0 });
          symIds.set(e.name, id);
        }
        idOf.set(e, id);
        return id;
      }
      case 'unary':
        children = [intern(e.arg)];
        key = numericKey(UNARY_CODE[e.op], children[0], 0) ?? `u${e.op}|${children[0]}`;
        break;
      case 'binary':
        children = [intern(e.left), intern(e.right)];
        key =
          numericKey(BINARY_CODE[e.op], children[0], children[1]) ?? `b${e.op}|${children[0]}|${children[1]}`;
        break;
      case 'call':
        children = e.args.map(intern);
        key = `c${e.fn}|${children.join('|')}`;
        break;
      default:
        throw new ExprfitError('type', `a ${e.kind} cannot appear in a model expression`, { span: e.span });
    }
    let id = byKey.get(key);
    if (id === undefined) {
      id = nodes.length;
      nodes.push({ expr: e, children, uses: 0 });
      byKey.set(key, id);
      for (const c of children) nodes[c].uses++;
    }
    idOf.set(e, id);
    return id;
  };

  const roots = exprs.map(intern);
  for (const r of roots) nodes[r].uses++;

  // ids are in post-order (children before parents): temporaries in id order are in dependency order
  const tempName = new Map<number, string>();
  for (let id = 0; id < nodes.length; id++) {
    if (nodes[id].uses >= 2 && !isTrivial(nodes[id].expr)) tempName.set(id, `$${tempName.size}`);
  }

  const built = new Map<number, Expr>();
  /** The node rebuilt over temporaries (its own temp name is not used here). */
  const body = (id: number): Expr => {
    const hit = built.get(id);
    if (hit) return hit;
    const n = nodes[id];
    const e = n.expr;
    const kids = n.children.map(ref);
    let out: Expr;
    switch (e.kind) {
      case 'num':
        out = num(e.value);
        break;
      case 'sym':
        out = sym(e.name);
        break;
      case 'unary':
        out = unary(e.op, kids[0]);
        break;
      case 'binary':
        out = binary(e.op, kids[0], kids[1]);
        break;
      case 'call':
        out = call(e.fn, kids);
        break;
      default:
        throw new Error('unreachable');
    }
    built.set(id, out);
    return out;
  };
  const refs = new Map<number, Expr>();
  const ref = (id: number): Expr => {
    const name = tempName.get(id);
    if (name === undefined) return body(id);
    let s = refs.get(id);
    if (!s) {
      s = sym(name);
      refs.set(id, s);
    }
    return s;
  };

  const temps: { name: string; expr: Expr }[] = [];
  for (const [id, name] of tempName) temps.push({ name, expr: body(id) });
  return { temps, outputs: roots.map(ref) };
}

export { dependsOn, freeSymbols, inline, substitute } from './transform.ts';
export type { UserFunction, UserFunctions } from './transform.ts';
