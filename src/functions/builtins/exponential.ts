/** Exponentials, logarithms, roots and powers. */
import { cmp } from '../../ast/index.ts';
import type { FunctionDef } from '../types.ts';
import { unaryFunction } from './define.ts';
import { ONE, ZERO, fn, isZero, minus, n, over, plus, square, times } from '../dsl.ts';
import { powerDerivative } from '../operators.ts';
import { hypot2 } from '../runtime.ts';

const CATEGORY = 'Exponentials, logarithms and powers';

export const exp = unaryFunction({
  name: 'exp',
  evaluate: Math.exp,
  js: 'Math.exp',
  derivative: (u) => fn('exp', u),
  description: 'The exponential `e^x`.',
  examples: [
    { expr: 'exp(0)', value: 1 },
    { expr: 'exp(1)', value: 2.718281828459045 },
    { expr: 'exp(-1)', value: 0.36787944117144233 },
  ],
  category: CATEGORY,
});

export const log: FunctionDef = {
  name: 'log',
  arity: [1, 2],
  evaluate: (x: number, base?: number) => (base === undefined ? Math.log(x) : Math.log(x) / Math.log(base)),
  derivative: (args, dargs) => {
    const [u, b] = args;
    const dU = isZero(dargs[0]) ? ZERO : over(dargs[0], b === undefined ? u : times(u, fn('log', b)));
    if (b === undefined || isZero(dargs[1])) return dU;
    // d/db (log(u)/log(b)) = -log(u) / (b log(b)^2)
    return minus(dU, over(times(fn('log', u), dargs[1]), times(b, square(fn('log', b)))));
  },
  emit: (a) => (a.length === 1 ? `Math.log(${a[0]})` : `(Math.log(${a[0]}) / Math.log(${a[1]}))`),
  help: {
    signature: 'log(x) or log(x, base)',
    description:
      'Natural logarithm of x; with two arguments the logarithm to the given base, log(x)/log(base). NaN for x < 0, -Infinity at 0.',
    examples: [
      { expr: 'log(1)', value: 0 },
      { expr: 'log(10)', value: 2.302585092994046 },
      { expr: 'log(e)', value: 1 },
      { expr: 'log(8, 2)', value: 3 },
    ],
  },
  category: CATEGORY,
};

export const ln = unaryFunction({
  name: 'ln',
  evaluate: Math.log,
  js: 'Math.log',
  derivative: (u) => over(ONE, u),
  description: 'Natural logarithm (the same as log(x)).',
  examples: [
    { expr: 'ln(1)', value: 0 },
    { expr: 'ln(2)', value: 0.6931471805599453 },
  ],
  category: CATEGORY,
  aliasOf: 'log',
});

export const log10 = unaryFunction({
  name: 'log10',
  evaluate: Math.log10,
  js: 'Math.log10',
  derivative: (u) => over(ONE, times(u, n(Math.LN10))),
  description: 'Base-10 logarithm.',
  examples: [
    { expr: 'log10(1000)', value: 3 },
    { expr: 'log10(2)', value: 0.3010299956639812 },
  ],
  category: CATEGORY,
});

export const log2 = unaryFunction({
  name: 'log2',
  evaluate: Math.log2,
  js: 'Math.log2',
  derivative: (u) => over(ONE, times(u, n(Math.LN2))),
  description: 'Base-2 logarithm.',
  examples: [
    { expr: 'log2(8)', value: 3 },
    { expr: 'log2(10)', value: 3.321928094887362 },
  ],
  category: CATEGORY,
});

export const log1p = unaryFunction({
  name: 'log1p',
  evaluate: Math.log1p,
  js: 'Math.log1p',
  derivative: (u) => over(ONE, plus(ONE, u)),
  description: 'log(1 + x), accurate for small x.',
  examples: [
    { expr: 'log1p(1e-10)', value: 9.999999999500001e-11 },
    { expr: 'log1p(1)', value: 0.6931471805599453 },
  ],
  category: CATEGORY,
});

export const expm1 = unaryFunction({
  name: 'expm1',
  evaluate: Math.expm1,
  js: 'Math.expm1',
  derivative: (u) => fn('exp', u),
  description: 'exp(x) - 1, accurate for small x.',
  examples: [
    { expr: 'expm1(1e-10)', value: 1.00000000005e-10 },
    { expr: 'expm1(1)', value: 1.718281828459045 },
  ],
  category: CATEGORY,
});

export const sqrt = unaryFunction({
  name: 'sqrt',
  evaluate: Math.sqrt,
  js: 'Math.sqrt',
  derivative: (u) => over(ONE, times(n(2), fn('sqrt', u))),
  description: 'Square root; NaN for x < 0.',
  nonSmooth: 'At x = 0 the derivative `1/(2*sqrt(x))` is Infinity.',
  examples: [
    { expr: 'sqrt(4)', value: 2 },
    { expr: 'sqrt(2)', value: 1.4142135623730951 },
  ],
  category: CATEGORY,
});

export const cbrt = unaryFunction({
  name: 'cbrt',
  evaluate: Math.cbrt,
  js: 'Math.cbrt',
  derivative: (u) => over(ONE, times(n(3), square(fn('cbrt', u)))),
  description: 'Cube root (real, also for negative x).',
  nonSmooth: 'At x = 0 the derivative `1/(3*cbrt(x)^2)` is Infinity.',
  examples: [
    { expr: 'cbrt(27)', value: 3 },
    { expr: 'cbrt(-8)', value: -2 },
    { expr: 'cbrt(2)', value: 1.2599210498948732 },
  ],
  category: CATEGORY,
});

export const pow: FunctionDef = {
  name: 'pow',
  arity: [2, 2],
  evaluate: Math.pow,
  derivative: (args, dargs) => powerDerivative(args[0], args[1], dargs[0], dargs[1]),
  emit: (a) => `Math.pow(${a[0]}, ${a[1]})`,
  help: {
    signature: 'pow(x, y)',
    description:
      'x raised to the power y, the same as `x^y`. NaN for negative x with non-integer y. The derivative with respect to x is `y*x^(y-1)` (valid for negative x too); with respect to y it is `x^y*log(x)`.',
    examples: [
      { expr: 'pow(2, 10)', value: 1024 },
      { expr: 'pow(4, 0.5)', value: 2 },
      { expr: 'pow(2, -1)', value: 0.5 },
    ],
  },
  category: CATEGORY,
};

export const hypot: FunctionDef = {
  name: 'hypot',
  arity: [1, Infinity],
  evaluate: (...xs: number[]) => (xs.length === 2 ? hypot2(xs[0], xs[1]) : Math.hypot(...xs)),
  derivative: (args, dargs) => {
    const terms = args.map((a, i) => times(a, dargs[i]));
    const numer = plus(...terms);
    if (isZero(numer)) return ZERO;
    const h = fn('hypot', ...args);
    return fn('if', cmp('==', h, ZERO), ZERO, over(numer, h));
  },
  emit: (a) => (a.length === 2 ? `R.hypot2(${a[0]}, ${a[1]})` : `Math.hypot(${a.join(', ')})`),
  help: {
    signature: 'hypot(x1, x2, ...)',
    description: 'Euclidean norm `sqrt(x1^2 + x2^2 + ...)`, computed without overflow or underflow.',
    nonSmooth: 'At the origin (all arguments 0) the derivative is taken as 0.',
    examples: [
      { expr: 'hypot(3, 4)', value: 5 },
      { expr: 'hypot(1, 2, 2)', value: 3 },
      { expr: 'hypot(-5)', value: 5 },
      { expr: 'hypot(1e200, 1e200)', value: 1.414213562373095e200 },
    ],
  },
  category: CATEGORY,
};
