import { describe, expect, it } from 'vitest';
import { minimizeLBFGSB } from '../../src/solver/lbfgsb.ts';
import { multiStart, multiStartPoints } from '../../src/solver/multistart.ts';
import { ExprfitError } from '../../src/core/errors.ts';

describe('multiStartPoints', () => {
  it('is deterministic for a seed, starts with x0, and stays inside the bounds', () => {
    const a = multiStartPoints([0, -1], [10, 1], [5, 0], 9, 42);
    const b = multiStartPoints([0, -1], [10, 1], [5, 0], 9, 42);
    const c = multiStartPoints([0, -1], [10, 1], [5, 0], 9, 43);
    expect(a.map((v) => Array.from(v))).toEqual(b.map((v) => Array.from(v)));
    expect(a.map((v) => Array.from(v))).not.toEqual(c.map((v) => Array.from(v)));
    expect(Array.from(a[0])).toEqual([5, 0]);
    for (const p of a) {
      expect(p[0]).toBeGreaterThanOrEqual(0);
      expect(p[0]).toBeLessThanOrEqual(10);
      expect(p[1]).toBeGreaterThanOrEqual(-1);
      expect(p[1]).toBeLessThanOrEqual(1);
    }
  });

  it('is a Latin hypercube: each of the k strata is used exactly once per parameter', () => {
    const k = 16;
    const pts = multiStartPoints([0, 0, 0], [1, 2, 4], [0.5, 1, 2], k + 1, 7).slice(1);
    const width = [1, 2, 4];
    for (let j = 0; j < 3; j++) {
      const strata = pts.map((p) => Math.floor((p[j] / width[j]) * k)).sort((x, y) => x - y);
      expect(strata).toEqual(Array.from({ length: k }, (_, i) => i));
    }
  });

  it('samples x0 ± max(|x0|, 1) along unbounded directions and keeps fixed parameters', () => {
    const pts = multiStartPoints([-Infinity, 0, 3], [Infinity, Infinity, 3], [10, 0.5, 3], 20, 1);
    for (const p of pts) {
      expect(Math.abs(p[0] - 10)).toBeLessThanOrEqual(10);
      expect(p[1]).toBeGreaterThanOrEqual(0);
      expect(p[1]).toBeLessThanOrEqual(1.5);
      expect(p[2]).toBe(3);
    }
  });

  it('rejects a bad number of starts', () => {
    expect(() => multiStartPoints(undefined, undefined, [1], 0)).toThrow(ExprfitError);
  });
});

describe('multiStart', () => {
  // two minima: a local one near x = +1.96 and the global one near x = −2.03
  const f = (x: Float64Array, g: Float64Array) => {
    const t = x[0] * x[0] - 4;
    g[0] = 4 * x[0] * t + 1;
    return t * t + x[0];
  };

  it('keeps the best of the local solutions', () => {
    const single = minimizeLBFGSB(f, [2], { lower: [-3], upper: [3] });
    expect(single.x[0]).toBeGreaterThan(1.9);
    const res = multiStart((x0) => minimizeLBFGSB(f, x0, { lower: [-3], upper: [3] }), [-3], [3], [2], 8, 5);
    expect(res.results).toHaveLength(8);
    expect(res.best.x[0]).toBeLessThan(-2);
    expect(res.best.cost).toBeLessThan(single.cost);
    expect(res.best).toBe(res.results[res.bestIndex]);
    expect(Array.from(res.starts[0])).toEqual([2]);
  });

  it('prefers successful results', () => {
    let call = 0;
    const res = multiStart(
      () => {
        call++;
        return call === 2 ? { cost: -100, success: false } : { cost: call, success: true };
      },
      [0],
      [1],
      [0.5],
      3,
    );
    expect(res.bestIndex).toBe(0);
  });
});
