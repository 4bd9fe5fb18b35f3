import { describe, expect, it } from 'vitest';
import {
  add,
  call,
  constant,
  constantValue,
  div,
  foldNegativeLiterals,
  mul,
  neg,
  num,
  pow,
  product,
  sub,
  sum,
  sym,
} from '../../src/ast/build.ts';
import { spanAt } from '../../src/core/errors.ts';

describe('builders', () => {
  it('build plain nodes without a span property unless given', () => {
    expect(num(2)).toStrictEqual({ kind: 'num', value: 2 });
    expect('span' in sym('x')).toBe(false);
    const span = spanAt('x + 1', 0, 1);
    expect(sym('x', span).span).toBe(span);
    expect(add(sym('x'), num(1))).toStrictEqual({
      kind: 'binary',
      op: '+',
      left: { kind: 'sym', name: 'x' },
      right: { kind: 'num', value: 1 },
    });
    expect(call('exp', [sym('x')])).toStrictEqual({
      kind: 'call',
      fn: 'exp',
      args: [{ kind: 'sym', name: 'x' }],
    });
  });

  it.each([
    [2, { kind: 'num', value: 2 }],
    [0, { kind: 'num', value: 0 }],
    [-2, { kind: 'unary', op: '-', arg: { kind: 'num', value: 2 } }],
    [-0, { kind: 'unary', op: '-', arg: { kind: 'num', value: 0 } }],
  ])('constant(%d) is canonical', (v, tree) => {
    expect(constant(v)).toStrictEqual(tree);
    expect(Object.is(constantValue(constant(v)), v)).toBe(true);
  });

  it('constantValue reads numbers and negated numbers only', () => {
    expect(constantValue(neg(neg(num(3))))).toBe(3);
    expect(constantValue(sym('x'))).toBeUndefined();
    expect(constantValue(add(num(1), num(2)))).toBeUndefined();
  });

  it('sum and product associate to the left', () => {
    expect(sum([sym('a'), sym('b'), sym('c')])).toStrictEqual(add(add(sym('a'), sym('b')), sym('c')));
    expect(product([sym('a'), sym('b'), sym('c')])).toStrictEqual(mul(mul(sym('a'), sym('b')), sym('c')));
    expect(sum([])).toStrictEqual(num(0));
    expect(product([])).toStrictEqual(num(1));
  });

  it('foldNegativeLiterals turns -(2) into the literal -2', () => {
    const e = sub(neg(num(2)), div(sym('x'), pow(neg(num(3)), num(2))));
    expect(foldNegativeLiterals(e)).toStrictEqual(sub(num(-2), div(sym('x'), pow(num(-3), num(2)))));
  });
});
