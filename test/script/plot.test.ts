import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gridOf, plotSpecOf } from '../../src/script/statements/plot.ts';
import { plotSpec, type Plot1DSpec, type Plot2DSpec } from '../../src/data/plot.ts';
import { errorOf, exec, normal, writeFile, freshSessions, type Run } from './helpers.ts';

const fresh = freshSessions();

/** x, y, z columns of a flattened w x h image of a Gaussian spot (x the column, y the row), rows in `order`. */
function imageCsv(w: number, h: number, order: (rows: string[]) => string[] = (rows) => rows): string {
  const noise = normal(3);
  const rows: string[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const z = 40 * Math.exp(-((x - 6) ** 2 + (y - 4) ** 2) / (2 * 2 ** 2)) + 5 + 0.3 * noise();
      rows.push(`${x * 0.5},${y},${z}`);
    }
  }
  return `x,y,z\n${order(rows).join('\n')}\n`;
}

const SPOT_MODEL = 'model z = A*exp(-((x - x0)^2 + (y - y0)^2)/(2*s^2)) + c';
const SPOT_PARAMS = 'param A = 30, x0 = 3, y0 = 4, s = 2, c = 5';

describe('plot of data from columns', () => {
  it('draws x, y, z columns that fill a regular grid as data, model and residual maps', async () => {
    const r = fresh();
    // shuffled rows: the grid is found from the coordinates, not from the order of the rows
    writeFile(
      r,
      'spot.csv',
      imageCsv(14, 9, (rows) => rows.map((_, i) => rows[(i * 37) % rows.length])),
    );
    await exec(r, ['data "spot.csv"', SPOT_PARAMS, SPOT_MODEL, 'fit', 'plot "out/spot.svg"'].join('\n'));
    const svg = readFileSync(join(r.dir, 'out/spot.svg'), 'utf8');
    expect(svg.match(/<image /g)?.length).toBe(3); // data, model, residual maps
    expect(svg).toContain('residual (data - model)');
    expect(r.info).toContain('plot: z is drawn as a 9x14 map over the grid of x and y');
  });

  it('draws data of two variables that are no grid as data against model, and says so', async () => {
    const r = fresh();
    // one point missing: no complete grid
    writeFile(
      r,
      'spot.csv',
      imageCsv(14, 9, (rows) => rows.slice(1)),
    );
    await exec(r, ['data "spot.csv"', SPOT_PARAMS, SPOT_MODEL, 'fit', 'plot "out/spot.svg"'].join('\n'));
    const svg = readFileSync(join(r.dir, 'out/spot.svg'), 'utf8');
    expect(svg).not.toContain('<image ');
    expect(svg).toContain('model (line: data = model)');
    expect(svg).toContain('point index');
    expect(r.info).toContain(
      'plot: z depends on x, y, which do not form a complete regular grid: ' +
        'drawing data against model, and the residuals by point index (plot ... x=NAME draws them against NAME)',
    );
  });

  it('still draws 1-D data of one variable against it, with the model curve', async () => {
    const r = fresh();
    await exec(
      r,
      [
        't = linspace(0, 5, 30)',
        'y = 3*exp(-t) + 1',
        'model y = a*exp(-k*t) + c',
        'fit',
        'plot "p.svg"',
      ].join('\n'),
    );
    const svg = readFileSync(join(r.dir, 'p.svg'), 'utf8');
    expect(svg).not.toContain('point index');
    expect(svg).toContain('residual');
    expect(r.info.filter((l) => l.startsWith('plot:'))).toEqual([]);
  });
});

describe('plot of a global fit', () => {
  const script = [
    't1 = linspace(0, 4, 20)',
    't2 = linspace(0, 6, 25)',
    'y1 = 5*exp(-0.7*t1) + 1',
    'y2 = 2*exp(-0.7*t2) + 3',
    'param k = 1, auto',
    'model y1 = A1*exp(-k*t1) + c1',
    'model y2 = A2*exp(-k*t2) + c2',
    'fit',
  ].join('\n');

  it('draws every model line, one below the other, each under its equation', async () => {
    const r = fresh();
    await exec(r, `${script}\nplot "out/global.svg" title="shared k"`);
    const svg = readFileSync(join(r.dir, 'out/global.svg'), 'utf8');
    expect(svg).toContain('shared k');
    expect(svg).toContain('y1 = A1*exp(-k*t1) + c1');
    expect(svg).toContain('y2 = A2*exp(-k*t2) + c2');
    for (const axis of ['t1', 't2', 'y1', 'y2']) expect(svg).toContain(`>${axis}</text>`);
  });

  it('eq=NAME draws one line', async () => {
    const r = fresh();
    await exec(r, `${script}\nplot "one.svg" eq=y2`);
    const svg = readFileSync(join(r.dir, 'one.svg'), 'utf8');
    expect(svg).toContain('y2 = A2*exp(-k*t2) + c2');
    expect(svg).not.toContain('y1 = A1');
  });
});

describe('gridOf', () => {
  it('finds a complete regular grid in any order, with the coordinates of its first and last nodes', () => {
    const x = [0, 2, 4, 0, 2, 4];
    const y = [1, 1, 1, 1.5, 1.5, 1.5];
    const g = gridOf(x, y)!;
    expect([g.h, g.w]).toEqual([2, 3]);
    expect(Array.from(g.cell)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(g.xCoords).toEqual([0, 4]);
    expect(g.yCoords).toEqual([1, 1.5]);
    const r = gridOf([4, 0, 2, 2, 4, 0], [1.5, 1, 1.5, 1, 1, 1.5])!;
    expect(Array.from(r.cell)).toEqual([5, 0, 4, 1, 2, 3]);
  });

  it.each([
    ['a missing node', [0, 1, 2, 0, 1], [0, 0, 0, 1, 1]],
    ['a repeated node', [0, 1, 0, 1, 1, 0], [0, 0, 1, 1, 1, 0]],
    ['uneven spacing', [0, 1, 3, 0, 1, 3], [0, 0, 0, 1, 1, 1]],
    ['one row', [0, 1, 2, 3], [0, 0, 0, 0]],
    ['NaN', [0, 1, NaN, 0, 1, 2], [0, 0, 0, 1, 1, 1]],
    ['scattered points', [0.3, 1.7, 2.2, 0.9], [1.1, 0.2, 2.5, 1.9]],
  ])('is undefined for %s', (_what, x, y) => {
    expect(gridOf(x, y)).toBeUndefined();
  });
});

/** The plot spec of the last fit's first model line, as `plot` makes it. */
function lastSpec(r: Run, labels: Parameters<typeof plotSpecOf>[2] = { title: 't' }) {
  const last = r.interp.lastFit!;
  return plotSpecOf(last, last.equations[0], labels).spec!;
}

describe('plots use coordinates, never indices', () => {
  const GRID_FIT = [
    'u = linspace(-1, 1, 10)',
    'x, y = meshgrid(u, 2*u)',
    'z = 3*exp(-(x^2 + y^2))',
    'param A = 1, s = 1',
    'model z = A*exp(-(x^2 + y^2)/s)',
    'fit',
  ].join('\n');

  it('draws a map over the coordinates of its variables, not over pixel indices', async () => {
    const r = fresh();
    await exec(r, GRID_FIT);
    const spec = lastSpec(r) as Plot2DSpec;
    expect(spec.kind).toBe('2d');
    expect(spec.xCoords).toEqual([-1, 1]);
    expect(spec.yCoords).toEqual([-2, 2]);
    expect([spec.xLabel, spec.yLabel]).toEqual(['x', 'y']);
    // the axes of the generated vega-lite spec span the coordinates (half a cell beyond the centres)
    const lite = JSON.stringify(await plotSpec(spec));
    const half = 1 / 9;
    expect(lite).toContain(`"domain":[${-1 - half},${1 + half}]`);
    expect(lite).toContain(`"domain":[${-2 - 2 * half},${2 + 2 * half}]`);
  });

  it('labels the axes of a map without coordinate variables as indices', async () => {
    const r = fresh();
    await exec(r, 'img = ones([4, 5]) + 2\nparam c = 1\nmodel img = c\nfit');
    const spec = lastSpec(r) as Plot2DSpec;
    expect([spec.xLabel, spec.yLabel]).toEqual(['column index', 'row index']);
    expect(spec.xCoords).toBeUndefined();
  });

  const BASIS_FIT = [
    'x = linspace(2, 12, 30)',
    'y = sin(x/2)',
    'B = cr(x, 5)',
    'model y = b0*B[:, 0] + b1*B[:, 1] + b2*B[:, 2] + b3*B[:, 3] + b4*B[:, 4]',
    'fit',
  ].join('\n');

  it('draws a spline-basis model against "index", and against a variable with x=NAME', async () => {
    const r = fresh();
    await exec(r, BASIS_FIT);
    const byIndex = lastSpec(r) as Plot1DSpec;
    expect(byIndex.xLabel).toBe('index');
    expect(Array.from(byIndex.x).slice(0, 3)).toEqual([0, 1, 2]);
    await exec(r, 'plot "p.svg" x=x');
    const svg = readFileSync(join(r.dir, 'p.svg'), 'utf8');
    expect(svg).not.toContain('>index<');
    const x = r.interp.lookup('x');
    const byX = lastSpec(r, { title: 't', x: { name: 'x', values: x as never } }) as Plot1DSpec;
    expect(byX.xLabel).toBe('x');
    expect(byX.x[0]).toBe(2);
    expect(byX.x[29]).toBe(12);
    const lite = JSON.stringify(await plotSpec(byX));
    expect(lite).toContain('"title":"x"');
  });

  it('refuses to relabel the point index with xlabel, and an x= of the wrong length', async () => {
    const r = fresh();
    await exec(r, BASIS_FIT);
    const e = await errorOf(() => exec(r, 'plot "p.svg" xlabel="x"'));
    expect(e.message).toMatch(/uses no variable with one value per point/);
    expect(e.hints.join()).toMatch(/x=t/);
    const short = await errorOf(() => exec(r, 'plot "p.svg" x=linspace(0, 1, 3)'));
    expect(short.message).toMatch(/has 3 values, but 'y' has 30/);
  });
});
