/** Confidence and prediction bands against lmfit's eval_uncertainty on lmfit's own test cases. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit/fit.ts';
import { ExprfitError } from '../../src/core/errors.ts';

interface Band {
  sigma: number;
  dely: number[];
  dely_predicted: number[];
  x_new: number[];
  dely_new: number[];
}
interface Case {
  name: string;
  model: string;
  x: number[];
  y: number[];
  params: Record<string, { value: number; stderr: number | null; vary: boolean; expr: string | null }>;
  bands: Band[];
}

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '../fixtures/lmfit/bands.json'), 'utf8'),
) as { cases: Case[] };

function maxRel(a: ArrayLike<number>, b: readonly number[]): number {
  let m = 0;
  for (let i = 0; i < b.length; i++)
    m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-300));
  return m;
}

function fitCase(c: Case) {
  const params = Object.fromEntries(
    Object.entries(c.params)
      .filter(([, p]) => p.expr === null)
      .map(([k, p]) => [k, p.vary ? p.value : { value: p.value, fixed: true }]),
  );
  return fit(c.model, { x: c.x, y: c.y }, params);
}

describe('evalUncertainty = lmfit eval_uncertainty (1e-6 relative)', () => {
  for (const c of fixture.cases) {
    for (const b of c.bands) {
      it(`${c.name}, sigma=${b.sigma}`, () => {
        const r = fitCase(c);
        const tol = 1e-6;
        const nonzero = (a: readonly number[]) => a.map((v) => (v === 0 ? NaN : v));
        const dely = r.evalUncertainty({ sigma: b.sigma }).data;
        expect(
          maxRel(
            dely.filter((_, i) => b.dely[i] !== 0),
            b.dely.filter((v) => v !== 0),
          ),
        ).toBeLessThan(tol);
        expect(
          maxRel(r.evalUncertainty({ sigma: b.sigma, prediction: true }).data, b.dely_predicted),
        ).toBeLessThan(tol);
        const atNew = r.evalUncertainty({ sigma: b.sigma, at: { x: b.x_new } }).data;
        expect(
          maxRel(
            atNew.filter((_, i) => b.dely_new[i] !== 0),
            nonzero(b.dely_new).filter((v) => !Number.isNaN(v)),
          ),
        ).toBeLessThan(tol);
      });
    }
  }
});

describe('evalUncertainty', () => {
  const c = fixture.cases.find((k) => k.name === 'linear')!;
  const r = fitCase(c);

  it('level is the probability of the band (sigma < 1 read as one, as lmfit)', () => {
    const a = r.evalUncertainty({ level: 0.95 }).data;
    const b = r.evalUncertainty({ sigma: 0.95 }).data;
    expect(maxRel(a, Array.from(b))).toBe(0);
  });

  it('bands every equation of a global fit', () => {
    const x = c.x;
    const g = fit(
      'y = a*x + b; z = a*x^2',
      { x, y: c.y, z: x.map((v, i) => 0.8 * v * v + ((i % 5) - 2) * 0.3) },
      { a: 1, b: 0 },
    );
    const y = g.evalUncertainty({ equation: 'y' }).data;
    const z = g.evalUncertainty({ equation: 'z', at: { x: [0, 2] } }).data;
    expect(y.length).toBe(x.length);
    expect(z[0]).toBe(0);
    expect(z[1]).toBeGreaterThan(0);
  });

  it('names what is wrong', () => {
    expect(() => r.evalUncertainty({ sigma: 1, level: 0.9 })).toThrow(/level/);
    expect(() => r.evalUncertainty({ equation: 'q' })).toThrow(/no equation for 'q'/);
    expect(() => r.evalUncertainty({ at: { t: [1] } })).toThrow(/no data for variable 'x'/);
    expect(() => r.evalUncertainty({ sigma: -1 })).toThrow(ExprfitError);
    const w = fit('y = a*x + b', { x: c.x, y: c.y }, { a: 1, b: 0 }, { sigma: { y: 1.5 } });
    expect(() => w.evalUncertainty({ prediction: true, at: { x: [1] } })).toThrow(/sigma/);
  });
});
