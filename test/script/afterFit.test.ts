/**
 * After the fit in `.fit` scripts: the commands band, confint, confint2d and mcmc, derived parameters
 * (`param period = 1/f` unused by the model), `plot band=true`, `corner=` and `contour=`, their static check and
 * REPL completion. Numbers are compared with lmfit's (the fixtures of test/fit) or with the API's (seeded MCMC).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NdArray } from '../../src/data/ndarray.ts';
import { parseNpy } from '../../src/data/npy.ts';
import { plotSpec } from '../../src/data/plot.ts';
import { emcee } from '../../src/fit/mcmc.ts';
import { checkStatements } from '../../src/script/check.ts';
import { plotSpecOf } from '../../src/script/statements/plot.ts';
import { isTable, type TableValue } from '../../src/script/values.ts';
import { parseScript } from '../../src/syntax/parse.ts';
import { makeCompleter } from '../../src/repl/completer.ts';
import { Session } from '../../src/repl/session.ts';
import { helpOn } from '../../src/script/help.ts';
import { STATEMENTS } from '../../src/script/statements/index.ts';
import { Interpreter } from '../../src/script/interpreter.ts';
import { arrayVar, csvText, errorOf, exec, freshSessions, writeFile, type Run } from './helpers.ts';

const fresh = freshSessions();
const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, `../fixtures/lmfit/${name}.json`), 'utf8')) as {
    cases: Record<string, unknown>[];
  };
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

function table(r: Run, name: string): TableValue {
  const v = r.interp.variables.get(name);
  if (v === undefined || !isTable(v)) throw new Error(`${name} is not a table`);
  return v;
}

interface BandCase {
  x: number[];
  y: number[];
  params: Record<string, { value: number }>;
  bands: { sigma: number; dely: number[]; dely_predicted: number[] }[];
}

/** lmfit's `linear` case of tests/test_model_uncertainties.py, fitted by a script. */
async function linearFit(): Promise<{ r: Run; c: BandCase }> {
  const c = fixture('bands').cases.find((k) => k.name === 'linear') as unknown as BandCase;
  const r = fresh();
  writeFile(r, 'd.csv', csvText({ x: c.x, y: c.y }));
  await exec(r, 'data "d.csv"\nparam slope = 1\nparam intercept = 0\nmodel y = slope*x + intercept\nfit');
  return { r, c };
}

describe('band', () => {
  it("gives lmfit's eval_uncertainty (1e-6) as band_lower, band_upper and the table band", async () => {
    const { r, c } = await linearFit();
    for (const b of c.bands) {
      await exec(r, `band sigma=${b.sigma}`);
      const lo = arrayVar(r, 'band_lower').data;
      const hi = arrayVar(r, 'band_upper').data;
      b.dely.forEach((d, i) => expect(rel((hi[i] - lo[i]) / 2, d)).toBeLessThan(1e-6));
      await exec(r, `band sigma=${b.sigma} prediction=true`);
      const plo = arrayVar(r, 'band_lower').data;
      const phi = arrayVar(r, 'band_upper').data;
      b.dely_predicted.forEach((d, i) => expect(rel((phi[i] - plo[i]) / 2, d)).toBeLessThan(1e-6));
    }
    expect(r.out.at(-1)).toMatch(/^band: 95% prediction band of y at 101 points, half-width /);
    expect(table(r, 'band').names).toEqual(['x', 'model', 'lower', 'upper']);
    await exec(r, 'save band to "band.csv"');
    const lines = readFileSync(join(r.dir, 'band.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('x,model,lower,upper');
    expect(lines).toHaveLength(102);
  });

  it('level= is a probability; its errors are in the script spelling, at the option', async () => {
    const { r } = await linearFit();
    await exec(r, 'band level=0.9');
    expect(r.out.at(-1)).toMatch(/^band: 90% confidence band/);
    const both = await errorOf(() => exec(r, 'band sigma=2 level=0.9'));
    expect(both.message).toMatch(/level/);
    expect((await errorOf(() => exec(r, 'band sigmma=2'))).hints).toContain("did you mean 'sigma'?");
    expect((await errorOf(() => exec(r, 'band equation=z'))).message).toMatch(/no model line for 'z'/);
    expect((await errorOf(() => exec(r, 'band x'))).message).toMatch(/band takes options only/);
  });

  it('equation= picks a line of a global fit; plot band=true bands every line', async () => {
    const r = fresh();
    await exec(
      r,
      [
        'x = linspace(0, 4, 30)',
        'y1 = 2*exp(-0.5*x) + 0.01*sin(9*x)',
        'y2 = 3*exp(-0.5*x) + 0.01*cos(7*x)',
        'param a1 = 1; param a2 = 1; param k = 1',
        'model y1 = a1*exp(-k*x)',
        'model y2 = a2*exp(-k*x)',
        'fit',
        'band equation=y2',
      ].join('\n'),
    );
    const dely = r.interp.fits.at(-1)!.evalUncertainty({ equation: 'y2' }).data;
    const lo = arrayVar(r, 'band_lower').data;
    const hi = arrayVar(r, 'band_upper').data;
    dely.forEach((d, i) => expect((hi[i] - lo[i]) / 2).toBeCloseTo(d, 14));
    expect(r.out.at(-1)).toMatch(/ band of y2 at 30 points/);
    const last = r.interp.lastFit!;
    for (const eq of last.equations) {
      const spec = plotSpecOf(last, eq, { title: 't', band: { sigma: 1 } }).spec!;
      expect(spec.kind === '1d' && spec.band?.x.length).toBe(400);
    }
    await exec(r, 'plot "g.svg" band=true');
    expect(readFileSync(join(r.dir, 'g.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('needs a fit first', async () => {
    const r = fresh();
    expect((await errorOf(() => exec(r, 'band'))).message).toMatch(/nothing to band yet: run 'fit' first/);
  });
});

interface CiCase {
  name: string;
  x: number[];
  y: number[];
  ci: Record<string, [number, number | null][]>;
  ci2d: { nx: number; ny: number; grid: number[][] };
}

async function confidence1(): Promise<{ r: Run; c: CiCase }> {
  const c = fixture('confidence').cases.find((k) => k.name === 'confidence1') as unknown as CiCase;
  const r = fresh();
  writeFile(r, 'd.csv', csvText({ x: c.x, y: c.y }));
  await exec(r, 'data "d.csv"\nparam a = 0.1\nparam b = 1\nmodel y = 1/(a*x) - b\nfit\nset digits=12');
  return { r, c };
}

describe('confint', () => {
  it("prints lmfit's conf_interval table (1e-4): offsets from the best value, 3σ..best..3σ", async () => {
    const { r, c } = await confidence1();
    await exec(r, 'confint');
    const lines = r.out.at(-1)!.split('\n');
    expect(lines[0].trim().split(/\s+/)).toEqual([
      '99.73%',
      '95.45%',
      '68.27%',
      '_BEST_',
      '68.27%',
      '95.45%',
      '99.73%',
    ]);
    for (const [name, rows] of Object.entries(c.ci)) {
      const cells = lines
        .find((l) => l.startsWith(`${name}:`))!
        .trim()
        .split(/\s+/)
        .slice(1)
        .map(Number);
      const best = cells[3];
      expect(rel(best, rows[3][1]!)).toBeLessThan(1e-5);
      rows.forEach(([, v], i) => {
        if (i !== 3) expect(rel(best + cells[i], v!)).toBeLessThan(1e-4);
      });
    }
  });

  it('profiles the named parameters at the given levels; trace=true makes trace_NAME', async () => {
    const { r } = await confidence1();
    await exec(r, 'confint b sigmas=[1, 2] trace=true');
    const lines = r.out.at(-1)!.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^b:/);
    expect(table(r, 'trace_b').names).toEqual(['prob', 'a', 'b']);
    await exec(r, 'confint params=[a] probabilities=[0.9]');
    expect(r.out.at(-1)!.split('\n')[1]).toMatch(/^a:/);
    expect(r.out.at(-1)!.split('\n')[0]).toMatch(/90\.00%\s+_BEST_\s+90\.00%/);
    const bad = await errorOf(() => exec(r, 'confint q'));
    expect(bad.message).toMatch(/'q'/);
    expect(bad.span?.line).toBe(1);
  });
});

describe('confint2d', () => {
  it("makes the table confint2d of lmfit's conf_interval2d grid (1e-5)", async () => {
    const { r, c } = await confidence1();
    await exec(r, `confint2d a b nx=${c.ci2d.nx} ny=${c.ci2d.ny}`);
    const t = table(r, 'confint2d');
    expect(t.names).toEqual(['a', 'b', 'prob']);
    const expected = c.ci2d.grid.flat();
    expect(t.rows).toBe(expected.length);
    t.columns.prob.forEach((p, k) => expect(Math.abs(p - expected[k])).toBeLessThan(1e-5));
    expect((await errorOf(() => exec(r, 'confint2d a'))).message).toMatch(/two parameter names/);
  });

  it('contour=confint2d draws the region: cells coloured by the 1σ, 2σ, 3σ level under their contour lines', async () => {
    const { r } = await confidence1();
    await exec(r, 'confint2d a b nx=4 ny=3\nplot "region.svg" contour=confint2d');
    expect(readFileSync(join(r.dir, 'region.svg'), 'utf8')).toMatch(/^<svg/);
    const t = table(r, 'confint2d');
    const lite = (await plotSpec({
      kind: 'region',
      x: 'a',
      y: 'b',
      xs: t.columns.a.slice(0, 4),
      ys: Float64Array.from([0, 4, 8], (k) => t.columns.b[k]),
      prob: t.columns.prob,
    })) as {
      layer: { mark: { type: string }; encoding: object }[];
      datasets: Record<string, { level: string }[]>;
    };
    expect(lite.layer.map((l) => l.mark.type)).toEqual(['rect', 'rule']);
    expect(lite.datasets.region).toHaveLength(12);
    expect(JSON.stringify(lite.layer[0].encoding)).toContain('"domain":["1σ","2σ","3σ","> 3σ"]');
    const levels = new Set(lite.datasets.regionLines.map((l) => l.level));
    expect([...levels].every((l) => ['1σ', '2σ', '3σ'].includes(l))).toBe(true);
  });
});

describe('mcmc', () => {
  it("gives the API's seeded chain as the table chains; prints medians, τ, acceptance and MAP", async () => {
    const { r } = await linearFit();
    await exec(r, 'mcmc walkers=10 steps=200 burn=20 thin=2 seed=5');
    const api = emcee(r.interp.fits.at(-1)!, { walkers: 10, steps: 200, burn: 20, thin: 2, seed: 5 });
    const chains = table(r, 'chains');
    expect(chains.names).toEqual(['slope', 'intercept', '__lnsigma']);
    expect(chains.rows).toBe(90 * 10);
    expect(Array.from(chains.columns.intercept.slice(0, 5))).toEqual(
      [0, 1, 2, 3, 4].map((i) => api.chain[i * 3 + 1]),
    );
    const text = r.out.at(-1)!;
    expect(text).toMatch(/^mcmc: 10 walkers, 90 kept steps \(900 samples\); acceptance fraction /);
    expect(text).toMatch(/\n\s+median\s+-1σ\s+\+1σ\s+τ\n/);
    expect(text).toContain(`slope:`);
    expect(text).toMatch(/\nMAP: slope=.* intercept=.* __lnsigma=.* \(ln p = .*\)$/);
    expect(r.warn.some((w) => /shorter than 50 autocorrelation times/.test(w))).toBe(true);
    await exec(r, 'save chains to "chains.npy"');
    const npy = parseNpy(readFileSync(join(r.dir, 'chains.npy')));
    expect(npy.shape).toEqual([900, 3]);
  });

  it('corner=chains draws histograms on the diagonal and scatter with density contours below', async () => {
    const { r } = await linearFit();
    await exec(r, 'mcmc walkers=6 steps=50 is_weighted=true\nplot "corner.svg" corner=chains');
    expect(readFileSync(join(r.dir, 'corner.svg'), 'utf8')).toMatch(/^<svg/);
    const t = table(r, 'chains');
    type Panel = { mark?: { type: string }; layer?: { mark: { type: string } }[] };
    const lite = (await plotSpec({ kind: 'corner', names: t.names, columns: t.columns })) as {
      vconcat: { hconcat: Panel[] }[];
      datasets: Record<string, { panel: string; level: string }[]>;
    };
    const marks = (p: Panel) => p.mark?.type ?? p.layer!.map((l) => l.mark.type).join('+');
    expect(lite.vconcat.map((row) => row.hconcat.map(marks))).toEqual([['bar'], ['point+rule', 'bar']]);
    const contours = Object.entries(lite.datasets).find(([k]) => k.startsWith('contours'))![1];
    expect(new Set(contours.map((c) => `${c.panel} ${c.level}`))).toEqual(new Set(['0,1 1σ', '0,1 2σ']));
    const e = await errorOf(() => exec(r, 'plot "c.svg" corner=x'));
    expect(e.message).toMatch(/corner= takes a table/);
  });

  it('errors name the option in the script spelling', async () => {
    const { r } = await linearFit();
    expect((await errorOf(() => exec(r, 'mcmc walkrs=10'))).hints).toContain("did you mean 'walkers'?");
    expect((await errorOf(() => exec(r, 'mcmc steps=10 burn=20'))).message).toMatch(/burn/);
    expect((await errorOf(() => exec(r, 'mcmc walkers=2'))).message).toMatch(/walkers' must be at least/);
  });
});

describe('derived parameters', () => {
  it('param period = 1/f, unused by the model, is reported with the propagated stderr', async () => {
    const r = fresh();
    await exec(
      r,
      [
        't = linspace(0, 10, 60)',
        'y = 3*sin(2*pi*0.7*t) + 0.05*sin(17*t)',
        'param A = 2',
        'param f = 0.69',
        'param period = 1/f',
        'model y = A*sin(2*pi*f*t)',
        'fit',
        'report',
      ].join('\n'),
    );
    const res = r.interp.fits.at(-1)!;
    const f = res.params.f;
    const period = res.params.period;
    expect(period.value).toBeCloseTo(1 / f.value, 14);
    expect(rel(period.stderr, f.stderr / f.value ** 2)).toBeLessThan(1e-10);
    expect(r.out.at(-1)).toMatch(/period: +[\d.]+ \+\/- [\d.e-]+ .*== '1\/f'/);
    expect(r.interp.variables.has('period') || r.interp.lookup('period') !== undefined).toBe(true);
  });

  it("equal lmfit's derived parameters (1e-6): period = 1/f and fwhm_like = 2.3548*amp*phase", async () => {
    const sine = (
      JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/lmfit/derived.json'), 'utf8')) as {
        sine: { x: number[]; y: number[]; params: Record<string, { value: number; stderr: number }> };
      }
    ).sine;
    const r = fresh();
    writeFile(r, 'd.csv', csvText({ x: sine.x, y: sine.y }));
    await exec(
      r,
      [
        'data "d.csv"',
        'param amp = 1.5',
        'param f = 0.68',
        'param phase = 0',
        'param period = 1/f',
        'param fwhm_like = 2.3548*amp*phase',
        'model y = amp*sin(2*pi*f*x + phase)',
        'fit',
      ].join('\n'),
    );
    const res = r.interp.fits.at(-1)!;
    for (const name of ['period', 'fwhm_like']) {
      expect(rel(res.params[name].value, sine.params[name].value)).toBeLessThan(1e-6);
      expect(rel(res.params[name].stderr, sine.params[name].stderr)).toBeLessThan(1e-6);
    }
  });

  it('a tie on a parameter of another model is left out', async () => {
    const r = fresh();
    await exec(
      r,
      'x = linspace(0, 1, 10)\ny = 2*x\nparam q = 1\nparam w = 2*q\nparam a = 1\nmodel y = a*x\nfit',
    );
    expect(Object.keys(r.interp.fits.at(-1)!.params)).toEqual(['a']);
  });
});

describe('plot fit=', () => {
  it('draws a saved result loaded with result = load "fit.json" (its band too) instead of the last fit', async () => {
    const { r } = await linearFit();
    await exec(r, 'save "lin.json"\nsaved = load "lin.json"\nparam k = 1\nmodel y = k*x\nfit');
    await exec(r, 'plot "saved.svg" fit=saved band=true');
    const svg = readFileSync(join(r.dir, 'saved.svg'), 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('slope*x + intercept');
  });
});

describe('plot band=true', () => {
  it('draws the confidence band along the model curve: evalUncertainty at the curve points', async () => {
    const { r } = await linearFit();
    const last = r.interp.lastFit!;
    const spec = plotSpecOf(last, last.equations[0], { title: 't', band: { sigma: 2 } }).spec!;
    if (spec.kind !== '1d') throw new Error('expected a 1-D plot');
    const band = spec.band!;
    expect(band.x).toBe(spec.curveX);
    const at = { x: new NdArray(Float64Array.from(band.x)) };
    const dely = last.result.evalUncertainty({ at, sigma: 2 }).data;
    dely.forEach((d, i) => expect((band.upper[i] - band.lower[i]) / 2).toBeCloseTo(d, 12));
    const lite = (await plotSpec(spec)) as {
      datasets: Record<string, unknown[]>;
      vconcat: { layer?: { mark: { type: string } }[] }[];
    };
    expect(lite.datasets.band).toHaveLength(400);
    expect(lite.vconcat[0].layer!.map((l) => l.mark.type)).toEqual(['area', 'point', 'line']);
    await exec(r, 'plot "fit.svg" band=true band_sigma=2');
    expect(readFileSync(join(r.dir, 'fit.svg'), 'utf8')).toMatch(/^<svg/);
    const e = await errorOf(() => exec(r, 'plot "f.svg" band_sigma=2'));
    expect(e.message).toMatch(/add band=true/);
  });
});

describe('exprfit check and the REPL', () => {
  function check(r: Run, text: string) {
    return checkStatements(parseScript(text, 'x.fit'), { text, file: 'x.fit' }, { baseDir: r.dir });
  }

  it('checks the options and knows the names the commands define', async () => {
    const r = fresh();
    const fit = 'x = linspace(0, 1, 10)\ny = 2*x\nparam a = 1\nmodel y = a*x\nfit\n';
    await check(r, `${fit}band sigma=2\nprint band_upper\nmcmc steps=100\nsave chains to "c.npy"`);
    await check(r, `${fit}confint a sigmas=[1, 2]\nconfint2d a a\nplot "r.svg" contour=confint2d`);
    await check(r, `${fit}confint params=[a] trace=true\nsave trace_a to "t.csv"`);
    expect((await errorOf(() => check(r, `${fit}confint a\nprint trace_a`))).message).toMatch(/trace_a/);
    expect((await errorOf(() => check(r, `${fit}mcmc walkrs=3`))).message).toMatch(
      /unknown option 'walkrs' for mcmc/,
    );
    expect((await errorOf(() => check(r, 'band'))).message).toMatch(/fit/);
    expect((await errorOf(() => check(r, `${fit}confint params=1`))).message).toMatch(/parameter names/);
  });

  it('runs in the REPL: summaries on the output, :help, :vars', async () => {
    const { r } = await linearFit();
    const out: string[] = [];
    const errors: unknown[] = [];
    const s = new Session({ out: (t) => out.push(t), error: (e) => errors.push(e), baseDir: r.dir });
    expect(await s.handle('data "d.csv"')).toBe('ok');
    expect(await s.handle('model y = slope*x + intercept')).toBe('ok');
    expect(await s.handle('fit')).toBe('ok');
    expect(await s.handle('band level=0.95')).toBe('ok');
    expect(out.at(-1)).toMatch(/^band: 95% confidence band of y at 101 points/);
    expect(await s.handle('confint slope sigmas=[1]')).toBe('ok');
    expect(out.at(-1)).toMatch(/^\s+68\.27%\s+_BEST_\s+68\.27%\nslope:/);
    expect(await s.handle(':help band')).toBe('ok');
    expect(out.at(-1)).toMatch(/^band: the confidence or prediction band/);
    expect(await s.handle('mcmc walkrs=3')).toBe('error');
    expect(errors).toHaveLength(1);
  });

  it('completes the commands and their options', () => {
    const complete = makeCompleter(fresh().interp, '.');
    expect(complete('mcm')[0]).toContain('mcmc');
    expect(complete('confint')[0]).toEqual(expect.arrayContaining(['confint', 'confint2d']));
    expect(complete('mcmc is_w')[0]).toEqual(['is_weighted=']);
    expect(complete('band pred')[0]).toEqual(['prediction=']);
    expect(complete(':help ban')[0]).toContain('band');
    expect(helpOn('mcmc', STATEMENTS).text).toMatch(/\n {2}is_weighted=<boolean> +Whether sigma/);
    expect(helpOn('confint', STATEMENTS).text).toMatch(/confint a b +only a and b/);
  });
});

describe('progress of the after-fit commands', () => {
  it('confint, confint2d and mcmc report their units to the session (the progress line), ending at the total', async () => {
    const seen = new Map<string, { done: number; total: number }>();
    const interp = new Interpreter({
      onProgress: (unit, done, total) => seen.set(unit, { done, total }),
    });
    const x = Array.from({ length: 20 }, (_, i) => i / 4);
    const y = x.map((v) => 3 * Math.exp(-v / 1.5) + 0.5 + 0.02 * Math.sin(9 * v));
    await interp.runText(
      [
        `x = [${x.join(', ')}]`,
        `y = [${y.join(', ')}]`,
        'param A = 1, tau = 1, c = 0',
        'model y = A*exp(-x/tau) + c',
        'fit',
        'confint tau',
        'confint2d A tau nx=4 ny=4',
        'mcmc walkers=12 steps=30 seed=3',
      ].join('\n'),
    );
    for (const unit of ['refits', 'grid points', 'steps']) {
      const p = seen.get(unit);
      expect(p, unit).toBeDefined();
      expect(p!.done).toBe(p!.total);
    }
  });
});
