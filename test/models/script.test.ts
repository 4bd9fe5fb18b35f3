/** Named models from `.fit` scripts (checker and interpreter) and the REPL (`:guess`, `:help NAME`). */
import { describe, expect, it } from 'vitest';
import { parseScript } from '../../src/syntax/index.ts';
import { checkStatements } from '../../src/script/check.ts';
import { Session } from '../../src/repl/session.ts';
import { csvText, errorOf, exec, freshSessions, writeFile, type Run } from '../script/helpers.ts';

const fresh = freshSessions();

/** Two Gaussians on a line, x = 0, 0.2, ..., 20 (no noise). */
function peaksCsv(run: Run): void {
  const x = Array.from({ length: 101 }, (_, i) => i * 0.2);
  const g = (t: number, a: number, c: number, s: number) =>
    (a / (Math.sqrt(2 * Math.PI) * s)) * Math.exp(-((t - c) ** 2) / (2 * s * s));
  const y = x.map((t) => g(t, 4, 6, 0.8) + g(t, 3, 13, 1.1) + 0.02 * t + 0.5);
  writeFile(run, 'peaks.csv', csvText({ x, y }));
}

const MODEL = 'model y = gaussian(x; g1) + gaussian(x; g2) + linear(x)';

describe('named models in .fit scripts', () => {
  it('fit from guesses alone; parameters and derived parameters are known afterwards', async () => {
    const run = fresh();
    peaksCsv(run);
    const text = `data "peaks.csv"\n${MODEL}\nfit\nprint g1_center\nprint g2_fwhm\n`;
    await checkStatements(parseScript(text, 'x.fit'), { text, file: 'x.fit' }, { baseDir: run.dir });
    await exec(run, text);
    expect(Number(run.out[0])).toBeCloseTo(6, 6);
    expect(Number(run.out[1])).toBeCloseTo(2.35482 * 1.1, 4);
    expect(run.info.join('\n')).not.toContain('not declared');
    expect(run.warn).toEqual([]);
  });

  it('with declared parameters, named models still need no param statement', async () => {
    const run = fresh();
    peaksCsv(run);
    await exec(run, `data "peaks.csv"\nparam g1_center = 6.2 in [5, 7]\n${MODEL}\nfit\n`);
    expect(run.interp.params.get('g2_center')!.fitted).toBeCloseTo(13, 6);
  });

  it.each([
    [
      'model y = gausian(x; g1)',
      "'gausian' is not a named model: only named models take a prefix (after ';')",
      11,
    ],
    ['model y = gaussian(x, 2)', "model 'gaussian' takes 1 argument, but 2 were given", 11],
  ])('the checker points at %s', async (line, message, column) => {
    const run = fresh();
    peaksCsv(run);
    const text = `data "peaks.csv"\n${line}\nfit\n`;
    const err = await errorOf(() =>
      checkStatements(parseScript(text, 'x.fit'), { text, file: 'x.fit' }, { baseDir: run.dir }),
    );
    expect(err.message).toBe(message);
    expect(err.span?.line).toBe(2);
    expect(err.span?.column).toBe(column);
    const runErr = await errorOf(() => exec(run, text));
    expect(runErr.message).toBe(message);
  });
});

describe('names shared with array functions', () => {
  it("the script's gaussian2d(x, y, x0, y0, sx, sy) stays the array function; gaussian2d(x, y; q) is the model", async () => {
    const run = fresh();
    const text = [
      'x, y = grid(zeros([12, 12]))',
      'img = 5*gaussian2d(x, y, 5, 6, 1.5, 2) + 1',
      'model img = A*gaussian2d(x, y, 5, 6, 1.5, 2) + c',
      'fit',
      'model img = gaussian2d(x, y; q) + constant(x)',
      'fit',
      'print q_centery',
    ].join('\n');
    await checkStatements(parseScript(text, 'x.fit'), { text, file: 'x.fit' }, { baseDir: run.dir });
    await exec(run, text);
    expect(run.interp.params.get('A')!.fitted).toBeCloseTo(5, 8);
    expect(Number(run.out.at(-1))).toBeCloseTo(6, 6);
  });
});

describe('the REPL', () => {
  it(':guess shows the starts from the data, bounds and ties; :help shows a model', async () => {
    const run = fresh();
    peaksCsv(run);
    const out: string[] = [];
    const errors: unknown[] = [];
    const s = new Session({ out: (t) => out.push(t), error: (e) => errors.push(e), baseDir: run.dir });
    await s.handle(':guess');
    expect(String(errors[0])).toContain(':guess needs a model line first');
    for (const line of [
      'data "peaks.csv"',
      MODEL.replace('gaussian(x; g2)', 'voigt(x; g2)'),
      ':guess',
      ':help voigt',
    ])
      expect(await s.handle(line)).toBe('ok');
    const text = out.join('\n');
    expect(text).toMatch(
      /y: gaussian\(x; g1\)\n {2}g1_amplitude +[\d.]+\n {2}g1_center +6\.\d+\n {2}g1_sigma +[\d.]+ in \[0, inf\]/,
    );
    expect(text).toContain('g2_gamma      = g2_sigma');
    expect(text).toContain('voigt(x; prefix)   (lmfit VoigtModel())');
  });
});
