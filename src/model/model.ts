/**
 * A model: one or more equations `lhs = expr` sharing parameters, with user functions inlined and
 * equations that use another equation's output (`y = a*x; z = y^2 + b`) expanded.
 */
import type { Expr } from '../ast/index.ts';
import { ExprfitError, type SourceSpan, type SourceText } from '../core/index.ts';
import { freeSymbols, inline, substitute } from '../symbolic/index.ts';
import { parseModel } from '../syntax/index.ts';
import { expandNamedModels, type NamedModelUse } from './named.ts';

/** The largest model tree accepted after user functions are inlined (guards against exponential blow-up). */
export const MAX_MODEL_NODES = 200_000;

/**
 * An upper estimate of the node count of `e` once user functions are inlined: a call of `g` counts the
 * size of g's (expanded) body plus, for each formal argument, its occurrences times the argument's size.
 * Computed without building the tree, so `f_i(u) = f_{i-1}(u)*f_{i-1}(u+1)` is refused before it explodes.
 */
export function expandedSize(e: Expr, fns: ReadonlyMap<string, { params: string[]; body: Expr }>): number {
  const memo = new Map<string, { size: number; occ: Map<string, number> }>();
  const stack = new Set<string>();
  const fnInfo = (name: string): { size: number; occ: Map<string, number> } | undefined => {
    const hit = memo.get(name);
    if (hit) return hit;
    const def = fns.get(name);
    if (!def || stack.has(name)) return undefined; // recursion is reported by inline()
    stack.add(name);
    const occ = new Map<string, number>();
    const size = walk(def.body, (n) => {
      if (def.params.includes(n)) occ.set(n, (occ.get(n) ?? 0) + 1);
    });
    stack.delete(name);
    const info = { size, occ };
    memo.set(name, info);
    return info;
  };
  const walk = (n: Expr, onSym: (name: string) => void): number => {
    switch (n.kind) {
      case 'num':
      case 'str':
        return 1;
      case 'sym':
        onSym(n.name);
        return 1;
      case 'unary':
        return 1 + walk(n.arg, onSym);
      case 'binary':
        return 1 + walk(n.left, onSym) + walk(n.right, onSym);
      case 'array':
        return 1 + n.items.reduce((s, it) => s + walk(it, onSym), 0);
      case 'index':
        return 1 + walk(n.target, onSym) + n.items.length;
      case 'call': {
        const argSizes = n.args.map((a) => walk(a, onSym));
        const info = fns.has(n.fn) ? fnInfo(n.fn) : undefined;
        if (!info) return 1 + argSizes.reduce((s, v) => s + v, 0);
        const def = fns.get(n.fn)!;
        let s = info.size;
        def.params.forEach((p, i) => {
          s += (info.occ.get(p) ?? 0) * Math.max(0, (argSizes[i] ?? 1) - 1);
        });
        return Math.min(s, Number.MAX_SAFE_INTEGER);
      }
    }
  };
  return walk(e, () => {});
}

export interface Equation {
  /** The dependent variable (the name whose data the equation is fitted to). */
  readonly lhs: string;
  /** The right-hand side as written (user functions inlined). */
  readonly rhs: Expr;
  /** The right-hand side with other equations' outputs substituted: a function of parameters and variables. */
  readonly expanded: Expr;
  readonly span?: SourceSpan;
}

export interface Model {
  readonly text: string;
  readonly source: SourceText;
  readonly equations: readonly Equation[];
  /** Every name the expanded equations use (parameters, variables and constants). */
  readonly names: ReadonlySet<string>;
  /** The named models the equations use (`gaussian(x; g1)`), for start guesses and derived parameters. */
  readonly namedModels?: readonly EquationModelUse[];
}

/** A named model's use in the equation of `lhs`. */
export interface EquationModelUse extends NamedModelUse {
  readonly lhs: string;
}

/** The equation's right side with its named models expanded; their uses appended to `uses`. */
export function expandEquationModels(
  lhs: string,
  rhs: Expr,
  uses: EquationModelUse[],
  isOtherFunction?: (name: string) => boolean,
): Expr {
  const expanded = expandNamedModels(rhs, isOtherFunction);
  for (const u of expanded.uses) uses.push({ ...u, lhs });
  return expanded.expr;
}

/** Parses model text (equations separated by newlines or `;`, user functions `g(u) = ...`). */
export function parseModelText(text: string, file?: string): Model {
  const source: SourceText = { text, file };
  let ast;
  try {
    ast = parseModel(text, file);
  } catch (e) {
    throw e instanceof ExprfitError ? e.withSource(source) : e;
  }
  const fns = new Map<string, { params: string[]; body: Expr }>();
  for (const f of ast.functions) fns.set(f.name, { params: [...f.params], body: f.body });
  if (ast.equations.length === 0) {
    throw new ExprfitError('syntax', 'the model has no equation (write one such as y = a*x + b)', { source });
  }
  const seen = new Set<string>();
  const uses: EquationModelUse[] = [];
  const raw = ast.equations.map((eq) => {
    if (seen.has(eq.lhs)) {
      throw new ExprfitError('syntax', `'${eq.lhs}' is defined by two equations`, { span: eq.span, source });
    }
    seen.add(eq.lhs);
    let rhs: Expr;
    const size = expandedSize(eq.rhs, fns);
    if (size > MAX_MODEL_NODES) {
      throw new ExprfitError(
        'value',
        `equation '${eq.lhs}' expands to about ${size.toExponential(1)} nodes after inlining user functions (the limit is ${MAX_MODEL_NODES}): simplify the functions or write the model out`,
        { span: eq.span, source },
      );
    }
    try {
      rhs = expandEquationModels(eq.lhs, inline(eq.rhs, fns), uses);
    } catch (e) {
      throw e instanceof ExprfitError ? e.withSource(source) : e;
    }
    return { lhs: eq.lhs, rhs, span: eq.span };
  });
  // Expand references to other equations' outputs, detecting cycles.
  const byLhs = new Map(raw.map((r) => [r.lhs, r]));
  const expanded = new Map<string, Expr>();
  const expand = (lhs: string, stack: string[]): Expr => {
    const done = expanded.get(lhs);
    if (done) return done;
    if (stack.includes(lhs)) {
      const eq = byLhs.get(lhs)!;
      throw new ExprfitError(
        'syntax',
        `equations refer to each other in a cycle: ${[...stack, lhs].join(' -> ')}`,
        {
          span: eq.span,
          source,
        },
      );
    }
    const eq = byLhs.get(lhs)!;
    const refs = [...freeSymbols(eq.rhs)].filter((n) => byLhs.has(n) && n !== lhs);
    const map = new Map<string, Expr>();
    for (const r of refs) map.set(r, expand(r, [...stack, lhs]));
    if (freeSymbols(eq.rhs).has(lhs)) {
      throw new ExprfitError('syntax', `equation '${lhs}' uses its own output on the right-hand side`, {
        span: eq.span,
        source,
      });
    }
    const e = map.size ? substitute(eq.rhs, map) : eq.rhs;
    expanded.set(lhs, e);
    return e;
  };
  const equations: Equation[] = raw.map((r) => ({ ...r, expanded: expand(r.lhs, []) }));
  const names = new Set<string>();
  for (const eq of equations) for (const n of freeSymbols(eq.expanded)) names.add(n);
  return { text, source, equations, names, ...(uses.length ? { namedModels: uses } : {}) };
}
