/**
 * The tree-walking reference evaluator. Compiled kernels must agree with it.
 *
 * Names are looked up in `scope` first (own properties only), then in the constants (`pi`, `e`): a scope
 * entry shadows a constant. User functions (when given) shadow builtins of the same name; their bodies see
 * their parameters and, for every other name, the caller's scope.
 *
 * Semantics of each operator and builtin are those of src/functions (operators.ts, the registry). Notably:
 * comparisons give 1/0, `and`/`or`/`not` work on truthiness (non-zero, NaN included, is true), `if` evaluates
 * only the selected branch, and a power with a literal small-integer exponent multiplies (`powInt`).
 */
import { assertNever, type Expr } from '../ast/index.ts';
import { didYouMean, ExprfitError } from '../core/index.ts';
import {
  arityOk,
  arityText,
  BINARY_OPERATORS,
  evaluatePower,
  functionNames,
  getConstant,
  getFunction,
  UNARY_OPERATORS,
} from '../functions/index.ts';
import type { UserFunctions } from './transform.ts';

type Lookup = (name: string) => number | undefined;

const MAX_CALL_DEPTH = 200;

const ARRAY_HINT = 'evaluate is scalar; evaluateArray(text, arrays) evaluates array expressions';

function hint(name: string, candidates: Iterable<string>): string[] {
  const h = didYouMean(name, candidates);
  return h ? [h] : [];
}

function scopeLookup(scope: Readonly<Record<string, number>>): Lookup {
  return (name) => {
    const v: unknown = Object.hasOwn(scope, name) ? scope[name] : undefined;
    if (v !== undefined) {
      if (typeof v === 'number') return v;
      throw new ExprfitError(
        'type',
        `'${name}' must be a number in the scope of evaluate, got ${describe(v)}`,
        { hints: [ARRAY_HINT] },
      );
    }
    return getConstant(name);
  };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (ArrayBuffer.isView(v)) return 'a typed array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const NODE_KINDS = new Set(['num', 'sym', 'unary', 'binary', 'call', 'str', 'array', 'index']);

/** An ExprfitError for something that is not an expression node (a string, a malformed object). */
function notANode(e: unknown): ExprfitError {
  if (typeof e === 'string') {
    return new ExprfitError('type', 'evaluate takes a parsed expression, not a string', {
      hints: [
        `parse it first: evaluate(parseExpr(${JSON.stringify(e.length > 40 ? e.slice(0, 37) + '...' : e)}), scope)`,
      ],
    });
  }
  let text: string;
  try {
    text = JSON.stringify(e) ?? String(e);
  } catch {
    text = String(e);
  }
  if (text.length > 80) text = text.slice(0, 77) + '...';
  return new ExprfitError('type', `evaluate: not an expression node: ${text}`, {
    hints: ['build expressions with parseExpr(text) or the builders in `build`'],
  });
}

/** Checks the fields the evaluator reads of a node (user-built trees may be malformed). */
function checkNode(e: Expr): void {
  if (e === null || typeof e !== 'object' || !NODE_KINDS.has((e as { kind?: unknown }).kind as string)) {
    throw notANode(e);
  }
  const bad =
    (e.kind === 'num' && typeof e.value !== 'number') ||
    (e.kind === 'sym' && typeof e.name !== 'string') ||
    (e.kind === 'unary' && !Object.hasOwn(UNARY_OPERATORS, e.op)) ||
    (e.kind === 'binary' && e.op !== '^' && !Object.hasOwn(BINARY_OPERATORS, e.op)) ||
    (e.kind === 'call' && (typeof e.fn !== 'string' || !Array.isArray(e.args)));
  if (bad) throw notANode(e);
}

/**
 * Evaluates `expr` with the names in `scope`. Errors (all `ExprfitError`, positioned): `unknown-name`,
 * `unknown-function`, `arity`, `type` (strings, arrays and indexing are not numbers), `usage` (recursive
 * user function).
 */
export function evaluate(
  expr: Expr,
  scope: Readonly<Record<string, number>> = {},
  userFunctions?: UserFunctions,
): number {
  const names = (): string[] => [...Object.keys(scope), 'pi', 'e'];
  const stack: string[] = [];

  const ev = (e: Expr, lookup: Lookup): number => {
    checkNode(e);
    switch (e.kind) {
      case 'num':
        return e.value;
      case 'sym': {
        const v = lookup(e.name);
        if (v === undefined) {
          throw new ExprfitError('unknown-name', `unknown name '${e.name}'`, {
            span: e.span,
            hints: hint(e.name, names()),
          });
        }
        return v;
      }
      case 'unary':
        return UNARY_OPERATORS[e.op].evaluate(ev(e.arg, lookup));
      case 'binary': {
        if (e.op === '^') return evaluatePower(ev(e.left, lookup), ev(e.right, lookup), e.right);
        return BINARY_OPERATORS[e.op].evaluate(ev(e.left, lookup), ev(e.right, lookup));
      }
      case 'call': {
        const user = userFunctions?.get(e.fn);
        const span = e.fnSpan ?? e.span;
        if (user) {
          if (user.params.length !== e.args.length) {
            throw new ExprfitError(
              'arity',
              `function '${e.fn}' takes ${user.params.length} argument${user.params.length === 1 ? '' : 's'}, got ${e.args.length}`,
              { span },
            );
          }
          if (stack.includes(e.fn) || stack.length >= MAX_CALL_DEPTH) {
            throw new ExprfitError('usage', `function '${e.fn}' calls itself; recursion is not allowed`, {
              span,
            });
          }
          const values = e.args.map((a) => ev(a, lookup));
          const local = new Map<string, number>();
          user.params.forEach((p, i) => local.set(p, values[i]));
          stack.push(e.fn);
          try {
            return ev(user.body, (name) => (local.has(name) ? local.get(name) : lookup(name)));
          } finally {
            stack.pop();
          }
        }
        const def = getFunction(e.fn);
        if (!def) {
          throw new ExprfitError('unknown-function', `unknown function '${e.fn}'`, {
            span,
            hints: hint(e.fn, [...functionNames(), ...(userFunctions?.keys() ?? [])]),
          });
        }
        if (!arityOk(def, e.args.length)) {
          throw new ExprfitError(
            'arity',
            `${def.name}() takes ${arityText(def)}, got ${e.args.length} (${def.help.signature})`,
            { span },
          );
        }
        if (e.fn === 'if') {
          // only the selected branch is evaluated
          return ev(e.args[0], lookup) !== 0 ? ev(e.args[1], lookup) : ev(e.args[2], lookup);
        }
        const args = e.args.map((a) => ev(a, lookup));
        return def.evaluate(...args);
      }
      case 'str':
        throw new ExprfitError('type', 'a string is not a number', { span: e.span });
      case 'array':
        throw new ExprfitError('type', 'an array is not a number here (a model expression is scalar)', {
          span: e.span,
          hints: [ARRAY_HINT],
        });
      case 'index':
        throw new ExprfitError('type', 'indexing is not allowed in a scalar expression', {
          span: e.span,
          hints: [ARRAY_HINT],
        });
      default:
        return assertNever(e); // unreachable: checkNode rejects unknown kinds
    }
  };
  return ev(expr, scopeLookup(scope));
}
