/**
 * Every examples/*.fit runs (from a copy of the examples folder, as from a fresh clone) and its output is
 * checked: exit status, fits converged, values near the truth the data were made with (examples/data/make-data.ts),
 * files written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNpy } from '../../src/data/npy.ts';
import { ROOT, cleanup, cli, cliAsync, copyToTemp } from './helpers.ts';

const EXAMPLES = join(ROOT, 'examples');
let dir: string;
beforeAll(() => {
  dir = copyToTemp(EXAMPLES, (src) => !src.includes(`${join('examples', 'out')}`));
});
afterAll(() => cleanup(dir));

interface FitJson {
  success: boolean;
  params: Record<string, { value: number; stderr: number | null }>;
  redchi: number;
}

async function runJson(name: string): Promise<{ fits: FitJson[]; stderr: string }> {
  const r = await cliAsync(['run', join(dir, name), '--json']);
  expect(r.stderr).not.toMatch(/error:/);
  expect(r.status).toBe(0);
  return { ...(JSON.parse(r.stdout) as { fits: FitJson[] }), stderr: r.stderr };
}

/** |value - truth| within `k` standard errors (and a relative slack for very small errors). */
function near(p: { value: number; stderr: number | null }, truth: number, k = 4): void {
  const tol = k * (p.stderr ?? 0) + 1e-3 * Math.abs(truth);
  expect(Math.abs(p.value - truth)).toBeLessThanOrEqual(tol);
}

// each example is its own process writing its own files: they run side by side
describe.concurrent('examples', () => {
  it('every example has a test here', () => {
    const names = readdirSync(EXAMPLES).filter((f) => f.endsWith('.fit'));
    expect(names.sort()).toEqual([
      'after-fit.fit',
      'constraints.fit',
      'decay.fit',
      'gauss2d.fit',
      'global.fit',
      'heatmap.fit',
      'kinetics.fit',
      'peaks.fit',
      'plane.fit',
      'quickstart.fit',
      'smooth.fit',
      'spots.fit',
    ]);
  });

  it('quickstart.fit prints the report and writes the plot', async () => {
    const r = await cliAsync(['run', join(dir, 'quickstart.fit')], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('[[Fit Statistics]]');
    expect(r.stdout).toMatch(/success\s+= true/);
    expect(r.stderr).toMatch(/wrote out\/quickstart\.svg/);
    const svg = readFileSync(join(dir, 'out', 'quickstart.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    const { fits } = await runJson('quickstart.fit');
    const p = fits[0].params;
    near(p.A, 80);
    near(p.x0, 9.3);
    near(p.y0, 10.6);
    near(p.s, 2.2);
    near(p.c, 10);
  });

  it("kinetics.fit: ODE models give scipy's (solve_ivp + least_squares) values", async () => {
    const { fits } = await runJson('kinetics.fit');
    expect(fits.map((f) => f.success)).toEqual([true, true]);
    expect(fits[0].params.k.value).toBeCloseTo(0.4302869, 6);
    expect(fits[0].params.k.stderr).toBeCloseTo(0.006447, 5);
    near(fits[1].params.k1, 0.7);
    near(fits[1].params.k2, 0.25);
    near(fits[1].params.A0, 2);
  });

  it('gauss2d.fit: bounds, a fixed background and tied widths', async () => {
    const { fits, stderr } = await runJson('gauss2d.fit');
    const p = fits[0].params;
    expect(fits[0].success).toBe(true);
    near(p.A, 50);
    near(p.x0, 14.2);
    near(p.y0, 16.8);
    near(p.sx, 3.1);
    expect(p.sy.value).toBeCloseTo(1.5 * p.sx.value, 12);
    expect(p.c.value).toBe(5);
    expect(fits[0].redchi).toBeGreaterThan(0.8);
    expect(fits[0].redchi).toBeLessThan(1.2);
    expect(stderr).toMatch(/^4\.6\d+$/m); // print sy
    expect(existsSync(join(dir, 'out', 'gauss2d.json'))).toBe(true);
    // the x, y, z columns fill a grid: maps, not a zigzag line
    expect(stderr).toMatch(/plot: z is drawn as a 30x30 map over the grid of x and y/);
    expect(readFileSync(join(dir, 'out', 'gauss2d.svg'), 'utf8').match(/<image /g)?.length).toBe(3);
  });

  it('plane.fit: a background plane on an image region', async () => {
    const { fits, stderr } = await runJson('plane.fit');
    const p = fits[0].params;
    near(p.a, 20);
    near(p.b, 0.3);
    near(p.c, -0.2);
    const peak = Number(/^(\d+\.\d+)$/m.exec(stderr)?.[1]);
    expect(peak).toBeGreaterThan(57);
    expect(peak).toBeLessThan(63);
    const flat = parseNpy(readFileSync(join(dir, 'out', 'flat.npy')), 'flat.npy');
    expect(flat.shape).toEqual([40, 50]);
  });

  it('global.fit: two data sets sharing one rate', async () => {
    const { fits } = await runJson('global.fit');
    const p = fits[0].params;
    near(p.k, 0.35);
    near(p.A1, 10);
    near(p.A2, 4);
    near(p.c1, 1);
    near(p.c2, 2.5);
    // the plot draws both model lines
    const svg = readFileSync(join(dir, 'out', 'global.svg'), 'utf8');
    expect(svg).toContain('a_y = A1*exp(-k*a_t) + c1');
    expect(svg).toContain('b_y = A2*exp(-k*b_t) + c2');
  });

  it('peaks.fit: five named peaks on a line, fitted from guesses alone', async () => {
    const { fits } = await runJson('peaks.fit');
    const p = fits[0].params;
    const truth = { g1: [6, 8, 0.8], l2: [8, 15, 0.7], g3: [4, 21, 1.2], v4: [7, 33, 0.6], g5: [5, 42, 0.9] };
    for (const [k, [a, c, s]] of Object.entries(truth)) {
      near(p[`${k}_amplitude`], a);
      near(p[`${k}_center`], c);
      near(p[`${k}_sigma`], s);
    }
    near(p.slope, -0.01);
    near(p.intercept, 2);
    near(p.g1_fwhm, 2.35482 * 0.8);
    expect(readFileSync(join(dir, 'out', 'peaks.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('constraints.fit: a constrained fit, a bounded minimum by differential evolution, a constrained maximum', async () => {
    const r = await cliAsync(['run', join(dir, 'constraints.fit')], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/a \+ b \+ c == 180: c = .*, equality, multiplier = -3\.4/);
    expect(r.stdout).toMatch(/a: +9\.5 \+\/- 0\.33108/);
    expect(r.stdout).toMatch(/x: +0\.5 .*\[at upper bound\]\n +y: +0\.25 /);
    expect(r.stdout).toMatch(/maximum {16}= 1\n/);
  });

  it('decay.fit: weighted by the sigma column', async () => {
    const { fits } = await runJson('decay.fit');
    const f = fits[0];
    near(f.params.A, 12);
    near(f.params.tau, 3.5);
    near(f.params.c, 0.8);
    expect(f.redchi).toBeGreaterThan(0.6);
    expect(f.redchi).toBeLessThan(1.5);
    expect(readFileSync(join(dir, 'out', 'decay-residuals.csv'), 'utf8').split('\n')[0]).toBe('residuals');
    expect(readFileSync(join(dir, 'out', 'decay.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('after-fit.fit: band, profile intervals, region, MCMC and a derived parameter', async () => {
    const r = await cliAsync(['run', join(dir, 'after-fit.fit')], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/warning/);
    expect(r.stdout).toMatch(/half_life=2\.4\d*±/);
    expect(r.stdout).toMatch(/band: 95\.45% confidence band of y at 50 points/);
    expect(r.stdout).toMatch(/\ntau: +-0\.2\d* +-0\.1\d* +-0\.08\d* +3\.58\d* +\+0\.08/);
    expect(r.stdout).toMatch(/mcmc: 32 walkers, 1700 kept steps \(54400 samples\)/);
    for (const f of ['after-fit.svg', 'after-fit-region.svg', 'after-fit-corner.svg']) {
      expect(readFileSync(join(dir, 'out', f), 'utf8')).toMatch(/^<svg/);
    }
    expect(parseNpy(readFileSync(join(dir, 'out', 'after-fit-chains.npy'))).shape).toEqual([54400, 3]);
  });

  it('heatmap.fit: a 1000x1000 two-kernel heat map as PNG and .npy', async () => {
    const r = await cliAsync(['run', join(dir, 'heatmap.fit')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^array \[1000, 1000\]: min /);
    const peak = Number(r.stdout.split('\n')[1]);
    expect(peak).toBeGreaterThan(0.9);
    expect(peak).toBeLessThan(0.91);
    const I = parseNpy(readFileSync(join(dir, 'out', 'heatmap.npy')), 'heatmap.npy');
    expect(I.shape).toEqual([1000, 1000]);
    // pixel (row 400, column 350): the first kernel's peak 0.9, combined with the second kernel's tail
    expect(I.get(400, 350)).toBeGreaterThan(0.9);
    expect(
      readFileSync(join(dir, 'out', 'heatmap.png'))
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });

  it('smooth.fit: smoothing spline and a spline-basis model', async () => {
    const { fits, stderr } = await runJson('smooth.fit');
    expect(fits[0].success).toBe(true);
    expect(stderr).toMatch(/smoothing spline through 80 points: lam=0\.5/);
    const rms = Number(
      stderr
        .trim()
        .split('\n')
        .filter((l) => /^\d+\.\d+$/.test(l))
        .pop(),
    );
    expect(rms).toBeGreaterThan(0.12);
    expect(rms).toBeLessThan(0.3);
    const csv = readFileSync(join(dir, 'out', 'smooth.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe('yu');
    expect(csv).toHaveLength(202);
  });

  it('spots.fit: finds every spot of a crowded image, close pairs included, and saves the table and overlay', async () => {
    // the truth of examples/data/make-data.ts (spots.npy): x, y of 13 spots, three close pairs
    const truth = [
      [10.3, 9.7],
      [31.6, 8.2],
      [52.4, 11.5],
      [20.6, 20.4],
      [8.8, 33.1],
      [54.7, 50.3],
      [12.2, 54.6],
      [28.4, 30.2],
      [32.5, 31.1],
      [45.3, 27.6],
      [46.1, 31.8],
      [30.2, 52.3],
      [34.0, 54.1],
    ];
    const r = await cliAsync(['run', join(dir, 'spots.fit')], { cwd: dir });
    expect(r.stderr).not.toMatch(/error|warning/);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^spots img: 13 spots .*13 converged/m);
    expect(r.stderr).toMatch(/wrote out\/spots\.csv/);
    expect(r.stdout).toMatch(/^table \(14 columns\): 13 spots/);
    const sigma = Number(r.stdout.trim().split('\n').pop());
    expect(Math.abs(sigma - 1.5)).toBeLessThan(0.05);
    const csv = readFileSync(join(dir, 'out', 'spots.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe(
      'id,x,y,amplitude,sigma_x,sigma_y,theta,background,x_err,y_err,amplitude_err,chi2,iterations,status',
    );
    const rows = csv.slice(1).map((l) => l.split(',').map(Number));
    expect(rows).toHaveLength(truth.length);
    const used = new Set<number>();
    for (const [x0, y0] of truth) {
      const d = rows.map((c, i) => (used.has(i) ? Infinity : Math.hypot(c[1] - x0, c[2] - y0)));
      const best = d.indexOf(Math.min(...d));
      used.add(best);
      expect(d[best]).toBeLessThan(0.2);
      expect(rows[best][13]).toBe(0); // converged
    }
    expect(
      readFileSync(join(dir, 'out', 'spots.png'))
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });

  it('every example passes exprfit check', async () => {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.fit'))) {
      const r = await cliAsync(['check', join(dir, f)]);
      expect(r.stderr).not.toMatch(/error/);
      expect(r.status).toBe(0);
    }
  });
});

// these run smooth.fit and plane.fit again: after the concurrent block, which reads their output files
describe('examples: one summary line per fit', () => {
  it.each(['smooth.fit', 'plane.fit'])('%s prints the one-line summary of its fit once', async (name) => {
    // `fit` notes the summary on stderr; a `report brief` after it printed the same line again on stdout
    const r = await cli(['run', join(dir, name)]);
    expect(r.status).toBe(0);
    const all = `${r.stdout}\n${r.stderr}`;
    expect(all.match(/converged \(\w+\) in \d+ iterations/g)?.length).toBe(1);
  });
});
