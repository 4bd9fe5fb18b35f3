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
import type { SourceSpan } from '../syntax/span.ts';

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

/** Left-associated sum `a + b + c` (`num(0)` for no terms). */
export function sum(terms: readonly Expr[]): Expr {
  if (terms.length === 0) return num(0);
  let acc = terms[0];
  for (let i = 1; i < terms.length; i++) acc = add(acc, terms[i]);
  return acc;
}

/** Left-associated product `a * b * c` (`num(1)` for no factors). */
export function product(factors: readonly Expr[]): Expr {
  if (factors.length === 0) return num(1);
  let acc = factors[0];
  for (let i = 1; i < factors.length; i++) acc = mul(acc, factors[i]);
  return acc;
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
      return args.every((a, i) => a === e.args[i]) ? e : call(e.fn, args, e.span, e.fnSpan);
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
