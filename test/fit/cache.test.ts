/** The compile cache (src/compile/cache.ts): reuse only for the same kernel, bounded, clearable. */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit/fit.ts';
import type { DataInput, FitOptions } from '../../src/fit/types.ts';
import type { ParamsInput } from '../../src/model/params.ts';
import { BoundedCache, MAX_ENTRIES, compileCacheSize, compileModelCached } from '../../src/compile/cache.ts';
import { clearCompileCache } from '../../src/index.ts';
import { parseExpr } from '../../src/syntax/index.ts';

const t = Array.from({ length: 50 }, (_, i) => 0.2 * i);
const y = t.map((v, i) => 3 * Math.exp(-v / 2) + 0.5 + 0.01 * Math.sin(7 * i));

type FitCase = [string, Record<string, DataInput>, ParamsInput?, FitOptions?];

const withOptions = (c: FitCase, options: FitOptions): FitCase => [c[0], c[1], c[2], options];

/** The fit's numbers through the cache, after `warm` has filled it. */
function cachedFit(warm: readonly FitCase[], c: FitCase): ReturnType<typeof fit> {
  clearCompileCache();
  for (const w of warm) fit(...w);
  return fit(...c);
}

/** The same fit compiled from scratch. */
function freshFit(c: FitCase): ReturnType<typeof fit> {
  clearCompileCache();
  return fit(...c);
}

function expectSameFit(warm: readonly FitCase[], c: FitCase): void {
  const a = cachedFit(warm, c);
  const b = freshFit(c);
  expect(a.values).toEqual(b.values);
  expect(a.params).toEqual(b.params);
  expect(a.covariance).toEqual(b.covariance);
  expect(a.chi2).toBe(b.chi2);
  expect(a.nfev).toBe(b.nfev);
}

describe('compile cache', () => {
  it('a repeated fit reuses the kernel; a spacing change of the text shares it', () => {
    clearCompileCache();
    fit('y = A*exp(-t/tau)+c', { t, y }, { A: 1, tau: 1, c: 0 });
    const n = compileCacheSize();
    expect(n).toBe(1);
    fit('y = A*exp(-t/tau)+c', { t, y }, { A: 2, tau: 1, c: 0 });
    fit('y = A * exp(-t / tau) + c', { t, y }, { A: 1, tau: 1, c: 0 });
    expect(compileCacheSize()).toBe(n);
    expect(compileModelCached(parseExpr('a*x'), { params: ['a'], variables: ['x'] })).toBe(
      compileModelCached(parseExpr('a * x'), { params: ['a'], variables: ['x'] }),
    );
  });

  it('a changed model text never reuses a kernel', () => {
    const warm: FitCase = ['y = A*exp(-t/tau)+c', { t, y }, { A: 1, tau: 1, c: 0 }];
    expectSameFit([warm], ['y = A*exp(-t/tau)-c', { t, y }, { A: 1, tau: 1, c: 0 }]);
    expectSameFit([warm], ['y = A*exp(-t*tau)+c', { t, y }, { A: 1, tau: 1, c: 0 }]);
    expect(compileCacheSize()).toBe(1);
  });

  it('a different fixed set or tie gets its own kernel', () => {
    const base: FitCase = ['y = A*exp(-t/tau)+c', { t, y }, { A: 1, tau: 1, c: 0 }];
    const fixedC: FitCase = [
      'y = A*exp(-t/tau)+c',
      { t, y },
      { A: 1, tau: 1, c: { value: 0.4, fixed: true } },
    ];
    const fixedA: FitCase = ['y = A*exp(-t/tau)+c', { t, y }, { A: { value: 3, fixed: true }, tau: 1, c: 0 }];
    const tied: FitCase = ['y = A*exp(-t/tau)+c', { t, y }, { A: 1, tau: 1, c: { value: 0, expr: 'A/6' } }];
    expectSameFit([base], fixedC);
    expectSameFit([base, fixedC], fixedA);
    expectSameFit([fixedA, fixedC], base);
    expectSameFit([base, fixedA], tied);
    const r = cachedFit([base], fixedC);
    expect(r.values.c).toBe(0.4);
  });

  it('variables of other shapes and names compile their own plan or kernel', () => {
    const x = [0, 1, 2, 3];
    const col = [[0], [1], [2]];
    const z = col.map(([v]) => x.map((u) => 2 * u + 3 * v * v));
    const flat: FitCase = [
      'z = a*x + b*y^2',
      { x: [0, 1, 2, 3, 4], y: [1, 2, 3, 4, 5], z: [3, 14, 31, 54, 83] },
      { a: 1, b: 1 },
    ];
    const grid: FitCase = ['z = a*x + b*y^2', { x, y: col, z }, { a: 1, b: 1 }];
    expectSameFit([flat], grid);
    expectSameFit([grid], flat);
    const g = cachedFit([flat], grid);
    expect(g.values.a).toBeCloseTo(2, 10);
    expect(g.values.b).toBeCloseTo(3, 10);
    const renamed: FitCase = ['z = a*u + b*y^2', { u: x, y: col, z }, { a: 1, b: 1 }];
    expectSameFit([grid], renamed);
  });

  it('options that change the binding (sigma, nanPolicy, method) are honoured with a cached kernel', () => {
    const base: FitCase = ['y = A*exp(-t/tau)+c', { t, y }, { A: 1, tau: 1, c: 0 }];
    const sigma = t.map((_, i) => 0.01 * (1 + (i % 3)));
    const withNaN = y.map((v, i) => (i === 7 ? NaN : v));
    expectSameFit([base], withOptions(base, { sigma: { y: sigma } }));
    expectSameFit(
      [base],
      ['y = A*exp(-t/tau)+c', { t, y: withNaN }, { A: 1, tau: 1, c: 0 }, { nanPolicy: 'omit' }],
    );
    expectSameFit([base], withOptions(base, { method: 'lbfgsb' }));
    expectSameFit([base], withOptions(base, { loss: 'soft_l1' }));
  });

  it('is bounded: the least recently used kernel is evicted', () => {
    clearCompileCache();
    const first = compileModelCached(parseExpr('a*x + 0'), { params: ['a'], variables: ['x'] });
    for (let k = 1; k <= MAX_ENTRIES; k++) {
      compileModelCached(parseExpr(`a*x + ${k}`), { params: ['a'], variables: ['x'] });
    }
    expect(compileCacheSize()).toBe(MAX_ENTRIES);
    expect(compileModelCached(parseExpr('a*x + 0'), { params: ['a'], variables: ['x'] })).not.toBe(first);
    clearCompileCache();
    expect(compileCacheSize()).toBe(0);
  });
});

describe('BoundedCache', () => {
  it('evicts the least recently used entry by count', () => {
    const c = new BoundedCache<number>(2, 100);
    c.set('a', 1, 1);
    c.set('b', 2, 1);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3, 1);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
    expect(c.get('c')).toBe(3);
  });

  it('evicts by total size, and keeps no entry larger than the bound', () => {
    const c = new BoundedCache<string>(10, 10);
    c.set('a', 'A', 4);
    c.set('b', 'B', 4);
    c.set('c', 'C', 4);
    expect(c.get('a')).toBeUndefined();
    expect(c.size).toBe(2);
    c.set('huge', 'H', 11);
    expect(c.get('huge')).toBeUndefined();
    c.set('b', 'B2', 6); // replacing an entry frees its old size
    expect(c.get('b')).toBe('B2');
    expect(c.get('c')).toBe('C');
  });
});
