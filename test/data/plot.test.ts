import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plotFit, plotSvg, plotSpec } from '../../src/data/plot.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import { readPng } from '../../src/data/png.ts';
import { rejection, tempDir } from './helpers.ts';

const n = 30;
const x = Float64Array.from({ length: n }, (_, i) => i * 0.3);
const model = x.map((t) => 5 * Math.exp(-t / 2) + 1);
const y = model.map((m, i) => m + 0.2 * Math.sin(i * 1.7));
const spec1d = {
  kind: '1d' as const,
  x,
  y,
  model,
  sigma: new Float64Array(n).fill(0.2),
  xLabel: 'time [s]',
  yLabel: 'counts',
  title: 'Decay <fit> & residuals',
};

function image(h: number, w: number, f: (r: number, c: number) => number): NdArray {
  const d = new Float64Array(h * w);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) d[r * w + c] = f(r, c);
  return new NdArray(d, [h, w]);
}
const gauss = (h: number, w: number): NdArray =>
  image(h, w, (r, c) => 50 * Math.exp(-((c - w / 2) ** 2 + (r - h / 3) ** 2) / (2 * (w / 6) ** 2)) + 3);

describe('plotFit', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);

  it('1-D SVG holds the title (escaped), axis titles and a residual panel', async () => {
    const file = join(dir, 'fit.svg');
    const r = await plotFit(file, spec1d);
    expect(r.format).toBe('svg');
    const svg = readFileSync(file, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Decay &lt;fit&gt; &amp; residuals');
    expect(svg).toContain('time [s]');
    expect(svg).toContain('counts');
    expect(svg).toContain('residual');
    expect(r.width).toBeGreaterThan(300);
    expect(r.height).toBeGreaterThan(r.width * 0.6);
  });

  it('1-D PNG has sane dimensions (scale 2 of the SVG)', async () => {
    const file = join(dir, 'fit.png');
    const r = await plotFit(file, spec1d);
    const svg = await plotSvg(spec1d);
    const m = /width="(\d+)" height="(\d+)"/.exec(svg)!;
    expect(r.width).toBe(2 * Number(m[1]));
    expect(r.height).toBe(2 * Number(m[2]));
    const png = await readPng(file);
    expect([...png.shape]).toEqual([r.height, r.width, 3]);
    // not blank: both the data colour and the model colour appear
    expect(new Set(Array.from(png.data)).size).toBeGreaterThan(20);
  });

  it('large 1-D data are thinned to maxPoints, with a subtitle and a warning', async () => {
    const m = 2500;
    const bx = Float64Array.from({ length: m }, (_, i) => i);
    const r = await plotFit(
      join(dir, 'big.svg'),
      { kind: '1d', x: bx, y: bx, model: bx },
      { maxPoints: 1000 },
    );
    expect(r.warnings).toEqual(['plot: showing 834 of 2500 points (1 in 3)']);
    expect(readFileSync(join(dir, 'big.svg'), 'utf8')).toContain('showing 834 of 2500 points (1 in 3)');
  });

  it('a dense model curve is used when given', async () => {
    const cx = Float64Array.from({ length: 100 }, (_, i) => (i * 9) / 99);
    const lite = (await plotSpec({ ...spec1d, curveX: cx, curveY: cx.map((t) => t) })) as {
      datasets: { curve: unknown[] };
    };
    expect(lite.datasets.curve).toHaveLength(100);
  });

  it.each([
    [15, 21],
    [512, 512],
  ])('2-D %ix%i: data, model and residual panels with colour bars, SVG and PNG', async (h, w) => {
    const model2 = gauss(h, w);
    const data2 = image(h, w, (r, c) => model2.data[r * w + c] + Math.sin(r * 3.1 + c * 1.3));
    const spec = { kind: '2d' as const, data: data2, model: model2, title: 'Spot fit' };
    const svgFile = join(dir, `spot${w}.svg`);
    await plotFit(svgFile, spec);
    const svg = readFileSync(svgFile, 'utf8');
    for (const t of ['Spot fit', 'data', 'model', 'residual (data - model)', 'x (column)', 'y (row)']) {
      expect(svg).toContain(t);
    }
    expect(svg.match(/<image /g)?.length).toBe(3);
    expect(svg).toContain('data:image/png;base64,');
    expect(svg.match(/<linearGradient/g)?.length).toBe(3); // three colour bars
    const pngFile = join(dir, `spot${w}.png`);
    const r = await plotFit(pngFile, spec);
    expect(r.width).toBeGreaterThan(1000);
    expect(r.width).toBeLessThan(4000);
    expect(r.height).toBeGreaterThan(300);
    expect(r.height).toBeLessThan(r.width);
  });

  it('1-D: the legend sits outside the plot, so it never covers data', async () => {
    const lite = JSON.stringify(await plotSpec(spec1d));
    const orients = [...lite.matchAll(/"orient":"([^"]+)"/g)].map((m) => m[1]);
    expect(orients.length).toBeGreaterThan(0);
    for (const o of orients) expect(['right', 'left', 'top', 'bottom']).toContain(o);
  });

  it('compare: data against model with the line data = model, residuals by point index', async () => {
    const spec = { kind: 'compare' as const, y, model, sigma: new Float64Array(n).fill(0.2), yLabel: 'z' };
    const file = join(dir, 'compare.svg');
    await plotFit(file, { ...spec, title: 'z = f(x, y)' });
    const svg = readFileSync(file, 'utf8');
    for (const t of ['z = f(x, y)', 'model (line: data = model)', 'point index', 'residual', '>z</text>']) {
      expect(svg).toContain(t);
    }
    const e = await rejection(() => plotFit(join(dir, 'c.svg'), { ...spec, model: model.subarray(2) }));
    expect(e.message).toMatch(/model has 28 values but the data have 30/);
  });

  it('several specs are drawn one below the other, each under its own title', async () => {
    const file = join(dir, 'several.svg');
    const r = await plotFit(
      file,
      [
        { ...spec1d, title: 'first <1-D>' },
        { kind: '2d', data: gauss(8, 10), model: gauss(8, 10), title: 'second 2-D' },
        { ...spec1d, title: 'third' },
      ],
      { title: 'all of them' },
    );
    const svg = readFileSync(file, 'utf8');
    for (const t of ['all of them', 'first &lt;1-D&gt;', 'second 2-D', 'third']) expect(svg).toContain(t);
    expect(svg.match(/<image /g)?.length).toBe(3);
    const single = await plotFit(join(dir, 'single.svg'), spec1d);
    expect(r.height).toBeGreaterThan(2 * single.height);
    const lite = (await plotSpec([spec1d, spec1d])) as { datasets: Record<string, unknown[]> };
    expect(Object.keys(lite.datasets).sort()).toEqual(['curve', 'curve_1', 'points', 'points_1']);
  });

  it('2-D maps may carry coordinates: the axes span them', async () => {
    const lite = JSON.stringify(
      await plotSpec({
        kind: '2d',
        data: gauss(3, 5),
        model: gauss(3, 5),
        xCoords: [10, 12],
        yCoords: [0, 1],
      }),
    );
    expect(lite).toContain('"domain":[9.75,12.25]');
    expect(lite).toContain('"domain":[-0.25,1.25]');
  });

  it('errors: bad extension, mismatched shapes, lengths', async () => {
    const e1 = await rejection(() => plotFit(join(dir, 'plot.pdf'), spec1d));
    expect(e1.code).toBe('io');
    expect(e1.message).toMatch(/plot\.pdf: plots are written as \.svg or \.png/);
    const e2 = await rejection(() =>
      plotFit(join(dir, 'p.svg'), { kind: '2d', data: gauss(4, 5), model: gauss(5, 4) }),
    );
    expect(e2.code).toBe('shape');
    const e3 = await rejection(() => plotFit(join(dir, 'p.svg'), { ...spec1d, y: y.subarray(1) }));
    expect(e3.message).toMatch(/y has 29 values but x has 30/);
    const e4 = await rejection(() => plotFit(join(dir, 'missing', 'p.svg'), spec1d));
    expect(e4.code).toBe('io');
    expect(e4.message).toMatch(/p\.svg: folder not found/);
  });
});
