import { describe, expect, it } from 'vitest';
import {
  CONSTANTS,
  arityText,
  functionNames,
  getConstant,
  getFunction,
} from '../../src/functions/registry.ts';
import { R } from '../../src/functions/runtime.ts';
import { BINARY_OPERATORS, UNARY_OPERATORS, emitIntegerPower } from '../../src/functions/operators.ts';
import { evaluate } from '../../src/symbolic/evaluate.ts';
import { powInt } from '../../src/functions/runtime.ts';
import type { BinaryOp } from '../../src/ast/expr.ts';
import { parse } from '../symbolic/helpers.ts';
import { close } from '../helpers/arbitraryExpr.ts';

const REQUIRED = [
  'exp',
  'log',
  'ln',
  'log10',
  'log2',
  'log1p',
  'expm1',
  'sqrt',
  'cbrt',
  'abs',
  'sign',
  'sin',
  'cos',
  'tan',
  'asin',
  'acos',
  'atan',
  'atan2',
  'sinh',
  'cosh',
  'tanh',
  'asinh',
  'acosh',
  'atanh',
  'erf',
  'erfc',
  'gamma',
  'lgamma',
  'hypot',
  'min',
  'max',
  'pow',
  'floor',
  'ceil',
  'heaviside',
  'if',
  'digamma',
  'trigamma',
  'polygamma',
  'wofz_re',
  'wofz_im',
  'voigt',
  'erfcx',
  'besseli0',
  'besseli1',
  'besselj0',
  'besselj1',
  'gammainc',
  'gammaincc',
  'betainc',
  'expit',
  'logit',
  'sinc',
  'lgamma_re',
  'digamma_re',
  'digamma_im',
];

/** Special functions are accurate to a few ulp, not exact: their examples state the true (mpmath) value. */
const TOLERANCE: Record<string, number> = {
  digamma: 2e-15,
  polygamma: 2e-15,
  trigamma: 1e-15,
  gamma: 1e-15,
  erf: 5e-16,
  lgamma: 1e-15,
  besseli0: 1e-15,
  besseli1: 1e-15,
  besselj0: 2e-15,
  besselj1: 2e-15,
  betainc: 1e-15,
  erfcx: 5e-16,
  expit: 2e-16,
  gammainc: 2e-15,
  gammaincc: 2e-15,
  voigt: 1e-15,
  wofz_re: 2e-15,
  wofz_im: 2e-15,
  lgamma_re: 2e-14,
  digamma_re: 5e-15,
  digamma_im: 5e-15,
  trigamma_re: 5e-15,
  trigamma_im: 5e-15,
};

describe('builtin registry', () => {
  it('has every required builtin', () => {
    for (const name of REQUIRED) expect(getFunction(name), name).toBeDefined();
    expect(functionNames()).toEqual([...functionNames()].sort());
  });

  it('is safe for any name', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'prototype']) {
      expect(getFunction(name)).toBeUndefined();
      expect(getConstant(name)).toBeUndefined();
    }
    expect(CONSTANTS.pi).toBe(Math.PI);
    expect(CONSTANTS.e).toBe(Math.E);
  });

  it.each(functionNames())('%s has complete help', (name) => {
    const def = getFunction(name)!;
    expect(def.name).toBe(name);
    expect(def.help.signature).toMatch(new RegExp(`^${name}\\(`));
    expect(def.help.description.length).toBeGreaterThan(10);
    expect(def.help.examples.length).toBeGreaterThanOrEqual(2);
    expect(def.arity[0]).toBeLessThanOrEqual(def.arity[1]);
    expect(def.category).toBeTruthy();
  });

  describe.each(functionNames())('%s', (name) => {
    const def = getFunction(name)!;
    it.each(def.help.examples.map((ex) => [ex.expr, ex.value]))('example %s = %d', (expr, value) => {
      const v = evaluate(parse(expr as string), {});
      expect(close(v, value as number, TOLERANCE[name] ?? 0)).toBe(true);
    });

    it('emitted JavaScript agrees with the evaluator', () => {
      for (const ex of def.help.examples) {
        const e = parse(ex.expr);
        if (e.kind !== 'call' || e.fn !== name) continue;
        const args = e.args.map((a) => evaluate(a, {}));
        const names = args.map((_, i) => `a${i}`);
        const fn = new Function('R', ...names, `return ${def.emit(names)};`) as (...a: unknown[]) => number;
        expect(Object.is(fn(R, ...args), def.evaluate(...args))).toBe(true);
      }
    });
  });

  it('gives a readable arity text', () => {
    expect(arityText(getFunction('exp')!)).toBe('1 argument');
    expect(arityText(getFunction('atan2')!)).toBe('2 arguments');
    expect(arityText(getFunction('log')!)).toBe('1 to 2 arguments');
    expect(arityText(getFunction('max')!)).toBe('at least 2 arguments');
  });
});

describe('operators', () => {
  const pairs: [number, number][] = [
    [1, 2],
    [2, 1],
    [2, 2],
    [0, -0],
    [NaN, 1],
    [1, NaN],
    [0, 0],
    [-3, 0.5],
    [Infinity, 1],
  ];
  it.each(Object.keys(BINARY_OPERATORS))('%s: emitted code agrees with evaluate', (op) => {
    const def = BINARY_OPERATORS[op as BinaryOp];
    const fn = new Function('a', 'b', `return ${def.emit('a', 'b')};`) as (a: number, b: number) => number;
    for (const [a, b] of pairs) expect(Object.is(fn(a, b), def.evaluate(a, b))).toBe(true);
    // negative literal operands are legal fragments
    expect(() => new Function(`return ${def.emit('-1', '-2')};`)).not.toThrow();
  });

  it.each(Object.keys(UNARY_OPERATORS))('unary %s: emitted code agrees with evaluate', (op) => {
    const def = UNARY_OPERATORS[op as '-' | 'not'];
    const fn = new Function('a', `return ${def.emit('a')};`) as (a: number) => number;
    for (const a of [0, -0, 1, -2, NaN, Infinity]) expect(Object.is(fn(a), def.evaluate(a))).toBe(true);
    expect((new Function(`return ${def.emit('-1')};`) as () => number)()).toBe(def.evaluate(-1));
  });

  it.each([
    ['1 < 2', 1],
    ['2 < 1', 0],
    ['2 <= 2', 1],
    ['3 > 2', 1],
    ['2 >= 3', 0],
    ['2 == 2', 1],
    ['2 != 2', 0],
    ['2 and 3', 1],
    ['2 and 0', 0],
    ['0 or 0', 0],
    ['0 or -1', 1],
    ['not 0', 1],
    ['not 5', 0],
    ['(0/0) and 1', 1],
    ['not (0/0)', 0],
    ['(0/0) < 1', 0],
    ['(0/0) != 1', 1],
  ])('%s = %d (1/0 truth values; NaN is truthy)', (text, value) => {
    expect(evaluate(parse(text), {})).toBe(value);
  });

  it('integer powers: emitted multiplications match powInt bit for bit', () => {
    const xs = [0.1, -3.7, 1e-100, 1e100, 2, -0, 0, NaN, Infinity, -Infinity, 1.0000001];
    for (let n = -4; n <= 4; n++) {
      const code = emitIntegerPower('b', n)!;
      const fn = new Function('b', `return ${code};`) as (b: number) => number;
      for (const b of xs) expect(Object.is(fn(b), powInt(b, n)), `${b}^${n}`).toBe(true);
      for (const b of [0.1, -3.7, 2, 1.0000001])
        expect(close(powInt(b, n), Math.pow(b, n), 4e-16)).toBe(true);
    }
    expect(emitIntegerPower('b', 5)).toBeUndefined();
    expect(emitIntegerPower('b', 0.5)).toBeUndefined();
  });

  it('the evaluator multiplies for literal small integer exponents', () => {
    const b = 1.0000001;
    expect(evaluate(parse('x^3'), { x: b })).toBe(b * b * b);
    expect(evaluate(parse('x^-2'), { x: b })).toBe(1 / (b * b));
    expect(evaluate(parse('x^k'), { x: b, k: 3 })).toBe(Math.pow(b, 3));
  });
});
