import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cse } from '../../src/symbolic/cse.ts';
import { evaluate } from '../../src/symbolic/evaluate.ts';
import { differentiate } from '../../src/symbolic/differentiate.ts';
import { simplify } from '../../src/symbolic/simplify.ts';
import { freeSymbols } from '../../src/symbolic/transform.ts';
import { printExpr } from '../../src/ast/print.ts';
import type { Expr } from '../../src/ast/expr.ts';
import { ALL_TEST_FUNCTIONS, arbitraryExpr, arbitraryScope, close } from '../helpers/arbitraryExpr.ts';
import { SEED_MODELS, parse } from './helpers.ts';

/** Evaluates CSE outputs: temporaries in order, then the outputs. */
function evaluateCse(result: ReturnType<typeof cse>, scope: Record<string, number>): number[] {
  const s: Record<string, number> = { ...scope };
  for (const t of result.temps) s[t.name] = evaluate(t.expr, s);
  return result.outputs.map((o) => evaluate(o, s));
}

describe('cse', () => {
  it('shares repeated subexpressions across outputs', () => {
    const r = cse([parse('exp(-x^2)*a'), parse('exp(-x^2)*b + sin(x)'), parse('sin(x)')]);
    expect(r.temps.map((t) => `${t.name} = ${printExpr(t.expr)}`)).toEqual(['$0 = exp(-x^2)', '$1 = sin(x)']);
    expect(r.outputs.map(printExpr)).toEqual(['$0*a', '$0*b + $1', '$1']);
  });

  it('names temporaries in dependency order and never makes trivial ones', () => {
    const r = cse([parse('(x + 1)^2 + sqrt((x + 1)^2) + x + x + 2 + 2 + (-3) + (-3)')]);
    expect(r.temps.map((t) => `${t.name} = ${printExpr(t.expr)}`)).toEqual(['$0 = (x + 1)^2']);
    expect(r.outputs.map(printExpr)).toEqual(['$0 + sqrt($0) + x + x + 2 + 2 + -3 + -3']);
    const nested = cse([parse('f(g(h(x))) + g(h(x)) + h(x)'), parse('f(g(h(x)))')]);
    expect(nested.temps.map((t) => printExpr(t.expr))).toEqual(['h(x)', 'g($0)', 'f($1)']);
    for (const [i, t] of nested.temps.entries()) {
      expect(t.name).toBe(`$${i}`);
      for (const name of freeSymbols(t.expr))
        if (name.startsWith('$')) expect(Number(name.slice(1))).toBeLessThan(i);
    }
  });

  it('does not hoist children of a shared node that are used only through it', () => {
    const r = cse([parse('exp(a*b + c)'), parse('exp(a*b + c)')]);
    expect(r.temps.map((t) => printExpr(t.expr))).toEqual(['exp(a*b + c)']);
    expect(r.outputs.map(printExpr)).toEqual(['$0', '$0']);
  });

  it('handles empty input and leaves', () => {
    expect(cse([])).toEqual({ temps: [], outputs: [] });
    const r = cse([parse('x'), parse('2'), parse('x')]);
    expect(r.temps).toEqual([]);
    expect(r.outputs.map(printExpr)).toEqual(['x', '2', 'x']);
  });

  it.each(SEED_MODELS.map((m) => [m.name, m] as const))(
    '%s: value and all partials evaluate unchanged',
    (_n, m) => {
      const f = simplify(parse(m.expr));
      const params = Object.keys(m.params);
      const exprs: Expr[] = [f, ...params.map((p) => differentiate(f, p))];
      const r = cse(exprs);
      const vars = Object.keys(m.variables);
      for (let i = 0; i < m.variables[vars[0]].length; i++) {
        const scope: Record<string, number> = { ...m.params };
        for (const v of vars) scope[v] = m.variables[v][i];
        const want = exprs.map((e) => evaluate(e, scope));
        const got = evaluateCse(r, scope);
        got.forEach((g, k) => expect(close(g, want[k], 1e-15)).toBe(true));
      }
    },
  );

  it('rotated 2D Gaussian: the shared structure is found', () => {
    const m = SEED_MODELS.find((s) => s.name === 'gaussian-2d-rotated')!;
    const f = simplify(parse(m.expr));
    const r = cse([f, ...Object.keys(m.params).map((p) => differentiate(f, p))]);
    const temps = r.temps.map((t) => printExpr(t.expr));
    expect(temps).toContain('cos(theta)');
    expect(temps).toContain('x - x0');
    expect(temps.some((t) => t.startsWith('exp('))).toBe(true);
    expect(r.temps.length).toBeLessThan(20);
  });

  it('evaluating with temporaries equals evaluating the originals (property)', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryExpr({ functions: ALL_TEST_FUNCTIONS, logic: true, maxDepth: 4 }), {
          minLength: 1,
          maxLength: 4,
        }),
        arbitraryScope(),
        (exprs, scope) => {
          const r = cse(exprs);
          const got = evaluateCse(r, scope);
          exprs.forEach((e, i) =>
            expect(Object.is(got[i], evaluate(e, scope)) || got[i] === evaluate(e, scope)).toBe(true),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
