/** Log-gamma, digamma and trigamma of a complex argument a + ib, as real and imaginary parts. */
import type { Expr } from '../../ast/index.ts';
import type { FunctionDef, FunctionExample } from '../types.ts';
import { ZERO, fn, negate, plus, times } from '../dsl.ts';
import { digammaIm, digammaRe, lgammaRe, trigammaIm, trigammaRe } from '../runtime.ts';

const CATEGORY = 'Special functions';
const METHOD =
  'On the real axis (b = 0) the real lgamma, digamma and trigamma; elsewhere computed from the asymptotic (Stirling) series for |z| >= 10, the recurrence z -> z + 1 below it and the reflection formula for a < 0; error below 2e-14 of |f(z)| against scipy.special on a grid from a = -30 to 1e5, |b| up to 1e6 (log-gamma: of max(1, |value|), so absolute near its zeros).';

/** Chain rule for f(a + ib) with f analytic: d Re f = Re f' da - Im f' db, d Im f = Im f' da + Re f' db. */
function analyticDerivative(part: 're' | 'im', derivRe: string, derivIm: string) {
  return (args: readonly Expr[], dargs: readonly Expr[]): Expr => {
    const re = () => fn(derivRe, args[0], args[1]);
    const im = () => fn(derivIm, args[0], args[1]);
    const partials = part === 're' ? [re, () => negate(im())] : [im, re];
    return plus(...dargs.map((d, i) => times(partials[i]!(), d)));
  };
}

function complexPart(def: {
  name: string;
  evaluate: (a: number, b: number) => number;
  js: string;
  derivative: FunctionDef['derivative'];
  description: string;
  examples: readonly FunctionExample[];
  noDerivative?: boolean;
}): FunctionDef {
  return {
    name: def.name,
    arity: [2, 2],
    evaluate: def.evaluate,
    derivative: def.derivative,
    emit: (a) => `R.${def.js}(${a[0]}, ${a[1]})`,
    help: {
      signature: `${def.name}(a, b)`,
      description: `${def.description} ${METHOD}`,
      examples: def.examples,
    },
    category: CATEGORY,
    ...(def.noDerivative ? { noDerivativeArgs: [0, 1] } : {}),
  };
}

export const lgamma_re = complexPart({
  name: 'lgamma_re',
  evaluate: lgammaRe,
  js: 'lgammaRe',
  derivative: analyticDerivative('re', 'digamma_re', 'digamma_im'),
  description:
    'The real part of the complex log-gamma function, Re log Gamma(a + ib) = log|Gamma(a + ib)| (scipy.special.loggamma(a + 1j*b).real), as in the Pearson IV normalisation. Derivatives: d/da = digamma_re(a, b), d/db = -digamma_im(a, b).',
  examples: [
    { expr: 'lgamma_re(2.5, 1)', value: 0.048108629623556 },
    { expr: 'lgamma_re(0.5, 3)', value: -3.7934504504362225 },
    { expr: 'lgamma_re(10, -4)', value: 11.983649413409497 },
  ],
});

export const digamma_re = complexPart({
  name: 'digamma_re',
  evaluate: digammaRe,
  js: 'digammaRe',
  derivative: analyticDerivative('re', 'trigamma_re', 'trigamma_im'),
  description:
    'The real part of the complex digamma function psi(a + ib) (scipy.special.psi(a + 1j*b).real).',
  examples: [
    { expr: 'digamma_re(2.5, 1)', value: 0.8097768105440497 },
    { expr: 'digamma_re(-1.5, 0.5)', value: 0.7318926373545223 },
    { expr: 'digamma_re(10, -4)', value: 2.333171465077169 },
  ],
});

export const digamma_im = complexPart({
  name: 'digamma_im',
  evaluate: digammaIm,
  js: 'digammaIm',
  derivative: analyticDerivative('im', 'trigamma_re', 'trigamma_im'),
  description:
    'The imaginary part of the complex digamma function psi(a + ib) (scipy.special.psi(a + 1j*b).imag).',
  examples: [
    { expr: 'digamma_im(2.5, 1)', value: 0.45724821012357164 },
    { expr: 'digamma_im(0.5, 3)', value: 1.5707963063355506 },
    { expr: 'digamma_im(10, -4)', value: -0.39824258171268806 },
  ],
});

const TRIGAMMA_NOTE =
  'There is no derivative rule (a tetragamma of complex argument is not provided): differentiating it with respect to a fitted parameter is an error.';

export const trigamma_re = complexPart({
  name: 'trigamma_re',
  evaluate: trigammaRe,
  js: 'trigammaRe',
  derivative: () => ZERO,
  description: `The real part of the complex trigamma function psi'(a + ib), the derivative of the complex digamma. ${TRIGAMMA_NOTE}`,
  examples: [
    { expr: 'trigamma_re(2.5, 1)', value: 0.39838135667474234 },
    { expr: 'trigamma_re(10, -4)', value: 0.08938377806944511 },
    { expr: 'trigamma_re(1, 0)', value: 1.6449340668482262 },
  ],
  noDerivative: true,
});

export const trigamma_im = complexPart({
  name: 'trigamma_im',
  evaluate: trigammaIm,
  js: 'trigammaIm',
  derivative: () => ZERO,
  description: `The imaginary part of the complex trigamma function psi'(a + ib). ${TRIGAMMA_NOTE}`,
  examples: [
    { expr: 'trigamma_im(2.5, 1)', value: -0.19304498919054677 },
    { expr: 'trigamma_im(0.5, 3)', value: -0.3365527533095779 },
    { expr: 'trigamma_im(10, -4)', value: 0.037576491271791204 },
  ],
  noDerivative: true,
});
