import fc from 'fast-check';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { ChunkedQR, jacobiSVD } from '../../src/solver/linalg.ts';

function randomMatrix(m: number, n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const a = new Float64Array(m * n);
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

/** ‖A − B‖_max */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('ChunkedQR', () => {
  it.each([
    [1, 1],
    [5, 3],
    [31, 4],
    [32, 4],
    [33, 4],
    [200, 7],
    [3, 5], // fewer rows than columns
  ])('m=%i k=%i: RᵀR = JᵀJ, Rᵀ(Qᵀb) = Jᵀb, applyQt(b) = Qᵀb', (m, k) => {
    const J = randomMatrix(m, k, m * 31 + k);
    const b = randomMatrix(m, 1, 7 + m);
    const qr = new ChunkedQR(m, k, true);
    qr.factor(
      J,
      m,
      k,
      Int32Array.from({ length: k }, (_, i) => i),
      k,
      b,
    );
    const JtJ = new Float64Array(k * k);
    const RtR = new Float64Array(k * k);
    const Jtb = new Float64Array(k);
    const Rtq = new Float64Array(k);
    for (let a = 0; a < k; a++) {
      for (let c = 0; c < k; c++) {
        for (let i = 0; i < m; i++) JtJ[a * k + c] += J[i * k + a] * J[i * k + c];
        for (let i = 0; i < k; i++) RtR[a * k + c] += qr.R[i * k + a] * qr.R[i * k + c];
      }
      for (let i = 0; i < m; i++) Jtb[a] += J[i * k + a] * b[i];
      for (let i = 0; i < k; i++) Rtq[a] += qr.R[i * k + a] * qr.qtb[i];
    }
    expect(maxDiff(JtJ, RtR)).toBeLessThan(1e-12 * m);
    expect(maxDiff(Jtb, Rtq)).toBeLessThan(1e-12 * m);
    const out = new Float64Array(k);
    qr.applyQt(b, out);
    expect(maxDiff(out, qr.qtb)).toBeLessThan(1e-13 * m);
    // R is upper triangular
    for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) expect(qr.R[i * k + j]).toBe(0);
  });

  it('factorises a subset of columns through the index list', () => {
    const m = 50;
    const n = 4;
    const J = randomMatrix(m, n, 3);
    const b = randomMatrix(m, 1, 4);
    const cols = Int32Array.from([3, 1]);
    const sub = new Float64Array(m * 2);
    for (let i = 0; i < m; i++) {
      sub[i * 2] = J[i * n + 3];
      sub[i * 2 + 1] = J[i * n + 1];
    }
    const a = new ChunkedQR(m, n, false);
    a.factor(J, m, n, cols, 2, b);
    const c = new ChunkedQR(m, 2, false);
    c.factor(sub, m, 2, Int32Array.from([0, 1]), 2, b);
    expect(maxDiff(a.R.subarray(0, 4), c.R.subarray(0, 4))).toBe(0);
    expect(maxDiff(a.qtb.subarray(0, 2), c.qtb.subarray(0, 2))).toBe(0);
  });

  it('handles columns of huge and tiny magnitude without overflow', () => {
    const m = 40;
    const J = new Float64Array(m * 2);
    for (let i = 0; i < m; i++) {
      J[i * 2] = 1e200 * (1 + i / m);
      J[i * 2 + 1] = 1e-200 * (1 - i / m);
    }
    const qr = new ChunkedQR(m, 2, false);
    qr.factor(J, m, 2, Int32Array.from([0, 1]), 2, new Float64Array(m));
    let norm0 = 0;
    for (let i = 0; i < m; i++) norm0 += (1 + i / m) ** 2;
    expect(Math.abs(qr.R[0]) / (1e200 * Math.sqrt(norm0))).toBeCloseTo(1, 12);
    expect(Number.isFinite(qr.R[3])).toBe(true);
  });
});

describe('jacobiSVD', () => {
  it('matches ml-matrix singular values and reconstructs A (property test)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 1e6 }), (k, seed) => {
        const A = randomMatrix(k, k, seed);
        const a = Float64Array.from(A);
        const s = new Float64Array(k);
        const V = new Float64Array(k * k);
        jacobiSVD(a, k, s, V, new Int32Array(k), new Float64Array(k * k));
        const ref = new SingularValueDecomposition(
          new Matrix(Array.from({ length: k }, (_, i) => Array.from(A.subarray(i * k, i * k + k)))),
        );
        const sref = ref.diagonal;
        for (let i = 0; i < k; i++) expect(Math.abs(s[i] - sref[i])).toBeLessThan(1e-13 * sref[0]);
        for (let i = 1; i < k; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
        // A = U S Vᵀ
        const rec = new Float64Array(k * k);
        for (let i = 0; i < k; i++)
          for (let j = 0; j < k; j++) {
            let t = 0;
            for (let q = 0; q < k; q++) t += a[i * k + q] * s[q] * V[j * k + q];
            rec[i * k + j] = t;
          }
        expect(maxDiff(rec, A)).toBeLessThan(1e-13 * Math.max(1, sref[0]));
        // V orthogonal
        for (let p = 0; p < k; p++)
          for (let q = 0; q < k; q++) {
            let t = 0;
            for (let i = 0; i < k; i++) t += V[i * k + p] * V[i * k + q];
            expect(Math.abs(t - (p === q ? 1 : 0))).toBeLessThan(1e-13);
          }
      }),
      { numRuns: 60 },
    );
  });

  it('keeps high relative accuracy for a graded matrix', () => {
    // diag(1, 1e-8, 1e-16) rotated on the left: exact singular values are the diagonal
    const k = 3;
    const c = Math.cos(0.3);
    const s0 = Math.sin(0.3);
    const Q = [c, -s0, 0, s0, c, 0, 0, 0, 1];
    const D = [1, 1e-8, 1e-16];
    const a = new Float64Array(9);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) a[i * 3 + j] = Q[i * 3 + j] * D[j];
    const s = new Float64Array(3);
    jacobiSVD(a, k, s, new Float64Array(9), new Int32Array(3), new Float64Array(9));
    expect(s[1] / 1e-8).toBeCloseTo(1, 12);
    expect(s[2] / 1e-16).toBeCloseTo(1, 12);
  });

  it('returns zero singular values for a rank-deficient matrix', () => {
    const a = Float64Array.from([1, 2, 2, 4]);
    const s = new Float64Array(2);
    jacobiSVD(a, 2, s, new Float64Array(4), new Int32Array(2), new Float64Array(4));
    expect(s[0]).toBeCloseTo(5, 14);
    expect(s[1]).toBeLessThan(1e-15);
  });
});
