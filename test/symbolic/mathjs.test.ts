/**
 * Cross-check against mathjs: values of every builtin mathjs also has, and symbolic derivatives wherever
 * mathjs can differentiate (functions and whole models).
 */
import { describe, expect, it } from 'vitest';
import { derivative as mjDerivative, evaluate as mjEvaluate } from 'mathjs';
import { differentiate } from '../../src/symbolic/differentiate.ts';
import { evaluate } from '../../src/symbolic/evaluate.ts';
import { close } from '../helpers/arbitraryExpr.ts';
import { parse } from './helpers.ts';

function mjNumber(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  return typeof v === 'number' ? v : NaN;
}

/** Function, points inside its real domain, relative tolerance of the value comparison. */
const VALUE_CASES: [string, number[], number][] = [
  ['exp', [-2, 0.5, 3], 1e-15],
  ['log', [0.1, 2, 50], 1e-15],
  ['log10', [0.1, 2, 50], 1e-15],
  ['log2', [0.1, 2, 50], 1e-15],
  ['log1p', [-0.5, 1e-8, 3], 1e-15],
  ['expm1', [-1, 1e-8, 2], 1e-15],
  ['sqrt', [0.3, 2, 9], 1e-15],
  ['cbrt', [-8, 0.3, 5], 1e-15],
  ['abs', [-2, 0, 3], 0],
  ['sign', [-2, 0, 3], 0],
  ['sin', [-1, 0.3, 2], 1e-15],
  ['cos', [-1, 0.3, 2], 1e-15],
  ['tan', [-1, 0.3, 1.2], 1e-15],
  ['asin', [-0.9, 0.3], 1e-15],
  ['acos', [-0.9, 0.3], 1e-15],
  ['atan', [-3, 0.3], 1e-15],
  ['sinh', [-2, 0.3], 1e-15],
  ['cosh', [-2, 0.3], 1e-15],
  ['tanh', [-2, 0.3], 1e-15],
  ['asinh', [-2, 0.3], 1e-15],
  ['acosh', [1.5, 3], 1e-15],
  ['atanh', [-0.5, 0.3], 1e-15],
  ['erf', [-2, 0.3, 1, 3.5], 1e-15],
  ['gamma', [0.3, 2.5, 7, 20.5], 1e-14],
  ['lgamma', [0.7, 2.5, 7, 20.5], 1e-9], // mathjs's lgamma is a 7-term Lanczos (about 1e-10)
  ['floor', [-2.5, 2.5], 0],
  ['ceil', [-2.5, 2.5], 0],
];

describe('values agree with mathjs', () => {
  it.each(VALUE_CASES.flatMap(([f, xs, tol]) => xs.map((x) => [f, x, tol] as [string, number, number])))(
    '%s(%d)',
    (f, x, tol) => {
      const ours = evaluate(parse(`${f}(x)`), { x });
      const theirs = mjNumber(mjEvaluate(`${f}(x)`, { x }));
      expect(close(ours, theirs, tol)).toBe(true);
    },
  );

  it.each([
    ['atan2(y, x)', { x: -0.7, y: 1.3 }],
    ['hypot(x, y)', { x: -0.7, y: 1.3 }],
    ['hypot(x, y, 2)', { x: -0.7, y: 1.3 }],
    ['min(x, y, 0.5)', { x: -0.7, y: 1.3 }],
    ['max(x, y, 0.5)', { x: -0.7, y: 1.3 }],
    ['pow(x, y)', { x: 0.7, y: 1.3 }],
    ['log(x, y)', { x: 0.7, y: 1.3 }],
    ['x^y^2', { x: 1.7, y: 1.3 }],
    ['-x^2', { x: 1.7, y: 1.3 }],
    ['2^-x^2', { x: 1.7, y: 1.3 }],
    ['x < y and not (x > 1) or x == y', { x: 0.7, y: 1.3 }],
  ])('%s', (text, scope) => {
    expect(close(evaluate(parse(text), scope), mjNumber(mjEvaluate(text, scope)), 1e-15)).toBe(true);
  });
});

/** Functions mathjs can differentiate (its derivative() throws for the rest: erf, gamma, atan2, ...). */
const DERIVATIVE_CASES: [string, number[]][] = [
  ['exp', [-1, 0.5]],
  ['log', [0.3, 2]],
  ['log10', [0.3, 2]],
  ['sqrt', [0.3, 2]],
  ['cbrt', [0.3, 2]], // mathjs differentiates cbrt via u^(1/3): complex for negative u; ours stays real
  ['abs', [-2, 0.3]],
  ['sin', [-1, 0.3]],
  ['cos', [-1, 0.3]],
  ['tan', [-1, 0.3]],
  ['asin', [-0.3, 0.2]],
  ['acos', [-0.3, 0.2]],
  ['atan', [-1, 0.3]],
  ['sinh', [-1, 0.3]],
  ['cosh', [-1, 0.3]],
  ['tanh', [-1, 0.3]],
  ['asinh', [-1, 0.3]],
  ['acosh', [0.8, 2]],
  ['atanh', [-0.3, 0.2]],
];

describe('derivatives agree with mathjs', () => {
  it.each(DERIVATIVE_CASES.flatMap(([f, xs]) => xs.map((x) => [f, x] as [string, number])))(
    '%s(2*x + 0.1) at %d',
    (f, x) => {
      const text = `${f}(2*x + 0.1)`;
      const ours = evaluate(differentiate(parse(text), 'x'), { x });
      const theirs = mjNumber(mjDerivative(text, 'x').evaluate({ x }));
      expect(close(ours, theirs, 1e-14)).toBe(true);
    },
  );

  const MODELS: [string, Record<string, number>][] = [
    ['b1*(1-exp(-b2*x))', { b1: 238.9, b2: 5.5e-4, x: 300 }],
    ['exp(-b1*x)/(b2+b3*x)', { b1: 0.16, b2: 0.005, b3: 0.012, x: 2 }],
    ['b1*(1-(1+b2*x/2)^(-2))', { b1: 338, b2: 3.9e-4, x: 300 }],
    [
      '(b1+b2*x+b3*x^2+b4*x^3)/(1+b5*x+b6*x^2+b7*x^3)',
      { b1: 1, b2: -0.1, b3: 0.005, b4: -1e-6, b5: -0.005, b6: 1e-4, b7: -1e-7, x: 100 },
    ],
    ['b1*(b2+x)^(-1/b3)', { b1: -2500, b2: 46, b3: 0.8, x: 10 }],
    [
      'A*exp(-((x-x0)^2/(2*sx^2) + (y-y0)^2/(2*sy^2))) + offset',
      { A: 3, x0: 0.4, y0: -0.3, sx: 1.2, sy: 0.7, offset: 0.1, x: 1, y: 0.5 },
    ],
    ['A*g^2/((x - x0)^2 + g^2) + c', { A: 2, g: 0.8, x0: 1.5, c: -0.1, x: 1 }],
    [
      'b1 + b2*cos(2*pi*x/12) + b3*sin(2*pi*x/12) + b5*cos(2*pi*x/b4)',
      { b1: 10, b2: 3, b3: 0.5, b4: 44, b5: -1.6, x: 7 },
    ],
  ];
  it.each(
    MODELS.flatMap(([m, scope]) =>
      Object.keys(scope)
        .filter((k) => k !== 'x' && k !== 'y')
        .map((p) => [m, p, scope] as const),
    ),
  )('d/d%s of %s', (model, p, scope) => {
    const ours = evaluate(differentiate(parse(model), p), scope);
    const theirs = mjNumber(mjDerivative(model, p).evaluate(scope));
    expect(close(ours, theirs, 1e-12, 1e-300)).toBe(true);
  });
});
