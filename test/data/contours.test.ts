/**
 * Density contours of the corner plot (src/data/contours.ts) against the exact regions of a 2-D Gaussian: for
 * independent standard normals the region holding 1 − exp(−k²/2) of the samples is the disc of radius k, and a
 * correlated Gaussian's is the ellipse (x, y) C⁻¹ (x, y)ᵀ = k².
 */
import { describe, expect, it } from 'vitest';
import { densityContours, SIGMA_LEVELS_2D } from '../../src/data/contours.ts';
import { mulberry32 } from '../../src/solver/multistart.ts';

function normals(n: number, seed: number): [Float64Array, Float64Array] {
  const rand = mulberry32(seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const t = 2 * Math.PI * rand();
    x[k] = r * Math.cos(t);
    y[k] = r * Math.sin(t);
  }
  return [x, y];
}

const median = (v: number[]): number => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];

describe('densityContours', () => {
  const [x, y] = normals(20000, 7);

  it('standard normals: the 1σ and 2σ contours are circles of radius 1 and 2', () => {
    const segs = densityContours(x, y);
    expect(new Set(segs.map((s) => s.level))).toEqual(new Set(SIGMA_LEVELS_2D));
    SIGMA_LEVELS_2D.forEach((level, k) => {
      const radii = segs.filter((s) => s.level === level).map((s) => Math.hypot(s.x, s.y));
      expect(Math.abs(median(radii) - (k + 1))).toBeLessThan(0.08 * (k + 1));
    });
  });

  it('a correlated Gaussian: the 1σ contour is the ellipse of its covariance', () => {
    const rho = 0.8;
    const sx = 3;
    const u = Float64Array.from(x, (v) => 10 + sx * v);
    const w = Float64Array.from(x, (v, k) => -2 + rho * v + Math.sqrt(1 - rho * rho) * y[k]);
    const q = (a: number, b: number): number => {
      const p = (a - 10) / sx;
      const r = b + 2;
      return (p * p - 2 * rho * p * r + r * r) / (1 - rho * rho);
    };
    const segs = densityContours(u, w, [SIGMA_LEVELS_2D[0]]);
    expect(segs.length).toBeGreaterThan(20);
    expect(Math.abs(Math.sqrt(median(segs.map((s) => q(s.x, s.y)))) - 1)).toBeLessThan(0.08);
  });

  it('closed lines: every segment end meets another segment', () => {
    const segs = densityContours(x, y, [SIGMA_LEVELS_2D[1]]);
    const key = (a: number, b: number): string => `${a.toFixed(9)},${b.toFixed(9)}`;
    const ends = new Map<string, number>();
    for (const s of segs) {
      for (const k of [key(s.x, s.y), key(s.x2, s.y2)]) ends.set(k, (ends.get(k) ?? 0) + 1);
    }
    expect([...ends.values()].every((c) => c === 2)).toBe(true);
  });

  it('too few or no finite samples: no contours; equal values: no error', () => {
    expect(densityContours([1, 2, 3], [1, 2, 3])).toEqual([]);
    expect(densityContours([NaN, NaN], [1, 2])).toEqual([]);
    expect(() => densityContours(new Float64Array(50).fill(1), new Float64Array(50).fill(2))).not.toThrow();
  });
});
