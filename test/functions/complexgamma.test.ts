/**
 * Log-gamma, digamma and trigamma of complex argument (lgamma_re, digamma_re/_im, trigamma_re/_im): values
 * against scipy.special.loggamma and psi (test/functions/fixtures/complexgamma-scipy.json, written by
 * scripts/complexgamma-fixtures.py), derivative rules against finite differences, and the refused derivative
 * of the trigamma parts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getFunction } from '../../src/functions/registry.ts';
import { differentiate } from '../../src/symbolic/differentiate.ts';
import { evaluate } from '../../src/symbolic/evaluate.ts';
import { ExprfitError } from '../../src/core/errors.ts';
import { parse } from '../symbolic/helpers.ts';

interface Case {
  args: [number, number];
  [name: string]: number | [number, number];
}
const FIXTURE = JSON.parse(
  readFileSync(join(import.meta.dirname, 'fixtures/complexgamma-scipy.json'), 'utf8'),
) as { cases: Case[]; trigamma: Case[] };

/** The largest error over the fixture, relative to |f(z)| (both parts), or to max(1, |value|) for lgamma_re. */
function worstError(cases: Case[], name: string, scale: (c: Case) => number): number {
  const def = getFunction(name)!;
  let worst = 0;
  for (const c of cases) {
    const want = c[name] as number;
    worst = Math.max(worst, Math.abs(def.evaluate(...c.args) - want) / scale(c));
  }
  return worst;
}

const magnitude = (re: string, im: string) => (c: Case) => Math.hypot(c[re] as number, c[im] as number);

describe('values against scipy.special', () => {
  it('lgamma_re to 1e-14 of max(1, |value|)', () => {
    const scale = (c: Case) => Math.max(1, Math.abs(c.lgamma_re as number));
    expect(worstError(FIXTURE.cases, 'lgamma_re', scale)).toBeLessThan(1e-14);
  });

  it.each(['digamma_re', 'digamma_im'])('%s to 2e-14 of |psi(z)|', (name) => {
    expect(worstError(FIXTURE.cases, name, magnitude('digamma_re', 'digamma_im'))).toBeLessThan(2e-14);
  });

  it.each(['trigamma_re', 'trigamma_im'])('%s to 1e-14 of |psi1(z)|', (name) => {
    expect(worstError(FIXTURE.trigamma, name, magnitude('trigamma_re', 'trigamma_im'))).toBeLessThan(1e-14);
  });

  it('equals the real functions on the real axis (so pearson4 with skew = 0 is pearson7)', () => {
    for (const a of [-2.5, 0.3, 1, 2, 7.5]) {
      expect(getFunction('lgamma_re')!.evaluate(a, 0)).toBe(getFunction('lgamma')!.evaluate(a));
      expect(getFunction('digamma_re')!.evaluate(a, 0)).toBe(getFunction('digamma')!.evaluate(a));
      expect(getFunction('trigamma_re')!.evaluate(a, 0)).toBe(getFunction('trigamma')!.evaluate(a));
    }
    expect(getFunction('lgamma_re')!.evaluate(2, 0)).toBe(0);
  });

  it('is NaN for NaN and Infinity at the poles', () => {
    expect(getFunction('lgamma_re')!.evaluate(NaN, 1)).toBeNaN();
    expect(getFunction('lgamma_re')!.evaluate(-2, 0)).toBe(Infinity);
  });
});

function centralDifference(f: (...a: number[]) => number, args: number[], i: number): number {
  const h = 1e-6 * Math.max(1, Math.abs(args[i]!));
  const up = [...args];
  const down = [...args];
  up[i]! += h;
  down[i]! -= h;
  return (f(...up) - f(...down)) / (2 * h);
}

describe('derivative rules agree with finite differences', () => {
  const POINTS = [
    [2.5, 1],
    [0.7, -3],
    [-1.3, 0.4],
    [12, 25],
  ];
  describe.each(['lgamma_re', 'digamma_re', 'digamma_im'])('%s', (name) => {
    const def = getFunction(name)!;
    const call = parse(`${name}(p, q)`);
    it.each(POINTS)('at (%d, %d)', (p, q) => {
      for (const [i, v] of ['p', 'q'].entries()) {
        const symbolic = evaluate(differentiate(call, v), { p, q });
        const numeric = centralDifference(def.evaluate, [p, q], i);
        expect(Math.abs(symbolic - numeric) / Math.max(1, Math.abs(numeric)), `d/d${v}`).toBeLessThan(1e-7);
      }
    });
  });

  it('the trigamma parts refuse a derivative with an ExprfitError naming the argument', () => {
    expect(() => differentiate(parse('trigamma_re(p, 2)'), 'p')).toThrow(ExprfitError);
    expect(() => differentiate(parse('trigamma_im(1, p)'), 'p')).toThrow(/argument 'b'/);
  });
});
