/**
 * `result = load "fit.json"`: a saved result as a value of the script language and the REPL — the session's
 * next and current fit, callable to evaluate its model, and what `band`, `plot fit=`, `confint` take — checked
 * against the fit that wrote it (same numbers) and the API's `loadResult`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { loadResult } from '../../src/fit/load.ts';
import { Session } from '../../src/repl/session.ts';
import { parseScript } from '../../src/syntax/parse.ts';
import { isFit } from '../../src/script/values.ts';
import { arrayVar, csvText, errorOf, exec, freshSessions, writeFile, type Run } from './helpers.ts';

const fresh = freshSessions();
const t = Array.from({ length: 12 }, (_, i) => i * 0.5);
const y = t.map((v, i) => 3 * Math.exp(-v / 1.5) + 0.2 + 0.01 * Math.sin(7 * i));

/** A session that fitted the decay and saved it as fit.json; a second session with the same data. */
async function saved(): Promise<{ fitted: Run; r: Run }> {
  const fitted = fresh();
  writeFile(fitted, 'd.csv', csvText({ t, y }));
  await exec(
    fitted,
    'data "d.csv"\nparam A = 1\nparam tau = 1 in [0.1, 10]\nparam c = 0\nmodel y = A*exp(-t/tau) + c\nfit\nsave "fit.json"',
  );
  const r = fresh();
  writeFile(r, 'd.csv', csvText({ t, y }));
  writeFile(r, 'fit.json', readFileSync(join(fitted.dir, 'fit.json')));
  return { fitted, r };
}

describe('result = load "fit.json"', () => {
  it('parses as load("fit.json"); the word load stays a name elsewhere', () => {
    const [s, u, v] = parseScript('r = load "fit.json"\nload = 3\nx = load + 1');
    expect(s).toMatchObject({
      kind: 'assign',
      value: { kind: 'call', fn: 'load', args: [{ kind: 'str', value: 'fit.json' }] },
    });
    expect(u.kind).toBe('assign');
    expect(v.kind).toBe('assign');
  });

  it('binds a fit value, the next fit of the session and the current one; calling it evaluates the model', async () => {
    const { fitted, r } = await saved();
    await exec(r, 'data "d.csv"\nr = load "fit.json"\nm = r(t)\nm1 = r(1)');
    const v = r.interp.variables.get('r')!;
    expect(isFit(v) && v.number).toBe(1);
    expect(r.info.at(-1)).toMatch(/^r = fit 1: converged/);
    expect(r.interp.fits).toHaveLength(1);
    expect(Array.from(arrayVar(r, 'm').data)).toEqual(Array.from(arrayVar(fitted, 'model').data));
    const api = loadResult(readFileSync(join(r.dir, 'fit.json'), 'utf8'));
    expect(r.interp.variables.get('m1')).toBe(api.eval({ t: [1] }).data[0]);
    await exec(r, 'print r');
    expect(r.out.at(-1)).toMatch(/^fit 1: y = A\*exp\(-t\/tau\) \+ c\nconverged/);
  });

  it('band and band r give the band of the fit that saved it (plot fit=r: test/script/afterFit.test.ts)', async () => {
    const { fitted, r } = await saved();
    await exec(fitted, 'band sigma=2');
    await exec(r, 'data "d.csv"\nr = load "fit.json"\nparam k = 1\nmodel y = k*t\nfit\nband r sigma=2');
    const want = arrayVar(fitted, 'band_upper').data;
    arrayVar(r, 'band_upper').data.forEach((u, i) => expect(u).toBeCloseTo(want[i], 12));
    await exec(r, 'loadfit "fit.json"\ncompare 1 3');
    expect(r.out.join('\n')).toMatch(/AIC/);
  });

  it('mistakes: no data in the session, a refit it cannot do, fit= of another value, a bad call', async () => {
    const { r } = await saved();
    await exec(r, 'r = load "fit.json"');
    expect(r.info.at(-1)).toMatch(/its data are not in the session/);
    expect((await errorOf(() => exec(r, 'plot "p.svg"'))).message).toMatch(
      /plot needs the fit's data \(t, y\)/,
    );
    expect((await errorOf(() => exec(r, 'band'))).message).toMatch(/band needs the fit's data/);
    expect((await errorOf(() => exec(r, 'confint r tau'))).message).toMatch(
      /confint needs the fit's data \(t, y\)/,
    );
    expect((await errorOf(() => exec(r, 'mcmc r'))).message).toMatch(/mcmc needs the fit's data/);
    expect((await errorOf(() => exec(r, 'x = 2\nplot "p.svg" fit=x'))).message).toMatch(
      /fit= takes a fit result, got a number/,
    );
    expect((await errorOf(() => exec(r, 'print r(1, 2)'))).message).toMatch(
      /takes 1 argument\(s\) \(t\), got 2/,
    );
    writeFile(r, 'bad.json', '{"schema": "exprfit-result", "version": 0}');
    expect((await errorOf(() => exec(r, 'q = load "bad.json"'))).message).toMatch(
      /bad\.json: not a saved exprfit result/,
    );
    writeFile(r, 'arr.json', '{"a": [1, 2, 3]}');
    await exec(r, 'a = load("arr.json", "a")');
    expect(r.interp.variables.get('a')).toBeInstanceOf(NdArray);
  });

  it('confint and mcmc of a loaded result with its data in the session: fitted again, the same numbers', async () => {
    const { fitted, r } = await saved();
    await exec(fitted, 'confint tau sigmas=[1]\nmcmc walkers=8 steps=20 seed=2');
    await exec(
      r,
      'data "d.csv"\nr = load "fit.json"\nconfint r tau sigmas=[1]\nmcmc r walkers=8 steps=20 seed=2',
    );
    expect(r.out.slice(-2)).toEqual(fitted.out.slice(-2));
    expect(
      r.info.some((l) => /^confint: the saved result fitted again to t, y from its values/.test(l)),
    ).toBe(true);
    writeFile(
      r,
      'weighted.json',
      readFileSync(join(fitted.dir, 'fit.json'), 'utf8').replace('"sigma": false', '"sigma": true'),
    );
    const e = await errorOf(() => exec(r, 'w = load "weighted.json"\nconfint w tau'));
    expect(e.message).toMatch(/the saved fit had sigma for 'y', which a saved result does not name/);
  });

  it('works in the REPL', async () => {
    const { r } = await saved();
    const out: string[] = [];
    const s = new Session({ out: (x) => out.push(x), error: () => {}, baseDir: r.dir });
    expect(await s.handle('data "d.csv"')).toBe('ok');
    expect(await s.handle('res = load "fit.json"')).toBe('ok');
    expect(out.at(-1)).toMatch(/^res = fit 1: converged/);
    expect(await s.handle('res(0)')).toBe('ok');
    expect(Number(out.at(-1))).toBeCloseTo(3.2, 1);
    expect(await s.handle('band res')).toBe('ok');
    expect(out.at(-1)).toMatch(/^band: 68.2689% confidence band of y at 12 points/);
  });
});

describe('the session signal (the REPL aborts it on Ctrl-C while work waits for threads)', () => {
  it('reaches mcmc, confint and confint2d: they return what they did, with a warning', async () => {
    const { r } = await saved();
    await exec(
      r,
      'data "d.csv"\nparam A = 1\nparam tau = 1 in [0.1, 10]\nparam c = 0\nmodel y = A*exp(-t/tau) + c\nfit',
    );
    const controller = new AbortController();
    controller.abort();
    r.interp.signal = controller.signal;
    await exec(r, 'mcmc walkers=8 steps=50\nconfint\nconfint2d A tau nx=3 ny=3');
    expect(r.warn.filter((w) => /interrupted/.test(w))).toEqual([
      'warning: mcmc was interrupted: the summary is of the 1 kept steps done',
      'warning: confint was interrupted: only the parameters finished are shown',
      'warning: confint2d was interrupted: the points not computed are NaN',
    ]);
  });
});
