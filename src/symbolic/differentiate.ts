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
import { assertNever, type CallNode, type Expr } from '../ast/expr.ts';
import { ExprfitError } from '../core/errors.ts';
import { BINARY_OPERATORS, UNARY_OPERATORS } from '../functions/operators.ts';
import { argumentNames, arityOk, arityText, getFunction } from '../functions/registry.ts';
import type { FunctionDef } from '../functions/types.ts';
import { ONE, ZERO, isZero } from '../functions/dsl.ts';
import { simplify } from './simplify.ts';

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

/** The derivative before simplification (memoized per node within one call). */
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
    const hit = memo.get(e);
    if (hit) return hit;
    const r = rule(e);
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
        const dargs = e.args.map((a, i) => (def.integerArgs?.includes(i) ? ZERO : d(a)));
        if (dargs.every(isZero)) return ZERO;
        refuseShapeDerivative(def, e, dargs, name);
        return def.derivative(e.args, dargs);
      }
      case 'str':
      case 'array':
      case 'index':
        throw new ExprfitError(
          'type',
          `cannot differentiate ${e.kind === 'str' ? 'a string' : e.kind === 'array' ? 'an array' : 'an index expression'}`,
          {
            span: e.span,
          },
        );
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
