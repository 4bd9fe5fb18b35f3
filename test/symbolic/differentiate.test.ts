import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { differentiate, gradient, rawDerivative } from '../../src/symbolic/differentiate.ts';
import { evaluate } from '../../src/symbolic/evaluate.ts';
import { simplify } from '../../src/symbolic/simplify.ts';
import { dependsOn, freeSymbols, symbolSet } from '../../src/symbolic/transform.ts';
import { printExpr } from '../../src/ast/print.ts';
import { str } from '../../src/ast/build.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { functionNames } from '../../src/functions/registry.ts';
import type { Expr } from '../../src/ast/expr.ts';
import {
  SMOOTH_FUNCTIONS,
  arbitraryExpr,
  cancellationFree,
  arbitraryScope,
  close,
  finiteDifference,
  intermediateValues,
  locallySmooth,
  wellScaled,
} from '../helpers/arbitraryExpr.ts';
import { parse } from './helpers.ts';

const d = (text: string, name = 'x'): string => printExpr(differentiate(parse(text), name));

function checkFd(e: Expr, name: string, scope: Record<string, number>, rel = 1e-6): void {
  const de = differentiate(e, name);
  const f = (v: number) => evaluate(e, { ...scope, [name]: v });
  const fd = finiteDifference(f, scope[name]);
  const sym = evaluate(de, scope);
  expect(fd.smooth, `${printExpr(e)} is not smooth at ${JSON.stringify(scope)}`).toBe(true);
  if (!close(sym, fd.value, rel, fd.error)) {
    throw new Error(
      `d/d${name} ${printExpr(e)} = ${printExpr(de)}: ${sym} vs finite difference ${fd.value} at ${JSON.stringify(scope)}`,
    );
  }
}

describe('differentiate: printed results', () => {
  it.each([
    ['x^2', 'x', '2*x'],
    ['x^3', 'x', '3*x^2'],
    ['(x - b)^2', 'x', '2*(x - b)'],
    ['(x - b)^2', 'b', '-2*(x - b)'],
    ['x^-1', 'x', '-1/x^2'],
    ['x^y', 'x', 'x^(y - 1)*y'],
    ['0^y', 'y', '0'],
    ['(x0 - x)^2', 'x', '-2*(x0 - x)'],
    ['(-a - x)^3', 'x', '-3*(a + x)^2'],
    ['x^y', 'y', 'x^y*log(x)'],
    ['2^x', 'x', '0.6931471805599453*2^x'],
    ['x^x', 'x', 'x^x*(1 + log(x))'],
    ['a*x + b', 'x', 'a'],
    ['a*x + b', 'b', '1'],
    ['a*x + b', 'c', '0'],
    ['sin(x)', 'x', 'cos(x)'],
    ['cos(2*x)', 'x', '-2*sin(2*x)'],
    ['exp(-x/tau)', 'tau', 'x*exp(-x/tau)/tau^2'],
    ['exp(-x/tau)', 'x', '-exp(-x/tau)/tau'],
    ['log(x)', 'x', '1/x'],
    ['ln(a*x)', 'x', '1/x'],
    ['sqrt(x)', 'x', '1/(2*sqrt(x))'],
    ['1/x', 'x', '-1/x^2'],
    ['a/(b + x)', 'x', '-a/(b + x)^2'],
    ['A*exp(-(x - x0)^2/(2*s^2))', 'x0', 'A*exp(-(x - x0)^2/(2*s^2))*(x - x0)/s^2'],
    ['A*exp(-(x - x0)^2/(2*s^2))', 's', 'A*exp(-(x - x0)^2/(2*s^2))*(x - x0)^2/s^3'],
    ['erf(x)', 'x', '1.1283791670955126*exp(-x^2)'],
    ['gamma(x)', 'x', 'digamma(x)*gamma(x)'],
    ['lgamma(x)', 'x', 'digamma(x)'],
    ['digamma(x)', 'x', 'trigamma(x)'],
    ['trigamma(x)', 'x', 'polygamma(2, x)'],
    ['polygamma(2, x)', 'x', 'polygamma(3, x)'],
    ['abs(x)', 'x', 'sign(x)'],
    ['sign(x) + floor(x) + ceil(x) + heaviside(x)', 'x', '0'],
    ['x < 1', 'x', '0'],
    ['if(x > 0, x^2, -x)', 'x', 'if(x > 0, 2*x, -1)'],
    ['min(x, y)', 'x', 'if(x <= y, 1, 0)'],
    ['max(x, y, z)', 'y', 'if(x >= y and x >= z, 0, if(y >= z, 1, 0))'],
    ['hypot(x, y)', 'x', 'if(hypot(x, y) == 0, 0, x/hypot(x, y))'],
    ['atan2(y, x)', 'x', '-y/(x^2 + y^2)'],
    ['pi*x + e', 'x', 'pi'],
    ['pi*x', 'pi', 'x'],
  ])('d/d%s %s = %s', (text, name, out) => {
    expect(d(text, name)).toBe(out);
  });

  it('derivatives are closed under differentiation (polygamma of any order)', () => {
    let e = parse('gamma(x)');
    for (let k = 0; k < 5; k++) e = differentiate(e, 'x');
    expect(printExpr(e)).toContain('polygamma(3, x)');
  });

  it('errors: unknown functions, script values', () => {
    expect(() => differentiate(parse('f(x)'), 'x')).toThrow(ExprfitError);
    try {
      differentiate(parse('1 + myfn(x)'), 'x');
    } catch (err) {
      expect((err as ExprfitError).code).toBe('unknown-function');
      expect((err as ExprfitError).span?.column).toBe(5);
    }
    expect(() => differentiate(str('a'), 'x')).toThrow(ExprfitError);
    // a constant call of an unknown function has derivative 0 only after inlining; it still errors
    expect(() => differentiate(parse('f(y)'), 'x')).toThrow(ExprfitError);
  });

  it('gradient shares the simplified value', () => {
    const g = gradient(parse('A*exp(-t/tau)'), ['A', 'tau']);
    expect(printExpr(g.value)).toBe('A*exp(-t/tau)');
    expect(g.derivatives.map(printExpr)).toEqual(['exp(-t/tau)', 'A*t*exp(-t/tau)/tau^2']);
  });
});

describe('differentiate: every builtin against central finite differences', () => {
  const CASES: [string, number[]][] = [
    ['exp(2*x + 0.3)', [-1, 0.2, 1.3]],
    ['log(2*x + 0.3)', [0.1, 1, 5]],
    ['ln(x^2 + 1)', [-2, 0.5]],
    ['log(x, 3)', [0.5, 2]],
    ['log(3, x)', [0.5, 2]],
    ['log(x^2 + 1, x)', [0.5, 2.5]],
    ['log10(3*x)', [0.2, 4]],
    ['log2(3*x)', [0.2, 4]],
    ['log1p(x^2)', [-0.5, 0.01, 3]],
    ['expm1(x/2)', [-3, 1e-3, 2]],
    ['sqrt(x^2 + 0.5)', [-1, 0, 2]],
    ['cbrt(2*x - 1)', [-3, 0.2, 4]],
    ['abs(x - 0.3)', [-1, 1]],
    ['sin(3*x)', [-1, 0.4]],
    ['cos(x^2)', [0.3, 1.7]],
    ['tan(x/2)', [-1, 0.5, 2]],
    ['asin(x/2)', [-1.5, 0, 1.2]],
    ['acos(x/2)', [-1.5, 0.3, 1.2]],
    ['atan(3*x)', [-2, 0.1, 5]],
    ['atan2(x, 0.7)', [-2, 0.3]],
    ['atan2(0.7, x)', [-2, 0.3]],
    ['atan2(x^2, x - 3)', [1, 2]],
    ['sinh(x)', [-2, 0.5]],
    ['cosh(x)', [-2, 0.5]],
    ['tanh(2*x)', [-2, 0.1, 3]],
    ['asinh(x^2)', [-2, 0.5]],
    ['acosh(x^2 + 1.5)', [-1, 0.2]],
    ['atanh(x/3)', [-2, 0.5]],
    ['erf(x/2)', [-3, 0.1, 2.5]],
    ['erfc(x)', [-1, 0.5, 3]],
    ['gamma(x)', [-1.5, 0.3, 2.5, 7]],
    ['lgamma(x)', [-1.5, 0.3, 2.5, 30]],
    ['digamma(x)', [-1.5, 0.3, 2.5, 30]],
    ['trigamma(x)', [-1.5, 0.3, 2.5, 30]],
    ['polygamma(2, x)', [-1.5, 0.3, 2.5, 30]],
    ['wofz_re(x, 0.4) + wofz_re(1.2, x)', [0.3, 2, 7]],
    ['wofz_im(x, 0.4) + wofz_im(1.2, x)', [0.3, 2, 7]],
    ['voigt(x - 0.3, 0.5 + x^2, x^2)', [-1, 0.4, 2]],
    ['erfcx(x)', [-1, 0.3, 5]],
    ['besseli0(x)', [-2, 0.5, 40]],
    ['besseli1(x)', [-2, 0.5, 40]],
    ['besselj0(x)', [-2, 0.5, 40]],
    ['besselj1(x)', [-2, 0.5, 40]],
    ['gammainc(2.5, x^2)', [0.5, 1.5]],
    ['gammaincc(0.7, x)', [0.3, 2]],
    ['betainc(2, 3.5, x)', [0.2, 0.7]],
    ['expit(x)', [-3, 0.5, 4]],
    ['logit(x)', [0.1, 0.6]],
    ['sinc(x)', [-1.3, 0.2, 2.5]],
    ['hypot(x, 2)', [-1, 3]],
    ['hypot(1, x, 2)', [-1, 3]],
    ['hypot(x, x^2, 1)', [-1, 3]],
    ['min(x, 1)', [0.5, 2]],
    ['min(2, x, x^2)', [0.5, 1.2, 3]],
    ['max(x, 1)', [0.5, 2]],
    ['max(-x, x^2, 0.5)', [-2, 0.3, 0.6, 2]],
    ['pow(x, 2.5)', [0.5, 2]],
    ['pow(2.5, x)', [-1, 2]],
    ['pow(x, x)', [0.5, 2]],
    ['(x - 3)^2', [-1, 2]],
    ['(x - 3)^3', [-1, 2]],
    ['(x - 3)^-2', [-1, 2]],
    ['x^0.5*x^1.5', [0.4, 3]],
    ['floor(x)*x', [0.5, 2.3]],
    ['ceil(x)*x', [0.5, 2.3]],
    ['sign(x)*x^2', [-1, 2]],
    ['heaviside(x)*x', [-1, 2]],
    ['heaviside(0, x)', [0.2, 0.8]],
    ['if(x > 1, x^2, sin(x))', [0.5, 2]],
    ['if(x > 1 and x < 3 or x < -1, x^3, x)', [-2, 0, 2, 4]],
    ['(x < 2)*x', [1, 3]],
    ['not (x < 2) * x + (x == 5)', [1, 3]],
    ['dot(x^2, sin(x))', [-1, 2]],
    ['lgamma_re(x, 0.7) + lgamma_re(1.3, x^2)', [-1.4, 0.6, 3]],
    ['digamma_re(x, 2) + digamma_re(-0.5, x)', [-1.3, 0.4, 12]],
    ['digamma_im(x, 2) + digamma_im(0.5, x)', [-1.3, 0.4, 12]],
    ['x*trigamma_re(1.5, 2) + x^2*trigamma_im(-2.5, 0.5)', [-1, 2]], // no rule: constant arguments only
  ];
  for (const name of functionNames()) {
    it(`has a case for ${name}`, () => {
      expect(CASES.some(([t]) => t.includes(`${name}(`))).toBe(true);
    });
  }
  it.each(CASES.flatMap(([t, xs]) => xs.map((x) => [t, x] as [string, number])))(
    '%s at x = %d',
    (text, x) => {
      checkFd(parse(text), 'x', { x });
    },
  );
});

describe('differentiate: conventions at non-smooth points', () => {
  it.each([
    ['abs(x)', 0, 0],
    ['abs(x)', -2, -1],
    ['sign(x)', 0, 0],
    ['floor(x)', 2, 0],
    ['ceil(x)', 2, 0],
    ['heaviside(x)', 0, 0],
    ['min(x, 1)', 1, 1],
    ['min(1, x)', 1, 0],
    ['max(x, 1)', 1, 1],
    ['max(1, x)', 1, 0],
    ['max(1, x, x)', 1, 0],
    ['max(0, x, x)', 1, 1],
    ['if(x >= 1, 2*x, 3*x)', 1, 2],
    ['hypot(x, x)', 0, 0],
    ['hypot(x)', 0, 0],
    ['x < 1', 1, 0],
  ])('d/dx %s at x = %d is %d', (text, x, value) => {
    expect(evaluate(differentiate(parse(text), 'x'), { x })).toBe(value);
  });
});

describe('differentiate: properties', () => {
  it('matches central finite differences on random smooth expressions', () => {
    let checked = 0;
    let nonFinite = 0;
    let informative = 0;
    let nonZero = 0;
    fc.assert(
      fc.property(
        arbitraryExpr({ functions: SMOOTH_FUNCTIONS, maxDepth: 4, variables: ['x', 'y'] }),
        arbitraryScope(['x', 'y']),
        fc.constantFrom('x', 'y'),
        (e, scope, name) => {
          fc.pre(dependsOn(e, name));
          const v = evaluate(e, scope);
          fc.pre(Number.isFinite(v) && Math.abs(v) < 1e8 && wellScaled(e, scope));
          const magnitude = Math.max(...intermediateValues(e, scope).map(Math.abs));
          const fd = finiteDifference(
            (t) => evaluate(e, { ...scope, [name]: t }),
            scope[name],
            1e-4,
            magnitude,
          );
          fc.pre(fd.smooth && Math.abs(fd.value) < 1e8 && locallySmooth(e, scope, name));
          const de = differentiate(e, name);
          const sym = evaluate(de, scope);
          // within a few ulps of a pole, or oscillating faster than the sampling: no finite difference can tell
          fc.pre(!(Math.abs(sym) > 1e8));
          // catastrophic cancellation (near a pole of atanh, ...): no reference is accurate enough
          fc.pre(cancellationFree(e, scope) && cancellationFree(de, scope));
          checked++;
          // 0*log(0) and the like where a subexpression underflowed to exactly 0: a floating-point limit
          if (!Number.isFinite(sym)) {
            nonFinite++;
            return;
          }
          if (sym !== 0) nonZero++;
          if (sym !== 0 && fd.error <= 1e-6 * Math.abs(sym)) informative++;
          if (!close(sym, fd.value, 1e-6, fd.error)) {
            throw new Error(
              `d/d${name} ${printExpr(e)} = ${printExpr(de)}: ${sym} vs ${fd.value} at ${JSON.stringify(scope)}`,
            );
          }
        },
      ),
      { numRuns: 2000 },
    );
    expect(checked).toBeGreaterThan(500);
    expect(nonFinite).toBeLessThan(0.02 * checked);
    // most comparisons must be sharp (finite-difference error below 1e-6 of the derivative)
    expect(informative).toBeGreaterThan(0.7 * nonZero);
  });

  it('returns simplified expressions', () => {
    fc.assert(
      fc.property(arbitraryExpr({ maxDepth: 4 }), (e) => {
        const de = differentiate(e, 'x');
        expect(simplify(de)).toBe(de);
      }),
      { numRuns: 300 },
    );
  });
});

describe('derivatives of long sums', () => {
  it('symbolSet names exactly the free symbols of every node', () => {
    fc.assert(
      fc.property(arbitraryExpr(), (e) => {
        expect([...symbolSet(e)].sort()).toEqual([...freeSymbols(e)].sort());
      }),
      { numRuns: 200 },
    );
  });

  it('differentiates each term parameter of a 500-term sum to its own term', () => {
    const terms = Array.from({ length: 500 }, (_, k) => `a${k}*exp(-b${k}*x)`);
    const e = parse(terms.join(' + '));
    expect(d(terms.join(' + '), 'a250')).toBe(printExpr(differentiate(parse('a250*exp(-b250*x)'), 'a250')));
    expect(printExpr(differentiate(e, 'b499'))).toBe(
      printExpr(differentiate(parse('a499*exp(-b499*x)'), 'b499')),
    );
    expect(() => differentiate(parse(`${terms.join(' + ')} + f(y)`), 'a3')).toThrow(ExprfitError);
  });

  it('a long sum gives the tree of the recursion over the terms that read the name', () => {
    const text = Array.from({ length: 12 }, (_, k) => `${k % 2 ? '-' : '+'} c${k}*${k % 3 ? 'x' : 'b'}^${k}`)
      .join(' ')
      .slice(2);
    const only = '-c3*b^3 + c6*b^6 - c9*b^9';
    expect(printExpr(rawDerivative(parse(text), 'b'))).toBe(
      printExpr(rawDerivative(parse(`0 ${only.startsWith('-') ? '' : '+'}${only}`), 'b')),
    );
    expect(d(text, 'b')).toBe(d(only, 'b'));
    expect(d(text, 'c4')).toBe('x^4');
    expect(d(`${text} - sin(x)`, 'x')).toBe(d(`${text.replace(/c\d+\*b\^\d+/g, '0')} - sin(x)`, 'x'));
  });
});
