/**
 * Builders for the expression tree (`Expr`, see expr.ts). Plain constructors: they never fold or reorder
 * (that is `simplify`'s job). Every builder takes an optional source span as its last argument; a node
 * built without one has no `span` property at all.
 *
 * Negative numbers: the parser reads `-2` as unary minus applied to the literal `2`, so a `num` node with
 * a negative value never comes out of the parser. The canonical form of a negative constant is therefore
 * `neg(num(2))`, which is what `constant(-2)` builds and what `simplify` and `differentiate` produce.
 * `num(-2)` is still a legal node (the printer writes it as `(-2)`), but it does not round-trip exactly.
 */
import type {
  ArithOp,
  ArrayNode,
  BinaryNode,
  BinaryOp,
  CallNode,
  CompareOp,
  Expr,
  IndexItem,
  IndexNode,
  NumNode,
  StrNode,
  SymNode,
  UnaryNode,
  UnaryOp,
} from './expr.ts';
import type { SourceSpan } from '../core/index.ts';

export function num(value: number, span?: SourceSpan): NumNode {
  return span ? { kind: 'num', value, span } : { kind: 'num', value };
}

export function sym(name: string, span?: SourceSpan): SymNode {
  return span ? { kind: 'sym', name, span } : { kind: 'sym', name };
}

/**
 * The canonical tree of a numeric constant: `num(v)` for `v >= 0` (and NaN), `neg(num(-v))` for negative
 * values and for `-0` (so that the sign of zero survives and the tree prints and parses back unchanged).
 */
export function constant(value: number, span?: SourceSpan): Expr {
  if (value < 0 || Object.is(value, -0)) return unary('-', num(-value), span);
  return num(value, span);
}

export function unary(op: UnaryOp, arg: Expr, span?: SourceSpan): UnaryNode {
  return span ? { kind: 'unary', op, arg, span } : { kind: 'unary', op, arg };
}

export function neg(arg: Expr, span?: SourceSpan): UnaryNode {
  return unary('-', arg, span);
}

export function not(arg: Expr, span?: SourceSpan): UnaryNode {
  return unary('not', arg, span);
}

export function binary(op: BinaryOp, left: Expr, right: Expr, span?: SourceSpan): BinaryNode {
  return span ? { kind: 'binary', op, left, right, span } : { kind: 'binary', op, left, right };
}

export function arith(op: ArithOp, left: Expr, right: Expr, span?: SourceSpan): BinaryNode {
  return binary(op, left, right, span);
}

export function add(left: Expr, right: Expr, span?: SourceSpan): BinaryNode {
  return binary('+', left, right, span);
}

export function sub(left: Expr, right: Expr, span?: SourceSpan): BinaryNode {
  return binary('-', left, right, span);
}

export function mul(left: Expr, right: Expr, span?: SourceSpan): BinaryNode {
  return binary('*', left, right, span);
}

export function div(left: Expr, right: Expr, span?: SourceSpan): BinaryNode {
  return binary('/', left, right, span);
}

export function pow(base: Expr, exponent: Expr, span?: SourceSpan): BinaryNode {
  return binary('^', base, exponent, span);
}

export function cmp(op: CompareOp, left: Expr, right: Expr, span?: SourceSpan): BinaryNode {
  return binary(op, left, right, span);
}

export function and(left: Expr, right: Expr, span?: SourceSpan): BinaryNode {
  return binary('and', left, right, span);
}

export function or(left: Expr, right: Expr, span?: SourceSpan): BinaryNode {
  return binary('or', left, right, span);
}

export function call(fn: string, args: readonly Expr[], span?: SourceSpan, fnSpan?: SourceSpan): CallNode {
  const node: { kind: 'call'; fn: string; args: readonly Expr[]; span?: SourceSpan; fnSpan?: SourceSpan } = {
    kind: 'call',
    fn,
    args,
  };
  if (span) node.span = span;
  if (fnSpan) node.fnSpan = fnSpan;
  return node;
}

/** `if(cond, a, b)`: a builtin call. */
export function ifElse(cond: Expr, then: Expr, otherwise: Expr, span?: SourceSpan): CallNode {
  return call('if', [cond, then, otherwise], span);
}

export function str(value: string, span?: SourceSpan): StrNode {
  return span ? { kind: 'str', value, span } : { kind: 'str', value };
}

export function array(items: readonly Expr[], span?: SourceSpan): ArrayNode {
  return span ? { kind: 'array', items, span } : { kind: 'array', items };
}

export function index(target: Expr, items: readonly IndexItem[], span?: SourceSpan): IndexNode {
  return span ? { kind: 'index', target, items, span } : { kind: 'index', target, items };
}

/**
 * Chains longer than this many operands are built as groups of this many (each left-associated) joined
 * in a balanced tree, so that a 100,000-term sum is a tree of depth about 80 instead of 100,000 and every
 * recursive pass over trees stays far from the stack limit. Shorter chains are plainly left-associated.
 */
export const CHAIN_GROUP = 64;

/** The two operators of a chain: `plus` and its inverse `minus` (`+`/`-`, `*`/`/`); `minus` may be absent. */
export interface ChainOps {
  readonly plus: BinaryOp;
  readonly minus?: BinaryOp;
}

/** Makes one node of a chain joining operands `first..last` (indices into the chain's operands). */
export type ChainJoin = (op: BinaryOp, left: Expr, right: Expr, first: number, last: number) => Expr;

const plainJoin: ChainJoin = (op, left, right) => binary(op, left, right);

/**
 * The tree of `items[0] ops[0] items[1] ops[1] ...` read left to right (`ops[i]` joins `items[i]` and
 * `items[i+1]`): left-associated up to CHAIN_GROUP operands, else groups joined in a balanced tree. A
 * group that follows a `minus` is written with its operators inverted, `a - (b - c + d)` for `a - b + c - d`,
 * so the value is the same (up to the rounding of a different order of operations).
 */
export function chain(
  items: readonly Expr[],
  ops: readonly BinaryOp[],
  pair: ChainOps,
  join: ChainJoin = plainJoin,
): Expr {
  const n = items.length;
  if (n <= CHAIN_GROUP) return leftFold(items, ops, 0, n, false, pair, join);
  const groups: ChainGroup[] = [];
  for (let lo = 0; lo < n; lo += CHAIN_GROUP) {
    const hi = Math.min(lo + CHAIN_GROUP, n);
    const inverted = lo > 0 && ops[lo - 1] === pair.minus;
    groups.push({
      expr: leftFold(items, ops, lo, hi, inverted, pair, join),
      first: lo,
      last: hi - 1,
      inverted,
    });
  }
  return joinGroups(groups, 0, groups.length, false, pair, join);
}

interface ChainGroup {
  readonly expr: Expr;
  readonly first: number;
  readonly last: number;
  /** The group follows a `minus`. */
  readonly inverted: boolean;
}

function inverse(op: BinaryOp, pair: ChainOps): BinaryOp {
  return op === pair.plus ? pair.minus! : pair.plus;
}

function leftFold(
  items: readonly Expr[],
  ops: readonly BinaryOp[],
  lo: number,
  hi: number,
  inverted: boolean,
  pair: ChainOps,
  join: ChainJoin,
): Expr {
  let acc = items[lo];
  for (let i = lo + 1; i < hi; i++) {
    const op = inverted ? inverse(ops[i - 1], pair) : ops[i - 1];
    acc = join(op, acc, items[i], lo, i);
  }
  return acc;
}

/** Groups `lo..hi-1` joined in a balanced tree; `negated` when the caller subtracts the whole of it. */
function joinGroups(
  groups: readonly ChainGroup[],
  lo: number,
  hi: number,
  negated: boolean,
  pair: ChainOps,
  join: ChainJoin,
): Expr {
  if (hi - lo === 1) return groups[lo].expr;
  const mid = (lo + hi) >> 1;
  const left = joinGroups(groups, lo, mid, negated, pair, join);
  const rightNegated = groups[mid].inverted !== negated;
  const right = joinGroups(groups, mid, hi, negated !== rightNegated, pair, join);
  const op = rightNegated ? pair.minus! : pair.plus;
  return join(op, left, right, groups[lo].first, groups[hi - 1].last);
}

const SUM: ChainOps = { plus: '+', minus: '-' };
const PRODUCT: ChainOps = { plus: '*', minus: '/' };

/** The operator pair of a chain that contains `op` (`and`, `or` and comparisons have no inverse). */
export function chainOps(op: BinaryOp): ChainOps {
  if (op === '+' || op === '-') return SUM;
  if (op === '*' || op === '/') return PRODUCT;
  return { plus: op };
}

/** The sum `a + b + c` (`num(0)` for no terms; see `chain` for the shape of long sums). */
export function sum(terms: readonly Expr[]): Expr {
  if (terms.length === 0) return num(0);
  return chain(terms, new Array<BinaryOp>(terms.length - 1).fill('+'), SUM);
}

/** The product `a * b * c` (`num(1)` for no factors; see `chain` for the shape of long products). */
export function product(factors: readonly Expr[]): Expr {
  if (factors.length === 0) return num(1);
  return chain(factors, new Array<BinaryOp>(factors.length - 1).fill('*'), PRODUCT);
}

/** A sum of signed terms: `a - b + c` from `[a, b, c]` and `['-', '+']`. */
export function signedSum(terms: readonly Expr[], ops: readonly ('+' | '-')[]): Expr {
  return terms.length === 0 ? num(0) : chain(terms, ops, SUM);
}

/** The value of a constant node: a `num`, or unary minus applied to a constant; otherwise `undefined`. */
export function constantValue(e: Expr): number | undefined {
  if (e.kind === 'num') return e.value;
  if (e.kind === 'unary' && e.op === '-') {
    const v = constantValue(e.arg);
    return v === undefined ? undefined : -v;
  }
  return undefined;
}

export function isNum(e: Expr, value?: number): e is NumNode {
  return e.kind === 'num' && (value === undefined || e.value === value);
}

/** `unary(-, num(v))` with `v >= 0` becomes `num(-v)`, everywhere (the parser's reading of `-2` folded). */
export function foldNegativeLiterals(e: Expr): Expr {
  switch (e.kind) {
    case 'num':
    case 'sym':
    case 'str':
      return e;
    case 'unary': {
      const arg = foldNegativeLiterals(e.arg);
      if (e.op === '-' && arg.kind === 'num') return num(-arg.value, e.span);
      return arg === e.arg ? e : unary(e.op, arg, e.span);
    }
    case 'binary': {
      const l = foldNegativeLiterals(e.left);
      const r = foldNegativeLiterals(e.right);
      return l === e.left && r === e.right ? e : binary(e.op, l, r, e.span);
    }
    case 'call': {
      const args = e.args.map(foldNegativeLiterals);
      if (args.every((a, i) => a === e.args[i])) return e;
      const c = call(e.fn, args, e.span, e.fnSpan);
      return e.prefix === undefined ? c : { ...c, prefix: e.prefix };
    }
    case 'array': {
      const items = e.items.map(foldNegativeLiterals);
      return array(items, e.span);
    }
    case 'index':
      return index(
        foldNegativeLiterals(e.target),
        e.items.map((it) =>
          it.kind === 'at'
            ? { kind: 'at', index: foldNegativeLiterals(it.index) }
            : {
                kind: 'slice',
                ...(it.start ? { start: foldNegativeLiterals(it.start) } : {}),
                ...(it.stop ? { stop: foldNegativeLiterals(it.stop) } : {}),
                ...(it.step ? { step: foldNegativeLiterals(it.step) } : {}),
              },
        ),
        e.span,
      );
  }
}
