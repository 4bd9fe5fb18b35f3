/**
 * `exprfit eval 'EXPR' a=1 x=2` and `exprfit diff 'EXPR' NAME`. Scalar expressions take the fast path (parser
 * and the reference evaluator only); expressions with arrays, strings or array functions go through the
 * script evaluator, loaded on demand.
 */
import type { Expr } from '../ast/expr.ts';
import { printExpr } from '../ast/print.ts';
import { getFunction } from '../functions/registry.ts';
import { differentiate, evaluate } from '../symbolic/index.ts';
import { checkCalls, parseExpr } from '../syntax/index.ts';
import { ExprfitError } from '../syntax/span.ts';

const NAME = /^[\p{L}_][\p{L}\p{M}\p{Nd}_\u2080-\u2089]*$/u;

/** True when `e` uses only numbers, names, operators and builtin math functions. */
function isScalar(e: Expr): boolean {
  switch (e.kind) {
    case 'num':
    case 'sym':
      return true;
    case 'str':
    case 'array':
    case 'index':
      return false;
    case 'unary':
      return isScalar(e.arg);
    case 'binary':
      return isScalar(e.left) && isScalar(e.right);
    case 'call':
      return !!getFunction(e.fn) && e.args.every(isScalar);
  }
}

/** A number as `eval` prints it: the shortest text that reads back to the same double. */
export function formatFull(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

/** `name=value` arguments of `eval` (values may use earlier names). */
export function parseAssignments(args: readonly string[]): [string, string][] {
  return args.map((a) => {
    const i = a.indexOf('=');
    const name = i > 0 ? a.slice(0, i).trim() : '';
    if (i <= 0 || !NAME.test(name)) {
      throw new ExprfitError('usage', `expected name=value, got '${a}'`, {
        hints: ['e.g. exprfit eval "a*x^2" a=2 x=3'],
      });
    }
    return [name, a.slice(i + 1)];
  });
}

/** Evaluates `text` with the `name=value` assignments; returns the printed value. */
export async function evalCommand(text: string, assignments: readonly string[]): Promise<string> {
  const pairs = parseAssignments(assignments);
  const parsed = [...pairs.map(([, v]) => v), text].map((t) => ({
    text: t,
    expr: parseExpr(t, { checkCalls: false }),
  }));
  if (parsed.every((p) => isScalar(p.expr))) {
    const scope: Record<string, number> = {};
    for (let i = 0; i < parsed.length; i++) {
      const { text: t, expr } = parsed[i];
      checkCalls(expr, { source: { text: t } });
      const v = withSource(() => evaluate(expr, scope), t);
      if (i < pairs.length) scope[pairs[i][0]] = v;
      else return formatFull(v);
    }
  }
  // arrays and array functions: the script evaluator
  const { Interpreter, Evaluator, formatValue } = await import('../script/index.ts');
  const interp = new Interpreter();
  for (let i = 0; i < parsed.length; i++) {
    const { text: t, expr } = parsed[i];
    const ev = new Evaluator(interp.scope(process.cwd()), { text: t });
    const v = await ev.evaluate(expr);
    if (i < pairs.length) interp.variables.set(pairs[i][0], v);
    else return typeof v === 'number' ? formatFull(v) : formatValue(v);
  }
  return '';
}

function withSource<T>(f: () => T, text: string): T {
  try {
    return f();
  } catch (err) {
    throw err instanceof ExprfitError ? err.withSource({ text }) : err;
  }
}

/** The simplified derivative of `text` with respect to `name`, printed as an expression. */
export function diffCommand(text: string, name: string): string {
  if (!NAME.test(name)) {
    throw new ExprfitError('usage', `'${name}' is not a name to differentiate by`, {
      hints: ["e.g. exprfit diff 'a*exp(-k*t)' k"],
    });
  }
  const expr = parseExpr(text);
  return printExpr(withSource(() => differentiate(expr, name), text));
}
