/**
 * Property test: for linear least squares r = A x − b (random A, b, random column scales), the
 * solver must land on the least-squares solution computed independently by ml-matrix (SVD solve).
 */
import fc from 'fast-check';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { solveLeastSquares } from '../../src/solver/lm.ts';

describe('solveLeastSquares on linear problems (property)', () => {
  it('matches the ml-matrix least-squares solution', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 20 }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 200, maxLength: 200 }),
        fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 6, maxLength: 6 }),
        (n, extra, vals, scales) => {
          const m = n + extra + 1;
          const A = new Float64Array(m * n);
          const b = new Float64Array(m);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++)
              A[i * n + j] = (vals[(i * n + j) % 200] + 0.01 * (i === j ? 1 : 0)) * 10 ** scales[j];
            b[i] = vals[(7 * i + 3) % 200] * 3;
          }
          const s = solveLeastSquares(
            {
              n,
              m,
              residuals(x, r) {
                for (let i = 0; i < m; i++) {
                  let t = -b[i];
                  for (let j = 0; j < n; j++) t += A[i * n + j] * x[j];
                  r[i] = t;
                }
              },
              jacobian(_x, J) {
                J.set(A);
              },
            },
            new Float64Array(n).fill(0.5),
          );
          const Am = new Matrix(
            Array.from({ length: m }, (_, i) => Array.from(A.subarray(i * n, i * n + n))),
          );
          const svd = new SingularValueDecomposition(Am, { autoTranspose: true });
          const sv = svd.diagonal;
          const cond = sv[0] / sv[sv.length - 1];
          if (!(cond < 1e8)) return; // ill-posed draws: the reference itself is not accurate
          const ref = svd.solve(Matrix.columnVector(Array.from(b))).to1DArray();
          expect(s.success).toBe(true);
          // normwise forward error bound ~ cond · eps, in units where the columns are O(1)
          let err = 0;
          let nrm = 0;
          for (let j = 0; j < n; j++) {
            err += ((s.x[j] - ref[j]) * 10 ** scales[j]) ** 2;
            nrm += (ref[j] * 10 ** scales[j]) ** 2;
          }
          expect(Math.sqrt(err)).toBeLessThanOrEqual(1e-13 * cond * Math.sqrt(nrm) + 1e-13);
        },
      ),
      { numRuns: 150, seed: 12345 },
    );
  });
});
