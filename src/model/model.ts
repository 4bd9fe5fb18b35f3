/**
 * A model: one or more equations `lhs = expr` sharing parameters, with user functions inlined and
 * equations that use another equation's output (`y = a*x; z = y^2 + b`) expanded.
 */
import type { Expr } from '../ast/expr.ts';
import { parseModel } from '../syntax/index.ts';
import type { SourceSpan, SourceText } from '../syntax/span.ts';
import { ExprfitError } from '../syntax/span.ts';
import { freeSymbols, inline, substitute } from '../symbolic/index.ts';

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
  const raw = ast.equations.map((eq) => {
    if (seen.has(eq.lhs)) {
      throw new ExprfitError('syntax', `'${eq.lhs}' is defined by two equations`, { span: eq.span, source });
    }
    seen.add(eq.lhs);
    let rhs: Expr;
    try {
      rhs = inline(eq.rhs, fns);
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
  return { text, source, equations, names };
}
