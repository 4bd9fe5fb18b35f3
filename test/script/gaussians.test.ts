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

  it('takes one amplitude for every kernel (the documented scalar form)', async () => {
    run = session();
    const centres = '[[5, 6], [12, 8], [3, 20]]';
    await exec(
      run,
      `heat = gaussians([20, 30], ${centres}, 2, 3)\nref = gaussians([20, 30], ${centres}, 2, [3, 3, 3])`,
    );
    const heat = run.interp.lookup('heat') as NdArray;
    expect(Array.from(heat.data)).toEqual(Array.from((run.interp.lookup('ref') as NdArray).data));
    expect(heat.data[6 * 30 + 5]).toBeCloseTo(3, 2); // the peak of the kernel at (x, y) = (5, 6)
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
