import { describe, expect, it } from 'vitest';
import { fitManySync, runSpots } from '../../src/batch/node.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import { spotImage } from './helpers.ts';

describe('JSON of batch results: plain arrays, not {"0":…,"1":…}', () => {
  it('fitMany: values, stderr and per-fit arrays as arrays, with status names and the model text', () => {
    const x = new NdArray(Float64Array.from([0, 1, 2, 3]), [4]);
    const y = new NdArray(Float64Array.from([1, 3, 5, 7, 2, 4, 6, 8]), [2, 4]);
    const r = fitManySync('y = a*x + b', { x, y }, { a: 1, b: 0 });
    const json = JSON.parse(JSON.stringify(r));
    expect(json.model).toBe('a*x + b');
    expect(json.params).toEqual(['a', 'b']);
    expect(json.values.a).toHaveLength(2);
    expect(json.values.a[0]).toBeCloseTo(2, 4);
    expect(json.values.b[1]).toBeCloseTo(2, 4);
    expect(json.status).toEqual([0, 0]);
    expect(json.statusNames[0]).toBe('converged');
    expect(Array.isArray(json.chi2) && Array.isArray(json.iterations) && Array.isArray(json.npoints)).toBe(
      true,
    );
  });

  it('spots: columns and per-spot arrays as arrays, the model as text', async () => {
    const spot = { x: 10.3, y: 12.6, amplitude: 500, sigmaX: 1.5, sigmaY: 1.5, theta: 0 };
    const img = new NdArray(spotImage(24, 24, [spot], 10), [24, 24]);
    const r = await runSpots(img);
    const json = JSON.parse(JSON.stringify(r));
    expect(json.count).toBe(1);
    expect(json.columns.x[0]).toBeCloseTo(10.3, 3);
    expect(json.group).toEqual([0]);
    expect(json.model.text).toContain('exp(');
    expect(json.peaks.x).toEqual([10]);
    expect(json.peaks.smoothed).toBeUndefined();
  });
});
