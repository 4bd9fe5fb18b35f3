/**
 * Integrated autocorrelation time of MCMC chains, as emcee's `integrated_time` (Goodman & Weare 2010;
 * Sokal's automatic window): per parameter, the normalised autocorrelation function ρ(t) of each walker's
 * chain (by FFT), averaged over walkers; τ(M) = 1 + 2 Σ_{t=1..M} ρ(t), with M the smallest window such that
 * M ≥ c·τ(M) (c = 5).
 */

/** In-place iterative radix-2 FFT of (re, im), length a power of two; `inverse` without the 1/n. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
        [cr, ci] = [cr * wr - ci * wi, cr * wi + ci * wr];
      }
    }
  }
}

/** The normalised autocorrelation function of one series (emcee's autocorr_func_1d). */
function autocorrelation(x: Float64Array): Float64Array {
  const n = x.length;
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const mean = x.reduce((s, v) => s + v, 0) / n;
  for (let i = 0; i < n; i++) re[i] = x[i] - mean;
  fft(re, im, false);
  for (let i = 0; i < size; i++) {
    re[i] = re[i] * re[i] + im[i] * im[i];
    im[i] = 0;
  }
  fft(re, im, true);
  const acf = new Float64Array(n);
  const zero = re[0];
  for (let i = 0; i < n; i++) acf[i] = zero > 0 ? re[i] / zero : i === 0 ? 1 : 0;
  return acf;
}

/**
 * τ of parameter `d` of a chain laid out `[step][walker][dim]` (`steps x walkers x ndim`), in steps.
 */
export function integratedTime(
  chain: Float64Array,
  steps: number,
  walkers: number,
  ndim: number,
  d: number,
  c = 5,
): number {
  const f = new Float64Array(steps);
  const series = new Float64Array(steps);
  for (let w = 0; w < walkers; w++) {
    for (let s = 0; s < steps; s++) series[s] = chain[(s * walkers + w) * ndim + d];
    const acf = autocorrelation(series);
    for (let s = 0; s < steps; s++) f[s] += acf[s] / walkers;
  }
  let tau = 1;
  for (let m = 0; m < steps; m++) {
    tau = m === 0 ? 1 : tau + 2 * f[m];
    if (m >= c * tau) return tau;
  }
  return tau;
}
