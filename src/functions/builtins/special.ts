/** Special functions: error function, gamma function and relatives. */
import type { FunctionDef } from '../types.ts';
import { unaryFunction } from './define.ts';
import { chain, fn, n, negate, plus, square, times } from '../dsl.ts';
import { constant, constantValue } from '../../ast/index.ts';
import {
  digamma as digammaR,
  erf as erfR,
  erfc as erfcR,
  gamma as gammaR,
  lgamma as lgammaR,
} from '../runtime.ts';
import { polygamma as polygammaR, trigamma as trigammaR } from '../runtime.ts';

const CATEGORY = 'Special functions';
const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/sqrt(pi)

export const erf = unaryFunction({
  name: 'erf',
  evaluate: erfR,
  js: 'R.erf',
  derivative: (u) => times(n(TWO_OVER_SQRT_PI), fn('exp', negate(square(u)))),
  description:
    "The error function 2/sqrt(pi) * integral of exp(-t^2) from 0 to x (W. J. Cody's rational approximations, relative error about 1e-16).",
  examples: [
    { expr: 'erf(0)', value: 0 },
    { expr: 'erf(0.5)', value: 0.5204998778130465 },
    { expr: 'erf(2)', value: 0.9953222650189527 },
    { expr: 'erf(-1)', value: -0.8427007929497149 },
  ],
  category: CATEGORY,
});

export const erfc = unaryFunction({
  name: 'erfc',
  evaluate: erfcR,
  js: 'R.erfc',
  derivative: (u) => times(n(-TWO_OVER_SQRT_PI), fn('exp', negate(square(u)))),
  description: 'The complementary error function 1 - erf(x), accurate also where it is tiny (large x).',
  examples: [
    { expr: 'erfc(0.5)', value: 0.4795001221869535 },
    { expr: 'erfc(5)', value: 1.537459794428035e-12 },
    { expr: 'erfc(-1)', value: 1.8427007929497148 },
  ],
  category: CATEGORY,
});

export const gamma = unaryFunction({
  name: 'gamma',
  evaluate: gammaR,
  js: 'R.gamma',
  derivative: (u) => times(fn('gamma', u), fn('digamma', u)),
  description:
    'The gamma function (gamma(n) = (n-1)! for positive integers, exact there). Infinity at 0, NaN at negative integers, Infinity above 171.6.',
  nonSmooth: 'The derivative `gamma(x)*digamma(x)` is NaN at the poles (0, -1, -2, ...).',
  examples: [
    { expr: 'gamma(5)', value: 24 },
    { expr: 'gamma(0.5)', value: 1.772453850905516 },
    { expr: 'gamma(4.5)', value: 11.631728396567448 },
    { expr: 'gamma(-1.5)', value: 2.363271801207355 },
  ],
  category: CATEGORY,
});

export const lgamma = unaryFunction({
  name: 'lgamma',
  evaluate: lgammaR,
  js: 'R.lgamma',
  derivative: (u) => fn('digamma', u),
  description:
    'log(abs(gamma(x))), without overflow for large x (Infinity at 0, -1, -2, ...). Its derivative is digamma(x).',
  examples: [
    { expr: 'lgamma(10)', value: 12.801827480081469 },
    { expr: 'lgamma(0.5)', value: 0.5723649429247001 },
    { expr: 'lgamma(100)', value: 359.1342053695754 },
    { expr: 'lgamma(-0.5)', value: 1.2655121234846454 },
  ],
  category: CATEGORY,
});

export const digamma = unaryFunction({
  name: 'digamma',
  evaluate: digammaR,
  js: 'R.digamma',
  derivative: (u) => fn('trigamma', u),
  description:
    "The digamma function psi(x) = gamma'(x)/gamma(x), the derivative of lgamma. NaN at 0, -1, -2, ...",
  examples: [
    { expr: 'digamma(1)', value: -0.5772156649015329 },
    { expr: 'digamma(0.5)', value: -1.9635100260214235 },
    { expr: 'digamma(10)', value: 2.251752589066721 },
  ],
  category: CATEGORY,
});

export const trigamma = unaryFunction({
  name: 'trigamma',
  evaluate: trigammaR,
  js: 'R.trigamma',
  derivative: (u) => fn('polygamma', constant(2), u),
  description: 'The trigamma function, the derivative of digamma (polygamma(1, x)).',
  examples: [
    { expr: 'trigamma(1)', value: 1.6449340668482264 },
    { expr: 'trigamma(0.5)', value: 4.934802200544679 },
    { expr: 'trigamma(10)', value: 0.10516633568168575 },
  ],
  category: CATEGORY,
});

export const polygamma: FunctionDef = {
  name: 'polygamma',
  arity: [2, 2],
  evaluate: polygammaR,
  derivative: (args, dargs) =>
    chain(dargs[1], () => {
      const k = constantValue(args[0]);
      return fn('polygamma', k !== undefined ? constant(k + 1) : plus(args[0], constant(1)), args[1]);
    }),
  emit: (a) => `R.polygamma(${a[0]}, ${a[1]})`,
  help: {
    signature: 'polygamma(n, x)',
    description:
      'The n-th derivative of digamma (polygamma(0, x) = digamma(x), polygamma(1, x) = trigamma(x)). The order n must be a non-negative integer (NaN otherwise); any order is computed at once (`polygamma(1e9, 1)` overflows to -Infinity, as n! does).',
    nonSmooth: 'The order n is discrete: the derivative with respect to n is taken as 0.',
    examples: [
      { expr: 'polygamma(0, 1)', value: -0.5772156649015329 },
      { expr: 'polygamma(2, 1)', value: -2.4041138063191885 },
      { expr: 'polygamma(3, 0.5)', value: 97.40909103400244 },
      { expr: 'polygamma(1, -0.5)', value: 8.934802200544679 },
    ],
  },
  category: CATEGORY,
  integerArgs: [0],
};
