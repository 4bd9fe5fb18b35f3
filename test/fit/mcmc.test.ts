/** The MCMC sampler: exact Gaussian posterior of a linear model, reproducibility, lmfit's emcee, errors. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { integratedTime } from '../../src/fit/autocorr.ts';
import { emcee } from '../../src/fit/mcmc.ts';
import { fit } from '../../src/fit/fit.ts';
import { mulberry32 } from '../../src/solver/multistart.ts';

function linearData(n: number, sigma: number, seed: number) {
  const rand = mulberry32(seed);
  const x = Array.from({ length: n }, (_, i) => (i / (n - 1)) * 10);
  const noise = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const y = x.map((v) => 0.7 * v - 1.3 + sigma * noise());
  return { x, y };
}

interface EmceeFixture {
  model: string;
  x: number[];
  y: number[];
  start: Record<string, { value: number; min: number; max: number }>;
  walkers: number;
  steps: number;
  burn: number;
  summary: Record<string, { median: number; lower: number; upper: number }>;
  acceptance: number;
}

describe("emcee = lmfit's Minimizer.emcee (is_weighted=False) within Monte-Carlo error", () => {
  const fx = (
    JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/lmfit/emcee.json'), 'utf8')) as {
      decay: EmceeFixture;
    }
  ).decay;
  it('exponential decay with bounds and the noise scale __lnsigma', () => {
    const r = fit(fx.model, { x: fx.x, y: fx.y }, fx.start);
    const run = emcee(r, { walkers: fx.walkers, steps: fx.steps, burn: fx.burn, isWeighted: false, seed: 1 });
    expect(run.names).toEqual(['A', 'tau', 'c', '__lnsigma']);
    for (const [name, ref] of Object.entries(fx.summary)) {
      const ours = run.params[name];
      const half = (ref.upper - ref.lower) / 2;
      expect(Math.abs(ours.median - ref.median) / half, name).toBeLessThan(0.25);
      expect(Math.abs(ours.stderr / half - 1), name).toBeLessThan(0.15);
    }
    const acc = run.acceptanceFraction.reduce((s, v) => s + v, 0) / run.walkers;
    expect(Math.abs(acc - fx.acceptance)).toBeLessThan(0.05);
  });
});

describe('emcee on a linear model with known sigma: the exact Gaussian posterior', () => {
  const { x, y } = linearData(30, 0.5, 7);
  const r = fit('y = a*x + b', { x, y }, { a: 1, b: 0 }, { sigma: { y: 0.5 }, absoluteSigma: true });
  const run = emcee(r, { walkers: 40, steps: 3000, burn: 300, seed: 3 });

  it('medians and 16/84 percentiles within Monte-Carlo error of mean ∓ 1σ', () => {
    for (const name of ['a', 'b']) {
      const sd = r.params[name].stderr;
      const p = run.params[name];
      // effective samples ≈ 40·2700/τ; the median's standard error is ≈ 1.25 sd/√N_eff
      const nEff = (40 * 2700) / p.tau;
      const se = (1.25 * sd) / Math.sqrt(nEff);
      expect(Math.abs(p.median - r.values[name])).toBeLessThan(5 * se);
      expect(Math.abs(p.lower - (r.values[name] - sd))).toBeLessThan(8 * se);
      expect(Math.abs(p.upper - (r.values[name] + sd))).toBeLessThan(8 * se);
      expect(Math.abs(p.stderr / sd - 1)).toBeLessThan(0.05);
    }
    const c = r.correlation.matrix[0][1];
    expect(Math.abs(run.correlation[0][1] - c)).toBeLessThan(0.05);
  });

  it('reports acceptance, τ, the MAP, and no convergence warning for a long chain', () => {
    const acc = run.acceptanceFraction.reduce((s, v) => s + v, 0) / run.walkers;
    expect(acc).toBeGreaterThan(0.5);
    expect(acc).toBeLessThan(0.9);
    expect(run.params.a.tau).toBeGreaterThan(1);
    expect(run.params.a.tau).toBeLessThan(60);
    expect(run.warnings).toEqual([]);
    expect(Math.abs(run.map.values.a - r.values.a)).toBeLessThan(0.1 * r.params.a.stderr);
    expect(run.map.lnprob).toBeCloseTo(-r.chi2 / 2, 2);
    expect(run.chain.length).toBe(2700 * 40 * 2);
    expect(run.steps).toBe(2700);
  });

  it('is reproducible from its seed; thinning keeps every thin-th step', () => {
    const a = emcee(r, { walkers: 8, steps: 50, seed: 11 });
    const b = emcee(r, { walkers: 8, steps: 50, seed: 11 });
    const c = emcee(r, { walkers: 8, steps: 50, seed: 12 });
    expect(Array.from(a.chain)).toEqual(Array.from(b.chain));
    expect(Array.from(a.chain)).not.toEqual(Array.from(c.chain));
    const t = emcee(r, { walkers: 8, steps: 50, seed: 11, thin: 5, burn: 10 });
    expect(t.steps).toBe(8);
    expect(Array.from(t.chain.subarray(0, 16))).toEqual(Array.from(a.chain.subarray(10 * 16, 11 * 16)));
    expect(t.warnings.length).toBeGreaterThan(0);
    expect(t.warnings[0]).toMatch(/shorter than 50 autocorrelation times/);
  });

  it('names what is wrong', () => {
    expect(() => emcee(r, { walkers: 3 })).toThrow(/at least 4/);
    expect(() => emcee(r, { steps: 10, burn: 10 })).toThrow(/burn/);
    expect(() => emcee(r, { walker: 10 } as never)).toThrow(/unknown emcee option 'walker'/);
  });
});

describe('integratedTime = emcee.autocorr.integrated_time (c = 5)', () => {
  it('an AR(1) chain of 51 walkers and a constant parameter', () => {
    const steps = 2500;
    const walkers = 51;
    const rand = mulberry32(4);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const chain = new Float64Array(steps * walkers * 2);
    for (let w = 0; w < walkers; w++) {
      for (let d = 0; d < 2; d++) {
        let v = 0;
        for (let s = 0; s < steps; s++) {
          v = 0.9 * v + normal();
          chain[(s * walkers + w) * 2 + d] = d === 1 ? 5 : v;
        }
      }
    }
    // emcee 3.1.4: integrated_time(chain.reshape(steps, walkers, 2)[:, :, :1], c=5, tol=0, quiet=True)
    expect(integratedTime(chain, steps, walkers, 2, 0)).toBeCloseTo(17.77834331, 7);
    expect(integratedTime(chain, steps, walkers, 2, 1)).toBe(1);
  });
});

describe('emcee with a user prior: the exact conjugate posterior', () => {
  // y = a·x with known σ and the prior a ~ N(μ0, s0²): the posterior of a is Gaussian with precision
  // Σx²/σ² + 1/s0² and mean (Σxy/σ² + μ0/s0²) / precision.
  const { x, y } = linearData(20, 0.5, 11);
  const r = fit('y = a*x', { x, y }, { a: 1 }, { sigma: { y: 0.5 }, absoluteSigma: true });
  const [mu0, s0] = [0.6, 0.01];
  const sxx = x.reduce((s, v) => s + v * v, 0) / 0.25;
  const sxy = x.reduce((s, v, i) => s + v * y[i], 0) / 0.25;
  const precision = sxx + 1 / s0 ** 2;
  const mean = (sxy + mu0 / s0 ** 2) / precision;
  const sd = 1 / Math.sqrt(precision);

  it('median and spread match the posterior within Monte-Carlo error; the prior pulls a towards μ0', () => {
    const run = emcee(r, {
      walkers: 20,
      steps: 1500,
      burn: 200,
      seed: 4,
      prior: `-0.5*((a - ${mu0})/${s0})^2`,
    });
    const p = run.params.a;
    const se = (1.25 * sd) / Math.sqrt((20 * 1300) / p.tau);
    expect(Math.abs(p.median - mean)).toBeLessThan(5 * se);
    expect(Math.abs(p.stderr / sd - 1)).toBeLessThan(0.06);
    expect(Math.abs(mean - mu0)).toBeLessThan(Math.abs(r.values.a - mu0));
  });

  it('a prior that does not parse or names something else is an option error', () => {
    expect(() => emcee(r, { prior: '-(a' })).toThrow(/'prior' does not parse/);
    expect(() => emcee(r, { prior: '-b^2' })).toThrow(
      /'prior' uses 'b', not a sampled parameter \(sampled: a\)/,
    );
  });
});
