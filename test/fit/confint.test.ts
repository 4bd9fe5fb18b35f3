/** Profile confidence intervals against lmfit's conf_interval / conf_interval2d (tests/test_confidence.py). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { confInterval, confInterval2d } from '../../src/fit/confint.ts';
import { fit } from '../../src/fit/fit.ts';
import type { ParamsInput } from '../../src/model/params.ts';

interface Case {
  name: string;
  model: string;
  x: number[];
  y: number[];
  start: ParamsInput;
  params: Record<string, { value: number; stderr: number | null; vary: boolean }>;
  sigmas: number[];
  ci: Record<string, [number, number | null][]>;
  ci2d?: { x: string; y: string; nx: number; ny: number; xs: number[]; ys: number[]; grid: number[][] };
}

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '../fixtures/lmfit/confidence.json'), 'utf8'),
) as { cases: Case[] };
const byName = (n: string): Case => fixture.cases.find((c) => c.name === n)!;
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

function fitCase(c: Case) {
  return fit(c.model, { x: c.x, y: c.y }, c.start);
}

/** lmfit's list (prob, value) from the lowest lower bound to the highest upper bound, best in the middle. */
function asLmfitRows(ci: ReturnType<typeof confInterval>['params'][string]): [number, number][] {
  const lower = ci.levels.map((l) => [l.probability, l.lower] as [number, number]).reverse();
  const upper = ci.levels.map((l) => [l.probability, l.upper] as [number, number]);
  return [...lower, [0, ci.best], ...upper];
}

describe('confInterval = lmfit conf_interval (1e-4 relative)', () => {
  for (const name of ['confidence1', 'confidence2', 'ci_with_trace']) {
    it(name, () => {
      const c = byName(name);
      const r = fitCase(c);
      for (const [p, v] of Object.entries(c.params))
        if (v.vary) expect(rel(r.values[p], v.value)).toBeLessThan(1e-5);
      const ci = confInterval(r, { sigmas: c.sigmas });
      for (const [p, rows] of Object.entries(c.ci)) {
        const ours = asLmfitRows(ci.params[p]);
        expect(ours.length).toBe(rows.length);
        rows.forEach(([prob, value], i) => {
          expect(ours[i][0]).toBeCloseTo(prob, 12);
          if (value === null) expect(Number.isFinite(ours[i][1])).toBe(false);
          else expect(rel(ours[i][1], value), `${p} row ${i}: ${ours[i][1]} vs ${value}`).toBeLessThan(1e-4);
        });
      }
    });
  }
});

describe('confInterval', () => {
  const c = byName('confidence1');
  const r = fitCase(c);

  it('probabilities instead of sigmas; one parameter; traces', () => {
    const ci = confInterval(r, { params: ['b'], probabilities: [0.5], trace: true });
    expect(Object.keys(ci.params)).toEqual(['b']);
    const lv = ci.params.b.levels[0];
    expect(lv.lower).toBeLessThan(r.values.b);
    expect(lv.upper).toBeGreaterThan(r.values.b);
    const tr = ci.trace!.b;
    expect(tr.prob.length).toBe(tr.a.length);
    expect(tr.b.length).toBe(tr.prob.length);
  });

  it('respects bounds: a level beyond a bound is infinite, with a warning', () => {
    const g = fit(c.model, { x: c.x, y: c.y }, { a: { value: 0.1, max: 0.0999 }, b: 1 });
    const ci = confInterval(g, { params: ['a'] });
    expect(ci.params.a.levels.map((l) => l.upper === Infinity)).toEqual([false, false, true]);
    expect(ci.warnings.join('\n')).toMatch(/a: bound reached/);
  });

  it("refits with the fit's options (a per-parameter xScale naming the pinned one)", () => {
    const g = fit(c.model, { x: c.x, y: c.y }, c.start, { xScale: { a: 0.1, b: 1 } });
    const ci = confInterval(g, { sigmas: [1] });
    const ref = confInterval(r, { sigmas: [1] });
    expect(rel(ci.params.a.levels[0].upper, ref.params.a.levels[0].upper)).toBeLessThan(1e-6);
  });

  it('names what is wrong', () => {
    expect(() => confInterval(r, { params: ['q'] })).toThrow(/'q' is not a free parameter/);
    expect(() => confInterval(r, { sigmas: [1], probabilities: [0.5] })).toThrow(/probabilities/);
    expect(() => confInterval(r, { sigmas: [-1] })).toThrow(/sigmas/);
    expect(() => confInterval2d(r, 'a', 'a')).toThrow(/both 'a'/);
  });
});

describe('confInterval2d = lmfit conf_interval2d', () => {
  it('confidence1, a × b', () => {
    const c = byName('confidence1');
    const g = c.ci2d!;
    const r = fitCase(c);
    const reg = confInterval2d(r, g.x, g.y, { nx: g.nx, ny: g.ny });
    Array.from(reg.xs).forEach((v, i) => expect(rel(v, g.xs[i])).toBeLessThan(1e-5));
    Array.from(reg.ys).forEach((v, i) => expect(rel(v, g.ys[i])).toBeLessThan(1e-5));
    reg.grid.forEach((row, i) =>
      Array.from(row).forEach((p, j) => expect(Math.abs(p - g.grid[i][j])).toBeLessThan(1e-5)),
    );
  });
});
