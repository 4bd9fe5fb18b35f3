/** Test helpers: a compact S-expression rendering of trees (spans left out) and error capture. */
import type { Expr, IndexItem } from '../../src/ast/expr.ts';
import { ExprfitError } from '../../src/core/errors.ts';

function item(it: IndexItem): string {
  if (it.kind === 'at') return sexpr(it.index);
  const part = (e: Expr | undefined) => (e ? sexpr(e) : '_');
  return `(: ${part(it.start)} ${part(it.stop)}${it.step ? ` ${sexpr(it.step)}` : ''})`;
}

/** `(+ a (* b c))`, `(neg x)`, `(exp x)`, `[1 2]`, `(index img (: 1 2))`, `"str"`. */
export function sexpr(e: Expr): string {
  switch (e.kind) {
    case 'num':
      return String(e.value);
    case 'sym':
      return e.name;
    case 'str':
      return JSON.stringify(e.value);
    case 'unary':
      return `(${e.op === '-' ? 'neg' : 'not'} ${sexpr(e.arg)})`;
    case 'binary':
      return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case 'call':
      return `(${[e.fn, ...e.args.map(sexpr)].join(' ')})`;
    case 'array':
      return `[${e.items.map(sexpr).join(' ')}]`;
    case 'index':
      return `(index ${[sexpr(e.target), ...e.items.map(item)].join(' ')})`;
  }
}

/** The ExprfitError thrown by `f` (fails the test when `f` returns or throws anything else). */
export function errorOf(f: () => unknown): ExprfitError {
  try {
    f();
  } catch (e) {
    if (e instanceof ExprfitError) return e;
    throw new Error(`expected an ExprfitError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected an ExprfitError, but nothing was thrown');
}

/** A deep copy without `span`, `fnSpan` and other `*Span(s)` keys, for comparing trees. */
export function stripSpans<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (k, v) => (k === 'span' || /Spans?$/.test(k) ? undefined : v)));
}
