import { describe, expect, it } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { gaussfilter, gaussianWeights } from '../../src/arrays/index.ts';
import type { FilterMode } from '../../src/arrays/index.ts';
import { expectClose, fixture } from './helpers.ts';

const f = fixture('gaussfilter.json');
const inputs: Record<string, NdArray> = {};
for (const [k, v] of Object.entries(f.inputs) as [string, { shape: number[]; data: number[] }][]) {
  inputs[k] = new NdArray(Float64Array.from(v.data), v.shape);
}

interface Case {
  input: string;
  sigma: number | number[];
  mode: FilterMode;
  cval: number;
  truncate: number;
  expected: number[];
}

describe('gaussfilter against scipy.ndimage.gaussian_filter', () => {
  it.each((f.cases as Case[]).map((c) => [c.mode, c.input, JSON.stringify(c.sigma), c.truncate, c] as const))(
    '%s %s sigma %s truncate %d',
    (_m, _i, _s, _t, c) => {
      const img = inputs[c.input];
      const r = gaussfilter(img, c.sigma, c.mode, c.cval, c.truncate);
      expect(r.shape).toEqual(img.shape);
      expectClose(r.data, c.expected, 1e-10);
    },
  );

  it('does not modify its input; sigma 0 everywhere copies', () => {
    const a = inputs.a2;
    const before = Float64Array.from(a.data);
    const r = gaussfilter(a, 0);
    expect(Array.from(a.data)).toEqual(Array.from(before));
    expect(r.data).not.toBe(a.data);
    expect(Array.from(r.data)).toEqual(Array.from(before));
  });

  it('large radius (> 32 taps, chunked kernels) equals the direct sum, all modes', () => {
    const n = 50;
    const src = new Float64Array(n * 3).map((_, i) => Math.sin(i * 0.37) * 5 + (i % 7));
    const img = new NdArray(src, [n, 3]);
    for (const mode of ['reflect', 'nearest', 'mirror', 'constant', 'wrap'] as const) {
      const sigma = 9.3; // radius 37
      const w = gaussianWeights(sigma);
      const r = w.length - 1;
      // direct along axis 0 (and the transposed problem along axis 1)
      const ext = (p: number) => {
        if (p >= 0 && p < n) return p;
        if (mode === 'nearest') return p < 0 ? 0 : n - 1;
        if (mode === 'wrap') return ((p % n) + n) % n;
        if (mode === 'constant') return -1;
        const per = mode === 'reflect' ? 2 * n : 2 * n - 2;
        const q = ((p % per) + per) % per;
        return q < n ? q : per - q - (mode === 'reflect' ? 1 : 0);
      };
      const ref = new Float64Array(n * 3);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 3; j++) {
          let acc = 0;
          for (let k = -r; k <= r; k++) {
            const q = ext(i + k);
            acc += w[Math.abs(k)] * (q < 0 ? 1.5 : src[q * 3 + j]);
          }
          ref[i * 3 + j] = acc;
        }
      }
      expectClose(gaussfilter(img, [sigma, 0], mode, 1.5).data, ref, 1e-12);
      const t = new NdArray(new Float64Array(n * 3), [3, n]);
      for (let i = 0; i < n; i++) for (let j = 0; j < 3; j++) t.data[j * n + i] = src[i * 3 + j];
      const rt = gaussfilter(t, [0, sigma], mode, 1.5);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < 3; j++) expect(Math.abs(rt.data[j * n + i] - ref[i * 3 + j])).toBeLessThan(1e-12);
    }
  });

  it('weights: radius int(truncate*sigma + 0.5), normalised', () => {
    expect(gaussianWeights(3).length).toBe(13);
    expect(gaussianWeights(1, 2.4).length).toBe(3);
    const w = gaussianWeights(2.2);
    let s = w[0];
    for (let k = 1; k < w.length; k++) s += 2 * w[k];
    expect(Math.abs(s - 1)).toBeLessThan(1e-15);
  });

  it.each([
    [
      () => gaussfilter(inputs.a2, 1, 'bogus' as FilterMode),
      'option',
      /one of reflect, nearest, mirror, constant, wrap, got "bogus"/,
    ],
    [() => gaussfilter(inputs.a2, [1, 2, 3]), 'value', /list of 2 numbers/],
    [() => gaussfilter(inputs.a2, [1, -2]), 'value', /sigma for axis 1 must be a finite number >= 0, got -2/],
    [() => gaussfilter(inputs.a2, 1, 'reflect', 0, 0), 'value', /truncate must be > 0, got 0/],
  ])('errors %#', (fn, code, text) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExprfitError);
    expect((err as ExprfitError).code).toBe(code);
    expect((err as ExprfitError).message).toMatch(text);
  });
});

describe('gaussfilter kernel sizes (issue 10: no unchecked allocation)', () => {
  const img = new NdArray(
    Float64Array.from({ length: 25 }, (_, i) => (i * 7) % 5),
    [5, 5],
  );

  it('a sigma whose kernel is over the limit is an error naming sigma, not an allocation failure', () => {
    expect(() => gaussfilter(img, 1e9)).toThrow(ExprfitError);
    expect(() => gaussfilter(img, 1e9)).toThrow(
      /sigma 1000000000 for axis 0 .*radius 4\.000e\+9, more than the limit/,
    );
  });

  it('a huge truncate drops only taps that are exactly zero (same values as truncate 40, at once)', () => {
    const t0 = performance.now();
    const wide = gaussfilter(img, 1, 'constant', 0, 1e9);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(Array.from(wide.data)).toEqual(Array.from(gaussfilter(img, 1, 'constant', 0, 40).data));
    expect(gaussianWeights(2, 1e9)).toEqual(gaussianWeights(2, 40));
  });
});
