/** Dense LU factorization with partial pivoting, in place (small systems: the stiff integrator's W). */

/** Factors the n x n row-major matrix `a` in place; false when it is singular (or not finite). */
export function luFactor(a: Float64Array, n: number, piv: Int32Array): boolean {
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]) > Math.abs(a[p * n + k])) p = i;
    piv[k] = p;
    const pivot = a[p * n + k];
    if (pivot === 0 || !Number.isFinite(pivot)) return false;
    if (p !== k) swapRows(a, n, p, k);
    for (let i = k + 1; i < n; i++) {
      const m = (a[i * n + k] /= pivot);
      if (m !== 0) for (let j = k + 1; j < n; j++) a[i * n + j] -= m * a[k * n + j];
    }
  }
  return true;
}

function swapRows(a: Float64Array, n: number, p: number, k: number): void {
  for (let j = 0; j < n; j++) {
    const t = a[p * n + j];
    a[p * n + j] = a[k * n + j];
    a[k * n + j] = t;
  }
}

/** Solves A x = b in place in `b` with the factors of {@link luFactor}. */
export function luSolve(a: Float64Array, n: number, piv: Int32Array, b: Float64Array): void {
  for (let k = 0; k < n; k++) {
    const p = piv[k];
    if (p !== k) [b[p], b[k]] = [b[k], b[p]];
  }
  for (let k = 0; k < n; k++) for (let i = k + 1; i < n; i++) b[i] -= a[i * n + k] * b[k];
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let j = i + 1; j < n; j++) s -= a[i * n + j] * b[j];
    b[i] = s / a[i * n + i];
  }
}
