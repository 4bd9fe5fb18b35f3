/**
 * Whether any value is NaN or ±Infinity (a small function: its loop is optimised early). Sums `a[i] * 0` in four
 * chains, which stay 0 unless some value is not finite: no branch per element, 3-4x faster than a test per
 * value on an 18 MB image or stack.
 */
export function hasNonFinite(a: Float64Array): boolean {
  const n = a.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * 0;
    s1 += a[i + 1] * 0;
    s2 += a[i + 2] * 0;
    s3 += a[i + 3] * 0;
  }
  for (; i < n; i++) s0 += a[i] * 0;
  return s0 + s1 + s2 + s3 !== 0;
}
