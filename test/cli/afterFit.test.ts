/** `exprfit run` and `exprfit check` of a script with band, confint, confint2d, mcmc and their plots (in process). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNpy } from '../../src/data/npy.ts';
import { runInProcess } from './inProcess.ts';

const dir = mkdtempSync(join(tmpdir(), 'exprfit-after-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `
x = linspace(0, 10, 40)
y = 2.5*exp(-0.3*x) + 0.5 + 0.02*sin(13*x)
param A = 2
param k = 0.2
param c = 0
param half_life = log(2)/k
model y = A*exp(-k*x) + c
fit
report
band sigma=2
save band to "band.csv"
plot "fit.svg" band=true
confint A k
confint2d A k nx=4 ny=4
plot "region.svg" contour=confint2d
mcmc walkers=12 steps=120 burn=20 seed=2
save chains to "chains.npy"
plot "corner.svg" corner=chains
`;

describe('exprfit run: after the fit', () => {
  it('prints the band, interval table, region and posterior summaries and writes the files', async () => {
    const file = join(dir, 'after.fit');
    writeFileSync(file, SCRIPT);
    const check = await runInProcess(['check', file]);
    expect(check.status).toBe(0);
    const r = await runInProcess(['run', file]);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/half_life: +2\.3\d+ \+\/- [\d.e-]+ .*== 'log\(2\)\/k'/);
    expect(r.stdout).toMatch(/band: 95\.45% confidence band of y at 40 points/);
    expect(r.stdout).toMatch(/\n\s+99\.73%\s+95\.45%\s+68\.27%\s+_BEST_\s+68\.27%\s+95\.45%\s+99\.73%\nA:/);
    expect(r.stdout).toMatch(/confint2d: 4x4 grid, A in/);
    expect(r.stdout).toMatch(/mcmc: 12 walkers, 100 kept steps \(1200 samples\)/);
    expect(r.stderr).toMatch(/warning: A: the chain \(100 steps\) is shorter than 50 autocorrelation times/);
    for (const f of ['fit.svg', 'region.svg', 'corner.svg']) {
      expect(readFileSync(join(dir, f), 'utf8')).toMatch(/^<svg/);
    }
    expect(readFileSync(join(dir, 'band.csv'), 'utf8').split('\n')[0]).toBe('x,model,lower,upper');
    expect(parseNpy(readFileSync(join(dir, 'chains.npy'))).shape).toEqual([1200, 4]);
  });

  it('exprfit check reports an unknown option of mcmc at its line and column', async () => {
    const file = join(dir, 'bad.fit');
    writeFileSync(file, 'x = linspace(0, 1, 5)\ny = x\nparam a = 1\nmodel y = a*x\nfit\nmcmc stpes=10\n');
    const r = await runInProcess(['check', file]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/bad\.fit:6:6.*unknown option 'stpes' for mcmc/);
    expect(r.stderr).toMatch(/did you mean 'steps'\?/);
  });
});
