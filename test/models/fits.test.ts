/**
 * Fits of named models started from exprfit's guesses alone, against lmfit 1.1.0 fitting the same data
 * (test/fixtures/lmfit/models.json, scripts/models-fixtures.py): single models fitted by lmfit from its
 * own guess() (test_model.py style), and sums of peaks on a background (two peaks; a 5-peak spectrum) fitted
 * by lmfit from the true values.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fit } from '../../src/fit/fit.ts';

interface FitCase {
  name: string;
  x: number[];
  y: number[];
  best: Record<string, number>;
  stderr: Record<string, number>;
  derived: Record<string, number>;
  derivedStderr: Record<string, number>;
}
interface CompositeCase {
  model: string;
  x: number[];
  y: number[];
  best: Record<string, number>;
  stderr: Record<string, number>;
}

const FIXTURE = JSON.parse(
  readFileSync(new URL('../fixtures/lmfit/models.json', import.meta.url), 'utf8'),
) as { fits: FitCase[]; composite: CompositeCase[] };

/** Our value within a small fraction of lmfit's standard error of lmfit's value. */
function expectClose(name: string, got: number | undefined, want: number, stderr: number): void {
  expect(got, name).toBeDefined();
  expect(Math.abs(got! - want), name).toBeLessThanOrEqual(0.01 * stderr + 1e-9 * Math.abs(want));
}

describe('named models fitted from their guesses converge to lmfit', () => {
  it.each(FIXTURE.fits.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = fit(`y = ${c.name === 'polynomial' ? 'polynomial(x, 3)' : `${c.name}(x)`}`, { x: c.x, y: c.y });
    expect(r.success).toBe(true);
    for (const [k, v] of Object.entries(c.best)) expectClose(k, r.params[k]?.value, v, c.stderr[k]);
    for (const [k, v] of Object.entries(c.derivedStderr)) {
      expectClose(k, r.params[k]?.value, c.derived[k], v);
      if (c.name === 'voigt') continue; // below
      expect(r.params[k]!.stderr!, `${k} stderr`).toBeCloseTo(v, 2 - Math.floor(Math.log10(v)));
    }
  });

  it("propagates errors through voigt's tie gamma = sigma into fwhm (lmfit 1.1.0 treats gamma as constant there)", () => {
    const c = FIXTURE.fits.find((f) => f.name === 'voigt')!;
    const r = fit('y = voigt(x)', { x: c.x, y: c.y });
    const dFwhmDSigma = 1.0692 + Math.sqrt(0.8664 + 5.545083); // fwhm = 1.0692*gamma + sqrt(0.8664*gamma^2 + 5.545083*sigma^2)
    expect(r.params.fwhm.stderr! / r.params.sigma.stderr!).toBeCloseTo(dFwhmDSigma, 6);
    expect(r.params.gamma.stderr).toBeCloseTo(r.params.sigma.stderr!, 12);
  });

  it.each(FIXTURE.composite.map((c) => [c.model, c] as const))('%s', (_text, c) => {
    const r = fit(c.model, { x: c.x, y: c.y });
    expect(r.success).toBe(true);
    for (const [k, v] of Object.entries(c.best)) expectClose(k, r.params[k]?.value, v, c.stderr[k]);
  });
});
