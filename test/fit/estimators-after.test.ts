/** Profiles and MCMC of Poisson and unbinned-likelihood fits: the likelihood-ratio rule and the exact answers. */
import { describe, expect, it } from 'vitest';
import { confInterval } from '../../src/fit/confint.ts';
import { fit } from '../../src/fit/fit.ts';
import { emcee } from '../../src/fit/mcmc.ts';
import { mulberry32 } from '../../src/solver/multistart.ts';

describe('Poisson: the profile of a constant rate', () => {
  // n counts of one rate mu: the deviance profile is 2n(m − ȳ − ȳ ln(m/ȳ)), its 1σ bounds the roots of
  // deviance rise = 1 (Wilks), asymmetric.
  const y = [12, 7, 9, 14, 10, 8, 11, 9];
  const n = y.length;
  const mean = y.reduce((s, v) => s + v, 0) / n;
  const r = fit('y = mu', { y }, { mu: { value: 5, min: 0 } }, { estimator: 'poisson' });

  it('1σ bounds are the roots of the deviance rise 1', () => {
    const rise = (m: number): number => 2 * n * (m - mean - mean * Math.log(m / mean));
    const ci = confInterval(r, { sigmas: [1] });
    const { lower, upper } = ci.params.mu.levels[0];
    expect(rise(lower)).toBeCloseTo(1, 6);
    expect(rise(upper)).toBeCloseTo(1, 6);
    expect(upper - mean).toBeGreaterThan(mean - lower);
  });

  it('emcee samples its Gamma posterior (flat prior on mu >= 0): mean (Σy + 1)/n', () => {
    const run = emcee(r, { walkers: 20, steps: 4000, burn: 200, seed: 5 });
    const sum = y.reduce((s, v) => s + v, 0);
    const sd = Math.sqrt(sum + 1) / n;
    expect(Math.abs(run.params.mu.median - (sum + 1 - 1 / 3) / n)).toBeLessThan(0.06 * sd);
    expect(Math.abs(run.params.mu.stderr / sd - 1)).toBeLessThan(0.06);
  });
});

describe('unbinned likelihood: the mean of exponential samples', () => {
  const rand = mulberry32(9);
  const x = Array.from({ length: 400 }, () => -3 * Math.log(1 - rand()));
  const r = fit('p = exp(-x/b)/b', { x }, { b: { value: 2, min: 0.1 } }, { estimator: 'likelihood' });

  it('profile bounds are the roots of 2ΔNLL = 1', () => {
    const n = x.length;
    const s = x.reduce((a, v) => a + v, 0);
    const nll = (b: number): number => n * Math.log(b) + s / b;
    const ci = confInterval(r, { sigmas: [1] });
    const { lower, upper } = ci.params.b.levels[0];
    expect(2 * (nll(lower) - nll(r.values.b))).toBeCloseTo(1, 5);
    expect(2 * (nll(upper) - nll(r.values.b))).toBeCloseTo(1, 5);
  });

  it('emcee: posterior spread ≈ the stderr', () => {
    const run = emcee(r, { walkers: 16, steps: 2000, burn: 200, seed: 2 });
    expect(Math.abs(run.params.b.stderr / r.params.b.stderr - 1)).toBeLessThan(0.1);
    expect(() => emcee(r, { isWeighted: false })).toThrow(/likelihood fit has none/);
  });
});
