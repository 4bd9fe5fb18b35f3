import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExprMap, compareExpr, exprEquals, hashExpr } from '../../src/ast/hash.ts';
import { num, sym } from '../../src/ast/build.ts';
import { arbitraryExpr } from '../helpers/arbitraryExpr.ts';
import { parse } from '../symbolic/helpers.ts';

function clone<T>(x: T): T {
  return JSON.parse(
    JSON.stringify(x, (_k, v) => (v === Infinity ? 'INF' : v)),
    (_k, v) => (v === 'INF' ? Infinity : v),
  );
}

describe('structural hash and equality', () => {
  it('ignore spans', () => {
    const a = parse('A*exp(-(x - x0)^2/(2*s^2))');
    const b = parse('A * exp( -(x-x0)^2 / (2*s^2) )');
    expect(a.span).not.toEqual(b.span);
    expect(exprEquals(a, b)).toBe(true);
    expect(hashExpr(a)).toBe(hashExpr(b));
    expect(compareExpr(a, b)).toBe(0);
  });

  it.each([
    ['x + y', 'y + x'],
    ['x - y', 'x + y'],
    ['f(x, y)', 'f(y, x)'],
    ['f(x)', 'g(x)'],
    ['2', '3'],
    ['x^2', 'x^3'],
    ['-x', 'not x'],
    ['x < y', 'x <= y'],
  ])('distinguish %s and %s', (a, b) => {
    expect(exprEquals(parse(a), parse(b))).toBe(false);
    expect(compareExpr(parse(a), parse(b))).not.toBe(0);
    expect(Math.sign(compareExpr(parse(a), parse(b))) + Math.sign(compareExpr(parse(b), parse(a)))).toBe(0);
  });

  it('compare numbers with Object.is semantics', () => {
    expect(exprEquals(num(NaN), num(NaN))).toBe(true);
    expect(exprEquals(num(0), num(-0))).toBe(false);
    expect(hashExpr(num(0))).not.toBe(hashExpr(num(-0)));
  });

  it('orders numbers before names before calls', () => {
    const xs = [parse('f(x)'), sym('b'), num(2), sym('a'), num(1)].sort(compareExpr);
    expect(xs).toEqual(
      [num(1), num(2), sym('a'), sym('b'), parse('f(x)')].map((e) => expect.objectContaining(e)),
    );
  });

  it('hash and equality agree on random trees (property)', () => {
    fc.assert(
      fc.property(arbitraryExpr({ logic: true }), arbitraryExpr({ logic: true }), (a, b) => {
        const c = clone(a);
        expect(exprEquals(a, c)).toBe(true);
        expect(hashExpr(a)).toBe(hashExpr(c));
        expect(compareExpr(a, c)).toBe(0);
        const eq = exprEquals(a, b);
        expect(compareExpr(a, b) === 0).toBe(eq);
        if (eq) expect(hashExpr(a)).toBe(hashExpr(b));
        expect(Math.sign(compareExpr(a, b)) + Math.sign(compareExpr(b, a))).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('ExprMap finds structurally equal keys', () => {
    const m = new ExprMap<number>();
    m.set(parse('x + 1'), 1);
    m.set(parse('exp(y)'), 2);
    expect(m.get(parse('x+1'))).toBe(1);
    expect(m.get(parse('exp( y )'))).toBe(2);
    expect(m.get(parse('x + 2'))).toBeUndefined();
    m.set(parse('x + 1'), 3);
    expect(m.size).toBe(2);
    expect(m.get(parse('x + 1'))).toBe(3);
    expect(m.has(parse('exp(y)'))).toBe(true);
  });
});
