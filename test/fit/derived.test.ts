/** Derived parameters (an expr no equation uses) and the report's correlations, against lmfit. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit/fit.ts';
import type { ParamsInput } from '../../src/model/params.ts';

const fx = (
  JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/lmfit/derived.json'), 'utf8')) as {
    sine: {
      model: string;
      x: number[];
      y: number[];
      start: ParamsInput;
      params: Record<string, { value: number; stderr: number }>;
      correl: Record<string, number>;
    };
  }
).sine;
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('derived parameters', () => {
  const r = fit(fx.model, { x: fx.x, y: fx.y }, fx.start);

  it('value and propagated stderr (gᵀCg) equal lmfit to 1e-6', () => {
    for (const [name, p] of Object.entries(fx.params)) {
      expect(rel(r.values[name], p.value), name).toBeLessThan(1e-6);
      expect(rel(r.params[name].stderr, p.stderr), name).toBeLessThan(1e-6);
    }
    expect(r.free).toEqual(['amp', 'f', 'phase']);
    expect(r.params.period.expr).toBe('1/f');
  });

  it('the report lists them and the correlations above 0.1, as lmfit', () => {
    const text = r.report();
    expect(text).toMatch(/period: +1\.427487 \+\/- 0\.00328 .*== '1\/f'/);
    const pairs = text.split('[[Correlations]]')[1].trim().split('\n').slice(1);
    expect(pairs.length).toBe(Object.keys(fx.correl).length);
    for (const [k, v] of Object.entries(fx.correl)) {
      const [a, b] = k.split(',');
      expect(text).toContain(`C(${[a, b].sort((p, q) => r.free.indexOf(p) - r.free.indexOf(q)).join(', ')})`);
      expect(text).toContain(v.toFixed(4));
    }
  });

  it('a derived parameter of unknown names is an error naming it', () => {
    expect(() => fit(fx.model, { x: fx.x, y: fx.y }, { period: { expr: '1/g' } })).toThrow(
      /parameter 'period': its expr uses 'g', which is not a parameter/,
    );
    expect(() => fit(fx.model, { x: fx.x, y: fx.y }, { perod: 1 })).toThrow(/'perod' does not appear/);
  });
});
