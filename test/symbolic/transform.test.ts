import { describe, expect, it } from 'vitest';
import {
  dependsOn,
  freeSymbols,
  inline,
  substitute,
  type UserFunction,
} from '../../src/symbolic/transform.ts';
import { exprEquals } from '../../src/ast/hash.ts';
import { sym } from '../../src/ast/build.ts';
import { printExpr } from '../../src/ast/print.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { parse } from './helpers.ts';

describe('freeSymbols and dependsOn', () => {
  it('lists names, not function names', () => {
    expect([...freeSymbols(parse('A*exp(-x/tau) + pi*f(y)'))].sort()).toEqual(['A', 'pi', 'tau', 'x', 'y']);
    const e = parse('A*exp(-x/tau)');
    expect(dependsOn(e, 'tau')).toBe(true);
    expect(dependsOn(e, 'exp')).toBe(false);
    expect(dependsOn(e, 'B')).toBe(false);
  });
});

describe('substitute', () => {
  it('replaces simultaneously and shares untouched subtrees', () => {
    const e = parse('x*y + exp(z)');
    const out = substitute(
      e,
      new Map([
        ['x', sym('y')],
        ['y', sym('x')],
      ]),
    );
    expect(printExpr(out)).toBe('y*x + exp(z)');
    expect(out.kind === 'binary' && e.kind === 'binary' && out.right === e.right).toBe(true);
    expect(substitute(e, new Map())).toBe(e);
  });
});

describe('inline', () => {
  const fns = new Map<string, UserFunction>([
    ['g', { params: ['u', 's'], body: parse('exp(-u^2/(2*s^2))') }],
    ['h', { params: ['x'], body: parse('A*g(x - x0, w)') }],
    ['swap', { params: ['a', 'b'], body: parse('a - b') }],
  ]);

  it('expands nested user functions', () => {
    expect(printExpr(inline(parse('h(x) + c'), fns))).toBe('A*exp(-(x - x0)^2/(2*w^2)) + c');
    expect(exprEquals(inline(parse('swap(b, a)'), fns), parse('b - a'))).toBe(true);
    expect(exprEquals(inline(parse('g(g(x, 1), s)'), fns), parse('exp(-exp(-x^2/(2*1^2))^2/(2*s^2))'))).toBe(
      true,
    );
  });

  it('leaves builtins alone and checks arity', () => {
    expect(exprEquals(inline(parse('exp(x)'), fns), parse('exp(x)'))).toBe(true);
    const err = (() => {
      try {
        inline(parse('1 + g(x)'), fns);
      } catch (e) {
        return e as ExprfitError;
      }
    })();
    expect(err?.code).toBe('arity');
    expect(err?.span?.column).toBe(5);
  });

  it('rejects recursion, direct or indirect', () => {
    const rec = new Map<string, UserFunction>([
      ['f', { params: ['x'], body: parse('x + g(x)') }],
      ['g', { params: ['x'], body: parse('f(x/2)') }],
      ['self', { params: ['x'], body: parse('self(x)') }],
    ]);
    expect(() => inline(parse('f(1)'), rec)).toThrow(/f -> g -> f/);
    expect(() => inline(parse('self(1)'), rec)).toThrow(ExprfitError);
  });
});
