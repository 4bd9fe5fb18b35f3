import { describe, expect, it } from 'vitest';
import { inverseDiagonalSpd, invertSpd } from '../../src/batch/lm.ts';

/** A deterministic pseudo-random stream in [-0.5, 0.5). */
function stream(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
}

describe('inverseDiagonalSpd', () => {
  it('gives the diagonal of invertSpd (NaN for zero rows, false when not positive definite)', () => {
    const u = stream(7);
    for (let t = 0; t < 200; t++) {
      const n = 1 + (t % 7);
      const b = Float64Array.from({ length: n * n }, u);
      const h = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = i === j ? 0.05 : 0;
          for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
          h[i * n + j] = s;
        }
      if (t % 5 === 0 && n > 2) for (let k = 0; k < n; k++) h[n + k] = h[k * n + 1] = 0;
      const full = new Float64Array(n * n);
      const diag = new Float64Array(n);
      const work = new Float64Array(n * n);
      expect(inverseDiagonalSpd(h, n, diag, work)).toBe(invertSpd(h, n, full, work));
      for (let j = 0; j < n; j++) {
        const want = full[j * n + j];
        if (Number.isNaN(want)) expect(diag[j]).toBeNaN();
        else expect(Math.abs(diag[j] - want)).toBeLessThan(1e-13 * Math.abs(want));
      }
    }
    const indefinite = Float64Array.from([1, 2, 2, 1]);
    const d = new Float64Array(2);
    expect(inverseDiagonalSpd(indefinite, 2, d, new Float64Array(4))).toBe(false);
    expect(d[0]).toBeNaN();
  });
});
