/**
 * NIST StRD nonlinear regression: all 27 problems from both starts through the public fit() API with
 * default options. Accuracy counted in LRE (log relative error = matching significant digits):
 * every parameter LRE >= 6 against the certified value, every stderr LRE >= 4 against the certified
 * standard deviation (Lanczos1: 3, its certified RSS 1.4e-25 is below what binary64 resolves).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, afterAll } from 'vitest';
import { fit } from '../../src/fit/fit.ts';

interface Problem {
  name: string;
  expr: string;
  response: string;
  variables: string[];
  params: string[];
  start1: number[];
  start2: number[];
  certified: number[];
  certified_sd: number[];
  data: Record<string, number[]>;
}

const problems = (
  JSON.parse(readFileSync(new URL('../fixtures/nist-strd/problems.json', import.meta.url), 'utf8')) as {
    problems: Problem[];
  }
).problems;

/** Log relative error, capped at 15 digits. */
function lre(x: number, c: number): number {
  if (x === c) return 15;
  const rel = c === 0 ? Math.abs(x) : Math.abs((x - c) / c);
  return Math.min(15, -Math.log10(rel));
}

const rows: string[] = [];
/** Minimum LRE over the parameters' values, per run. */
const valueDigits: number[] = [];
afterAll(() => {
  console.log(`NIST StRD via fit(): min LRE of values / stderrs\n${rows.join('\n')}`);
});

describe('NIST StRD nonlinear regression through fit()', () => {
  for (const p of problems) {
    for (const start of [1, 2] as const) {
      it(`${p.name} from start ${start}`, () => {
        const y =
          p.response === 'y'
            ? p.data.y
            : p.response === 'log(y)'
              ? p.data.y.map(Math.log)
              : (undefined as never);
        expect(y, `response ${p.response}`).toBeDefined();
        const data: Record<string, number[]> = { y };
        for (const v of p.variables) data[v] = p.data[v];
        const x0 = start === 1 ? p.start1 : p.start2;
        const params = Object.fromEntries(p.params.map((b, i) => [b, x0[i]]));
        const r = fit(`y = ${p.expr}`, data, params);
        expect(r.success, r.message).toBe(true);
        expect(r.warnings, r.briefReport()).toEqual([]);
        const vl = p.params.map((b, i) => lre(r.values[b], p.certified[i]));
        const sl = p.params.map((b, i) => lre(r.params[b].stderr, p.certified_sd[i]));
        const minV = Math.min(...vl);
        const minS = Math.min(...sl);
        valueDigits.push(minV);
        rows.push(
          `${p.name.padEnd(9)} start ${start}: values ${minV.toFixed(1).padStart(5)}  stderr ${minS.toFixed(1).padStart(5)}  (${r.iterations} it, ${r.nfev} fev)`,
        );
        expect(minV, `values LRE ${vl.map((v) => v.toFixed(1)).join(' ')}`).toBeGreaterThanOrEqual(6);
        expect(minS, `stderr LRE ${sl.map((v) => v.toFixed(1)).join(' ')}`).toBeGreaterThanOrEqual(
          p.name === 'Lanczos1' ? 3 : 4,
        );
      });
    }
  }

  // README.md: "every parameter to at least 8 significant digits, and to at least 10 in 53 of the 54 runs"
  it('the digits README.md states (run after the 54 runs above)', () => {
    expect(valueDigits.length).toBe(2 * problems.length);
    expect(valueDigits.length).toBe(54);
    expect(Math.min(...valueDigits)).toBeGreaterThanOrEqual(8);
    expect(valueDigits.filter((d) => d >= 10).length).toBeGreaterThanOrEqual(53);
  });
});
