/**
 * numpy's `a @ b` for the shapes models use: a matrix [..., K] times a vector [K] (contracting the last axis:
 * shape [...]), and a matrix [n, K] (or a vector [K]) times a matrix [K, m]. Scalars multiply.
 */
import { ExprfitError } from '../core/index.ts';
import { NdArray } from '../data/index.ts';
import { fmtShape } from './util.ts';

function mismatch(a: NdArray, b: NdArray): ExprfitError {
  return new ExprfitError(
    'shape',
    `matrix product: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} do not align (the last axis of the first must equal the first axis of the second)`,
  );
}

/** a [..., K] @ v [K] → [...]. */
function matVec(a: NdArray, v: NdArray): NdArray {
  const K = v.size;
  if (a.shape[a.shape.length - 1] !== K) throw mismatch(a, v);
  const out = new Float64Array(a.size / K);
  for (let r = 0; r < out.length; r++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += a.data[r * K + k] * v.data[k];
    out[r] = s;
  }
  return new NdArray(out, a.shape.slice(0, -1));
}

/** a [n, K] (or [K]) @ b [K, m] → [n, m] (or [m]). */
function matMat(a: NdArray, b: NdArray): NdArray {
  const [K, m] = b.shape;
  if (a.shape.length > 2 || a.shape[a.shape.length - 1] !== K) throw mismatch(a, b);
  const n = a.size / K;
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      const aik = a.data[i * K + k];
      for (let j = 0; j < m; j++) out[i * m + j] += aik * b.data[k * m + j];
    }
  }
  return new NdArray(out, a.shape.length === 1 ? [m] : [n, m]);
}

/** `a @ b` (see the file comment). */
export function matmul(a: NdArray | number, b: NdArray | number): NdArray | number {
  if (typeof a === 'number' || typeof b === 'number' || a.shape.length === 0 || b.shape.length === 0) {
    const x = typeof a === 'number' ? a : a.data[0];
    const y = typeof b === 'number' ? b : b.data[0];
    if ((typeof a !== 'number' && a.size !== 1) || (typeof b !== 'number' && b.size !== 1)) {
      throw new ExprfitError('shape', 'matrix product: an operand is a scalar; multiply with * instead');
    }
    return x * y;
  }
  if (b.shape.length === 1) return matVec(a, b);
  if (b.shape.length === 2) return matMat(a, b);
  throw mismatch(a, b);
}
