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
      const tr = re[i];
      re[i] = re[j];
      re[j] = tr;
      const ti = im[i];
      im[i] = im[j];
      im[j] = ti;
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
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
}

function nextPowerOfTwo(n: number): number {
  let size = 1;
  while (size < n) size <<= 1;
  return size;
}

/** Copies parameter `d` of walker `w` into `out` minus its mean; returns Σ (x − mean)². */
function centredSeries(
  chain: Float64Array,
  steps: number,
  walkers: number,
  ndim: number,
  w: number,
  d: number,
  out: Float64Array,
): number {
  let mean = 0;
  for (let s = 0; s < steps; s++) mean += chain[(s * walkers + w) * ndim + d];
  mean /= steps;
  let ss = 0;
  for (let s = 0; s < steps; s++) {
    const v = chain[(s * walkers + w) * ndim + d] - mean;
    out[s] = v;
    ss += v * v;
  }
  return ss;
}

/**
 * The walkers' normalised autocorrelation functions ρ_w(t) averaged (emcee's autocorr_func_1d, averaged as in
 * integrated_time). By linearity one inverse FFT serves all walkers: mean_w ρ_w = IFFT(Σ_w |X_w|²/(N v_w))/W,
 * with v_w = Σ (x − mean)² and N the padded length; two real series share each forward FFT (as re and im).
 */
function meanAutocorrelation(
  chain: Float64Array,
  steps: number,
  walkers: number,
  ndim: number,
  d: number,
): Float64Array {
  const size = nextPowerOfTwo(2 * steps);
  const power = new Float64Array(size);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  let constant = 0;
  for (let w = 0; w < walkers; w += 2) {
    re.fill(0);
    im.fill(0);
    const va = centredSeries(chain, steps, walkers, ndim, w, d, re);
    const vb = w + 1 < walkers ? centredSeries(chain, steps, walkers, ndim, w + 1, d, im) : 0;
    constant += (va > 0 ? 0 : 1) + (w + 1 < walkers && !(vb > 0) ? 1 : 0);
    fft(re, im, false);
    for (let k = 0; k < size; k++) {
      const nk = (size - k) % size;
      // X_a = (Z_k + conj Z_{n−k})/2, X_b = (Z_k − conj Z_{n−k})/(2i)
      const ar = re[k] + re[nk];
      const ai = im[k] - im[nk];
      const br = im[k] + im[nk];
      const bi = re[nk] - re[k];
      if (va > 0) power[k] += (ar * ar + ai * ai) / (4 * size * va);
      if (vb > 0) power[k] += (br * br + bi * bi) / (4 * size * vb);
    }
  }
  im.fill(0);
  fft(power, im, true);
  const f = new Float64Array(steps);
  for (let t = 0; t < steps; t++) f[t] = power[t] / walkers;
  f[0] += constant / walkers;
  return f;
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
  const f = meanAutocorrelation(chain, steps, walkers, ndim, d);
  let tau = 1;
  for (let m = 0; m < steps; m++) {
    tau = m === 0 ? 1 : tau + 2 * f[m];
    if (m >= c * tau) return tau;
  }
  return tau;
}
