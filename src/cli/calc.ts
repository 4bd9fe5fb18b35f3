/**
 * `exprfit eval 'EXPR' a=1 x=2` and `exprfit diff 'EXPR' NAME`. Scalar expressions take the fast path (parser
 * and the reference evaluator only); expressions with arrays, strings or array functions go through the
 * script evaluator, loaded on demand.
 */
import { type Expr, printExpr } from '../ast/index.ts';
import { ExprfitError } from '../core/index.ts';
import { getFunction } from '../functions/index.ts';
import { nameMap } from '../script/index.ts';
import { differentiate, evaluate } from '../symbolic/index.ts';
import { checkCalls, parseExpr } from '../syntax/index.ts';

const NAME = /^[\p{L}_][\p{L}\p{M}\p{Nd}_\u2080-\u2089]*$/u;

/**
 * The names a value of `eval` or `--set` can use besides the builtins' `pi` and `e`: `inf` and `nan`, as in
 * scripts. A fresh prototype-free map, so that assigned names such as `__proto__` are ordinary keys.
 */
export function numberScope(): Record<string, number> {
  return nameMap({ inf: Infinity, nan: NaN });
}

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

/**
 * `NAME=VALUE` arguments (`exprfit eval EXPR a=1 x=2`, `exprfit run --set A=100`) as [name, value text]
 * pairs. A malformed one is a usage error that quotes it: `label(arg)` names it (`argument 'a'`,
 * `--set a`), `hint` shows the right form.
 */
export function parseAssignments(
  args: readonly string[],
  label: (arg: string) => string = (a) => `argument '${a}'`,
  hint = 'write NAME=VALUE, e.g. exprfit eval "a*x^2" a=2 x=3',
): [string, string][] {
  const seen = new Set<string>();
  return args.map((arg) => {
    const i = arg.indexOf('=');
    const name = i >= 0 ? arg.slice(0, i).trim() : arg.trim();
    const value = i >= 0 ? arg.slice(i + 1) : '';
    const why =
      i < 0
        ? 'expected NAME=VALUE'
        : !name
          ? 'the name before = is missing'
          : !NAME.test(name)
            ? `'${name}' is not a name`
            : !value.trim()
              ? `no value after '${name}='`
              : undefined;
    if (why) throw new ExprfitError('usage', `${label(arg)}: ${why}`, { hints: [hint] });
    if (seen.has(name)) {
      throw new ExprfitError('usage', `${label(arg)}: '${name}' is given twice`, {
        hints: ['give each name once'],
      });
    }
    seen.add(name);
    return [name, value];
  });
}

/** An error of the `name=value` argument `arg`, naming it (with `value` as the caret's source). */
function assignmentError(arg: string, value: string, err: unknown): unknown {
  if (!(err instanceof ExprfitError)) return err;
  return err.withSource({ text: value }).withMessage((m) => `in argument '${arg}': ${m}`);
}

/** Runs `f`, naming the `name=value` argument in an error it throws. */
function inAssignment<T>(arg: string, value: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw assignmentError(arg, value, err);
  }
}

/** Evaluates `text` with the `name=value` assignments; returns the printed value. */
export async function evalCommand(text: string, assignments: readonly string[]): Promise<string> {
  const pairs = parseAssignments(assignments);
  const parsed = [...pairs.map(([, v]) => v), text].map((t, i) => ({
    text: t,
    expr:
      i < pairs.length
        ? inAssignment(assignments[i], t, () => parseExpr(t, { checkCalls: false }))
        : parseExpr(t, { checkCalls: false }),
  }));
  if (parsed.every((p) => isScalar(p.expr))) {
    const scope = numberScope();
    for (let i = 0; i < parsed.length; i++) {
      const { text: t, expr } = parsed[i];
      const run = (): number => {
        checkCalls(expr, { source: { text: t } });
        return withSource(() => evaluate(expr, scope), t);
      };
      const v = i < pairs.length ? inAssignment(assignments[i], t, run) : run();
      if (i < pairs.length) scope[pairs[i][0]] = v;
      else return formatFull(v);
    }
  }
  // arrays and array functions: the script evaluator
  const { Interpreter, Evaluator, formatValue } = await import('../script/node.ts');
  const interp = new Interpreter();
  for (let i = 0; i < parsed.length; i++) {
    const { text: t, expr } = parsed[i];
    const ev = new Evaluator(interp.scope(process.cwd()), { text: t });
    let v: Awaited<ReturnType<typeof ev.evaluate>>;
    try {
      v = await ev.evaluate(expr);
    } catch (err) {
      throw i < pairs.length ? assignmentError(assignments[i], t, err) : err;
    }
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
