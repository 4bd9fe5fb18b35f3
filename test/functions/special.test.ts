/**
 * The special functions of issue 14 (Faddeeva, Voigt, Bessel, incomplete gamma/beta, erfcx, expit, logit,
 * sinc): values against mpmath and scipy.special on wide grids (test/functions/fixtures/special-scipy.json,
 * written by scripts/special-fixtures.py), derivative rules against finite differences, the error for a
 * shape parameter without a derivative, and a Voigt fit against scipy's curve_fit.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { R } from '../../src/functions/runtime.ts';
import { getFunction } from '../../src/functions/registry.ts';
import { differentiate } from '../../src/symbolic/differentiate.ts';
import { evaluate } from '../../src/symbolic/evaluate.ts';
import { printExpr } from '../../src/ast/print.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { fit } from '../../src/fit/fit.ts';
import { parse } from '../symbolic/helpers.ts';
import { cli } from '../cli/helpers.ts';
import { Session } from '../../src/repl/session.ts';
import { makeCompleter } from '../../src/repl/completer.ts';

type Encoded = number | 'NaN' | 'Infinity' | '-Infinity';
interface Case {
  args: number[];
  scipy: Encoded;
  exact: Encoded;
}
interface Fixture {
  functions: Record<string, Case[]>;
  voigtFit: {
    model: string;
    x: number[];
    y: number[];
    start: Record<string, number>;
    params: Record<string, { value: number; stderr: number }>;
  };
}

const FIXTURE = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures/special-scipy.json'), 'utf8'),
) as Fixture;

function decode(v: Encoded): number {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return v;
}

/**
 * Relative tolerance against the exact value, and the floor of the error's denominator (J0 and J1 are
 * accurate to about 1e-16 absolute at their zeros, so their error is relative to max(|v|, 0.01)).
 */
const TOLERANCE: Record<string, { rel: number; floor?: number }> = {
  wofz_re: { rel: 1e-14 },
  wofz_im: { rel: 1e-14 },
  voigt: { rel: 3e-15 },
  erfcx: { rel: 1e-15 },
  besseli0: { rel: 1e-15 },
  besseli1: { rel: 1e-15 },
  besselj0: { rel: 1e-14, floor: 0.01 },
  besselj1: { rel: 1e-14, floor: 0.01 },
  gammainc: { rel: 1e-14 },
  gammaincc: { rel: 1e-14 },
  betainc: { rel: 1e-13 },
  expit: { rel: 5e-16 },
  logit: { rel: 5e-16 },
  sinc: { rel: 5e-16 },
};

function scaledError(got: number, want: number, floor = 0): number {
  if (Object.is(got, want) || got === want) return 0;
  if (!Number.isFinite(want) || Number.isNaN(got)) return Infinity;
  return Math.abs(got - want) / Math.max(Math.abs(want), floor);
}

describe('values against mpmath (exact) and scipy.special', () => {
  it('the fixture covers every new function', () => {
    expect(Object.keys(FIXTURE.functions).sort()).toEqual(Object.keys(TOLERANCE).sort());
  });

  describe.each(Object.keys(TOLERANCE))('%s', (name) => {
    const def = getFunction(name)!;
    const { rel, floor } = TOLERANCE[name];
    const cases = FIXTURE.functions[name];

    it(`matches the exact value to ${rel} (${cases.length} points)`, () => {
      const bad = cases
        .map((c) => ({ args: c.args, got: def.evaluate(...c.args), want: decode(c.exact) }))
        .filter((r) => !(scaledError(r.got, r.want, floor) <= rel));
      expect(bad).toEqual([]);
    });

    it('matches scipy to that tolerance plus scipy’s own error', () => {
      const bad = cases.filter((c) => {
        const want = decode(c.exact);
        const scipy = decode(c.scipy);
        const got = def.evaluate(...c.args);
        if (!Number.isFinite(want)) return !Object.is(got, scipy);
        const allowed = rel * Math.max(Math.abs(want), floor ?? 0) + Math.abs(scipy - want);
        return !(Math.abs(got - scipy) <= allowed * (1 + 1e-12));
      });
      expect(bad).toEqual([]);
    });
  });
});

describe('edges follow scipy', () => {
  it.each([
    ['gammainc(0, 1)', 1],
    ['gammaincc(0, 1)', 0],
    ['gammainc(1, 0)', 0],
    ['gammaincc(1, 0)', 1],
    ['gammainc(2, 1/0)', 1],
    ['gammainc(-1, 1)', NaN],
    ['gammainc(1, -1)', NaN],
    ['betainc(1, 1, 0)', 0],
    ['betainc(1, 1, 1)', 1],
    ['betainc(0, 1, 0.5)', 1],
    ['betainc(1, 0, 0.5)', 0],
    ['betainc(1, 1, 1.5)', NaN],
    ['logit(0)', -Infinity],
    ['logit(1)', Infinity],
    ['logit(-1)', NaN],
    ['expit(-1000)', 0],
    ['expit(1000)', 1],
    ['sinc(3)', 0],
    ['voigt(1, -1, 1)', NaN],
    ['voigt(0, 0, 0)', Infinity],
    ['voigt(1, 0, 0)', 0],
    ['erfcx(-30)', Infinity],
    ['erfcx(-1/0)', Infinity],
    ['erfcx(1/0)', 0],
    ['besseli0(1/0)', Infinity],
    ['besseli1(-1/0)', -Infinity],
    ['besselj1(-1/0)', 0],
    ['besseli0(800)', Infinity],
    ['besselj0(1/0)', 0],
    ['wofz_re(1/0, 1)', 0],
  ])('%s = %d', (text, value) => {
    expect(evaluate(parse(text), {})).toBe(value);
  });

  it('NaN in, NaN out', () => {
    const nan = Number.NaN;
    for (const f of [R.erfcx, R.expit, R.logit, R.sinc, R.besseli0, R.besseli1, R.besselj0, R.besselj1]) {
      expect(f(nan)).toBeNaN();
    }
    expect(R.wofzRe(nan, 1)).toBeNaN();
    expect(R.voigt(0, nan, 1)).toBeNaN();
    expect(R.gammainc(nan, 1)).toBeNaN();
    expect(R.betainc(1, 1, nan)).toBeNaN();
  });

  it.each([
    [1e8, 1e8, 0.5000132980760141],
    [1e9, 1e9, 0.5000042052208701],
    [1e10, 1e10, 0.5000013298076014],
  ])('gammainc(%d, %d) = %d as scipy (Temme expansion)', (a, x, value) => {
    expect(Math.abs(R.gammainc(a, x) - value) / value).toBeLessThan(1e-15);
  });

  it('gammaincc(1e10, 1e10 + 1e5) = 0.15865525392742422 as scipy', () => {
    expect(Math.abs(R.gammaincc(1e10, 1e10 + 1e5) / 0.15865525392742422 - 1)).toBeLessThan(1e-14);
  });

  it('huge arguments end quickly (every loop is bounded)', () => {
    const start = performance.now();
    for (const a of [1e6, 1e9, 1e15, 1e300]) {
      R.gammainc(a, a);
      R.gammaincc(a, a * 1.01);
      R.betainc(a, a, 0.5);
      R.betainc(a, 1, 0.999);
    }
    R.wofzRe(1e300, 1e300);
    R.besselj0(1e300);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

/** Central difference of the function of one argument around the point. */
function centralDifference(f: (...a: number[]) => number, args: number[], i: number): number {
  const h = 1e-6 * Math.max(1, Math.abs(args[i]));
  const up = [...args];
  const down = [...args];
  up[i] += h;
  down[i] -= h;
  return (f(...up) - f(...down)) / (2 * h);
}

const NAMES = ['p', 'q', 'r'];
const DERIVATIVE_POINTS: Record<string, number[][]> = {
  wofz_re: [
    [0.3, 0.2],
    [2, 0.5],
    [5, 2],
    [-1.5, 0.01],
  ],
  wofz_im: [
    [0.3, 0.2],
    [2, 0.5],
    [5, 2],
    [-1.5, 0.01],
  ],
  voigt: [
    [0.4, 0.8, 0.3],
    [-2, 1.5, 1],
    [3, 0.5, 0.05],
  ],
  erfcx: [[-1], [0.3], [2], [10]],
  besseli0: [[0.5], [-3], [35]],
  besseli1: [[0.5], [-3], [35]],
  besselj0: [[0.5], [-3], [30]],
  besselj1: [[0.5], [-3], [30]],
  gammainc: [
    [2.5, 1.5],
    [0.5, 0.2],
    [50, 45],
  ],
  gammaincc: [
    [2.5, 1.5],
    [0.5, 0.2],
    [50, 45],
  ],
  betainc: [
    [2, 3, 0.4],
    [0.5, 1.5, 0.2],
    [30, 20, 0.6],
  ],
  expit: [[-3], [0], [4]],
  logit: [[0.1], [0.5], [0.8]],
  sinc: [[-1.3], [0.2], [2.5]],
};

describe('derivative rules agree with finite differences', () => {
  describe.each(Object.keys(DERIVATIVE_POINTS))('%s', (name) => {
    const def = getFunction(name)!;
    const call = parse(`${name}(${NAMES.slice(0, def.arity[0]).join(', ')})`);
    const variables = NAMES.slice(0, def.arity[0]);
    const differentiable = variables.map((_, i) => i).filter((i) => !def.noDerivativeArgs?.includes(i));
    it.each(DERIVATIVE_POINTS[name])('at %s', (...point) => {
      for (const i of differentiable) {
        const scope = Object.fromEntries(variables.map((v, k) => [v, point[k]]));
        const symbolic = evaluate(differentiate(call, variables[i]), scope);
        const numeric = centralDifference(def.evaluate, point, i);
        expect(scaledError(symbolic, numeric, 1e-6), `d/d${variables[i]}`).toBeLessThan(1e-7);
      }
    });
  });

  it.each([
    ['besseli0(x)', 'besseli1(x)'],
    ['besselj0(x)', '-besselj1(x)'],
    ['expit(x)', 'expit(x)*expit(-x)'],
  ])('d/dx %s = %s', (text, derivative) => {
    expect(printExpr(differentiate(parse(text), 'x'))).toBe(derivative);
  });

  it('the removable singularities at 0 take their limits', () => {
    for (const [text, value] of [
      ['besseli1(x)', 0.5],
      ['besselj1(x)', 0.5],
      ['sinc(x)', 0],
    ] as const) {
      expect(evaluate(differentiate(parse(text), 'x'), { x: 0 })).toBe(value);
    }
  });

  it('d/dx gammainc is the gamma density, d/dx betainc the beta density', () => {
    const g = evaluate(differentiate(parse('gammainc(a, x)'), 'x'), { a: 3, x: 2 });
    expect(g).toBeCloseTo((2 ** 2 * Math.exp(-2)) / 2, 15);
    const b = evaluate(differentiate(parse('betainc(a, b, x)'), 'x'), { a: 2, b: 3, x: 0.4 });
    expect(b).toBeCloseTo(12 * 0.4 * 0.6 ** 2, 14);
  });
});

describe('shape parameters without a closed-form derivative', () => {
  it.each([
    [
      'gammainc(a, x)',
      'a',
      "gammainc() has no derivative with respect to its argument 'a', which depends on 'a'",
    ],
    [
      'betainc(a, 2*k, x)',
      'k',
      "betainc() has no derivative with respect to its argument 'b', which depends on 'k'",
    ],
  ])('%s by %s is an error at the argument', (text, name, message) => {
    let error: unknown;
    try {
      differentiate(parse(text), name);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ExprfitError);
    expect((error as ExprfitError).message).toContain(message);
    expect((error as ExprfitError).span).toBeDefined();
  });

  it('points at the argument when it is a name', () => {
    expect(() => differentiate(parse('gammainc(a, x)'), 'a')).toThrow(
      expect.objectContaining({ span: expect.objectContaining({ column: 10 }) }),
    );
  });

  it('a fit with a fitted shape parameter says so; a fixed one fits', () => {
    const x = [0.5, 1, 2, 3, 4];
    const y = x.map((v) => R.gammainc(2, v));
    expect(() => fit('y = gammainc(a, x)', { x, y }, { a: 1.5 })).toThrow(
      /no derivative with respect to its argument 'a'/,
    );
    const r = fit('y = s*gammainc(a, x)', { x, y }, { s: 0.5, a: { value: 2, fixed: true } });
    expect(r.values.s).toBeCloseTo(1, 10);
  });
});

describe('a Voigt peak fitted as scipy.optimize.curve_fit fits it', () => {
  const fx = FIXTURE.voigtFit;
  const r = fit(fx.model, { x: fx.x, y: fx.y }, { ...fx.start, sigma: { value: fx.start.sigma, min: 1e-3 } });

  it('same values and standard errors to 1e-6', () => {
    expect(r.success).toBe(true);
    for (const [name, p] of Object.entries(fx.params)) {
      expect(Math.abs(r.values[name] - p.value) / Math.abs(p.value), name).toBeLessThan(1e-6);
      expect(Math.abs(r.params[name].stderr - p.stderr) / p.stderr, name).toBeLessThan(1e-6);
    }
  });

  it('recovers exact parameters from noise-free data', () => {
    const truth = { A: 3, c: 0.5, sigma: 0.8, gamma: 0.4, b: 0.1 };
    const y = fx.x.map((x) => truth.A * R.voigt(x - truth.c, truth.sigma, truth.gamma) + truth.b);
    const exact = fit(fx.model, { x: fx.x, y }, fx.start);
    for (const [name, value] of Object.entries(truth)) expect(exact.values[name]).toBeCloseTo(value, 9);
  });
});

describe('from the REPL and .fit scripts', () => {
  it('a REPL session evaluates them, on arrays too, and completes their names', async () => {
    const out: string[] = [];
    const errors: unknown[] = [];
    const s = new Session({ out: (t) => out.push(t), error: (e) => errors.push(e), baseDir: '.' });
    expect(await s.handle('voigt(0, 1, 1)\n')).toBe('ok');
    expect(await s.handle('besseli0(linspace(0, 1, 3))\n')).toBe('ok');
    expect(errors).toEqual([]);
    expect(out).toEqual(['0.2087092805203678', '[1, 1.0634833707413236, 1.2660658777520082]']);
    const [candidates] = makeCompleter(s.interp)('x = gammain');
    expect(candidates).toEqual(expect.arrayContaining(['gammainc(', 'gammaincc(']));
  });

  it('a script fits a Voigt peak; a fitted shape parameter of gammainc is an error (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exprfit-special-'));
    try {
      const voigtScript = join(dir, 'voigt.fit');
      writeFileSync(
        voigtScript,
        [
          'x = linspace(-5, 5, 41)',
          'y = 2*voigt(x - 0.3, 0.7, 0.4) + 0.05',
          'param A = 1, c = 0, b = 0',
          'param sigma = 1 in [0.01, 10]',
          'param gamma = 0.2 in [0, 10]',
          'model y = A*voigt(x - c, sigma, gamma) + b',
          'fit',
        ].join('\n'),
      );
      const ok = await cli(['run', voigtScript]);
      expect(ok.status).toBe(0);
      expect(ok.stderr).toMatch(/converged.* A=2±.* c=0\.3±.* sigma=0\.7±.* gamma=0\.4±/);
      const gammaScript = join(dir, 'gamma.fit');
      writeFileSync(
        gammaScript,
        'x = linspace(0.5, 4, 8)\ny = gammainc(2, x)\nparam s = 1, a = 1.5\nmodel y = s*gammainc(a, x)\nfit\n',
      );
      const bad = await cli(['run', gammaScript]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain("gammainc() has no derivative with respect to its argument 'a'");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
