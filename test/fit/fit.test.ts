/** fit() scenarios (most from symfit's test suite) and bad-input errors. */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit/fit.ts';
import { ExprfitError } from '../../src/core/errors.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

function expectError(f: () => unknown, pattern: RegExp): ExprfitError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ExprfitError);
    expect((e as Error).message).toMatch(pattern);
    return e as ExprfitError;
  }
  throw new Error(`expected an error matching ${pattern}`);
}

describe('fit scenarios', () => {
  it('power law y = a*x^b', () => {
    const x = Array.from({ length: 10 }, (_, i) => i + 1);
    const y = x.map((v) => 3 * v * v);
    const r = fit('y = a*x^b', { x, y }, { a: 1, b: 2.5 });
    expect(r.success).toBe(true);
    expect(rel(r.values.a, 3)).toBeLessThan(1e-6);
    expect(rel(r.values.b, 2)).toBeLessThan(1e-6);
    expect(r.r2).toBeCloseTo(1, 12);
  });

  it('grid: z = a*x^2 + b*y^2 with bounds, x and y broadcast', () => {
    const xs = Array.from({ length: 10 }, (_, i) => i - 5);
    const ys = Array.from({ length: 10 }, (_, i) => i + 5);
    const z = ys.map((yy) => xs.map((xx) => 2.5 * xx * xx + 3 * yy * yy));
    const r = fit(
      'z = a*x^2 + b*y^2',
      { x: [xs], y: ys.map((v) => [v]), z },
      { a: { value: 2.4, max: 2.75 }, b: { value: 3.1, min: 2.75 } },
    );
    expect(r.success).toBe(true);
    expect(rel(r.values.a, 2.5)).toBeLessThan(1e-6);
    expect(rel(r.values.b, 3)).toBeLessThan(1e-6);
  });

  it('three components sharing nothing → column means; an equation without data keeps its start', () => {
    const a = [10.1, 9, 10.5, 11.2, 9.5, 9.6, 10];
    const b = [102.1, 101, 100.4, 100.8, 99.2, 100, 100.8];
    const c = [71.6, 73.2, 69.5, 70.2, 70.8, 70.6, 70.1];
    const mean = (v: number[]): number => v.reduce((s, t) => s + t, 0) / v.length;
    const model = 'a_i = a; b_i = b; c_i = c';
    const r = fit(model, { a_i: a, b_i: b, c_i: c }, { a: 1, b: 1, c: 1 });
    expect(rel(r.values.a, mean(a))).toBeLessThan(1e-6);
    expect(rel(r.values.b, mean(b))).toBeLessThan(1e-6);
    expect(rel(r.values.c, mean(c))).toBeLessThan(1e-6);
    const r2 = fit(model, { a_i: a, b_i: b }, { a: 1, b: 1, c: 5 });
    expect(r2.values.c).toBe(5);
    expect(r2.free).toEqual(['a', 'b']);
    expect(r2.notes.join('\n')).toMatch(/c_i/);
  });

  it('t = sqrt(2*h/g): curve_fit and Mathematica values', () => {
    const h = [10, 20, 30, 40, 50];
    const t = [1.4, 2.1, 2.6, 3.0, 3.3];
    const r = fit('t = sqrt(2*h/g)', { h, t }, { g: 1 });
    expect(rel(r.values.g, 9.08796)).toBeLessThan(1e-6);
    expect(rel(r.params.g.stderr, 0.152471)).toBeLessThan(1e-5);
    const sigma = [5, 3, 8, 15, 30].map((v) => 0.02 / Math.sqrt(v));
    const w = fit('t = sqrt(2*h/g)', { h, t }, { g: 1 }, { sigma: { t: sigma }, absoluteSigma: false });
    expect(rel(w.values.g, 9.095)).toBeLessThan(1e-3);
    expect(rel(w.params.g.stderr, 0.102)).toBeLessThan(1e-2);
  });

  it('y = a with sigma 10 and absoluteSigma: mean and stderr 0.1', () => {
    const y = Array.from({ length: 10000 }, (_, i) => 10 * Math.sin(0.37 * i));
    const r = fit('y = a', { y }, { a: 1 }, { sigma: { y: 10 }, absoluteSigma: true });
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    expect(Math.abs(r.values.a - mean)).toBeLessThan(1e-9);
    expect(rel(r.params.a.stderr, 0.1)).toBeLessThan(1e-6);
  });

  it('2D Gaussian with background on a 100x100 grid, bounds, start 1.1x truth', () => {
    const n = 100;
    const xs = Array.from({ length: n }, (_, i) => (i + 0.5) / n);
    const truth = { A: 100, x0: 0.6, sx: 0.2, y0: 0.4, sy: 0.1, b: 3 };
    const z = xs.map((yy) =>
      xs.map(
        (xx) =>
          truth.A *
            Math.exp(
              -((xx - truth.x0) ** 2) / (2 * truth.sx ** 2) - (yy - truth.y0) ** 2 / (2 * truth.sy ** 2),
            ) +
          truth.b,
      ),
    );
    const r = fit(
      'z = A*exp(-(x-x0)^2/(2*sx^2) - (y-y0)^2/(2*sy^2)) + b',
      { x: [xs], y: xs.map((v) => [v]), z },
      {
        A: { value: 110, min: 0 },
        x0: { value: 0.66, min: 0, max: 1 },
        y0: { value: 0.44, min: 0, max: 1 },
        sx: { value: 0.22, min: 0, max: 0.3 },
        sy: { value: 0.11, min: 0, max: 0.3 },
        b: { value: 3.3, min: 0 },
      },
    );
    expect(r.success).toBe(true);
    for (const [k, v] of Object.entries(truth)) expect(rel(r.values[k], v), k).toBeLessThan(1e-7);
  });

  it('fixed stays exactly, tied follows its expression with propagated stderr', () => {
    const x = Array.from({ length: 40 }, (_, i) => i / 4 - 5);
    const y = x.map((v) => 2 * Math.exp(-(v * v) / (2 * 1.5 * 1.5)) + 0.25 + 0.001 * Math.cos(9 * v));
    const r = fit(
      'y = A*exp(-x^2/(2*s^2)) + c',
      { x, y },
      { A: 1, s: { expr: '1.5*w' }, w: 1.2, c: { value: 0.25, fixed: true } },
    );
    expect(r.values.c).toBe(0.25);
    expect(r.params.c.fixed).toBe(true);
    expect(Number.isNaN(r.params.c.stderr)).toBe(true);
    expect(r.values.s).toBeCloseTo(1.5 * r.values.w, 14);
    expect(r.params.s.stderr).toBeCloseTo(1.5 * r.params.w.stderr, 12);
    expect(r.free).toEqual(['A', 'w']);
    expect(r.report()).toMatch(/s: .* == '1.5\*w'/);
    expect(r.report()).toMatch(/c: .*\(fixed\)/);
  });

  it('an optimum beyond a bound stops on the bound and says so', () => {
    const x = Array.from({ length: 20 }, (_, i) => i);
    const y = x.map((v) => 2 * v + 1);
    const r = fit('y = a*x + b', { x, y }, { a: { value: 1, max: 1.5 }, b: 0 });
    expect(r.values.a).toBe(1.5);
    expect(r.params.a.atBound).toBe(true);
    expect(Number.isNaN(r.params.a.stderr)).toBe(true);
    expect(r.report()).toMatch(/at max/);
  });

  it('one equation uses another equation output', () => {
    const x = Array.from({ length: 10 }, (_, i) => i + 1);
    const z = x.map((v) => (2 * v) ** 2 + 3);
    const r = fit('y = a*x; z = y^2 + b', { x, z }, { a: 1, b: 0 });
    expect(rel(r.values.a, 2)).toBeLessThan(1e-8);
    expect(rel(r.values.b, 3)).toBeLessThan(1e-8);
  });

  it('global fit: two data sets with their own lengths share a parameter', () => {
    const x1 = Array.from({ length: 15 }, (_, i) => i / 3);
    const x2 = Array.from({ length: 9 }, (_, i) => i / 2);
    const y1 = x1.map((v) => 4 * Math.exp(-0.8 * v));
    const y2 = x2.map((v) => 1.5 * Math.exp(-0.8 * v) + 0.2);
    const r = fit(
      'y1 = a1*exp(-k*x1); y2 = a2*exp(-k*x2) + c',
      { x1, y1, x2, y2 },
      { a1: 1, a2: 1, k: 0.5, c: 0 },
    );
    expect(rel(r.values.k, 0.8)).toBeLessThan(1e-8);
    expect(r.ndata).toBe(24);
    expect(r.equations.map((e) => e.ndata)).toEqual([15, 9]);
  });

  it('nanPolicy omit drops points; raise names the array and index', () => {
    const x = [0, 1, 2, 3, 4, 5];
    const y = [1, 3, NaN, 7, 9, 11];
    expectError(() => fit('y = a*x + b', { x, y }), /data 'y' has NaN at index 2/);
    // the hint spells the API's option as it is written
    expectError(() => fit('y = a*x + b', { x, y }), /\(use nanPolicy: 'omit' to drop such points\)$/);
    const r = fit('y = a*x + b', { x, y }, {}, { nanPolicy: 'omit' });
    expect(r.ndata).toBe(5);
    expect(rel(r.values.a, 2)).toBeLessThan(1e-10);
  });

  it('result.eval evaluates the fitted model on new data', () => {
    const x = [0, 1, 2, 3];
    const y = [1, 3, 5, 7];
    const r = fit('y = a*x + b', { x, y });
    const v = r.eval({ x: [10, 20] });
    expect(Array.from(v.data).map((t) => Math.round(t * 1e9) / 1e9)).toEqual([21, 41]);
    expect(r.toJSON().params.a.value).toBeCloseTo(2, 10);
    expect(JSON.parse(JSON.stringify(r.toJSON())).covariance.names).toEqual(['a', 'b']);
  });
});

describe('fit bad input', () => {
  const x = [1, 2, 3];
  const y = [2, 4, 6];
  it.each([
    [
      'fewer points than parameters',
      () => fit('y = a*x^2 + b*x + c + d', { x, y }),
      /3 data points cannot determine 4 free/,
    ],
    ['arrays that do not broadcast', () => fit('y = a*x', { x: [1, 2], y }), /do not broadcast/],
    ['min > max', () => fit('y = a*x', { x, y }, { a: { min: 2, max: 1 } }), /min 2 is greater than max 1/],
    ['data name not used', () => fit('y = a*x', { x, y, w: [1, 2, 3] }), /data 'w' is not used/],
    [
      'variable without data',
      () => fit('y = a*t', { y }),
      /uses no data variable: is one of 'a', 't' a variable/,
    ],
    [
      'bad estimator',
      () => fit('y = a*x', { x, y }, {}, { estimator: 'bogus' as never }),
      /fit option 'estimator' must be one of 'lsq', 'poisson' or 'likelihood', got 'bogus'/,
    ],
    ['unknown parameter', () => fit('y = a*x', { x, y }, { b: 1 }), /parameter 'b' does not appear/],
    [
      'unknown option',
      () => fit('y = a*x', { x, y }, {}, { maxfevs: 3 } as never),
      /^unknown fit option 'maxfevs'$/,
    ],
    [
      'no points left after omitting NaN',
      () => fit('y = a*x', { x, y: [NaN, NaN, NaN] }, {}, { nanPolicy: 'omit' }),
      /^0 data points cannot determine 1 free parameter \(a\)$/,
    ],
    // each start is a whole fit: a huge count used to exhaust memory (a crash) instead of an error
    [
      'too many starts',
      () => fit('y = a*x', { x, y }, {}, { starts: 1e9 }),
      /fit option 'starts' must be an integer >= 1 and <= 10000, got 1000000000/,
    ],
    [
      'ftol not a number',
      () => fit('y = a*x', { x, y }, {}, { ftol: -1 }),
      /fit option 'ftol' must be a finite number >= 0, got -1/,
    ],
    [
      'no data for the dependent variable',
      () => fit('y = a*x', { x }),
      /no data for the model's dependent variable 'y'/,
    ],
    ['syntax error', () => fit('y = a*exp(-b*x', { x, y }), /./],
    ['tie cycle', () => fit('y = a*x + b', { x, y }, { a: { expr: '2*b' }, b: { expr: 'a' } }), /cycle/],
  ])('%s', (_name, f, pattern) => {
    expectError(f, pattern);
  });

  it('an unknown option suggests the closest one', () => {
    const e = expectError(() => fit('y = a*x', { x, y }, {}, { maxfevs: 3 } as never), /maxfevs/);
    expect(e.hints).toEqual(["did you mean 'maxfev'?"]);
  });

  it('a start outside its bounds is clipped with a warning', () => {
    const r = fit('y = a*x', { x, y }, { a: { value: 5, min: 0, max: 3 } });
    expect(r.params.a.init).toBe(3);
    expect(r.notes.join('\n')).toMatch(/start 5 outside \[0, 3\]: clipped to 3/);
  });

  it('non-finite model values during a step reject the step instead of crashing', () => {
    const xs = [1, 2, 3, 4, 5, 6];
    const ys = xs.map((v) => Math.log(v * 0.5));
    const r = fit('y = log(b*x)', { x: xs, y: ys }, { b: 5 });
    expect(rel(r.values.b, 0.5)).toBeLessThan(1e-8);
  });
});

describe('other estimators and methods', () => {
  it('unbinned likelihood of an exponential pdf: b = mean(x), stderr = b/sqrt(N)', () => {
    const N = 1_000_000;
    const x = new Float64Array(N);
    for (let i = 0; i < N; i++) x[i] = -5 * Math.log(1 - (i + 0.5) / N);
    let mean = 0;
    for (let i = 0; i < N; i++) mean += x[i];
    mean /= N;
    const r = fit('p = (1/b)*exp(-x/b)', { x }, { b: { value: 4, min: 3 } }, { estimator: 'likelihood' });
    expect(r.success, r.message).toBe(true);
    expect(rel(r.values.b, mean)).toBeLessThan(1e-6);
    expect(rel(r.values.b, 4.99999827)).toBeLessThan(1e-6);
    expect(rel(r.params.b.stderr, 0.005)).toBeLessThan(1e-3);
    expect(Number.isFinite(r.nll)).toBe(true);
  });

  it('Poisson maximum likelihood on counts agrees with a direct solution', () => {
    // Counts of a constant rate: the MLE is the mean, with variance mean/N.
    const y = [3, 5, 4, 6, 2, 5, 4, 7, 3, 4];
    const r = fit('y = mu', { y }, { mu: { value: 1, min: 0 } }, { estimator: 'poisson' });
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    expect(rel(r.values.mu, mean)).toBeLessThan(1e-8);
    expect(rel(r.params.mu.stderr, Math.sqrt(mean / y.length))).toBeLessThan(1e-6);
  });

  it.each(['lbfgsb', 'nelder'] as const)('method %s reaches the least-squares optimum', (method) => {
    const x = Array.from({ length: 30 }, (_, i) => i / 3);
    const y = x.map((v) => 2 * Math.exp(-0.5 * v) + 0.3 + 0.01 * Math.sin(5 * v));
    const lm = fit('y = a*exp(-b*x) + c', { x, y }, { a: 1, b: 1, c: 0 });
    const r = fit('y = a*exp(-b*x) + c', { x, y }, { a: 1, b: 1, c: 0 }, { method });
    for (const k of ['a', 'b', 'c']) expect(Math.abs(r.values[k] - lm.values[k]), k).toBeLessThan(1e-4);
  });

  it('robust loss downweights an outlier', () => {
    const x = Array.from({ length: 20 }, (_, i) => i);
    const y = x.map((v) => 2 * v + 1);
    y[10] += 100;
    const plain = fit('y = a*x + b', { x, y });
    const robust = fit('y = a*x + b', { x, y }, {}, { loss: 'soft_l1', fScale: 0.1 });
    expect(Math.abs(robust.values.a - 2)).toBeLessThan(Math.abs(plain.values.a - 2));
    expect(Math.abs(robust.values.b - 1)).toBeLessThan(0.2);
  });

  it('multi-start finds the global minimum of a multimodal fit', () => {
    const x = Array.from({ length: 50 }, (_, i) => i / 5);
    const y = x.map((v) => Math.sin(3.3 * v));
    const single = fit('y = sin(w*x)', { x, y }, { w: { value: 0.5, min: 0.1, max: 5 } });
    const multi = fit('y = sin(w*x)', { x, y }, { w: { value: 0.5, min: 0.1, max: 5 } }, { starts: 20 });
    expect(single.chi2).toBeGreaterThan(1);
    expect(rel(multi.values.w, 3.3)).toBeLessThan(1e-8);
  });
});

describe('review findings', () => {
  const x = [1, 2, 3, 4, 5, 6, 7, 8];
  it('rank-deficient parameters are reported as not determined, with a warning', () => {
    const y = x.map((v) => 2 * v + 1);
    const r = fit('y = a*b*x + c', { x, y });
    expect(Number.isNaN(r.params.a.stderr)).toBe(true);
    expect(Number.isNaN(r.params.b.stderr)).toBe(true);
    expect(Number.isFinite(r.params.c.stderr)).toBe(true);
    expect(r.values.a * r.values.b).toBeCloseTo(2, 8);
    expect(r.warnings).toEqual([
      {
        code: 'rank-deficient',
        message: 'a and b are not determined separately by the data (rank-deficient Jacobian: rank 2 of 3)',
        params: ['a', 'b'],
      },
    ]);
    expect(r.success).toBe(true);
    expect(r.ok).toBe(false);
    expect(r.report()).toMatch(/a: .*not determined/);
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    '%s works as a parameter name',
    (name) => {
      const y = x.map((v) => 3 * v + 1);
      const r = fit(`y = ${name}*x + b`, { x, y });
      expect(r.values[name]).toBeCloseTo(3, 10);
      expect(Object.keys(r.params)).toContain(name);
      expect(Object.keys(r.toJSON().params)).toContain(name);
      expect(r.report()).toContain(`${name}:`);
    },
  );

  it('prototype names work as dependent and independent variables', () => {
    const data = Object.create(null) as Record<string, number[]>;
    data['constructor'] = x.map((v) => 2 * v);
    data['valueOf'] = x;
    const r = fit('constructor = a*valueOf', data);
    expect(r.values.a).toBeCloseTo(2, 10);
    expect(Array.from(r.eval({ valueOf: [10] }).data)[0]).toBeCloseTo(20, 8);
    expectError(() => r.eval({}), /no data for variable 'valueOf'/);
  });

  it('a model with a 4,000-term sum fits (long sums are balanced trees, not a RangeError)', () => {
    // sum of i*x for i < 4000 is 7,998,000*x
    const terms = Array.from({ length: 4000 }, (_, i) => `${i}*x*b`).join(' + ');
    const y = x.map((v) => 2 * v + 1);
    const r = fit(`y = ${terms} + a`, { x, y }, { a: 0, b: 1e-6 });
    expect(r.values.b * 7_998_000).toBeCloseTo(2, 8);
    expect(r.values.a).toBeCloseTo(1, 8);
  });

  it('user functions that expand exponentially are refused before they are built', () => {
    const fns = ['f0(u) = u'];
    for (let i = 1; i <= 30; i++) fns.push(`f${i}(u) = f${i - 1}(u)*f${i - 1}(u+1)`);
    expectError(() => fit(`${fns.join('\n')}\ny = a*f30(x)`, { x, y: x }), /expands to about .* nodes/);
  });

  it('result.eval reaches an equation that had no data', () => {
    const z = x.map((v) => (2 * v) ** 2 + 3);
    const r = fit('y = a*x; z = y^2 + b', { x, z }, { a: 1, b: 0 });
    expect(r.eval({ x: [5] }, 'y').data[0]).toBeCloseTo(10, 8);
  });

  it('wrong argument types are ExprfitErrors', () => {
    expectError(() => fit(42 as never, { x, y: x }), /model must be a string/);
    expectError(() => fit('y = a*x', { x, y: x }, [] as never), /params must be an object/);
    const r = fit('y = a*x', { x, y: x });
    expectError(() => r.eval(null as never), /eval: data must be an object/);
    expectError(() => fit('y = a*x', { x, y: x }, { a: { expr: '2', fixed: true } }), /cannot also be fixed/);
  });

  it('solver messages name parameters, not x[j]', () => {
    const y = x.map((v) => 2 * v + 1);
    const r = fit('y = a*x + b', { x, y }, { a: { value: 1, max: 1.5 } });
    expect(r.message).not.toMatch(/x\[\d\]/);
    expect(r.message).toMatch(/Parameter on a bound: a \(upper\)\.$/);
    // the names come with the problem (LeastSquaresProblem.names), not by rewriting x[j] in the text
    const undetermined = fit('y = a*x + 1 + exp(-1e6*b^2)', { x, y }, { a: 1, b: 1 });
    expect(undetermined.message).toMatch(/But parameter b has no effect on the residuals here/);
    const counts = x.map((v) => Math.round(3 + 2 * v));
    const poisson = fit(
      'y = a*x + b',
      { x, y: counts },
      { a: { value: 1, max: 1.5 }, b: 3 },
      { estimator: 'poisson' },
    );
    expect(poisson.message).toMatch(/Parameter on a bound: a \(upper\)\.$/);
  });

  it('a parameter without a start value starts as in curve_fit: the midpoint of finite bounds', () => {
    const y = x.map((v) => 2 * v + 1);
    const r = fit('y = a*x + b', { x, y }, { a: { min: 0, max: 10 } });
    expect(r.params.a.init).toBe(5);
    expect(r.params.b.init).toBe(1);
    expect(r.notes.join('\n')).toMatch(/a: no start value given: started at 5/);
  });
});
