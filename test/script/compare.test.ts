/** The `compare` and `loadfit` commands (numbers against test/fixtures/compare-scipy.json). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Interpreter } from '../../src/script/interpreter.ts';
import { ExprfitError } from '../../src/core/errors.ts';

const fx = JSON.parse(readFileSync(new URL('../fixtures/compare-scipy.json', import.meta.url), 'utf8')) as {
  poly: { F: number; Fp: number; LR: number; LRp: number };
};
const dir = mkdtempSync(join(tmpdir(), 'exprfit-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function session(): Promise<{ interp: Interpreter; out: string[] }> {
  const out: string[] = [];
  const interp = new Interpreter({ baseDir: dir, out: (t) => out.push(t), info: () => {}, warn: () => {} });
  await interp.runText(
    [
      'x = linspace(0, 4, 25)',
      'y = 1 + 0.5*x + 0.08*x^2 + 0.05*sin(5*x)',
      'param c0 = 0',
      'param c1 = 0',
      'param c2 = 0',
      'model y = c0 + c1*x',
      'fit',
      'save "lin.json"',
      'model y = c0 + c1*x + c2*x^2',
      'fit',
    ].join('\n'),
  );
  out.length = 0;
  return { interp, out };
}

const num = (line: string, key: string): number => Number(new RegExp(`${key}\\s*=\\s*(\\S+)`).exec(line)![1]);

describe('compare', () => {
  it('prints the F-test and likelihood ratio of a nested pair, and the AIC/BIC weights', async () => {
    const { interp, out } = await session();
    await interp.runText('set digits=0\ncompare 2 1');
    expect(out[0]).toBe('fit 1 (restricted, k=2) vs fit 2 (full, k=3):');
    expect(out[1]).toMatch(/^ {2}F\(1, 22\) /);
    expect(Math.abs(num(out[1], 'F\\(1, 22\\)') / fx.poly.F - 1)).toBeLessThan(1e-5);
    expect(Math.abs(num(out[1], 'p') / fx.poly.Fp - 1)).toBeLessThan(1e-3);
    expect(Math.abs(num(out[2], 'chi2\\(1\\)') / fx.poly.LR - 1)).toBeLessThan(1e-5);
    expect(out[3]).toMatch(/fit +k +chi2 +AIC +AIC weight +BIC +BIC weight/);
    expect(out).toHaveLength(6);
  });

  it('loadfit adds a saved result as the next fit; compare with no numbers takes all', async () => {
    const { interp, out } = await session();
    await interp.runText('loadfit "lin.json"\ncompare');
    expect(out[0]).toMatch(/^fit 3 \(from .*lin\.json\): converged/);
    expect(out.slice(2).map((l) => l.trim().split(/\s+/)[0])).toEqual(['1', '2', '3']);
    expect(out[2].split(/\s+/).slice(2)).toEqual(out[4].split(/\s+/).slice(2));
  });

  it('loadfit reads every fit of exprfit run --json output', async () => {
    const { interp, out } = await session();
    const lin = JSON.parse(readFileSync(join(dir, 'lin.json'), 'utf8')) as unknown;
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ fits: [lin, lin] }));
    await interp.runText('loadfit "run.json"');
    expect(out.map((l) => l.slice(0, 6))).toEqual(['fit 3 ', 'fit 4 ']);
    writeFileSync(join(dir, 'broken.json'), '{"fits": ');
    await expect(interp.runText('loadfit "broken.json"')).rejects.toThrow(/broken\.json: invalid JSON/);
  });

  it('mistakes are positioned ExprfitErrors', async () => {
    const { interp } = await session();
    await expect(interp.runText('compare 1 7')).rejects.toThrow(/fit numbers from 1 to 2, got 7/);
    await expect(interp.runText('compare 1')).rejects.toThrow(/two fits or more/);
    await expect(new Interpreter({}).runText('compare 1 2')).rejects.toThrow(/the session has 0/);
    await expect(interp.runText('loadfit x')).rejects.toThrow(/loadfit takes one file name/);
    writeFileSync(join(dir, 'bad.json'), '{"schema": "other"}');
    await expect(interp.runText('loadfit "bad.json"')).rejects.toThrow(
      /bad\.json: not a saved exprfit result/,
    );
    await expect(interp.runText('loadfit "none.json"')).rejects.toThrow(ExprfitError);
  });
});
