/**
 * Goodness-of-fit statistics, lmfit's definitions. `chi2` is the sum of squared weighted residuals
 * r_i = (f_i - y_i) / sigma_i; N data points, k free parameters.
 */

/** χ² = Σ r_i². */
export function chiSquare(r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i] * r[i];
  return s;
}

/** Reduced χ² = χ² / (N - k); NaN when N <= k. */
export function reducedChiSquare(chi2: number, ndata: number, nfree: number): number {
  return ndata > nfree ? chi2 / (ndata - nfree) : NaN;
}

/** Akaike information criterion: N·ln(χ²/N) + 2k (lmfit). */
export function aic(chi2: number, ndata: number, nfree: number): number {
  return ndata * Math.log(Math.max(chi2, Number.MIN_VALUE) / ndata) + 2 * nfree;
}

/** Bayesian information criterion: N·ln(χ²/N) + ln(N)·k (lmfit). */
export function bic(chi2: number, ndata: number, nfree: number): number {
  return ndata * Math.log(Math.max(chi2, Number.MIN_VALUE) / ndata) + Math.log(ndata) * nfree;
}

/**
 * Coefficient of determination with weights w_i = 1/sigma_i:
 * R² = 1 - Σ w_i²(y_i - f_i)² / Σ w_i²(y_i - ȳ)², ȳ = Σ w_i² y_i / Σ w_i² (the weighted mean).
 * Unweighted data give the usual 1 - SS_res / SS_tot. NaN when the data are constant.
 */
export function rSquared(y: Float64Array, f: Float64Array, w?: Float64Array): number {
  const { ssr, sst } = rSquaredParts(y, f, w);
  return sst > 0 ? 1 - ssr / sst : NaN;
}

/** The two sums of R²: ssr = Σ w²(y - f)², sst = Σ w²(y - ȳ)² (summed over equations for the total R²). */
export function rSquaredParts(
  y: Float64Array,
  f: Float64Array,
  w?: Float64Array,
): { ssr: number; sst: number } {
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < y.length; i++) {
    const ww = w ? w[i] * w[i] : 1;
    sw += ww;
    swy += ww * y[i];
  }
  const mean = swy / sw;
  let ssr = 0;
  let sst = 0;
  for (let i = 0; i < y.length; i++) {
    const ww = w ? w[i] * w[i] : 1;
    ssr += ww * (y[i] - f[i]) ** 2;
    sst += ww * (y[i] - mean) ** 2;
  }
  return { ssr, sst };
}
