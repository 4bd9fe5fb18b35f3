/**
 * Small dense linear algebra for the solver's hot path (no allocation inside the routines; every
 * buffer is passed in). Matrices are row-major Float64Arrays.
 *
 * - `ChunkedQR`: Householder QR of a tall m x k matrix streamed in row chunks, no pivoting (the
 *   rank is decided afterwards by the SVD of R, which is what makes the solver rank-safe).
 * - `jacobiSVD`: one-sided Jacobi SVD of a small square matrix (Hestenes). High relative accuracy
 *   for the small singular values of well column-scaled matrices, which is what the trust-region
 *   subproblem and the covariance pseudo-inverse need.
 */

export const EPS = 2.220446049250313e-16;

/**
 * Householder QR of a tall `m x k` matrix, streamed in row chunks (sequential TSQR): the running
 * triangle `[R | Qᵀb]` is updated by `k` Householder reflectors per chunk of `CHUNK` rows, each
 * reflector acting on one row of the triangle and the chunk's rows. The matrix is read once, in
 * memory order, which matters when `m` is large (an image) and `k` small; the arithmetic is the
 * same as an ordinary Householder QR (backward stable). The columns are gathered from a row-major
 * `m x n` source through an index list, so a subset of the parameters can be factorised without a
 * copy, and a right-hand side `b` is carried along as an extra column, giving the first `k`
 * entries of `Qᵀb` without a second pass. With `storeQ`, the reflectors are kept so that `Qᵀy`
 * can be applied to further vectors (`applyQt`).
 */
/** The `k x k` upper triangle R (row-major, stride k) of the QR of the columns `columns` of a matrix. */
export interface TriangularFactor {
  readonly R: Float64Array;
  readonly columns: Int32Array;
}

export class ChunkedQR {
  static readonly CHUNK = 128;
  /** `k x k` upper triangle R (row-major, stride k); below-diagonal entries are 0. */
  readonly R: Float64Array;
  /** First k entries of Qᵀb. */
  readonly qtb: Float64Array;
  k = 0;
  m = 0;
  private readonly T: Float64Array; // k x (k+1) running triangle [R | Qᵀb]
  private readonly C: Float64Array; // CHUNK x (k+1) chunk buffer
  private V: Float64Array | null; // m x kMax reflector entries for the chunk rows
  private tau: Float64Array | null; // nChunks x kMax
  private readonly yc: Float64Array;

  constructor(
    private readonly mMax: number,
    private readonly kMax: number,
    storeQ: boolean,
  ) {
    this.R = new Float64Array(kMax * kMax);
    this.qtb = new Float64Array(kMax);
    this.T = new Float64Array(kMax * (kMax + 1));
    this.C = new Float64Array(ChunkedQR.CHUNK * (kMax + 1));
    this.yc = new Float64Array(ChunkedQR.CHUNK);
    this.V = storeQ ? new Float64Array(mMax * kMax) : null;
    this.tau = storeQ ? new Float64Array(Math.ceil(mMax / ChunkedQR.CHUNK) * kMax) : null;
  }

  /**
   * Factorises the columns `cols[0..k)` of the row-major `m x n` matrix `src`, carrying `b`
   * (length m). Afterwards `R`, `qtb` hold the result.
   */
  factor(src: Float64Array, m: number, n: number, cols: Int32Array, k: number, b: Float64Array): void {
    if (m > this.mMax || k > this.kMax) throw new Error('ChunkedQR: problem larger than the workspace');
    this.k = k;
    this.m = m;
    const kp = k + 1;
    const T = this.T;
    const C = this.C;
    T.fill(0, 0, k * kp);
    const B = ChunkedQR.CHUNK;
    const V = this.V;
    const tauS = this.tau;
    const identity = k === n && isIdentity(cols, k);
    let chunk = 0;
    for (let c0 = 0; c0 < m; c0 += B, chunk++) {
      const bsz = Math.min(B, m - c0);
      // gather the chunk, column-major (C[q*B + r]) so the reflector loops run over contiguous memory
      for (let r = 0; r < bsz; r++) {
        const src0 = (c0 + r) * n;
        if (identity) for (let q = 0; q < k; q++) C[q * B + r] = src[src0 + q];
        else for (let q = 0; q < k; q++) C[q * B + r] = src[src0 + cols[q]];
        C[k * B + r] = b[c0 + r];
      }
      for (let j = 0; j < k; j++) {
        const cj = j * B;
        let ss = 0;
        for (let r = 0; r < bsz; r++) {
          const v = C[cj + r];
          ss += v * v;
        }
        const tauIdx = chunk * this.kMax + j;
        if (ss === 0) {
          if (tauS) tauS[tauIdx] = 0;
          continue;
        }
        const alpha = T[j * kp + j];
        let norm = Math.sqrt(alpha * alpha + ss);
        if (!Number.isFinite(norm) || norm === 0) norm = scaledNorm(alpha, C, cj, bsz);
        const beta = alpha > 0 ? -norm : norm;
        const v0 = alpha - beta;
        const tau = (beta - alpha) / beta;
        const inv = 1 / v0;
        for (let r = 0; r < bsz; r++) C[cj + r] *= inv;
        T[j * kp + j] = beta;
        if (tauS) tauS[tauIdx] = tau;
        if (V) for (let r = 0; r < bsz; r++) V[(c0 + r) * this.kMax + j] = C[cj + r];
        // apply H = I − τ v vᵀ (v = [1; C[:, j]]) to columns j+1..k of [T row j; chunk]
        for (let q = j + 1; q < kp; q++) {
          const cq = q * B;
          let w = T[j * kp + q];
          for (let r = 0; r < bsz; r++) w += C[cj + r] * C[cq + r];
          w *= tau;
          T[j * kp + q] -= w;
          for (let r = 0; r < bsz; r++) C[cq + r] -= w * C[cj + r];
        }
      }
    }
    const R = this.R;
    R.fill(0, 0, k * k);
    for (let i = 0; i < k; i++) {
      for (let q = i; q < k; q++) R[i * k + q] = T[i * kp + q];
      this.qtb[i] = T[i * kp + k];
    }
  }

  /** Writes the first k entries of Qᵀy to `out` (requires `storeQ`). `y` is not modified. */
  applyQt(y: Float64Array, out: Float64Array): void {
    const V = this.V;
    const tauS = this.tau;
    if (!V || !tauS) throw new Error('ChunkedQR: reflectors were not stored');
    const { k, m } = this;
    const B = ChunkedQR.CHUNK;
    const yc = this.yc;
    out.fill(0, 0, k);
    let chunk = 0;
    for (let c0 = 0; c0 < m; c0 += B, chunk++) {
      const bsz = Math.min(B, m - c0);
      for (let r = 0; r < bsz; r++) yc[r] = y[c0 + r];
      for (let j = 0; j < k; j++) {
        const tau = tauS[chunk * this.kMax + j];
        if (tau === 0) continue;
        let s = out[j];
        for (let r = 0; r < bsz; r++) s += V[(c0 + r) * this.kMax + j] * yc[r];
        s *= tau;
        out[j] -= s;
        for (let r = 0; r < bsz; r++) yc[r] -= s * V[(c0 + r) * this.kMax + j];
      }
    }
  }
}

function isIdentity(cols: Int32Array, k: number): boolean {
  for (let q = 0; q < k; q++) if (cols[q] !== q) return false;
  return true;
}

/** sqrt(alpha² + Σ C[off + r]²) without overflow / underflow. */
function scaledNorm(alpha: number, C: Float64Array, off: number, bsz: number): number {
  let scale = Math.abs(alpha);
  for (let r = 0; r < bsz; r++) scale = Math.max(scale, Math.abs(C[off + r]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let ss = (alpha / scale) ** 2;
  for (let r = 0; r < bsz; r++) ss += (C[off + r] / scale) ** 2;
  return scale * Math.sqrt(ss);
}

/**
 * One-sided Jacobi SVD of the row-major `k x k` matrix `a` (overwritten): on return
 * `a = U` scaled so that columns of `a` are `s_j u_j` before normalisation (then normalised to u_j
 * where s_j > 0), `s` holds the singular values sorted descending and `v` (row-major k x k) the right
 * singular vectors as columns. `A = U diag(s) Vᵀ`. `perm` is a length-k Int32Array work array and
 * `tmp` a length-k*k work buffer.
 */
export function jacobiSVD(
  a: Float64Array,
  k: number,
  s: Float64Array,
  v: Float64Array,
  perm: Int32Array,
  tmp: Float64Array,
): void {
  v.fill(0, 0, k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  const maxSweeps = 60;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let p = 0; p < k - 1; p++) {
      for (let q = p + 1; q < k; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < k; i++) {
          const ap = a[i * k + p];
          const aq = a[i * k + q];
          alpha += ap * ap;
          beta += aq * aq;
          gamma += ap * aq;
        }
        if (gamma === 0 || Math.abs(gamma) <= EPS * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const sn = c * t;
        for (let i = 0; i < k; i++) {
          const ap = a[i * k + p];
          const aq = a[i * k + q];
          a[i * k + p] = c * ap - sn * aq;
          a[i * k + q] = sn * ap + c * aq;
          const vp = v[i * k + p];
          const vq = v[i * k + q];
          v[i * k + p] = c * vp - sn * vq;
          v[i * k + q] = sn * vp + c * vq;
        }
      }
    }
    if (!rotated) break;
  }
  // singular values are the column norms; sort descending (insertion sort, k is small)
  for (let j = 0; j < k; j++) {
    let ss = 0;
    for (let i = 0; i < k; i++) ss += a[i * k + j] * a[i * k + j];
    tmp[j] = Math.sqrt(ss);
    perm[j] = j;
  }
  for (let i = 1; i < k; i++) {
    const pj = perm[i];
    let j = i - 1;
    while (j >= 0 && tmp[perm[j]] < tmp[pj]) {
      perm[j + 1] = perm[j];
      j--;
    }
    perm[j + 1] = pj;
  }
  for (let j = 0; j < k; j++) s[j] = tmp[perm[j]];
  // permute the columns of a (normalised to unit u_j) and v
  tmp.set(a.subarray(0, k * k));
  for (let j = 0; j < k; j++) {
    const src = perm[j];
    const sj = s[j];
    for (let i = 0; i < k; i++) a[i * k + j] = sj > 0 ? tmp[i * k + src] / sj : 0;
  }
  tmp.set(v.subarray(0, k * k));
  for (let j = 0; j < k; j++) {
    const src = perm[j];
    for (let i = 0; i < k; i++) v[i * k + j] = tmp[i * k + src];
  }
}
