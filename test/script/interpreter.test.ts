import { describe, expect, it, onTestFinished } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NdArray } from '../../src/data/ndarray.ts';
import { encodeNpy, parseNpy } from '../../src/data/npy.ts';
import { getCommand, registerCommand } from '../../src/script/statements/index.ts';
import { checkStatements } from '../../src/script/check.ts';
import { parseScript } from '../../src/syntax/parse.ts';
import { csvText, errorOf, exec, normal, writeFile, freshSessions, arrayVar, type Run } from './helpers.ts';

const fresh = freshSessions();

const arr = arrayVar;

/** Noisy decay data y = 12 exp(-t/3.5) + 0.8 with sigma per point. */
function decayCsv(r: Run, name = 'decay.csv', seed = 5): void {
  const n = normal(seed);
  const t: number[] = [];
  const y: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < 60; i++) {
    const ti = 0.25 * i;
    const yi = 12 * Math.exp(-ti / 3.5) + 0.8;
    const si = 0.05 + 0.02 * yi;
    t.push(ti);
    y.push(yi + si * n());
    s.push(si);
  }
  writeFile(r, name, csvText({ t, y, sigma: s }));
}

describe('array expressions', () => {
  const table: [string, string, unknown][] = [
    ['a = 1 + 2*3', 'a', 7],
    ['a = 2^-1', 'a', 0.5],
    ['a = [1, 2, 3]', 'a', [1, 2, 3]],
    [
      'a = [[1, 2], [3, 4]]',
      'a',
      [
        [1, 2],
        [3, 4],
      ],
    ],
    ['a = linspace(0, 1, 5)', 'a', [0, 0.25, 0.5, 0.75, 1]],
    ['a = arange(4)', 'a', [0, 1, 2, 3]],
    ['a = arange(1, 2, 0.5)', 'a', [1, 1.5]],
    ['a = [1, 2, 3]^2', 'a', [1, 4, 9]],
    ['a = log(exp([1, 2]))', 'a', [1, 2]],
    ['a = [10, 20, 30, 40, 50][1:4]', 'a', [20, 30, 40]],
    ['a = [10, 20, 30, 40, 50][-2:]', 'a', [40, 50]],
    ['a = [10, 20, 30, 40, 50][::2]', 'a', [10, 30, 50]],
    ['a = [10, 20, 30, 40, 50][::-1]', 'a', [50, 40, 30, 20, 10]],
    ['a = [10, 20, 30][1]', 'a', 20],
    ['a = [[1, 2, 3], [4, 5, 6]][:, 1]', 'a', [2, 5]],
    ['a = [[1, 2, 3], [4, 5, 6]][1, -1]', 'a', 6],
    ['a = sum([[1, 2, 3], [4, 5, 6]])', 'a', 21],
    ['a = sum([[1, 2, 3], [4, 5, 6]], 0)', 'a', [5, 7, 9]],
    ['a = mean([[1, 2, 3], [4, 5, 6]], 1)', 'a', [2, 5]],
    ['a = max([3, 9, 2])', 'a', 9],
    ['a = min([[3, 9], [1, 4]], 1)', 'a', [3, 1]],
    ['a = max(2, 5)', 'a', 5],
    ['a = max([1, 5], [4, 2])', 'a', [4, 5]],
    ['a = maximum([1, -2, 3], 0)', 'a', [1, 0, 3]],
    ['a = minimum([1, -2, 3], 0)', 'a', [0, -2, 0]],
    ['a = std([1, 2, 3, 4], 0, 1)', 'a', Math.sqrt(5 / 3)],
    [
      'a = reshape(arange(6), [2, 3])',
      'a',
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
    ],
    [
      'a = transpose([[1, 2], [3, 4]])',
      'a',
      [
        [1, 3],
        [2, 4],
      ],
    ],
    ['a = ravel([[1, 2], [3, 4]])', 'a', [1, 2, 3, 4]],
    ['a = concat([1, 2], [3])', 'a', [1, 2, 3]],
    [
      'a = concat([[1], [2]], [[3], [4]], 1)',
      'a',
      [
        [1, 3],
        [2, 4],
      ],
    ],
    ['a = shape(zeros([2, 3]))', 'a', [2, 3]],
    ['a = size(ones([2, 3]))', 'a', 6],
    ['a = full(2, 7)', 'a', [7, 7]],
    ['a = if([1, 5, 3] > 2, 1, 0)', 'a', [0, 1, 1]],
    ['a = pi', 'a', Math.PI],
    ['a = -inf', 'a', -Infinity],
    ['a = sum(gausskernel(5, 1.2))', 'a', 1],
    ['a = "data.csv"', 'a', 'data.csv'],
  ];
  it.each(table)('%s', async (text, name, expected) => {
    const r = fresh();
    await exec(r, text);
    const v = r.interp.variables.get(name);
    if (v instanceof NdArray) {
      const got = v.toNested() as number[];
      expect(JSON.stringify(got)).toBe(JSON.stringify(expected));
    } else if (typeof expected === 'number') expect(v).toBeCloseTo(expected, 12);
    else expect(v).toEqual(expected);
  });

  it('broadcasts grid coordinates to the image shape', async () => {
    const r = fresh();
    await exec(r, 'img = zeros([3, 4])\nx, y = grid(img)\nd = x + 10*y\nh, w = shape(img)');
    expect(arr(r, 'x').shape).toEqual([1, 4]);
    expect(arr(r, 'y').shape).toEqual([3, 1]);
    expect(arr(r, 'd').toNested()).toEqual([
      [0, 1, 2, 3],
      [10, 11, 12, 13],
      [20, 21, 22, 23],
    ]);
    expect(r.interp.variables.get('h')).toBe(3);
    expect(r.interp.variables.get('w')).toBe(4);
  });

  it('uses user functions in expressions', async () => {
    const r = fresh();
    await exec(r, 'g(u, s) = exp(-u^2/(2*s^2))\na = g([0, 1], 1)\nb = g(2, 2)');
    expect(Array.from(arr(r, 'a').data)).toEqual([1, Math.exp(-0.5)]);
    expect(r.interp.variables.get('b')).toBeCloseTo(Math.exp(-0.5), 15);
  });

  it('computes the two-kernel heatmap element-wise', async () => {
    const r = fresh();
    await exec(
      r,
      'x, y = grid(50, 60)\nP1 = 0.9*exp(-((x-20)^2 + (y-25)^2)/(2*5^2))\nP2 = 0.5*exp(-((x-40)^2 + (y-10)^2)/(2*8^2))\nI = 1 - (1-P1)*(1-P2)',
    );
    const I = arr(r, 'I');
    expect(I.shape).toEqual([50, 60]);
    const p1 = 0.9 * Math.exp(-((7 - 20) ** 2 + (9 - 25) ** 2) / 50);
    const p2 = 0.5 * Math.exp(-((7 - 40) ** 2 + (9 - 10) ** 2) / 128);
    expect(I.get(9, 7)).toBeCloseTo(1 - (1 - p1) * (1 - p2), 14);
  });

  it('smoothing splines: values, GCV, evaluation at new points and splines as values', async () => {
    const r = fresh();
    await exec(
      r,
      [
        'x = linspace(0, 10, 40)',
        'y = sin(x) + 0.1*sin(13*x)',
        'ys = smooth(x, y)',
        'y0 = smooth(x, y, 0)',
        'sp = spline(x, y, 0.1)',
        'u = linspace(0, 10, 7)',
        'yu = sp(u)',
        'd1 = sp(u, 1)',
        'same = smooth(x, y, 0.1, u)',
        'print sp',
      ].join('\n'),
    );
    expect(arr(r, 'ys').shape).toEqual([40]);
    // lam = 0 interpolates
    const y = arr(r, 'y').data;
    arr(r, 'y0').data.forEach((v, i) => expect(v).toBeCloseTo(y[i], 8));
    expect(Array.from(arr(r, 'yu').data)).toEqual(Array.from(arr(r, 'same').data));
    expect(arr(r, 'd1').shape).toEqual([7]);
    expect(r.out.join('\n')).toMatch(/smoothing spline through 40 points: lam=0\.1/);
  });

  it('unpacks arrays along their first axis', async () => {
    const r = fresh();
    await exec(r, 'a, b = [1, 2]\nc, d = [[1, 2], [3, 4]]');
    expect(r.interp.variables.get('a')).toBe(1);
    expect(r.interp.variables.get('b')).toBe(2);
    expect(arr(r, 'd').toNested()).toEqual([3, 4]);
  });

  const errors: [string, RegExp, number, number][] = [
    ['a = [1, 2, 3] + [1, 2]', /shapes do not broadcast: \[1, 2, 3\] \[3\], \[1, 2\] \[2\]/, 1, 5],
    ['a = 1\nb = a + c', /unknown name 'c'/, 2, 9],
    ['a = exq(1)', /unknown function 'exq'/, 1, 5],
    ['a = linspace(1)', /'linspace' takes 2 to 3 arguments, but 1 was given/, 1, 5],
    ['a = [1, 2][5]', /out of bounds/, 1, 5],
    ['a = [1, 2][0.5]', /whole number/, 1, 12],
    ['a = "x" + 1', /string cannot be used in arithmetic/, 1, 5],
    ['a = 3\nb = a(2)', /'a' is a number, not a function/, 2, 5],
    ['x, y = linspace(0, 1, 3)', /2 names on the left but 3 values/, 1, 1],
    ['a = grid(zeros([2, 2]))', /this gives 2 values; name each of them/, 1, 5],
    ['a = load("nope.csv")', /nope\.csv: file not found/, 1, 5],
    ['a = gausskernel(5, 1, "smooth")', /mode must be one of "sample", "integrate"/, 1, 23],
  ];
  it.each(errors)('error: %s', async (text, message, line, column) => {
    const r = fresh();
    const e = await errorOf(() => exec(r, text));
    expect(e.message).toMatch(message);
    expect(e.span?.line).toBe(line);
    expect(e.span?.column).toBe(column);
    expect(e.format()).toContain('test.fit:');
    expect(e.format()).toMatch(/\n\s+\^+/);
  });
});

describe('data, param and model statements', () => {
  it('binds every column by its header, with a prefix, skipping names that are not identifiers', async () => {
    const r = fresh();
    writeFile(r, 'd.csv', 't,y,bad name\n0,1,5\n1,2,6\n');
    await exec(r, 'data "d.csv"\ndata "d.csv" prefix=b_');
    expect(Array.from(arr(r, 't').data)).toEqual([0, 1]);
    expect(Array.from(arr(r, 'b_y').data)).toEqual([1, 2]);
    expect(r.interp.variables.has('bad name')).toBe(false);
    expect(r.info.join('\n')).toMatch(/"bad name" skipped/);
  });

  it('resolves relative paths against the script folder', async () => {
    const r = fresh();
    writeFile(r, 'col.csv', 'v\n3\n4\n');
    // the process runs elsewhere; the script is in r.dir
    await exec(r, 'v = load("col.csv", "v")\nall = load("col.csv")');
    expect(Array.from(arr(r, 'v').data)).toEqual([3, 4]);
    expect(arr(r, 'all').shape).toEqual([2, 1]);
  });

  it('declares parameters with bounds, fixed values and ties', async () => {
    const r = fresh();
    await exec(
      r,
      'w = 3\nparam A = 100 in [0, inf]\nparam x0 = 7, y0 = w\nparam c = 10 fixed\nparam sx = 2\nparam sy = 2*sx + w',
    );
    const p = r.interp.params;
    expect(p.get('A')).toMatchObject({ value: 100, min: 0, max: Infinity, fixed: false });
    expect(p.get('y0')!.value).toBe(3);
    expect(p.get('c')).toMatchObject({ value: 10, fixed: true });
    expect(p.get('sy')!.tieText).toBe('2*sx + 3');
    expect(r.interp.lookup('sy')).toBe(7);
  });

  const paramErrors: [string, RegExp][] = [
    ['x = 1\nparam x = 2', /'x' is already a variable/],
    ['param A = 1\nA = 2', /'A' is a parameter; a variable needs another name/],
    ['param A = 1 in [5, 2]', /lower bound 5 is above the upper bound 2/],
    ['param a = 1\nparam b = 2*a fixed', /tied to other parameters, so it cannot also be fixed/],
    ['param c fixed', /a fixed parameter needs a value/],
    ['param a = [1, 2]', /start value of 'a' must be a number/],
  ];
  it.each(paramErrors)('error: %s', async (text, message) => {
    const e = await errorOf(() => exec(fresh(), text));
    expect(e.message).toMatch(message);
    expect(e.span).toBeDefined();
  });

  it('applies --set overrides to parameters and variables', async () => {
    const r = fresh(
      new Map([
        ['A', 42],
        ['n', 3],
      ]),
    );
    await exec(r, 'param A = 1 in [0, 100]\nn = 10\nu = linspace(0, 1, n)');
    expect(r.interp.params.get('A')!.value).toBe(42);
    expect(arr(r, 'u').size).toBe(3);
    expect([...r.interp.usedOverrides].sort()).toEqual(['A', 'n']);
  });
});

describe('fit', () => {
  it('fits a weighted decay; fitted values, model and residuals are available afterwards', async () => {
    const r = fresh();
    decayCsv(r);
    await exec(
      r,
      [
        'data "decay.csv"',
        'param A = 5 in [0, inf], tau = 1 in [0, 100], c = 0',
        'model y = A*exp(-t/tau) + c',
        'fit sigma=sigma absolute_sigma=true',
        'half = tau*log(2)',
        'chk = sum(abs(y - model - residuals))',
        'report',
        'report brief',
      ].join('\n'),
    );
    const res = r.interp.fits[0];
    expect(res.success).toBe(true);
    expect(res.values.A).toBeCloseTo(12, 0);
    expect(res.values.tau).toBeCloseTo(3.5, 0);
    expect(r.interp.variables.get('half')).toBeCloseTo(res.values.tau * Math.log(2), 12);
    expect(r.interp.variables.get('chk')).toBeLessThan(1e-9);
    expect(arr(r, 'model').shape).toEqual([60]);
    expect(r.out[0]).toMatch(/\[\[Model\]\]\n {4}y = A\*exp\(-t\/tau\) \+ c/);
    expect(r.out[0]).toMatch(/\[\[Variables\]\]/);
    expect(r.out[1]).toMatch(/^converged/);
    expect(r.info.join('\n')).toMatch(/fit 1: converged/);
  });

  it('gives the same result as sigma given per equation', async () => {
    const r = fresh();
    decayCsv(r);
    await exec(
      r,
      'data "decay.csv"\nmodel y = A*exp(-t/tau) + c\nparam A = 5, tau = 1, c = 0\nfit sigma_y=sigma',
    );
    const s = fresh();
    decayCsv(s);
    await exec(
      s,
      'data "decay.csv"\nmodel y = A*exp(-t/tau) + c\nparam A = 5, tau = 1, c = 0\nfit sigma=sigma',
    );
    expect(r.interp.fits[0].values.tau).toBe(s.interp.fits[0].values.tau);
  });

  it('fits model lines that share a parameter (global fit)', async () => {
    const r = fresh();
    await exec(
      r,
      [
        't1 = linspace(0, 10, 30)',
        't2 = linspace(0, 12, 20)',
        'y1 = 10*exp(-0.3*t1) + 1',
        'y2 = 4*exp(-0.3*t2) + 2 + 0.001*sin(7*t2)',
        'param k = 1 in [0, 5]',
        'param auto',
        'model y1 = A1*exp(-k*t1) + c1',
        'model y2 = A2*exp(-k*t2) + c2',
        'fit',
      ].join('\n'),
    );
    const res = r.interp.fits[0];
    expect(res.values.k).toBeCloseTo(0.3, 3);
    expect(res.values.A1).toBeCloseTo(10, 2);
    expect(arr(r, 'model_y2').shape).toEqual([20]);
    expect(arr(r, 'residuals_y1').shape).toEqual([30]);
    expect(r.info.join('\n')).toMatch(/'A1', 'c1', 'A2', 'c2' are not declared/);
    // undeclared names became parameters
    expect(r.interp.params.get('A1')!.implicit).toBe(true);
  });

  it('rejects a misspelt model name when parameters are declared (REPL path: no static check)', async () => {
    const r = fresh();
    const lines = [
      't = linspace(0, 10, 30)',
      'y = 3*exp(-t/2) + 1',
      'param tau = 1 in [0, 100], A = 1, c = 0',
    ];
    for (const l of lines) await r.interp.runText(l);
    await r.interp.runText('model y = A*exp(-t/tua) + c');
    const e = await errorOf(() => r.interp.runText('fit'));
    expect(e.message).toMatch(/unknown name 'tua' in the model/);
    expect(e.span?.column).toBe(20);
    expect(e.hints).toContain("did you mean 'tau'?");
    expect(r.interp.fits).toHaveLength(0);
    await r.interp.runText('param auto');
    await r.interp.runText('fit');
    expect(r.interp.fits[0].values.tua).toBeCloseTo(2, 6);
  });

  it('fits a 2-D Gaussian with a fixed background and tied widths on a grid', async () => {
    const r = fresh();
    const n = normal(2);
    const h = 24;
    const w = 30;
    const data = new Float64Array(h * w);
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        data[i * w + j] =
          40 * Math.exp(-((j - 14.3) ** 2 / (2 * 2.5 ** 2) + (i - 11.2) ** 2 / (2 * 3.75 ** 2))) +
          5 +
          0.2 * n();
      }
    }
    writeFile(r, 'img.npy', encodeNpy(new NdArray(data, [h, w])));
    await exec(
      r,
      [
        'img = load("img.npy")',
        'x, y = grid(img)',
        'param A = 20 in [0, 100], x0 = 15, y0 = 12',
        'param sx = 2 in [0.5, 10]',
        'param sy = 1.5*sx',
        'param c = 5 fixed',
        'model img = A*exp(-((x-x0)^2/(2*sx^2) + (y-y0)^2/(2*sy^2))) + c',
        'fit',
      ].join('\n'),
    );
    const res = r.interp.fits[0];
    expect([...res.free].sort()).toEqual(['A', 'sx', 'x0', 'y0']);
    expect(res.values.sy).toBeCloseTo(1.5 * res.values.sx, 12);
    expect(res.values.sx).toBeCloseTo(2.5, 1);
    expect(res.params.c.fixed).toBe(true);
    expect(res.params.sy.expr).toBe('1.5*sx');
  });

  it('evaluates array parts of a model (indexing, array functions) before fitting', async () => {
    const r = fresh();
    await exec(
      r,
      [
        'x = linspace(0, 1, 40)',
        'y = 2 + 3*x^2',
        'B = [ones(40), x, x^2]',
        'model y = b0*B[0] + b1*B[1] + b2*B[2]*sum([1])',
        'fit',
      ].join('\n'),
    );
    const v = r.interp.fits[0].values;
    expect(v.b0).toBeCloseTo(2, 9);
    expect(v.b1).toBeCloseTo(0, 9);
    expect(v.b2).toBeCloseTo(3, 9);
  });

  it('uses user functions in models and a new model after a fit', async () => {
    const r = fresh();
    await exec(
      r,
      [
        'g(u, s) = exp(-u^2/(2*s^2))',
        'x = linspace(-5, 5, 51)',
        'y = 3*g(x - 0.5, 1.2)',
        'model y = A*g(x - m, s)',
        'param A = 1, m = 0, s = 1',
        'fit',
        'z = 2*x + 1',
        'param a = 1, b = 0',
        'model z = a*x + b',
        'fit',
      ].join('\n'),
    );
    expect(r.interp.fits[0].values.s).toBeCloseTo(1.2, 9);
    // the second fit has only the second model line
    expect(Object.keys(r.interp.fits[1].values).sort()).toEqual(['a', 'b']);
    expect(r.interp.fits[1].values.a).toBeCloseTo(2, 9);
  });

  it('passes the fit options through', async () => {
    const r = fresh();
    await exec(
      r,
      [
        'x = linspace(0, 4, 30)',
        'y = 5*exp(-x) + if(x > 3.9, 50, 0)', // one outlier at the end
        'model y = A*exp(-k*x)',
        'param A = 1, k = 1',
        'fit method=lm loss=huber f_scale=0.1 maxfev=2000',
        'robustA = A',
        'fit method=nelder',
        'fit method=lbfgsb starts=3 seed=2',
      ].join('\n'),
    );
    expect(r.interp.variables.get('robustA')).toBeCloseTo(5, 1);
    expect(r.interp.fits[1].method).toMatch(/nelder/i);
    expect(r.interp.fits[2].method).toMatch(/l-?bfgs/i);
  });

  it('omits NaN points with nan=omit and fits counts with estimator=poisson', async () => {
    const r = fresh();
    await exec(
      r,
      [
        'x = linspace(0, 1, 11)',
        'y = 2*x + 1 + if(x > 0.45 and x < 0.55, nan, 0)',
        'model y = a*x + b',
        'fit nan=omit',
        'n = linspace(0, 5, 20)',
        'counts = floor(20*exp(-0.3*n) + 0.5)',
        'model counts = N*exp(-r*n)',
        'param N = 10 in [0, inf], r = 1 in [0, 10]',
        'fit estimator=poisson',
      ].join('\n'),
    );
    expect(r.interp.fits[0].ndata).toBe(10);
    expect(r.interp.fits[0].values.a).toBeCloseTo(2, 9);
    expect(r.interp.fits[1].estimator).toBe('poisson');
    expect(r.interp.fits[1].values.r).toBeCloseTo(0.3, 1);
  });

  it('reports a fit that does not converge as a warning and counts it', async () => {
    const r = fresh();
    decayCsv(r);
    await exec(r, 'data "decay.csv"\nparam A = 5, tau = 1, c = 0\nmodel y = A*exp(-t/tau) + c\nfit maxfev=3');
    expect(r.interp.unconverged).toBe(1);
    expect(r.warn.join('\n')).toMatch(/fit 1 did not converge \(maxfev\)/);
  });

  const fitErrors: [string, RegExp, number, number][] = [
    ['fit', /no model to fit/, 1, 1],
    ['x = [1, 2, 3]\nmodel y = a*x\nfit', /no data named 'y'/, 2, 7],
    ['x = [1, 2, 3]\ny = x\nmodel y = a*x\nfit methd=lm', /unknown option 'methd' for fit/, 4, 5],
    ['x = [1, 2, 3]\ny = x\nmodel y = a*x\nfit method=lmm', /method/, 4, 5],
    ['x = [1, 2, 3]\ny = x\nmodel y = a*x\nfit maxfev=-1', /maxfev/, 4, 5],
    [
      'x = [1, 2, 3]\ny = x\nmodel y = a*x\nfit starts=1e9',
      /option starts must be an integer >= 1 and <= 10000, got 1000000000/,
      4,
      5,
    ],
    ['x = [1, 2, 3]\ny = x\nmodel y = a*x\nfit sigma_z=1', /no line for 'z'/, 4, 5],
    ['x = [1, 2, 3]\ny = [1, 2]\nmodel y = a*x\nfit', /shape|broadcast/, 4, 1],
    // the NaN hint names the script's option, not the API's nanPolicy
    [
      'x = [1, 2, 3]\ny = [1, nan, 3]\nmodel y = a*x\nfit',
      /^data 'y' has NaN at index 1 \(use fit nan=omit to drop such points\)$/,
      4,
      1,
    ],
    [
      'x = [1, 2]\ny = x\nparam a = 1\nmodel y = a*x[a]\nfit',
      /parameter 'a' cannot be used inside an index/,
      4,
      13,
    ],
    ['report', /nothing to report yet: run 'fit' first/, 1, 1],
    ['save "r.json"', /nothing to save yet/, 1, 1],
    ['plot "p.svg"', /nothing to plot yet/, 1, 1],
  ];
  it.each(fitErrors)('error: %s', async (text, message, line, column) => {
    const e = await errorOf(() => exec(fresh(), text));
    expect(e.message).toMatch(message);
    expect(e.span?.line).toBe(line);
    expect(e.span?.column).toBe(column);
  });
});

describe('print, save, plot and commands', () => {
  it('prints numbers in full precision, arrays in full or as a summary, and honours set digits', async () => {
    const r = fresh();
    await exec(
      r,
      'print 0.1 + 0.2\nprint [1, 2.5]\nprint linspace(0, 1, 100)\nset digits=3\nprint pi\n2*pi\nset\nset digits=0\nprint pi',
    );
    expect(r.out[0]).toBe('0.30000000000000004');
    expect(r.out[1]).toBe('[1, 2.5]');
    expect(r.out[2]).toMatch(
      /^array \[100\]: min 0, max 1, mean 0\.5; values 0, 0\.010101, 0\.020202, 0\.030303, \.\.\., 1$/,
    );
    expect(r.out[3]).toBe('3.14');
    expect(r.out[4]).toBe('6.28');
    expect(r.out[5]).toBe('digits = 3');
    expect(r.out[6]).toBe(String(Math.PI));
  });

  it('saves the result JSON and arrays as .npy, .csv and .png (creating folders)', async () => {
    const r = fresh();
    decayCsv(r);
    await exec(
      r,
      [
        'data "decay.csv"',
        'param A = 5 in [0, inf], tau = 1, c = 0',
        'model y = A*exp(-t/tau) + c',
        'fit',
        'save "out/result.json"',
        'save model to "out/model.npy"',
        'save residuals to "out/res.csv"',
        'img = reshape(arange(12), [3, 4])',
        'save img to "out/img.png"',
        'save img to "out/img16.png" png=grey16',
        'plot "out/fit.svg" title="decay"',
      ].join('\n'),
    );
    const json = JSON.parse(readFileSync(join(r.dir, 'out/result.json'), 'utf8'));
    expect(Object.keys(json)).toEqual(
      expect.arrayContaining([
        'params',
        'chi2',
        'redchi',
        'r2',
        'aic',
        'bic',
        'ndata',
        'nfree',
        'nfev',
        'success',
        'termination',
        'message',
        'covariance',
      ]),
    );
    expect(Object.keys(json.params.A)).toEqual(
      expect.arrayContaining(['value', 'stderr', 'min', 'max', 'fixed', 'expr']),
    );
    expect(json.covariance.names).toEqual(['A', 'tau', 'c']);
    const model = parseNpy(readFileSync(join(r.dir, 'out/model.npy')), 'model.npy');
    expect(model.shape).toEqual([60]);
    expect(readFileSync(join(r.dir, 'out/res.csv'), 'utf8').split('\n')[0]).toBe('residuals');
    expect(readFileSync(join(r.dir, 'out/img.png')).subarray(1, 4).toString()).toBe('PNG');
    expect(existsSync(join(r.dir, 'out/img16.png'))).toBe(true);
    const svg = readFileSync(join(r.dir, 'out/fit.svg'), 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('decay');
    expect(r.info.filter((l) => l.startsWith('wrote')).length).toBe(6);
  });

  const saveErrors: [string, RegExp][] = [
    ['a = [1, 2]\nsave a to "a.xyz"', /cannot save an array as "\.xyz"/],
    ['x = [1, 2, 3]\ny = x\nmodel y = a*x\nfit\nsave "r.csv"', /fit result is saved as \.json/],
    ['a = [1, 2]\nsave a to "a.npy" colour=grey', /unknown option 'colour' for save/],
    ['x = [1, 2, 3]\ny = x\nmodel y = a*x\nfit\nplot "p.pdf"', /\.svg or \.png/],
  ];
  it.each(saveErrors)('error: %s', async (text, message) => {
    const e = await errorOf(() => exec(fresh(), text));
    expect(e.message).toMatch(message);
    expect(e.span).toBeDefined();
  });

  it('runs registered commands', async () => {
    const seen: string[] = [];
    const real = getCommand('spots')!;
    onTestFinished(() => registerCommand(real));
    registerCommand({
      name: 'spots',
      summary: 'test stand-in',
      help: '',
      run(stmt, ctx) {
        seen.push(
          `${stmt.args.length} ${stmt.options.map((o) => o.key).join(',')} ${ctx.interp.variables.has('img')}`,
        );
      },
    });
    const r = fresh();
    await exec(r, 'img = zeros([4, 4])\nspots img roi=7');
    expect(seen).toEqual(['1 roi true']);
  });
});

describe('static check', () => {
  async function check(text: string, overrides?: string[]) {
    const r = fresh();
    decayCsv(r);
    const source = { text, file: 'x.fit' };
    return checkStatements(parseScript(text, 'x.fit'), source, { baseDir: r.dir, overrides });
  }

  it('accepts a good script and notes undeclared parameters', async () => {
    const res = await check(
      'data "decay.csv"\nmodel y = A*exp(-t/tau) + c\nparam A = 1, auto\nfit\nprint tau\nplot "p.svg"',
    );
    expect(res.fits).toBe(1);
    expect(res.notes.join('\n')).toMatch(/'tau', 'c' are not declared/);
  });

  const bad: [string, RegExp, number][] = [
    ['data "decay.csv"\nmodel y = A*exp(-t/tau)\nfit\nprint taux', /unknown name 'taux'/, 4],
    ['data "missing.csv"', /file not found/, 1],
    ['data "decay.csv"\nq = linspase(0, 1)', /unknown function 'linspase'/, 2],
    ['data "decay.csv"\nmodel y = a*t\nfit loss=hubber', /loss is one of/, 3],
    ['data "decay.csv"\nmodel q = a*t\nfit', /no data named 'q'/, 2],
    ['report', /nothing to report yet/, 1],
    ['a, b, c = grid(3, 3)', /3 names on the left but grid gives 2 values/, 1],
    ['x = 1\nx(2)', /'x' is a variable, not a function/, 2],
    ['data "decay.csv"\nmodel y = a*t\nfit\nplot "p.svg" x=tt', /unknown name 'tt'/, 4],
    ['data "decay.csv"\nmodel y = a*t\nfit\nplot "p.svg" xx=t', /unknown option 'xx' for plot/, 4],
  ];
  it.each(bad)('rejects %s', async (text, message, line) => {
    const e = await errorOf(() => check(text));
    expect(e.message).toMatch(message);
    expect(e.span?.line).toBe(line);
  });

  it('rejects a misspelt model name when the script declares its parameters, at the name', async () => {
    const text =
      'data "decay.csv"\nparam tau = 1 in [0, 100], A = 1, c = 0\nmodel y = A*exp(-t/tua) + c\nfit';
    const e = await errorOf(() => check(text));
    expect(e.message).toMatch(/unknown name 'tua' in the model/);
    expect([e.span?.line, e.span?.column]).toEqual([3, 20]);
    expect(e.hints).toContain("did you mean 'tau'?");
    expect(e.format()).toMatch(/x\.fit:3:20/);
    // a name used through a user function is reported too; `param auto` allows undeclared names
    const viaFunction = 'data "decay.csv"\nparam A = 1\ng(u) = exp(-u/tua)\nmodel y = A*g(t)\nfit';
    expect((await errorOf(() => check(viaFunction))).message).toMatch(/unknown name 'tua'/);
    const auto = await check(text.replace('param tau', 'param auto\nparam tau'));
    expect(auto.notes.join()).toMatch(/'tua' is not declared/);
  });

  it('rejects --set names the script does not assign or declare', async () => {
    const e = await errorOf(() => check('param A = 1\nn = 3', ['A', 'nn']));
    expect(e.message).toMatch(/--set nn: the script neither assigns 'nn'/);
    expect(e.hints.join()).toMatch(/did you mean 'n'/);
  });
});
