/**
 * Named models in model text: the `; prefix` notation (parse, print), the expansion into formulas, positioned
 * errors, lmfit's hints and derived parameters joining a fit, and `guess()`.
 */
import { describe, expect, it } from 'vitest';
import { parseExpr } from '../../src/syntax/index.ts';
import { printExpr } from '../../src/ast/print.ts';
import { exprEquals } from '../../src/ast/hash.ts';
import { parseModelText } from '../../src/model/model.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { fit } from '../../src/fit/fit.ts';
import { guess } from '../../src/fit/guess.ts';
import { freeSymbols } from '../../src/symbolic/index.ts';

function errorOf(f: () => unknown): ExprfitError {
  try {
    f();
  } catch (e) {
    if (e instanceof ExprfitError) return e;
    throw e;
  }
  throw new Error('no error');
}

const X = Array.from({ length: 61 }, (_, i) => i * 0.25);
const peak = (a: number, c: number, s: number) => (x: number) =>
  (a / (Math.sqrt(2 * Math.PI) * s)) * Math.exp(-((x - c) ** 2) / (2 * s * s));

describe('the prefix notation', () => {
  it('parses and prints back gaussian(x; g1)', () => {
    const e = parseExpr('2*gaussian(x - 1; g1) + linear(x)');
    expect(printExpr(e)).toBe('2*gaussian(x - 1; g1) + linear(x)');
    expect(exprEquals(parseExpr(printExpr(e)), e)).toBe(true);
    expect(exprEquals(parseExpr('gaussian(x; a)'), parseExpr('gaussian(x; b)'))).toBe(false);
  });

  it.each([
    ['y = gausian(x; g1)', 'unknown-function', "unknown model 'gausian'", "did you mean 'gaussian'?", 5],
    ['y = gausian(x)', 'unknown-function', "unknown function 'gausian'", "did you mean 'gaussian'?", 5],
    ['y = exp(x; g1)', 'syntax', "'exp' is a function, not a named model: it takes no prefix", undefined, 5],
    [
      'y = gaussian(x, 2; g)',
      'arity',
      "model 'gaussian' takes 1 argument, but 2 were given",
      'usage: gaussian(x; prefix)',
      5,
    ],
    [
      'y = gaussian2d(x; g)',
      'arity',
      "model 'gaussian2d' takes 2 arguments, but 1 was given",
      'usage: gaussian2d(x, y; prefix)',
      5,
    ],
    [
      'y = polynomial(x, 8)',
      'value',
      'the degree of polynomial must be a whole number from 0 to 7, got 8',
      'e.g. polynomial(x, 3)',
      19,
    ],
    [
      'y = polynomial(x, k)',
      'value',
      'the degree of polynomial must be a whole number from 0 to 7, got k',
      'e.g. polynomial(x, 3)',
      19,
    ],
    [
      'y = gaussian(x) + lorentzian(x)',
      'value',
      "gaussian and lorentzian both have the parameter 'amplitude': give each its own prefix",
      'e.g. lorentzian(x; p2)',
      19,
    ],
  ])('%s: a positioned error', (text, code, message, hint, column) => {
    const err = errorOf(() => parseModelText(text));
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
    if (hint) expect(err.hints).toContain(hint);
    expect(err.span?.column).toBe(column);
    expect(err.format()).toContain('^');
  });
});

describe('expansion', () => {
  it('gives lmfit parameter names and records each use', () => {
    const m = parseModelText('y = gaussian(x; g1) + gaussian(x; g2) + linear(x)');
    expect([...freeSymbols(m.equations[0].expanded)].sort()).toEqual(
      [
        'g1_amplitude',
        'g1_center',
        'g1_sigma',
        'g2_amplitude',
        'g2_center',
        'g2_sigma',
        'intercept',
        'slope',
        'x',
      ].sort(),
    );
    expect(m.namedModels!.map((u) => [u.def.name, u.prefix, u.additive])).toEqual([
      ['gaussian', 'g1_', true],
      ['gaussian', 'g2_', true],
      ['linear', '', true],
    ]);
  });

  it('keeps the builtin voigt(x, sigma, gamma) and a polynomial to its degree', () => {
    const m = parseModelText('y = a*voigt(x, s, g) + polynomial(x, 2; p)');
    expect([...freeSymbols(m.equations[0].expanded)].sort()).toEqual([
      'a',
      'g',
      'p_c0',
      'p_c1',
      'p_c2',
      's',
      'x',
    ]);
  });

  it('expands named models inside user functions, and uses pi as the number', () => {
    const m = parseModelText('peak(u) = gaussian(u; q)\ny = peak(x)');
    expect(m.namedModels!.map((u) => u.prefix)).toEqual(['q_']);
    expect(freeSymbols(m.equations[0].expanded).has('pi')).toBe(false); // a parameter named pi stays the user's
  });
});

describe('fits with named models', () => {
  const y = X.map((x) => peak(5, 7, 1.2)(x) + 0.3);

  it('start from guesses, keep what the user gives, apply lmfit hints and report derived parameters', () => {
    const r = fit(
      'y = gaussian(x; g) + constant(x)',
      { x: X, y },
      { g_center: { value: 6.5, min: 5, max: 9 } },
    );
    expect(r.success).toBe(true);
    expect(r.params.g_center.init).toBe(6.5);
    expect(r.params.g_center.min).toBe(5);
    expect(r.params.g_sigma.min).toBe(0); // lmfit's hint
    expect(r.params.g_amplitude.value).toBeCloseTo(5, 8);
    expect(r.params.g_fwhm.value).toBeCloseTo(2.35482 * 1.2, 5);
    expect(r.params.g_height.value).toBeCloseTo(5 / (Math.sqrt(2 * Math.PI) * 1.2), 6);
    expect(r.params.g_fwhm.stderr).toBeCloseTo(2.35482 * r.params.g_sigma.stderr!, 8);
  });

  it('frees voigt gamma when it is given', () => {
    const r = fit('y = voigt(x)', { x: X, y: X.map(peak(5, 7, 1.2)) }, { gamma: 0.1 });
    expect(r.params.gamma.expr).toBeUndefined();
    expect(r.params.gamma.value).toBeLessThan(0.01);
  });

  it('guess() shows the starts, bounds and ties a fit would use', () => {
    const g = guess('y = voigt(x; v) + linear(x)', { x: X, y: X.map((x) => peak(5, 7, 1)(x) + 0.1 * x) });
    expect(g.v_gamma).toEqual({ expr: 'v_sigma' });
    expect(g.v_fwhm).toMatchObject({ expr: expect.stringContaining('v_gamma') });
    const center = g.v_center as { value: number };
    expect(center.value).toBeCloseTo(7, 1);
    expect((g.v_sigma as { min: number }).min).toBe(0);
    expect((g.slope as { value: number }).value).toBeCloseTo(0.1, 1);
  });

  it('guesses a dip as a negative peak (lmfit guess(negative=True))', () => {
    const dip = X.map((x) => 2 - 3 / (Math.PI * 0.5 * (1 + ((x - 6) / 0.5) ** 2)));
    const g = guess('y = lorentzian(x; d) + constant(x)', { x: X, y: dip });
    expect((g.d_amplitude as { value: number }).value).toBeCloseTo(-3, 0);
    expect((g.d_center as { value: number }).value).toBeCloseTo(6, 1);
    const r = fit('y = lorentzian(x; d) + constant(x)', { x: X, y: dip });
    expect(r.params.d_amplitude.value).toBeCloseTo(-3, 6);
    expect(r.params.c.value).toBeCloseTo(2, 6);
  });

  it('guesses a 2-D Gaussian', () => {
    const xs: number[] = [];
    const ys: number[] = [];
    const zs: number[] = [];
    for (let i = 0; i < 15; i++)
      for (let j = 0; j < 15; j++) {
        xs.push(j);
        ys.push(i);
        zs.push((40 / (2 * Math.PI * 2 * 1.5)) * Math.exp(-((j - 6) ** 2) / 8 - (i - 8) ** 2 / 4.5));
      }
    const r = fit('z = gaussian2d(x, y)', { x: xs, y: ys, z: zs });
    expect(r.params.amplitude.value).toBeCloseTo(40, 6);
    expect(r.params.sigmay.value).toBeCloseTo(1.5, 6);
    expect(r.nfev).toBeLessThan(30);
  });
});
