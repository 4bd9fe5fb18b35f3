import { afterEach, describe, expect, it } from 'vitest';
import { sumOfGaussians } from '../../src/arrays/index.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import { cleanup, exec, session, type Run } from './helpers.ts';

let run: Run | undefined;
afterEach(() => {
  if (run) cleanup(run);
  run = undefined;
});

describe('gaussians() in scripts', () => {
  it('sums kernels at given centres, like sumOfGaussians', async () => {
    run = session();
    await exec(run, 'heat = gaussians([20, 30], [[5, 6], [12, 8]], 2, [1, 2])');
    const heat = run.interp.lookup('heat') as NdArray;
    const ref = sumOfGaussians(
      [20, 30],
      [
        [5, 6],
        [12, 8],
      ],
      2,
      [1, 2],
    );
    expect(heat.shape).toEqual([20, 30]);
    expect(Array.from(heat.data)).toEqual(Array.from(ref.data));
  });

  it('takes the shape from an image', async () => {
    run = session();
    await exec(run, 'img = zeros([8, 9])\nheat = gaussians(img, [[4, 4]], 1.5)');
    expect((run.interp.lookup('heat') as NdArray).shape).toEqual([8, 9]);
  });

  it('positions its argument errors', async () => {
    run = session();
    await expect(exec(run, 'heat = gaussians([20, 30], [1, 2, 3], 2)')).rejects.toThrow(/centres/);
  });
});
