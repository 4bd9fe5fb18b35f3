import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  readPng,
  writePng16,
  writeHeatmapPng,
  encodeHeatmapPng,
  pngTextChunks,
  parsePng,
} from '../../src/data/png.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import { VIRIDIS } from '../../src/data/colormap.ts';
import { fixture, expectedTable, expectArray, rejection, tempDir } from './helpers.ts';

const expected = expectedTable('png', 'expected.json');

describe('readPng on fixtures (Pillow and an independent struct+zlib writer)', () => {
  const plain = Object.keys(expected).filter((k) => !k.includes('#'));
  it.each(plain)('%s', async (name) => {
    expectArray(await readPng(fixture('png', name)), expected[name]);
  });
  it.each(['rgba8.png', 'greyalpha16.png'])('%s with alpha: true keeps the alpha channel', async (name) => {
    expectArray(await readPng(fixture('png', name), { alpha: true }), expected[`${name}#alpha`]);
  });
  it('an interlaced (Adam7) PNG passes the pixel-data size check (libpng’s pngtest.png, copied verbatim)', async () => {
    const a = await readPng(fixture('png', 'interlaced_libpng.png'), { alpha: true });
    expect([...a.shape]).toEqual([69, 91, 4]);
  });
  it('grey: true gives BT.601 luma', async () => {
    expectArray(await readPng(fixture('png', 'rgb8.png'), { grey: true }), expected['rgb8.png#grey'], 1e-9);
  });
  it('normalize: true divides by the largest sample', async () => {
    const a = await readPng(fixture('png', 'grey16.png'), { normalize: true });
    const e = expected['grey16.png'];
    expectArray(a, { shape: e.shape, values: e.values.map((v) => v / 65535) }, 1e-15);
  });
  it('shapes are [rows, cols] and [rows, cols, 3]', async () => {
    expect([...(await readPng(fixture('png', 'grey8.png'))).shape]).toEqual([5, 7]);
    expect([...(await readPng(fixture('png', 'rgb16.png'))).shape]).toEqual([5, 7, 3]);
  });
});

describe('PNG writers', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);
  const h = 6;
  const w = 9;
  const values = Float64Array.from({ length: h * w }, (_, i) => Math.sin(i) * 1e3 + (i % w) * 0.125);
  const img = new NdArray(values, [h, w]);

  it('16-bit grey round trip: values within scale/2, scaling recorded in tEXt', async () => {
    const file = join(dir, 'g16.png');
    await writePng16(file, img);
    const text = pngTextChunks(readFileSync(file));
    const scale = Number(text['exprfit:scale']);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    expect(Number(text['exprfit:offset'])).toBe(lo);
    expect(scale).toBeCloseTo((hi - lo) / 65535, 15);
    const back = await readPng(file);
    expect([...back.shape]).toEqual([h, w]);
    for (let i = 0; i < values.length; i++)
      expect(Math.abs(back.data[i] - values[i])).toBeLessThanOrEqual(scale / 2 + 1e-9);
    // raw samples span 0..65535
    const raw = await readPng(file, { raw: true });
    expect(Math.min(...raw.data)).toBe(0);
    expect(Math.max(...raw.data)).toBe(65535);
  });

  it('16-bit grey with NaN uses grey+alpha and reads NaN back', async () => {
    const a = new NdArray(Float64Array.of(0, NaN, 2, 3), [2, 2]);
    const file = join(dir, 'nan16.png');
    await writePng16(file, a, { range: [0, 3] });
    const back = await readPng(file);
    expect(Array.from(back.data).map((v) => (Number.isNaN(v) ? 'nan' : Math.round(v * 1000) / 1000))).toEqual(
      [0, 'nan', 2, 3],
    );
  });

  it('heatmap: viridis over min..max, row 0 on top, range recorded', async () => {
    const a = new NdArray(Float64Array.of(0, 1, 2, 3, 4, 5), [2, 3]);
    const file = join(dir, 'heat.png');
    await writeHeatmapPng(file, a);
    const rgb = await readPng(file);
    expect([...rgb.shape]).toEqual([2, 3, 3]);
    const colour = (i: number): number =>
      (rgb.data[3 * i] << 16) | (rgb.data[3 * i + 1] << 8) | rgb.data[3 * i + 2];
    expect(colour(0)).toBe(VIRIDIS[0]);
    expect(colour(5)).toBe(VIRIDIS[255]);
    expect(colour(1)).toBe(VIRIDIS[Math.floor((1 / 5) * 256)]);
    expect(pngTextChunks(readFileSync(file))['exprfit:range']).toBe('0 5');
  });

  it('heatmap with a range clamps, NaN is transparent, scale upsamples', async () => {
    const a = new NdArray(Float64Array.of(-10, NaN, 0.5, 10), [2, 2]);
    const bytes = await encodeHeatmapPng(a, { range: [0, 1], scale: 3, colormap: 'grey' });
    const rgba = await parsePng(bytes, 'mem.png', { alpha: true });
    expect([...rgba.shape]).toEqual([6, 6, 4]);
    const px = (y: number, x: number): number[] =>
      Array.from(rgba.data.subarray((y * 6 + x) * 4, (y * 6 + x) * 4 + 4));
    expect(px(0, 0)).toEqual([0, 0, 0, 255]);
    expect(px(2, 5)[3]).toBe(0);
    expect(px(5, 5)).toEqual([255, 255, 255, 255]);
    expect(px(4, 1)).toEqual([128, 128, 128, 255]);
  });

  it('writers refuse arrays that are not 2-D', async () => {
    const err = await rejection(() => writePng16(join(dir, 'x.png'), new NdArray(Float64Array.of(1, 2, 3))));
    expect(err.code).toBe('shape');
    expect(err.message).toMatch(/2-D array/);
  });
});

describe('PNG errors', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);
  it('missing file', async () => {
    const err = await rejection(() => readPng(join(dir, 'none.png')));
    expect(err.code).toBe('io');
    expect(err.message).toMatch(/none\.png: file not found/);
  });
  it('not a PNG', async () => {
    const file = join(dir, 'fake.png');
    writeFileSync(file, 'GIF89a....');
    expect((await rejection(() => readPng(file))).message).toMatch(/fake\.png: not a PNG file/);
  });
  it('truncated PNG', async () => {
    const bytes = readFileSync(fixture('png', 'rgb16.png'));
    const file = join(dir, 'cut.png');
    writeFileSync(file, bytes.subarray(0, 60));
    const err = await rejection(() => readPng(file));
    expect(err.code).toBe('io');
    expect(err.message).toMatch(/cut\.png: corrupt or truncated pixel data/);
  });
});
