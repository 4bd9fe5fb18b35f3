/**
 * The symbolic half of kernel compilation: checks a model expression against its spec (unknown names,
 * script-only nodes, unknown functions, arity), substitutes constants, differentiates, simplifies and runs
 * CSE over the value and all partial derivatives at once. The result is shape-independent; plan.ts turns it
 * into loop nests for one broadcast pattern.
 */
import { assertNever, binary, call, constantValue, type Expr, ExprMap, num, unary } from '../ast/index.ts';
import { didYouMean, ExprfitError } from '../core/index.ts';
import { arityOk, arityText, functionNames, getConstant } from '../functions/index.ts';
import { cse, differentiate, simplify } from '../symbolic/index.ts';
import type { NormalizedSpec, Role, SymbolicProgram } from './roles.ts';
import { OBSERVED_SYM, WEIGHTS_SYM, builtin } from './roles.ts';

/** Which names a model uses and how: see {@link compileModel}. */
export interface ModelSpec {
  /** Fitted parameters: differentiated, Jacobian columns in this order. */
  readonly params: readonly string[];
  /** Values supplied at call time but not differentiated. */
  readonly fixed?: readonly string[];
  /** Data arrays (bound with `kernel.bind`). */
  readonly variables: readonly string[];
}

export function normalizeSpec(spec: ModelSpec): NormalizedSpec {
  if (spec === null || typeof spec !== 'object')
    throw new ExprfitError('usage', 'model spec must be an object');
  const lists: [string, readonly string[] | undefined][] = [
    ['params', spec.params],
    ['fixed', spec.fixed ?? []],
    ['variables', spec.variables],
  ];
  const seen = new Map<string, string>();
  for (const [what, list] of lists) {
    if (!Array.isArray(list))
      throw new ExprfitError('usage', `model spec: ${what} must be an array of names`);
    for (const n of list) {
      if (typeof n !== 'string' || n.length === 0) {
        throw new ExprfitError('usage', `model spec: ${what} must contain non-empty names`);
      }
      if (n.startsWith('$'))
        throw new ExprfitError('usage', `model spec: name '${n}' may not start with '$'`);
      const prev = seen.get(n);
      if (prev !== undefined) {
        throw new ExprfitError('usage', `'${n}' is listed twice (in ${prev} and ${what})`);
      }
      seen.set(n, what);
    }
  }
  return {
    params: Object.freeze([...spec.params]),
    fixed: Object.freeze([...(spec.fixed ?? [])]),
    variables: Object.freeze([...spec.variables]),
  };
}

function rolesOf(spec: NormalizedSpec): Map<string, Role> {
  const roles = new Map<string, Role>();
  spec.params.forEach((n, index) => roles.set(n, { kind: 'param', index }));
  spec.fixed.forEach((n, index) => roles.set(n, { kind: 'fixed', index }));
  spec.variables.forEach((n, index) => roles.set(n, { kind: 'variable', index }));
  return roles;
}

function nameList(spec: NormalizedSpec): string {
  const all = [...spec.params, ...spec.fixed, ...spec.variables];
  return all.length ? all.map((n) => `'${n}'`).join(', ') : 'none';
}

/**
 * Checks an expression for compilation and substitutes the constants `pi`/`e` (unless shadowed by a spec
 * name). Throws positioned `ExprfitError`s: `unknown-name`, `unknown-function`, `arity`, `type`.
 */
export function checkAndSubstitute(expr: Expr, spec: NormalizedSpec): Expr {
  const roles = rolesOf(spec);
  const walk = (e: Expr): Expr => {
    switch (e.kind) {
      case 'num':
        if (typeof e.value !== 'number')
          throw new ExprfitError('type', 'a number literal must be a number', { span: e.span });
        return e;
      case 'sym': {
        if (roles.has(e.name)) return e;
        const c = getConstant(e.name);
        if (c !== undefined) return num(c, e.span);
        const guess = didYouMean(e.name, [...roles.keys(), 'pi', 'e']);
        throw new ExprfitError('unknown-name', `unknown name '${e.name}'`, {
          span: e.span,
          hints: guess ? [guess] : [`known names: ${nameList(spec)}`],
        });
      }
      case 'unary': {
        if (e.op !== '-' && e.op !== 'not')
          throw new ExprfitError('syntax', `unknown operator`, { span: e.span });
        const a = walk(e.arg);
        return a === e.arg ? e : unary(e.op, a, e.span);
      }
      case 'binary': {
        if (!BINARY_OPS.has(e.op)) throw new ExprfitError('syntax', `unknown operator`, { span: e.span });
        const l = walk(e.left);
        const r = walk(e.right);
        return l === e.left && r === e.right ? e : binary(e.op, l, r, e.span);
      }
      case 'call': {
        const def = builtin(e.fn);
        if (!def) {
          const guess = didYouMean(e.fn, functionNames());
          throw new ExprfitError('unknown-function', `unknown function '${e.fn}'`, {
            span: e.fnSpan ?? e.span,
            hints: guess ? [guess] : [],
          });
        }
        if (!arityOk(def, e.args.length)) {
          throw new ExprfitError('arity', `${def.name} takes ${arityText(def)}, got ${e.args.length}`, {
            span: e.span,
            hints: [`usage: ${def.help.signature}`],
          });
        }
        const args = e.args.map(walk);
        return args.every((a, i) => a === e.args[i]) ? e : call(e.fn, args, e.span, e.fnSpan);
      }
      case 'str':
        throw new ExprfitError('type', 'a string cannot be used in a model expression', { span: e.span });
      case 'array':
        throw new ExprfitError('type', 'an array literal cannot be used in a model expression', {
          span: e.span,
        });
      case 'index':
        throw new ExprfitError('type', 'indexing cannot be used in a model expression', { span: e.span });
      default:
        return assertNever(e);
    }
  };
  return walk(expr);
}

/** Is `e` expensive enough that value and derivatives must not compute it twice? */
function costly(e: Expr): boolean {
  if (e.kind === 'call') return true;
  if (e.kind !== 'binary') return false;
  if (e.op === '/') return true;
  if (e.op !== '^') return false;
  const n = constantValue(e.right);
  return n === undefined || !Number.isInteger(n) || Math.abs(n) > 4;
}

/**
 * The value is compiled as written (so it follows the reference evaluator's operation order), while the
 * derivatives come out of `simplify`, whose canonical forms differ: `A*exp(-(...))` differentiates to terms
 * with `exp(<simplified exponent>)`. To compute such costly subexpressions once, every costly node of the
 * value is keyed by its simplified form, and the derivatives' occurrences of that form are replaced by the
 * value's node (CSE then shares it). The replacement is equal up to rounding.
 */
function shareWithValue(value: Expr, derivs: readonly Expr[]): Expr[] {
  if (derivs.length === 0) return [];
  const byForm = new ExprMap<Expr>();
  const seen = new Set<Expr>();
  const collect = (e: Expr): void => {
    if (seen.has(e)) return;
    seen.add(e);
    forEachChild(e, collect);
    if (costly(e)) {
      const form = simplify(e);
      if (!byForm.get(form)) byForm.set(form, e);
    }
  };
  collect(value);
  if (byForm.size === 0) return [...derivs];
  const memo = new Map<Expr, Expr>();
  const rewrite = (e: Expr): Expr => {
    const hit = memo.get(e);
    if (hit) return hit;
    let r: Expr = e;
    if (costly(e)) r = byForm.get(e) ?? e;
    if (r === e) {
      if (e.kind === 'unary') {
        const a = rewrite(e.arg);
        if (a !== e.arg) r = unary(e.op, a, e.span);
      } else if (e.kind === 'binary') {
        const l = rewrite(e.left);
        const rr = rewrite(e.right);
        if (l !== e.left || rr !== e.right) r = binary(e.op, l, rr, e.span);
      } else if (e.kind === 'call') {
        const args = e.args.map(rewrite);
        if (args.some((a, i) => a !== e.args[i])) r = call(e.fn, args, e.span, e.fnSpan);
      }
    }
    memo.set(e, r);
    return r;
  };
  return derivs.map(rewrite);
}

function forEachChild(e: Expr, f: (c: Expr) => void): void {
  if (e.kind === 'unary') f(e.arg);
  else if (e.kind === 'binary') {
    f(e.left);
    f(e.right);
  } else if (e.kind === 'call') e.args.forEach(f);
}

const BINARY_OPS = new Set(['+', '-', '*', '/', '^', '<', '<=', '>', '>=', '==', '!=', 'and', 'or']);

/**
 * Runs the symbolic pipeline. With `derivatives`, the outputs are the value and the partial derivative for
 * each param (differentiated, simplified), all CSE'd together.
 */
export function buildProgram(expr: Expr, specIn: ModelSpec, derivatives: boolean): SymbolicProgram {
  const spec = normalizeSpec(specIn);
  const checked = checkAndSubstitute(expr, spec);
  const derivs = derivatives ? spec.params.map((p) => differentiate(checked, p)) : [];
  const { temps, outputs } = cse([checked, ...shareWithValue(checked, derivs)]);
  const roles = rolesOf(spec);
  temps.forEach((t: { name: string }, index: number) => {
    if (!t.name.startsWith('$')) throw new Error(`internal: CSE temp name ${t.name} without '$'`);
    roles.set(t.name, { kind: 'temp', index });
  });
  roles.set(OBSERVED_SYM, { kind: 'observed' });
  roles.set(WEIGHTS_SYM, { kind: 'weights' });
  return { spec, roles, temps, outputs, derivatives: derivs, expr: checked };
}
