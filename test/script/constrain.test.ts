/** The `constrain` command: constraints of the fits that follow, in `.fit` scripts and the REPL. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkStatements } from '../../src/script/check.ts';
import { parseScript } from '../../src/syntax/parse.ts';
import { errorOf, exec, freshSessions } from './helpers.ts';

const fresh = freshSessions();
const triangle = JSON.parse(
  readFileSync(new URL('../fixtures/constraints-scipy.json', import.meta.url), 'utf8'),
) as { cases: { name: string; data: number[][]; x: number[]; stderr: number[] }[] };

describe('constrain', () => {
  it('fits the triangle angles with a + b + c == 180 as scipy SLSQP does', async () => {
    const c = triangle.cases[0];
    const run = fresh();
    const arr = (v: number[]): string => `[${v.join(', ')}]`;
    await exec(run, `a_i = ${arr(c.data[0])}\nb_i = ${arr(c.data[1])}\nc_i = ${arr(c.data[2])}`);
    await exec(run, 'param a = 1, b = 1, c = 1\nmodel a_i = a\nmodel b_i = b\nmodel c_i = c');
    await exec(run, 'constrain a + b + c == 180\nfit\nreport');
    const r = run.interp.fits[0];
    expect(r.values.a).toBeCloseTo(c.x[0], 9);
    expect(r.values.c).toBeCloseTo(c.x[2], 9);
    expect(r.params.b.stderr).toBeCloseTo(c.stderr[1], 6);
    expect(run.out.join('\n')).toMatch(
      /\[\[Constraints\]\]\n {4}a \+ b \+ c == 180: c = .*, equality, multiplier = -3\.4/,
    );
  });

  it('lists, adds several on one line, and clears', async () => {
    const run = fresh();
    await exec(run, 'constrain a >= 0 b <= 2*a\nconstrain');
    expect(run.out).toEqual(['a >= 0\nb <= 2*a']);
    await exec(run, 'constrain clear\nconstrain');
    expect(run.out[1]).toBe('no constraints');
  });

  it('a strict inequality or a non-comparison is an error at the argument', async () => {
    const run = fresh();
    const err = await errorOf(() => exec(run, 'constrain a + b < 1'));
    expect(err.message).toMatch(/constraint 'a \+ b < 1': use '<='/);
    expect(err.span?.column).toBe(11);
    const err2 = await errorOf(() => exec(run, 'constrain a + b'));
    expect(err2.message).toMatch(/it is not a comparison/);
  });

  it('exprfit check reports a bad constraint before anything runs', async () => {
    const run = fresh();
    const text = 'constrain a > 1';
    const check = checkStatements(parseScript(text, 'c.fit'), { text, file: 'c.fit' }, { baseDir: run.dir });
    await expect(check).rejects.toThrow(/use '>='/);
  });
});
