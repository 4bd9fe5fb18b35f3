/** Bessel functions of the first kind, orders 0 and 1, ordinary and modified. */
import { cmp, type Expr } from '../../ast/index.ts';
import { unaryFunction } from './define.ts';
import { ZERO, fn, minus, n, negate, over } from '../dsl.ts';
import { besseli0 as i0R, besseli1 as i1R, besselj0 as j0R, besselj1 as j1R } from '../bessel.ts';

const CATEGORY = 'Special functions';
const ORDER_ONE_AT_ZERO =
  'The derivative `order0(x) - order1(x)/x` is written with `if(x == 0, 0.5, ...)`: its limit 1/2 at x = 0.';

/** f0(u) - f1(u)/u, the derivative of an order-1 function, with its limit 1/2 at u = 0. */
function orderOneDerivative(order0: string, order1: string, u: Expr): Expr {
  return fn('if', cmp('==', u, ZERO), n(0.5), minus(fn(order0, u), over(fn(order1, u), u)));
}

export const besseli0 = unaryFunction({
  name: 'besseli0',
  evaluate: i0R,
  js: 'R.besseli0',
  derivative: (u) => fn('besseli1', u),
  description:
    'The modified Bessel function of the first kind of order 0, I0(x) (scipy.special.i0): power series below |x| = 30, asymptotic expansion above; relative error about 5e-16. Overflows to Infinity beyond |x| = 713.',
  examples: [
    { expr: 'besseli0(0)', value: 1 },
    { expr: 'besseli0(1)', value: 1.2660658777520084 },
    { expr: 'besseli0(10)', value: 2815.7166284662544 },
    { expr: 'besseli0(-2.5)', value: 3.289839144050123 },
  ],
  category: CATEGORY,
});

export const besseli1 = unaryFunction({
  name: 'besseli1',
  evaluate: i1R,
  js: 'R.besseli1',
  derivative: (u) => orderOneDerivative('besseli0', 'besseli1', u),
  description:
    'The modified Bessel function of the first kind of order 1, I1(x) (scipy.special.i1), odd in x; methods and accuracy as `besseli0`.',
  nonSmooth: ORDER_ONE_AT_ZERO,
  examples: [
    { expr: 'besseli1(0)', value: 0 },
    { expr: 'besseli1(1)', value: 0.565159103992485 },
    { expr: 'besseli1(10)', value: 2670.9883037012546 },
    { expr: 'besseli1(-2.5)', value: -2.5167162452886984 },
  ],
  category: CATEGORY,
});

export const besselj0 = unaryFunction({
  name: 'besselj0',
  evaluate: j0R,
  js: 'R.besselj0',
  derivative: (u) => negate(fn('besselj1', u)),
  description:
    "The Bessel function of the first kind of order 0, J0(x) (scipy.special.j0): power series below |x| = 1, Miller's backward recurrence up to 25, Hankel's asymptotic expansion above. Relative error about 1e-15 away from its zeros, absolute error about 1e-16 at them.",
  examples: [
    { expr: 'besselj0(0)', value: 1 },
    { expr: 'besselj0(1)', value: 0.7651976865579666 },
    { expr: 'besselj0(10)', value: -0.24593576445134835 },
    { expr: 'besselj0(100)', value: 0.019985850304223122 },
  ],
  category: CATEGORY,
});

export const besselj1 = unaryFunction({
  name: 'besselj1',
  evaluate: j1R,
  js: 'R.besselj1',
  derivative: (u) => orderOneDerivative('besselj0', 'besselj1', u),
  description:
    'The Bessel function of the first kind of order 1, J1(x) (scipy.special.j1), odd in x; methods and accuracy as `besselj0`.',
  nonSmooth: ORDER_ONE_AT_ZERO,
  examples: [
    { expr: 'besselj1(0)', value: 0 },
    { expr: 'besselj1(1)', value: 0.4400505857449335 },
    { expr: 'besselj1(5)', value: -0.32757913759146523 },
    { expr: 'besselj1(-2.5)', value: -0.49709410246427405 },
  ],
  category: CATEGORY,
});
