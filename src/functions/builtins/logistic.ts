/** The logistic function and its inverse, and the normalised sinc. */
import { cmp } from '../../ast/index.ts';
import { unaryFunction } from './define.ts';
import { ONE, ZERO, fn, minus, n, negate, over, times } from '../dsl.ts';
import { expit as expitR, logit as logitR, sinc as sincR } from '../runtime.ts';

export const expit = unaryFunction({
  name: 'expit',
  evaluate: expitR,
  js: 'R.expit',
  derivative: (u) => times(fn('expit', u), fn('expit', negate(u))),
  description:
    'The logistic sigmoid 1/(1 + exp(-x)) (scipy.special.expit), without overflow for large |x|; its inverse is `logit`.',
  examples: [
    { expr: 'expit(0)', value: 0.5 },
    { expr: 'expit(2)', value: 0.8807970779778824 },
    { expr: 'expit(-40)', value: 4.248354255291589e-18 },
    { expr: 'expit(1e-3)', value: 0.5002499999791666 },
  ],
  category: 'Exponentials, logarithms and powers',
});

export const logit = unaryFunction({
  name: 'logit',
  evaluate: logitR,
  js: 'R.logit',
  derivative: (u) => over(ONE, times(u, minus(ONE, u))),
  description:
    'The log-odds log(p/(1 - p)) (scipy.special.logit), the inverse of `expit`; accurate near p = 1/2. -Infinity at 0, Infinity at 1, NaN outside [0, 1].',
  examples: [
    { expr: 'logit(0.5)', value: 0 },
    { expr: 'logit(0.9)', value: 2.1972245773362196 },
    { expr: 'logit(1e-10)', value: -23.025850929840455 },
    { expr: 'logit(0.25)', value: -1.0986122886681098 },
  ],
  category: 'Exponentials, logarithms and powers',
});

export const sinc = unaryFunction({
  name: 'sinc',
  evaluate: sincR,
  js: 'R.sinc',
  derivative: (u) =>
    fn('if', cmp('==', u, ZERO), ZERO, over(minus(fn('cos', times(n(Math.PI), u)), fn('sinc', u)), u)),
  description:
    'The normalised sinc function sin(pi x)/(pi x), 1 at x = 0 (numpy.sinc); exactly 0 at the non-zero integers.',
  nonSmooth: 'The derivative `(cos(pi x) - sinc(x))/x` is written with `if(x == 0, 0, ...)`, its limit at 0.',
  examples: [
    { expr: 'sinc(0)', value: 1 },
    { expr: 'sinc(0.5)', value: 0.6366197723675814 },
    { expr: 'sinc(1.5)', value: -0.2122065907891938 },
    { expr: 'sinc(2)', value: 0 },
  ],
  category: 'Trigonometric functions',
});
