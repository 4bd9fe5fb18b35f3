/**
 * Small dense linear algebra for the solver's hot path (no allocation inside the routines; every
 * buffer is passed in). Matrices are row-major Float64Arrays.
 *
 * - `householderQR`: QR of a tall m x k matrix in place (LAPACK `dgeqr2` style, no pivoting; the
 *   rank is decided afterwards by the SVD of R, which is what makes the solver rank-safe).
 * - `applyQt`: y := Qᵀ y with the stored reflectors.
 * - `jacobiSVD`: one-sided Jacobi SVD of a small square matrix (Hestenes). High relative accuracy
 *   for the small singular values of well column-scaled matrices, which is what the trust-region
 *   subproblem and the covariance pseudo-inverse need.
 */

export const EPS = 2.220446049250313e-16;

/**
 * Householder QR in place of the row-major `m x k` matrix `a` (k <= m, or k > m: then only
 * min(m, k) reflectors). After the call the upper triangle (rows 0..k-1) holds R and the part
 * below the diagonal holds the essential part of the reflectors v (v[j] = 1 implicit); `tau[j]` is
 * the reflector's scalar (H_j = I - tau v vᵀ). `w` is a length-k work vector.
 */
export function householderQR(a: Float64Array, m: number, k: number, tau: Float64Array, w: Float64Array): void {
  const steps = Math.min(m, k);
  for (let j = 0; j < steps; j++) {
    // norm of a[j:, j], scaled to avoid overflow
    let scale = 0;
    for (let i = j; i < m; i++) {
      const v = Math.abs(a[i * k + j]);
      if (v > scale) scale = v;
    }
    if (scale === 0) {
      tau[j] = 0;
      continue;
    }
    let ss = 0;
    for (let i = j; i < m; i++) {
      const v = a[i * k + j] / scale;
      ss += v * v;
    }
    const alpha = a[j * k + j];
    let beta = scale * Math.sqrt(ss);
    if (alpha > 0) beta = -beta;
    // v = x - beta e1, normalised so v[0] = 1
    const v0 = alpha - beta;
    tau[j] = (beta - alpha) / beta;
    const inv = 1 / v0;
    for (let i = j + 1; i < m; i++) a[i * k + j] *= inv;
    a[j * k + j] = beta;
    // apply H = I - tau v vᵀ to the trailing columns: w = vᵀ A[j:, j+1:]
    const t = tau[j];
    if (j + 1 < k) {
      for (let c = j + 1; c < k; c++) w[c] = a[j * k + c];
      for (let i = j + 1; i < m; i++) {
        const vi = a[i * k + j];
        if (vi === 0) continue;
        const row = i * k;
        for (let c = j + 1; c < k; c++) w[c] += vi * a[row + c];
      }
      for (let c = j + 1; c < k; c++) w[c] *= t;
      for (let c = j + 1; c < k; c++) a[j * k + c] -= w[c];
      for (let i = j + 1; i < m; i++) {
        const vi = a[i * k + j];
        if (vi === 0) continue;
        const row = i * k;
        for (let c = j + 1; c < k; c++) a[row + c] -= vi * w[c];
      }
    }
  }
}

/** y := Qᵀ y for the reflectors stored by `householderQR(a, m, k, tau)`; y has length m. */
export function applyQt(a: Float64Array, m: number, k: number, tau: Float64Array, y: Float64Array): void {
  const steps = Math.min(m, k);
  for (let j = 0; j < steps; j++) {
    const t = tau[j];
    if (t === 0) continue;
    let s = y[j];
    for (let i = j + 1; i < m; i++) s += a[i * k + j] * y[i];
    s *= t;
    y[j] -= s;
    for (let i = j + 1; i < m; i++) y[i] -= s * a[i * k + j];
  }
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
