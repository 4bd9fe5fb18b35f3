/**
 * Named models in model text (`y = gaussian(x; g1) + linear(x)`): each call expanded into its formula (an
 * AST macro step before differentiation), its parameters prefixed like lmfit's (`g1_amplitude`), and every use
 * recorded for the start guesses, lmfit's parameter hints and the derived parameters (`g1_fwhm`).
 */
import { constantValue, type Expr, num, printExpr, sym } from '../ast/index.ts';
import { didYouMean, ExprfitError, type SourceSpan } from '../core/index.ts';
import { getFunction } from '../functions/index.ts';
import {
  getNamedModel,
  modelArity,
  modelSignature,
  namedModelCall,
  type NamedModelDef,
  namedModels,
} from '../models/index.ts';
import { mapChildren, substitute } from '../symbolic/index.ts';
import { parseExpr } from '../syntax/index.ts';

/** One call of a named model in an equation. */
export interface NamedModelUse {
  readonly def: NamedModelDef;
  /** `g1_` for `gaussian(x; g1)`, empty without a prefix. */
  readonly prefix: string;
  /** The argument expressions of the model's variables (`x`, or `x, y`). */
  readonly args: readonly Expr[];
  /** Prefixed names of the parameters the use has (a polynomial's up to its degree). */
  readonly params: readonly string[];
  /** The expanded formula. */
  readonly expr: Expr;
  /** True when the use is a term of the equation's top-level sum (`a + gaussian(x) + b`), found on the residual. */
  readonly additive: boolean;
  readonly span?: SourceSpan;
}

const FORMULAS = new Map<string, Expr>();

/** The formula of `def` parsed once, without source spans (they would point into another text). */
function formulaOf(def: NamedModelDef): Expr {
  let e = FORMULAS.get(def.name);
  if (!e) {
    e = withSpan(parseExpr(def.formula, { checkCalls: false }), undefined);
    FORMULAS.set(def.name, e);
  }
  return e;
}

/** `e` with every node's span set to `span` (errors inside an expanded model point at its call). */
function withSpan(e: Expr, span: SourceSpan | undefined): Expr {
  const { span: _old, ...rest } = mapChildren(e, (c) => withSpan(c, span));
  return (span ? { ...rest, span } : rest) as Expr;
}

/** A polynomial's degree argument: a whole number in 0..maxDegree. */
function degreeOf(def: NamedModelDef, arg: Expr, span?: SourceSpan): number {
  const d = constantValue(arg);
  if (d === undefined || !Number.isInteger(d) || d < 0 || d > def.maxDegree!) {
    throw new ExprfitError(
      'value',
      `the degree of ${def.name} must be a whole number from 0 to ${def.maxDegree}, got ${printExpr(arg)}`,
      { span: arg.span ?? span, hints: [`e.g. ${def.name}(x, 3)`] },
    );
  }
  return d;
}

/** Prefixed parameter names of a call (a polynomial's `c{k}` up to its degree). */
function paramsOf(def: NamedModelDef, prefix: string, degree: number | undefined): string[] {
  const names = degree === undefined ? def.params : def.params.slice(0, degree + 1);
  return names.map((p) => prefix + p);
}

/** A call of a named model as its formula in the call's arguments and prefixed parameters. */
function expandCall(
  e: Extract<Expr, { kind: 'call' }>,
  def: NamedModelDef,
  additive: boolean,
): NamedModelUse {
  if (e.args.length !== modelArity(def)) throw arityError(e, def);
  const prefix = e.prefix === undefined ? '' : `${e.prefix}_`;
  const args = e.args.slice(0, def.variables.length);
  const degree = def.maxDegree === undefined ? undefined : degreeOf(def, e.args[args.length], e.span);
  const map = new Map<string, Expr>([['pi', num(Math.PI)]]);
  def.variables.forEach((v, i) => map.set(v, args[i]));
  def.params.forEach((p, i) => map.set(p, degree !== undefined && i > degree ? num(0) : sym(prefix + p)));
  const expr = substitute(withSpan(formulaOf(def), e.span), map);
  return { def, prefix, args, params: paramsOf(def, prefix, degree), expr, additive, span: e.span };
}

/** Two uses in one equation with the same parameter names (`gaussian(x) + gaussian(x)`). */
function checkDistinct(uses: readonly NamedModelUse[]): void {
  const owner = new Map<string, NamedModelUse>();
  for (const u of uses) {
    for (const p of u.params) {
      const other = owner.get(p);
      if (other) {
        throw new ExprfitError(
          'value',
          `${other.def.name} and ${u.def.name} both have the parameter '${p}': give each its own prefix`,
          { span: u.span, hints: [`e.g. ${u.def.name}(${u.args.map(printExpr).join(', ')}; p2)`] },
        );
      }
      owner.set(p, u);
    }
  }
}

/**
 * `e` with its named-model calls expanded, and the uses in source order. Throws positioned errors for a bad
 * polynomial degree, a wrong argument count (unless `isOtherFunction` says the name is also another function,
 * such as the script's `gaussian2d(x, y, x0, y0, sx, sy)`) and two uses sharing parameter names.
 */
export function expandNamedModels(
  e: Expr,
  isOtherFunction: (name: string) => boolean = () => false,
): { expr: Expr; uses: NamedModelUse[] } {
  const uses: NamedModelUse[] = [];
  const go = (n: Expr, additive: boolean): Expr => {
    if (n.kind === 'binary' && (n.op === '+' || n.op === '-')) {
      const left = go(n.left, additive);
      const right = go(n.right, additive && n.op === '+');
      return left === n.left && right === n.right ? n : { ...n, left, right };
    }
    const m = mapChildren(n, (c) => go(c, false));
    if (m.kind !== 'call') return m;
    const def = namedModelCall(m.fn, m.args.length, m.prefix !== undefined);
    if (!def && m.prefix !== undefined) throw notAModel(m);
    const model = getNamedModel(m.fn);
    if (!def && model && !getFunction(m.fn) && !isOtherFunction(m.fn)) throw arityError(m, model);
    if (!def) return m;
    const use = expandCall(m, def, additive);
    uses.push(use);
    return use.expr;
  };
  const expr = go(e, true);
  checkDistinct(uses);
  return { expr, uses };
}

/** A hint's or derived parameter's expression (unprefixed names) in the prefixed names of `use`. */
export function prefixedText(text: string, use: NamedModelUse): string {
  if (use.prefix === '') return text;
  const map = new Map(use.def.params.map((p) => [p, sym(use.prefix + p)]));
  return printExpr(substitute(parseExpr(text, { checkCalls: false }), map));
}

/** Every parameter name a use of `def` with `prefix` (`g1_`) may have, derived parameters included (`g1_fwhm`). */
export function modelParamNames(def: NamedModelDef, prefix: string): string[] {
  return [...def.params, ...Object.keys(def.derived ?? {})].map((n) => prefix + n);
}

/** `exp(x; a)`, `gausian(x; a)`: a prefix on a call of no named model. */
export function notAModel(e: Extract<Expr, { kind: 'call' }>): ExprfitError {
  const hint = didYouMean(
    e.fn,
    namedModels().map((m) => m.name),
  );
  return new ExprfitError(
    'unknown-function',
    `'${e.fn}' is not a named model: only named models take a prefix (after ';')`,
    {
      span: e.fnSpan ?? e.span,
      hints: [hint ?? 'the named models are listed in docs/models.md, e.g. gaussian(x; g1)'],
    },
  );
}

/** A named model called with the wrong number of arguments. */
function arityError(e: Extract<Expr, { kind: 'call' }>, def: NamedModelDef): ExprfitError {
  const n = modelArity(def);
  const given = e.args.length === 1 ? '1 was' : `${e.args.length} were`;
  return new ExprfitError(
    'arity',
    `model '${def.name}' takes ${n} argument${n === 1 ? '' : 's'}, but ${given} given`,
    {
      span: e.fnSpan ?? e.span,
      hints: [`usage: ${modelSignature(def)}`],
    },
  );
}
