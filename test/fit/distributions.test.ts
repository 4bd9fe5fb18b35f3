/** Student's t and Fisher's F against scipy.stats (1.10, Debian 12): the numbers in the comments. */
import { describe, expect, it } from 'vitest';
import { fCdf, sigmaToProbability, tCdf, tPpf } from '../../src/fit/distributions.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('distributions', () => {
  it('t quantiles and CDF', () => {
    expect(rel(tPpf(0.975, 10), 2.2281388519649385)).toBeLessThan(1e-10); // t.ppf(0.975, 10)
    expect(rel(tPpf(0.84134474606, 99), 1.0050760769695979)).toBeLessThan(1e-10); // t.ppf(0.84134474606, 99)
    expect(rel(tCdf(-2, 3), 0.06966298427942155)).toBeLessThan(1e-12); // t.cdf(-2, 3)
    expect(tPpf(0.5, 4)).toBe(0);
    expect(rel(tPpf(0.025, 10), -2.2281388519649385)).toBeLessThan(1e-10);
  });

  it('F CDF', () => {
    expect(rel(fCdf(1.5, 1, 98), 0.7763928489217182)).toBeLessThan(1e-12); // f.cdf(1.5, 1, 98)
    expect(rel(fCdf(0.01, 2, 5), 0.009930417701952233)).toBeLessThan(1e-12); // f.cdf(0.01, 2, 5)
    expect(fCdf(0, 1, 5)).toBe(0);
  });

  it("lmfit's sigma rule: < 1 is a probability", () => {
    expect(sigmaToProbability(0.95)).toBe(0.95);
    expect(sigmaToProbability(1)).toBeCloseTo(0.6826894921370859, 14);
  });
});
