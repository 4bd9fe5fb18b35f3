/** The Faddeeva function, the Voigt profile and the scaled complementary error function. */
import type { Expr } from '../../ast/index.ts';
import type { FunctionDef } from '../types.ts';
import { unaryFunction } from './define.ts';
import { fn, minus, n, negate, over, plus, power, times } from '../dsl.ts';
import { erfcx as erfcxR } from '../runtime.ts';
import { voigt as voigtR, wofzIm as wofzImR, wofzRe as wofzReR } from '../faddeeva.ts';

const CATEGORY = 'Special functions';
const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/sqrt(pi)
const INV_SQRT2 = 0.7071067811865476; // 1/sqrt(2)
const INV_SQRT_2PI = 0.3989422804014327; // 1/sqrt(2*pi)

/** The partial derivatives of u = Re w and v = Im w at z = x + iy (w' = -2zw + 2i/sqrt(pi), w analytic). */
function faddeevaPartials(x: Expr, y: Expr) {
  const u = fn('wofz_re', x, y);
  const v = fn('wofz_im', x, y);
  const reW = times(n(-2), minus(times(x, u), times(y, v))); // Re w'(z) = du/dx = dv/dy
  const imW = minus(n(TWO_OVER_SQRT_PI), times(n(2), plus(times(x, v), times(y, u)))); // Im w'(z) = dv/dx = -du/dy
  return { u, v, reW, imW };
}

/** Chain rule over several arguments: sum of partial_i * dargs[i], skipping arguments that do not vary. */
function sumOfPartials(dargs: readonly Expr[], partials: readonly (() => Expr)[]): Expr {
  return plus(...dargs.map((d, i) => times(partials[i](), d)));
}

const FADDEEVA_NOTE =
  "w(z) = exp(-z^2) erfc(-iz) at z = x + iy, computed by a sampling-theorem sum for Dawson's function near the real axis and the Laplace continued fraction elsewhere (relative error of each part below 1e-14 against mpmath, typically a few 1e-16; scipy.special.wofz).";

export const wofz_re: FunctionDef = {
  name: 'wofz_re',
  arity: [2, 2],
  evaluate: wofzReR,
  derivative: (args, dargs) => {
    const { reW, imW } = faddeevaPartials(args[0], args[1]);
    return sumOfPartials(dargs, [() => reW, () => negate(imW)]);
  },
  emit: (a) => `R.wofzRe(${a[0]}, ${a[1]})`,
  help: {
    signature: 'wofz_re(x, y)',
    description: `The real part of the Faddeeva function: ${FADDEEVA_NOTE} \`wofz_re(x/(sigma*sqrt(2)), gamma/(sigma*sqrt(2)))\` is the Voigt profile up to its normalisation (see \`voigt\`).`,
    examples: [
      { expr: 'wofz_re(0, 0)', value: 1 },
      { expr: 'wofz_re(1, 0.5)', value: 0.3549003328675779 },
      { expr: 'wofz_re(0, 1)', value: 0.427583576155807 },
      { expr: 'wofz_re(10, 1e-6)', value: 5.728717562239248e-9 },
    ],
  },
  category: CATEGORY,
};

export const wofz_im: FunctionDef = {
  name: 'wofz_im',
  arity: [2, 2],
  evaluate: wofzImR,
  derivative: (args, dargs) => {
    const { reW, imW } = faddeevaPartials(args[0], args[1]);
    return sumOfPartials(dargs, [() => imW, () => reW]);
  },
  emit: (a) => `R.wofzIm(${a[0]}, ${a[1]})`,
  help: {
    signature: 'wofz_im(x, y)',
    description: `The imaginary part of the Faddeeva function: ${FADDEEVA_NOTE} On the real axis it is 2/sqrt(pi) times Dawson's integral.`,
    examples: [
      { expr: 'wofz_im(0, 0)', value: 0 },
      { expr: 'wofz_im(1, 0.5)', value: 0.3428717191311007 },
      { expr: 'wofz_im(1, 0)', value: 0.6071577058413937 },
      { expr: 'wofz_im(100, 2)', value: 0.005639921439997835 },
    ],
  },
  category: CATEGORY,
};

/**
 * Partials of V = Re w(X + iY)/(s sqrt(2 pi)), X = x/(s sqrt 2), Y = g/(s sqrt 2), with u = Re w, v = Im w
 * (from w' = -2zw + 2i/sqrt(pi)):
 * dV/dx = -(x u - g v)/(sqrt(2 pi) s^3), dV/dg = (x v + g u)/(sqrt(2 pi) s^3) - 1/(pi s^2),
 * dV/ds = -(u (s^2 + g^2 - x^2) + 2 x g v)/(sqrt(2 pi) s^4) + g/(pi s^3).
 * X and Y are written as the runtime's `voigt` computes them, so a kernel evaluates w once per point.
 */
function voigtDerivative(args: readonly Expr[], dargs: readonly Expr[]): Expr {
  const [x, s, g] = args;
  const X = over(times(n(INV_SQRT2), x), s);
  const Y = over(times(n(INV_SQRT2), g), s);
  const u = fn('wofz_re', X, Y);
  const v = fn('wofz_im', X, Y);
  const k = n(INV_SQRT_2PI);
  const dx = () => negate(times(k, over(minus(times(x, u), times(g, v)), power(s, 3))));
  const dg = () =>
    minus(times(k, over(plus(times(x, v), times(g, u)), power(s, 3))), over(n(1 / Math.PI), power(s, 2)));
  const ds = () => {
    const shape = minus(plus(power(s, 2), power(g, 2)), power(x, 2));
    const numer = plus(times(u, shape), times(n(2), x, g, v));
    return plus(negate(times(k, over(numer, power(s, 4)))), over(times(n(1 / Math.PI), g), power(s, 3)));
  };
  return sumOfPartials(dargs, [dx, ds, dg]);
}

export const voigt: FunctionDef = {
  name: 'voigt',
  arity: [3, 3],
  evaluate: voigtR,
  derivative: voigtDerivative,
  emit: (a) => `R.voigt(${a[0]}, ${a[1]}, ${a[2]})`,
  help: {
    signature: 'voigt(x, sigma, gamma)',
    description:
      'The normalised Voigt profile (area 1, as scipy.special.voigt_profile): a Gaussian of standard deviation `sigma` convolved with a Lorentzian of half-width at half-maximum `gamma`, computed exactly as `wofz_re((x + i*gamma)/(sigma*sqrt(2)))/(sigma*sqrt(2*pi))`. `sigma = 0` gives the Lorentzian, `gamma = 0` the Gaussian; NaN for a negative width. A peak of area `A` at `c`: `A*voigt(x - c, sigma, gamma)`.',
    nonSmooth:
      'The derivatives divide by `sigma^2`: they are not finite at `sigma = 0` (bound `sigma` away from 0 in a fit).',
    examples: [
      { expr: 'voigt(0, 1, 1)', value: 0.2087092805203677 },
      { expr: 'voigt(1, 1, 0.5)', value: 0.20017963759083915 },
      { expr: 'voigt(2, 0, 1)', value: 0.06366197723675814 },
      { expr: 'voigt(1, 1, 0)', value: 0.24197072451914334 },
    ],
  },
  category: CATEGORY,
};

export const erfcx = unaryFunction({
  name: 'erfcx',
  evaluate: erfcxR,
  js: 'R.erfcx',
  derivative: (u) => minus(times(n(2), u, fn('erfcx', u)), n(TWO_OVER_SQRT_PI)),
  description:
    "The scaled complementary error function exp(x^2) erfc(x), about 1/(sqrt(pi) x) for large x where erfc underflows (Cody's rational functions; relative error about 5e-16). It is `wofz_re(0, x)`.",
  examples: [
    { expr: 'erfcx(0)', value: 1 },
    { expr: 'erfcx(1)', value: 0.427583576155807 },
    { expr: 'erfcx(30)', value: 0.01879588886141675 },
    { expr: 'erfcx(-2)', value: 108.94090438997797 },
  ],
  category: CATEGORY,
});
