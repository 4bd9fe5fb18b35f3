/** The array functions of scripts (src/script/functions.ts): arguments, errors, size limit, docs. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { crBasis, linspace, smoothingSpline } from '../../src/arrays/index.ts';
import { scriptFunctionNames } from '../../src/script/functions.ts';
import { errorOf, exec, freshSessions, arrayVar } from './helpers.ts';

const fresh = freshSessions();

const arr = arrayVar;

const X = Array.from(linspace(0, 10, 30).data);
const Y = X.map((x) => Math.sin(x) + 0.2 * Math.cos(7 * x));
const DATA = 'x = linspace(0, 10, 30)\ny = sin(x) + 0.2*cos(7*x)';

describe('smooth() and spline(): lam', () => {
  it('lam = -1 (the documented sentinel) is the GCV choice, as leaving lam out', async () => {
    const r = fresh();
    await exec(r, `${DATA}\na = smooth(x, y)\nb = smooth(x, y, -1)\nsp = spline(x, y, -1)`);
    const gcv = smoothingSpline(X, Y);
    expect(Array.from(arr(r, 'b').data)).toEqual(Array.from(arr(r, 'a').data));
    Array.from(arr(r, 'b').data).forEach((v, i) => expect(v).toBeCloseTo(gcv.values[i], 12));
    const sp = r.interp.variables.get('sp') as { kind: string; spline: { lam: number } };
    expect(sp.spline.lam).toBeCloseTo(gcv.lam, 12);
  });

  it.each([
    ['ys = smooth(x, y, -0.5)', '-0.5', /lam must be >= 0, or -1 to choose it by GCV; got -0\.5/],
    ['ys = smooth(x, y, -2, x)', '-2', /got -2/],
    ['sp = spline(x, y, -1e-9)', '-1e-9', /got -1e-9/],
    ['sp = spline(x, y, nan)', 'nan', /got NaN/],
  ])('%s is an error at the lam argument (negative values used to mean GCV)', async (text, at, msg) => {
    const r = fresh();
    const e = await errorOf(() => exec(r, `${DATA}\n${text}`));
    expect(e.code).toBe('value');
    expect(e.message).toMatch(msg);
    expect(e.span?.line).toBe(3);
    expect(e.span?.column).toBe(text.indexOf(at) + 1);
  });

  it('lam = 0 and lam = inf are accepted (interpolation; the least-squares line)', async () => {
    const r = fresh();
    await exec(r, `${DATA}\na = smooth(x, y, 0)\nb = smooth(x, y, inf)`);
    Array.from(arr(r, 'a').data).forEach((v, i) => expect(v).toBeCloseTo(Y[i], 8));
    const b = arr(r, 'b').data;
    expect(b[2] - b[1]).toBeCloseTo(b[1] - b[0], 10);
  });
});

describe('cr(): df or explicit knots', () => {
  it('cr(x, [k1, k2, ...]) is patsy cr(x, knots=[...])', async () => {
    const r = fresh();
    await exec(r, `${DATA}\nB = cr(x, [2.5, 5, 7.5])\nC = cr(x, [2.5, 5, 7.5], "center")\nL = cr(x, [])`);
    const B = arr(r, 'B');
    const ref = crBasis(X, { knots: [2.5, 5, 7.5] });
    expect(B.shape).toEqual([30, 5]);
    expect(Array.from(B.data)).toEqual(Array.from(ref.data));
    const C = arr(r, 'C');
    expect(Array.from(C.data)).toEqual(
      Array.from(crBasis(X, { knots: [2.5, 5, 7.5], constraints: 'center' }).data),
    );
    expect(C.shape).toEqual([30, 4]);
    expect(arr(r, 'L').shape).toEqual([30, 2]);
  });

  it('cr(x, df) is unchanged', async () => {
    const r = fresh();
    await exec(r, `${DATA}\nB = cr(x, 6)\nk = 6\nB2 = cr(x, k)`);
    expect(Array.from(arr(r, 'B').data)).toEqual(Array.from(crBasis(X, { df: 6 }).data));
    expect(Array.from(arr(r, 'B2').data)).toEqual(Array.from(arr(r, 'B').data));
  });

  it.each([
    ['B = cr(x, [[1, 2]])', '[[', /knots must be a list such as \[2\.5, 5, 7\.5\]/],
    ['B = cr(x, "six")', '"six"', /df \(a number\) or a list of knots, but it is a string/],
    ['B = cr(x, 4.5)', '4.5', /df must be a whole number, got 4\.5/],
    ['B = cr(x, [2, nan])', 'cr(', /^cr knots\[1\] is NaN/],
    ['B = cr(x, [20])', 'cr(', /^cr knot 20 is outside the bounds/],
    ['B = cr(x, 1)', 'cr(', /^cr df must be an integer >= 2, got 1/],
  ])('%s is a positioned error', async (text, at, msg) => {
    const r = fresh();
    const e = await errorOf(() => exec(r, `${DATA}\n${text}`));
    expect(e.message).toMatch(msg);
    expect(e.span?.line).toBe(3);
    expect(e.span?.column).toBe(text.indexOf(at) + 1);
  });

  it('a knots basis works in a model', async () => {
    const r = fresh();
    await exec(
      r,
      `${DATA}\nB = cr(x, [2.5, 5, 7.5])\nmodel y = b0*B[:, 0] + b1*B[:, 1] + b2*B[:, 2] + b3*B[:, 3] + b4*B[:, 4]\nfit`,
    );
    expect(r.interp.fits.at(-1)?.success).toBe(true);
  });
});

describe('array sizes and shapes in scripts', () => {
  it.each([
    [
      'u = linspace(0, 1, 1e12)',
      'linspace(',
      /^linspace\(0, 1, 1000000000000\): shape \[1000000000000\] has/,
    ],
    ['z = ones([1e6, 1e6])', 'ones(', /^ones: shape \[1000000, 1000000\] has 1000000000000 values/],
    ['z = zeros([1e6, 1e6])', 'zeros(', /^zeros: shape \[1000000, 1000000\]/],
    ['z = full([1e5, 1e5], 1)', 'full(', /^full: shape \[100000, 100000\]/],
    ['k = arange(0, 1e13)', 'arange(', /^arange\(0, 10000000000000, 1\): shape/],
    [
      'x, y = grid(1e9, 1e9)',
      'grid(',
      /^grid: shape \[1000000000, 1000000000\] needs an array of 1000000000 values/,
    ],
    ['x, y = grid([1e9, 1e9])', 'grid(', /^grid: shape \[1000000000, 1000000000\]/],
    [
      'X, Y = meshgrid(linspace(0, 1, 1e5), linspace(0, 1, 1e5))',
      'meshgrid(',
      /^meshgrid: shape \[100000, 100000\]/,
    ],
    ['K = rbfkernel(linspace(0, 1, 1e5), 1)', 'rbfkernel(', /^rbfkernel: shape \[100000, 100000\]/],
    ['g = gausskernel(1e5, 1)', 'gausskernel(', /^gausskernel: shape \[100000, 100000\]/],
    ['h = gaussians([1e5, 1e5], [[1, 2]], 1)', 'gaussians(', /^gaussians: shape \[100000, 100000\]/],
    ['B = cr(linspace(0, 1, 3e5), 1000)', 'cr(', /^cr: shape \[300000, 1000\]/],
  ])('%s: an error naming the function and the shape (was an internal error)', async (text, at, msg) => {
    const r = fresh();
    const e = await errorOf(() => exec(r, text));
    expect(e.code).toBe('value');
    expect(e.message).toMatch(msg);
    expect(e.message).toMatch(/more than the limit of 268435456 \(2\^28 values, 2 GiB of float64\)$/);
    expect(e.span?.line).toBe(1);
    expect(e.span?.column).toBe(text.indexOf(at) + 1);
    expect(e.format()).toContain('test.fit:1:');
  });

  it('broadcasting two vectors into a gigantic result names the operands and the shape', async () => {
    const r = fresh();
    const e = await errorOf(() => exec(r, 'x, y = grid(20000, 20000)\nz = 1 + x*y'));
    expect(e.message).toMatch(
      /^broadcasting x \[1, 20000\], y \[20000, 1\]: shape \[20000, 20000\] has 400000000 values, more than the limit/,
    );
    expect(e.span?.line).toBe(2);
    expect(e.span?.column).toBe(5);
    // smaller grids still work
    await exec(r, 'x, y = grid(300, 400)\nz = x*y');
    expect(arr(r, 'z').shape).toEqual([300, 400]);
  });

  it.each([
    ['u = linspace(0, 1, -3)', 'linspace(', /linspace count must be >= 0, got -3/],
    ['u = linspace(0, 1, 2.5)', '2.5', /n must be a whole number, got 2\.5/],
    ['z = zeros([2.5, 3])', '[2.5', /^zeros shape\[0\] must be a whole number >= 0, got 2\.5/],
    ['z = ones([3, -1])', '[3', /^ones shape\[1\] must be a whole number >= 0, got -1/],
    ['z = zeros(-2)', '-2', /^zeros shape must be a whole number >= 0, got -2/],
    ['z = full(1.5, 0)', '1.5', /^full shape must be a whole number >= 0, got 1\.5/],
  ])('%s: a clear error at the count', async (text, at, msg) => {
    const r = fresh();
    const e = await errorOf(() => exec(r, text));
    expect(e.message).toMatch(msg);
    expect(e.span?.column).toBe(text.indexOf(at) + 1);
  });
});

describe('docs', () => {
  it('docs/cli.md lists every script function in its table of array functions', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../docs/cli.md', import.meta.url)), 'utf8');
    const start = doc.indexOf('### Array expressions and functions');
    const table = doc.slice(start, doc.indexOf('\n### ', start + 1));
    const rows = table.split('\n').filter((l) => l.startsWith('| `'));
    for (const name of scriptFunctionNames()) {
      const listed = rows.some((row) => new RegExp('`' + name + '[(`]').test(row.split(' | ')[0]));
      expect(listed, `docs/cli.md does not list ${name}(...)`).toBe(true);
    }
  });
});

describe('errors of the API functions behind cr() and gaussians() name the script function (from detail)', () => {
  it('crBasis errors carry detail { function, separator, reason }', () => {
    let err: unknown;
    try {
      crBasis([1, 2, NaN], { df: 3 });
    } catch (e) {
      err = e;
    }
    expect((err as { detail: unknown }).detail).toMatchObject({
      function: 'crBasis',
      separator: ' ',
      reason: 'x[2] is NaN',
    });
  });

  it.each([
    ['B = cr(x, 1)', /^cr df must be an integer >= 2, got 1$/],
    ['B = cr([1, 1, 1, 1], 3)', /^cr: cannot place 1 interior knots/],
    ['G = gaussians([20, 30], [1, 2, 3], 2)', /^gaussians centres must be \[k, 2\] rows/],
  ])('%s', async (text, msg) => {
    const e = await errorOf(() => exec(fresh(), `${DATA}\n${text}`));
    expect(e.message).toMatch(msg);
  });

  it.each([
    [
      'G = gaussians([20, 30], [[1, 2]], -1)',
      'gaussians(',
      { function: 'gaussians', separator: ' ', reason: 'sigma must be > 0, got -1', value: -1 },
    ],
    [
      'B = cr(x, [2.5, nan])',
      'cr(',
      { function: 'cr', separator: ' ', reason: 'knots[1] is NaN: knots must be finite', value: NaN },
    ],
    [
      'B = cr(x, [20])',
      'cr(',
      { function: 'cr', separator: ' ', reason: 'knot 20 is outside the bounds [0, 10]', value: 20 },
    ],
  ])("%s: the positioned error keeps the detail, in the script function's name", async (text, at, detail) => {
    const e = await errorOf(() => exec(fresh(), `${DATA}\n${text}`));
    expect(e.detail).toEqual(detail);
    expect(e.message).toBe(`${detail.function} ${detail.reason}`);
    expect(e.span?.line).toBe(3);
    expect(e.span?.column).toBe(text.indexOf(at) + 1);
    expect(e.source?.file).toMatch(/test\.fit$/);
  });

  it('a data file that is missing: the error at the file name keeps detail.file and reason', async () => {
    const e = await errorOf(() => exec(fresh(), 'x = 1\ndata "nope.csv"'));
    expect(e.detail.file).toBe('nope.csv');
    expect(e.detail.reason).toEqual(expect.any(String));
    expect(e.message).toBe(`nope.csv: ${e.detail.reason}`);
    expect(e.span?.line).toBe(2);
    expect(e.span?.column).toBe(6);
  });

  it('element-wise errors name the operands by their source text', async () => {
    const e = await errorOf(() => exec(fresh(), 'a = [1, 2, 3]\nb = [1, 2]\nc = a[0:3] + b * 2'));
    expect(e.message).toMatch(/a\[0:3\]/);
    expect(e.message).not.toMatch(/__/);
  });
});
