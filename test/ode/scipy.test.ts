/**
 * ODE fits against scipy: solve_ivp (LSODA, rtol 1e-10, atol 1e-12) inside least_squares, on symfit's
 * test_ode.py problems and more (test/fixtures/ode/scipy.json, from scripts/ode-fixtures.py): parameters to
 * 1e-6 relative, standard errors to 1e-4 relative.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitOde } from '../../src/ode/fit.ts';

interface Case {
  name: string;
  model: string;
  start: Record<string, number>;
  data: Record<string, number[]>;
  values: Record<string, number>;
  stderr: Record<string, number>;
  chi2: number;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/ode/scipy.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe('ODE fits match scipy', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const data = Object.fromEntries(Object.entries(c.data).map(([k, v]) => [k, Float64Array.from(v)]));
    const r = fitOde(c.model, data, c.start, { ode: { rtol: 1e-10, atol: 1e-12 } });
    expect(r.success).toBe(true);
    for (const [name, v] of Object.entries(c.values)) {
      expect(rel(r.values[name], v), `${name}`).toBeLessThan(1e-6);
      expect(rel(r.params[name].stderr, c.stderr[name]), `stderr ${name}`).toBeLessThan(1e-4);
    }
    expect(rel(r.chi2, c.chi2)).toBeLessThan(1e-6);
  });
});
