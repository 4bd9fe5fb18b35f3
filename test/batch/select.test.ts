/** Order statistics without copies (src/batch/select.ts) and the van Herk/Gil-Werman maximum filter of findPeaks. */
import { describe, expect, it } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { findPeaks, median, robustStats } from '../../src/batch/findPeaks.ts';
import { largeMedian, largeRobust } from '../../src/batch/select.ts';
import { rng } from './helpers.ts';

function sortedMedian(v: ArrayLike<number>): number {
  const a = Array.from(v)
    .filter(Number.isFinite)
    .sort((p, q) => p - q);
  const h = a.length >> 1;
  return a.length === 0 ? NaN : a.length % 2 ? a[h] : (a[h - 1] + a[h]) / 2;
}

describe('largeMedian', () => {
  const u = rng(3);
  const cases: [string, Float64Array][] = [
    ['continuous', Float64Array.from({ length: 30_001 }, () => u() * 1e3 - 200)],
    [
      'counts (many ties), even length',
      Float64Array.from({ length: 40_000 }, () => Math.floor(u() * u() * 30)),
    ],
    [
      'NaN and infinities left out',
      Float64Array.from({ length: 20_000 }, (_v, i) => (i % 7 ? u() : i % 2 ? NaN : Infinity)),
    ],
    [
      'a cluster inside one bin',
      Float64Array.from({ length: 50_000 }, (_v, i) => (i % 100 ? 1 + u() * 1e-9 : 1e6 * u())),
    ],
    ['all equal', new Float64Array(20_000).fill(4.5)],
  ];
  for (const [name, v] of cases) {
    it(`is the exact median: ${name}`, () => {
      expect(largeMedian(v)).toBe(sortedMedian(v));
      const m = sortedMedian(v);
      expect(largeRobust(v)).toEqual({ median: m, mad: sortedMedian(Array.from(v, (x) => Math.abs(x - m))) });
    });
  }
  it('robustStats of a large array agrees with the copying one', () => {
    const v = Float64Array.from({ length: 20_000 }, () => Math.floor(u() * 50));
    const m = sortedMedian(v);
    const s = robustStats(v);
    expect(s.median).toBe(m);
    expect(s.sigma).toBe(1.4826 * sortedMedian(Array.from(v, (x) => Math.abs(x - m))));
    expect(largeMedian([NaN, NaN])).toBeNaN();
  });

  it('median and robustStats of small arrays stay exact from call to call (their working arrays are reused)', () => {
    // larger, smaller, then larger again; NaN and infinities left out; the caller's array is not touched
    for (const n of [9_000, 7, 1, 2, 15_000, 300, 16_384]) {
      const v = Float64Array.from({ length: n }, (_x, i) =>
        i % 11 === 5 ? NaN : i % 13 === 3 ? -Infinity : u(),
      );
      const copy = v.slice();
      const m = sortedMedian(v);
      expect(median(v)).toBe(m);
      const s = robustStats(v);
      expect(s.median).toBe(m);
      expect(s.sigma).toBe(1.4826 * sortedMedian(Array.from(v, (x) => Math.abs(x - m))));
      expect(v).toEqual(copy);
    }
    expect(median([NaN])).toBeNaN();
    expect(robustStats([NaN, Infinity]).sigma).toBeNaN();
  });
});

describe('findPeaks maximum filter', () => {
  it('local maxima of (2·minDistance + 1)² squares, as a direct scan finds them', () => {
    const u = rng(8);
    const [h, w] = [37, 53];
    const img = Float64Array.from({ length: h * w }, () => Math.floor(u() * 1000));
    for (const minDistance of [1, 2, 4, 7]) {
      const found = findPeaks(new NdArray(img, [h, w]), { minDistance, smooth: 0, threshold: -1 });
      const isMax = (x: number, y: number): boolean => {
        for (let yy = Math.max(0, y - minDistance); yy <= Math.min(h - 1, y + minDistance); yy++)
          for (let xx = Math.max(0, x - minDistance); xx <= Math.min(w - 1, x + minDistance); xx++)
            if (img[yy * w + xx] > img[y * w + x]) return false;
        return true;
      };
      for (let i = 0; i < found.count; i++) expect(isMax(found.x[i], found.y[i])).toBe(true);
      // Every strict maximum of its square is a peak (no equal value in it: no plateau suppression).
      let strict = 0;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          let n = 0;
          for (let yy = Math.max(0, y - minDistance); yy <= Math.min(h - 1, y + minDistance); yy++)
            for (let xx = Math.max(0, x - minDistance); xx <= Math.min(w - 1, x + minDistance); xx++)
              if (img[yy * w + xx] >= img[y * w + x]) n++;
          if (n === 1) strict++;
        }
      expect(found.count).toBeGreaterThanOrEqual(strict);
    }
  });

  it('finds the same peaks after a larger and a smaller image (working arrays reused)', () => {
    const u = rng(9);
    const image = (h: number, w: number): NdArray =>
      new NdArray(
        Float64Array.from({ length: h * w }, () => Math.floor(u() * 1000)),
        [h, w],
      );
    const img = image(40, 30);
    const first = findPeaks(img, { minDistance: 2, threshold: -1 });
    findPeaks(image(90, 70), { minDistance: 3, threshold: -1 });
    findPeaks(image(5, 6), { minDistance: 1 });
    const again = findPeaks(img, { minDistance: 2, threshold: -1 });
    expect([Array.from(again.x), Array.from(again.y), again.background, again.noise]).toEqual([
      Array.from(first.x),
      Array.from(first.y),
      first.background,
      first.noise,
    ]);
    expect(first.count).toBeGreaterThan(10);
  });
});
