/** Vector parameters, `B @ beta` and `fit linear=varpro` in scripts (the REPL runs the same interpreter). */
import { describe, expect, it } from 'vitest';
import { crBasis } from '../../src/arrays/crbasis.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import { fit } from '../../src/fit/fit.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { exec, freshSessions } from './helpers.ts';

const fresh = freshSessions();
const xs = Array.from({ length: 40 }, (_, i) => i / 4);
const ys = xs.map((v) => Math.sin(v) + 0.1 * Math.cos(5 * v));
const data = `x = [${xs.join(', ')}]\ny = [${ys.join(', ')}]\n`;

describe('param beta[K] and B @ beta', () => {
  const reference = fit('y = dot(B, beta)', { B: crBasis(xs, { df: 8 }), y: ys });

  it('fits y = cr(x, 8) @ beta as the API fits dot(B, beta)', async () => {
    const run = fresh();
    await exec(run, `${data}param beta[8] = 0\nmodel y = cr(x, 8) @ beta\nfit\nb = beta\nb3 = beta[3]`);
    const b = run.interp.lookup('b') as NdArray;
    expect(b.shape).toEqual([8]);
    for (let k = 0; k < 8; k++) expect(b.data[k]).toBeCloseTo(reference.params[`beta[${k}]`].value, 9);
    expect(run.interp.lookup('b3')).toBeCloseTo(reference.params['beta[3]'].value, 9);
  });

  it('solves the coefficients exactly with fit linear=varpro, and takes elements in the model', async () => {
    const run = fresh();
    await exec(
      run,
      `${data}param beta[8], k = 1\nmodel y = cr(x, 8) @ beta + beta[0]*0*k\nfit linear=varpro\nreport`,
    );
    expect(run.out.join('\n')).toContain('beta[7]');
    const beta = run.interp.lookup('beta') as NdArray;
    expect(beta.data[5]).toBeCloseTo(reference.params['beta[5]'].value, 9);
  });

  it('takes one start per element, and reports starts of another length at the value', async () => {
    const run = fresh();
    await exec(run, `${data}param beta[8] = [1, 2, 3, 4, 5, 6, 7, 8] fixed\nb = beta`);
    expect(Array.from((run.interp.lookup('b') as NdArray).data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await exec(run, 'model y = cr(x, 8) @ beta\nfit\nb = beta');
    expect((run.interp.lookup('b') as NdArray).data[2]).toBe(3);
    const err = await exec(run, 'param gamma[3] = [1, 2]').catch((e: unknown) => e);
    expect((err as ExprfitError).message).toContain(
      "vector parameter 'gamma': the start must be a number or 3 finite numbers, got an array of shape [2]",
    );
  });

  it('takes bounds per element', async () => {
    const run = fresh();
    await exec(
      run,
      `${data}param beta[8] in [-inf, [9, 9, 0.2, 9, 9, 9, 9, 9]]\nmodel y = cr(x, 8) @ beta\nfit\nb = beta`,
    );
    const b = run.interp.lookup('b') as NdArray;
    expect(reference.params['beta[2]'].value).toBeGreaterThan(0.2);
    expect(b.data[2]).toBeCloseTo(0.2, 12);
  });

  it('reports a bad length at the length', async () => {
    const run = fresh();
    const err = await exec(run, 'param beta[2.5] = 0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExprfitError);
    expect((err as ExprfitError).message).toContain(
      "vector parameter 'beta': the length must be an integer >= 1, got 2.5",
    );
    expect((err as ExprfitError).span?.column).toBe(12);
  });

  it('refuses an absurd length before allocating anything (script and API)', async () => {
    const run = fresh();
    const err = await exec(run, 'param beta[1e12] = 0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExprfitError);
    expect((err as ExprfitError).message).toContain(
      "vector parameter 'beta': the length must be at most 100000 (each element is a fitted parameter), got 1000000000000",
    );
    expect(() => fit('y = beta[0]*x', { x: xs, y: ys }, { beta: { length: 1e12 } })).toThrow(
      "parameter 'beta': the length must be at most 100000",
    );
  });

  it('reports a basis with another number of columns at the product', async () => {
    const run = fresh();
    const err = await exec(run, `${data}param beta[6]\nmodel y = cr(x, 8) @ beta\nfit`).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ExprfitError);
    expect((err as ExprfitError).message).toContain('does not match the 6 elements of');
  });
});
