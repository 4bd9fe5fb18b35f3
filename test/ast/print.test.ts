import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { printExpr, formatNumber } from '../../src/ast/print.ts';
import {
  add,
  array,
  call,
  constant,
  div,
  foldNegativeLiterals,
  index,
  mul,
  neg,
  not,
  num,
  pow,
  str,
  sub,
  sym,
  binary,
} from '../../src/ast/build.ts';
import { exprEquals } from '../../src/ast/hash.ts';
import { parseExpr } from '../../src/syntax/index.ts';
import { arbitraryExpr, ALL_TEST_FUNCTIONS } from '../helpers/arbitraryExpr.ts';
import { parse } from '../symbolic/helpers.ts';

const x = sym('x');
const y = sym('y');
const z = sym('z');

describe('printExpr', () => {
  it.each([
    [add(add(x, y), z), 'x + y + z'],
    [add(x, add(y, z)), 'x + (y + z)'],
    [sub(x, sub(y, z)), 'x - (y - z)'],
    [sub(sub(x, y), z), 'x - y - z'],
    [mul(add(x, y), z), '(x + y)*z'],
    [div(x, mul(y, z)), 'x/(y*z)'],
    [div(mul(x, y), z), 'x*y/z'],
    [pow(x, pow(y, z)), 'x^y^z'],
    [pow(pow(x, y), z), '(x^y)^z'],
    [neg(pow(x, num(2))), '-x^2'],
    [pow(neg(x), num(2)), '(-x)^2'],
    [pow(num(2), neg(pow(x, num(2)))), '2^-x^2'],
    [pow(num(2), neg(x)), '2^-x'],
    [pow(x, mul(y, z)), 'x^(y*z)'],
    [mul(neg(x), y), '-x*y'],
    [neg(mul(x, y)), '-(x*y)'],
    [mul(x, neg(y)), 'x*-y'],
    [sub(x, neg(y)), 'x - -y'],
    [neg(neg(x)), '-(-x)'],
    [neg(add(x, y)), '-(x + y)'],
    [binary('<', add(x, num(1)), y), 'x + 1 < y'],
    [binary('<', binary('<', x, y), z), '(x < y) < z'],
    [not(binary('<', x, y)), 'not x < y'],
    [binary('<', not(x), y), '(not x) < y'],
    [binary('and', x, not(y)), 'x and not y'],
    [binary('or', binary('and', x, y), z), 'x and y or z'],
    [binary('and', binary('or', x, y), z), '(x or y) and z'],
    [not(not(x)), 'not (not x)'],
    [add(x, not(y)), 'x + (not y)'],
    [call('atan2', [neg(y), sub(x, num(1))]), 'atan2(-y, x - 1)'],
    [call('if', [binary('>', x, num(0)), x, neg(x)]), 'if(x > 0, x, -x)'],
    [num(1e21), '1e21'],
    [num(1.5e-7), '1.5e-7'],
    [num(0.1), '0.1'],
    [num(-2), '(-2)'],
    [pow(num(-2), num(2)), '(-2)^2'],
    [num(Infinity), '1e999'],
    [num(NaN), '(0/0)'],
    [constant(-2), '-2'],
    [str('a"b\\c\nd'), '"a\\"b\\\\c\\nd"'],
    [array([num(1), add(x, num(2))]), '[1, x + 2]'],
    [
      index(sym('img'), [
        { kind: 'at', index: num(1) },
        { kind: 'slice', start: num(2) },
        { kind: 'slice', step: num(2) },
      ]),
      'img[1, 2:, ::2]',
    ],
    [index(add(x, y), [{ kind: 'at', index: num(0) }]), '(x + y)[0]'],
  ])('%#: prints %s', (e, text) => {
    expect(printExpr(e)).toBe(text);
  });

  it('formats numbers with round-trip precision', () => {
    for (const v of [0.1, 1 / 3, Math.PI, 2 ** 53 + 2, 5e-324, Number.MAX_VALUE, 123456789.123, 1e-7, 1e21]) {
      expect(Number(formatNumber(v))).toBe(v);
      expect(formatNumber(v)).not.toContain('+');
    }
  });

  it.each([
    'A*exp(-(x - x0)^2/(2*sigma^2)) + c',
    '-x^2',
    '(-x)^2',
    '2^-x^2',
    'a - b - c',
    'a - (b - c)',
    'a/b/c',
    'a/(b/c)',
    '-a*b',
    '-(a*b)',
    'x^y^z',
    'not x < 1 and y >= 2 or z == 3',
    'if(x > 0 and not y != 1, sqrt(x), -x)',
    'b1*(1 - (1 + b2*x/2)^(-2))',
    'img[1:2, -1]',
    '"file.csv"',
    '[1, 2, [3, 4]]',
  ])('round-trips %s through the parser', (text) => {
    const e = parse(text);
    const printed = printExpr(e);
    expect(exprEquals(parse(printed), e)).toBe(true);
    expect(printExpr(parse(printed))).toBe(printed);
  });

  it('parse(print(e)) equals e for random trees (property)', () => {
    fc.assert(
      fc.property(
        arbitraryExpr({ functions: ALL_TEST_FUNCTIONS, logic: true, numbers: 'extreme', maxDepth: 5 }),
        (e) => {
          const text = printExpr(e);
          const back = parseExpr(text, { checkCalls: true });
          if (!exprEquals(back, e)) throw new Error(`round trip failed: ${text}`);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('trees with negative literals round-trip modulo folding', () => {
    const withNegatives = fc
      .tuple(arbitraryExpr({ maxDepth: 3 }), fc.double({ max: -1e-300, noNaN: true }))
      .map(([e, v]) => mul(num(v), pow(e, num(v))));
    fc.assert(
      fc.property(withNegatives, (e) => {
        const back = parse(printExpr(e));
        expect(exprEquals(foldNegativeLiterals(back), foldNegativeLiterals(e))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
