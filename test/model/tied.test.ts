/** Parameter specifications: default starts, and what a tied parameter may not have. */
import { describe, expect, it } from 'vitest';
import { defaultStart, normalizeParam } from '../../src/model/params.ts';

describe('defaultStart (docs/fitting.md: a parameter without a start)', () => {
  it.each([
    [-Infinity, Infinity, 1],
    [0, 10, 5], // both bounds finite: the midpoint, as scipy's curve_fit
    [-2, 0.5, -0.75],
    [0, Infinity, 1], // one finite bound: 1 when allowed
    [5, Infinity, 5], // else the bound
    [-Infinity, 3, 1],
    [-Infinity, -2, -2],
  ])('[%s, %s] starts at %s', (min, max, start) => {
    expect(defaultStart(min, max)).toBe(start);
    expect(normalizeParam('a', { min, max }).value).toBe(start);
  });
});

describe('tied parameters', () => {
  it.each([{ min: 0 }, { max: 1 }, { min: 0, max: 1 }])(
    'keep bounds %o (the fit makes them constraints)',
    (b) => {
      const p = normalizeParam('c4', { expr: 'csum-c1-c2-c3', ...b });
      expect(p).toMatchObject({ expr: 'csum-c1-c2-c3', min: b.min ?? -Infinity, max: b.max ?? Infinity });
    },
  );

  it('accept infinite bounds (no bound)', () => {
    expect(normalizeParam('c4', { expr: 'c1', min: -Infinity, max: Infinity }).expr).toBe('c1');
  });
});
