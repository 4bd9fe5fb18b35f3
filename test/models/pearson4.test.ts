/**
 * pearson4 from a `.fit` script and the REPL, on lmfit's fit case (test/fixtures/lmfit/models.json, written
 * by scripts/models-fixtures.py): the fit from guesses reaches lmfit's parameters and derived position, and
 * `:guess` shows lmfit's starts expon = 1.5, skew = 0 with their bounds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/repl/session.ts';
import { csvText, exec, freshSessions, writeFile, type Run } from '../script/helpers.ts';

interface FitCase {
  name: string;
  x: number[];
  y: number[];
  best: Record<string, number>;
  stderr: Record<string, number>;
  derived: Record<string, number>;
}
const CASE = (
  JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/lmfit/models.json'), 'utf8')) as {
    fits: FitCase[];
  }
).fits.find((c) => c.name === 'pearson4')!;

const fresh = freshSessions();

function dataCsv(run: Run): void {
  writeFile(run, 'p4.csv', csvText({ x: CASE.x, y: CASE.y }));
}

describe('pearson4 in .fit scripts and the REPL', () => {
  it('a script fits it from guesses alone to lmfit’s values', async () => {
    const run = fresh();
    dataCsv(run);
    await exec(run, 'data "p4.csv"\nmodel y = pearson4(x; p)\nfit\nprint p_skew\nprint p_position\n');
    const want = [CASE.best.skew!, CASE.derived.position!];
    const tol = [0.01 * CASE.stderr.skew!, 1e-6];
    expect(run.out).toHaveLength(2);
    run.out.forEach((v, i) => expect(Math.abs(Number(v) - want[i]!)).toBeLessThan(tol[i]!));
  });

  it(':guess shows expon = 1.5 and skew = 0 with lmfit’s bounds', async () => {
    const run = fresh();
    dataCsv(run);
    const out: string[] = [];
    const s = new Session({ out: (t) => out.push(t), error: (e) => out.push(String(e)), baseDir: run.dir });
    for (const line of ['data "p4.csv"', 'model y = pearson4(x)', ':guess'])
      expect(await s.handle(line)).toBe('ok');
    const text = out.join('\n');
    expect(text).toMatch(/expon +1\.5 in \[0\.5\d*, 1000\]/);
    expect(text).toMatch(/skew +0 in \[-1000, 1000\]/);
  });
});
