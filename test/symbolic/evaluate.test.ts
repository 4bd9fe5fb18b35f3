import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/symbolic/evaluate.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { array, call, num, str, sym } from '../../src/ast/build.ts';
import type { UserFunction } from '../../src/symbolic/transform.ts';
import { parse } from './helpers.ts';

function errorOf(f: () => unknown): ExprfitError {
  try {
    f();
  } catch (e) {
    if (e instanceof ExprfitError) return e;
    throw e;
  }
  throw new Error('expected an ExprfitError');
}

describe('evaluate', () => {
  it.each([
    ['1 + 2*3', {}, 7],
    ['-x^2', { x: 3 }, -9],
    ['(-x)^2', { x: 3 }, 9],
    ['2^-x^2', { x: 1 }, 0.5],
    ['2^3^2', {}, 512],
    ['a/b/c', { a: 8, b: 2, c: 2 }, 2],
    ['pi', {}, Math.PI],
    ['e', {}, Math.E],
    ['e', { e: 2 }, 2],
    ['pi*r^2', { r: 2, pi: 3 }, 12],
    ['if(x > 0, sqrt(x), -x)', { x: 4 }, 2],
    ['if(x > 0, sqrt(x), -x)', { x: -4 }, 4],
    ['x < 1 and y < 1', { x: 0, y: 2 }, 0],
    ['not x', { x: 0 }, 1],
    ['min(3, x, 2)', { x: 2.5 }, 2],
    ['hypot(3, 4) + hypot(1, 2, 2)', {}, 8],
  ] as [string, Record<string, number>, number][])('%s with %o = %d', (text, scope, value) => {
    expect(evaluate(parse(text), scope)).toBeCloseTo(value, 14);
  });

  it('evaluates only the selected branch of if', () => {
    const fns = new Map<string, UserFunction>([['boom', { params: ['u'], body: sym('undefined_name') }]]);
    expect(evaluate(parse('if(1, 2, boom(1))'), {}, fns)).toBe(2);
    expect(() => evaluate(parse('if(0, 2, boom(1))'), {}, fns)).toThrow(ExprfitError);
  });

  it('treats scope names as own properties only', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype', 'valueOf']) {
      expect(errorOf(() => evaluate(sym(name), {})).code).toBe('unknown-name');
      const scope = Object.fromEntries([[name, 5]]) as Record<string, number>;
      expect(evaluate(sym(name), scope)).toBe(5);
    }
  });

  it('reports unknown names with their span and a hint', () => {
    const err = errorOf(() => evaluate(parse('amp*exp(-x)'), { ampl: 1, x: 0 }));
    expect(err.code).toBe('unknown-name');
    expect(err.span?.column).toBe(1);
    expect(err.hints).toEqual(["did you mean 'ampl'?"]);
  });

  it('reports unknown functions and wrong arity with positions', () => {
    const err = errorOf(() => evaluate(parse('1 + epx(x)'), { x: 1 }));
    expect(err.code).toBe('unknown-function');
    expect(err.span?.column).toBe(5);
    expect(err.hints).toEqual(["did you mean 'exp'?"]);
    expect(errorOf(() => evaluate(call('exp', [num(1), num(2)]), {})).code).toBe('arity');
    expect(errorOf(() => evaluate(call('max', [num(1)]), {})).code).toBe('arity');
  });

  it('rejects script-only values', () => {
    expect(errorOf(() => evaluate(str('a.csv'), {})).code).toBe('type');
    expect(errorOf(() => evaluate(array([num(1)]), {})).code).toBe('type');
    expect(errorOf(() => evaluate(parse('a[1]'), { a: 1 })).code).toBe('type');
  });

  it('script-only values point to evaluateArray', () => {
    const err = errorOf(() => evaluate(parse('[1, 2] + x'), { x: 1 }));
    expect(err.message).toMatch(/an array is not a number here/);
    expect(err.hints.join()).toMatch(/evaluateArray/);
  });

  it.each([
    [
      'a string',
      () => evaluate('x + 1' as never, { x: 1 }),
      /^evaluate takes a parsed expression, not a string/,
    ],
    [
      'an unknown node kind',
      () => evaluate({ kind: 'matrix' } as never),
      /^evaluate: not an expression node: \{"kind":"matrix"\}/,
    ],
    ['null', () => evaluate(null as never), /not an expression node: null/],
    ['undefined', () => evaluate(undefined as never), /not an expression node: undefined/],
    [
      'a node with an unknown operator',
      () => evaluate({ kind: 'binary', op: '%', left: num(1), right: num(2) } as never),
      /not an expression node/,
    ],
    [
      'a unary node with an unknown operator',
      () => evaluate({ kind: 'unary', op: '!', arg: num(1) } as never),
      /not an expression node/,
    ],
    [
      'a call without arguments',
      () => evaluate({ kind: 'call', fn: 'exp' } as never),
      /not an expression node/,
    ],
    [
      'a number node holding a string',
      () => evaluate({ kind: 'num', value: '1' } as never),
      /not an expression node/,
    ],
    [
      'a nested bad node',
      () => evaluate(call('exp', [{ kind: 'foo' } as never]), {}),
      /not an expression node: \{"kind":"foo"\}/,
    ],
    [
      'an array in the scope',
      () => evaluate(sym('x'), { x: [1, 2] } as never),
      /^'x' must be a number in the scope of evaluate, got an array/,
    ],
    [
      'a typed array in the scope',
      () => evaluate(sym('x'), { x: new Float64Array(2) } as never),
      /got a typed array/,
    ],
    ['a string in the scope', () => evaluate(sym('x'), { x: '2' } as never), /got a string/],
  ])('rejects %s with an ExprfitError (not a plain Error or TypeError)', (_what, f, msg) => {
    const err = errorOf(f);
    expect(err.code).toBe('type');
    expect(err.message).toMatch(msg);
  });

  it('a scope entry that is undefined counts as absent', () => {
    expect(errorOf(() => evaluate(sym('x'), { x: undefined } as never)).code).toBe('unknown-name');
    expect(evaluate(sym('pi'), { pi: undefined } as never)).toBe(Math.PI);
  });

  it('calls user functions with their own parameters, other names from the caller', () => {
    const fns = new Map<string, UserFunction>([
      ['g', { params: ['u', 's'], body: parse('exp(-u^2/(2*s^2))*k') }],
      ['h', { params: ['x'], body: parse('g(x, 2) + x') }],
    ]);
    expect(evaluate(parse('h(u)'), { u: 1, k: 3, x: 100 }, fns)).toBeCloseTo(3 * Math.exp(-1 / 8) + 1, 14);
    expect(errorOf(() => evaluate(parse('g(1)'), {}, fns)).code).toBe('arity');
  });

  it('detects recursion', () => {
    const fns = new Map<string, UserFunction>([
      ['f', { params: ['x'], body: parse('g(x) + 1') }],
      ['g', { params: ['x'], body: parse('f(x)') }],
    ]);
    const err = errorOf(() => evaluate(parse('f(1)'), {}, fns));
    expect(err.code).toBe('usage');
    expect(err.message).toMatch(/recursion/);
  });
});
