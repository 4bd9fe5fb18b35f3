import { describe, it, expect, afterAll } from 'vitest';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load, loadArray, toArray, saveArray } from '../../src/data/load.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import { pngTextChunks } from '../../src/data/png.ts';
import { fixture, expectedTable, expectArray, rejection, tempDir } from './helpers.ts';

const png = expectedTable('png', 'expected.json');
const tif = expectedTable('tiff', 'expected.json');
const fits = expectedTable('fits', 'expected.json');
const npy = expectedTable('npy', 'expected.json');

describe('load dispatches by extension', () => {
  it.each([
    ['table/decay.csv', 'table', 'csv'],
    ['table/decay.tsv', 'table', 'tsv'],
    ['table/savetxt_default.txt', 'table', 'text'],
    ['json/matrix.json', 'array', 'json'],
    ['json/arrays.json', 'arrays', 'json'],
    ['npy/f8_le_C.npy', 'array', 'npy'],
    ['npz/savez.npz', 'arrays', 'npz'],
    ['png/grey16.png', 'array', 'png'],
    ['tiff/stack_u16.tif', 'array', 'tiff'],
    ['fits/astropy_i16.fits', 'array', 'fits'],
    ['fits/astropy_i16.fits.gz', 'array', 'fits'],
  ])('%s -> %s (%s)', async (path, kind, format) => {
    const d = await load(fixture(...path.split('/')));
    expect(d.kind).toBe(kind);
    expect(d.format).toBe(format);
  });

  it('passes options through (png grey, tiff page, fits hdu, npz key)', async () => {
    expectArray(await loadArray(fixture('png', 'rgb8.png'), { grey: true }), png['rgb8.png#grey'], 1e-9);
    expect([...(await loadArray(fixture('tiff', 'stack_u16.tif'), { page: 1 })).shape]).toEqual([5, 7]);
    expectArray(
      await loadArray(fixture('fits', 'astropy_ext.fits'), { hdu: 'ERR' }),
      fits['astropy_ext.fits#ERR'],
    );
    const b = await load(fixture('npz', 'savez.npz'), { key: 'b' });
    expect(b.kind === 'array' && Array.from(b.array.data)).toEqual([-1, 0, 7]);
    const f = await load(fixture('fits', 'astropy_i16.fits'));
    expect(f.kind === 'array' && f.fits?.header.BITPIX).toBe(16);
  });

  it('sniffs the format of an unknown extension from its first bytes', async () => {
    const { dir, cleanup } = tempDir();
    try {
      for (const [src, exp] of [
        [fixture('npy', 'i4_be_C.npy'), npy['i4_be_C.npy']],
        [fixture('tiff', 'u16.tif'), tif['u16.tif']],
        [fixture('png', 'grey8.png'), png['grey8.png']],
        [fixture('fits', 'astropy_i16.fits.gz'), fits['astropy_i16.fits.gz']],
      ] as const) {
        const file = join(dir, 'data.bin');
        copyFileSync(src, file);
        expectArray(await loadArray(file), exp);
      }
    } finally {
      cleanup();
    }
  });

  it('toArray: a table becomes [rows, columns]; arrays give the first or key', async () => {
    const t = await load(fixture('table', 'comments.csv'));
    const a = toArray(t);
    expect([...a.shape]).toEqual([3, 2]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(toArray(t, 'y').data)).toEqual([2, 4, 6]);
    const z = await load(fixture('npz', 'savez.npz'));
    expect([...toArray(z).shape]).toEqual([2, 3]);
    expect(() => toArray(z, 'c', 'savez.npz')).toThrow(/savez\.npz: no array "c"; it holds "a", "b"/);
  });

  it('errors: .fit scripts, unknown formats, missing files', async () => {
    const e1 = await rejection(() => load('model.fit'));
    expect(e1.code).toBe('io');
    expect(e1.message).toMatch(/model\.fit: '\.fit' is an exprfit script/);
    const e2 = await rejection(() => load(fixture('make', 'npy_csv_json.py')));
    expect(e2.message).toMatch(/npy_csv_json\.py: unknown data format "\.py"; supported extensions: \.csv/);
    const e3 = await rejection(() => load('/nonexistent/img.tif'));
    expect(e3.message).toBe('/nonexistent/img.tif: file not found');
  });
});

describe('saveArray round trips', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);
  const a = new NdArray(Float64Array.of(1.5, -2, 3e-5, NaN, 5, 6), [2, 3]);
  it.each(['a.npy', 'a.json', 'a.csv', 'a.tsv', 'a.txt'])('%s', async (name) => {
    const file = join(dir, name);
    await saveArray(file, a, { name: 'm' });
    const back = await loadArray(file);
    expect([...back.shape]).toEqual([2, 3]);
    expect(Array.from(back.data)).toEqual(Array.from(a.data));
  });
  it('1-D to CSV is one named column', async () => {
    const file = join(dir, 'v.csv');
    await saveArray(file, new NdArray(Float64Array.of(1, 2)), { name: 'model' });
    expect(readFileSync(file, 'utf8')).toBe('model\n1\n2\n');
  });
  it('.png heatmap and 16-bit grey', async () => {
    const heat = join(dir, 'h.png');
    await saveArray(heat, a);
    expect([...(await loadArray(heat)).shape]).toEqual([2, 3, 3]);
    const g = join(dir, 'g.png');
    await saveArray(g, a, { png: 'grey16' });
    expect(pngTextChunks(readFileSync(g))['exprfit:offset']).toBe('-2');
    const back = await loadArray(g);
    for (let i = 0; i < 6; i++) {
      if (Number.isNaN(a.data[i])) expect(back.data[i]).toBeNaN();
      else expect(back.data[i]).toBeCloseTo(a.data[i], 3);
    }
  });
  it('refuses 3-D arrays in text tables and unknown extensions', async () => {
    const cube = NdArray.zeros([2, 2, 2]);
    await expect(saveArray(join(dir, 'c.csv'), cube)).rejects.toThrow(/save it as \.npy/);
    const e = await rejection(() => saveArray(join(dir, 'c.xyz'), cube));
    expect(e.code).toBe('io');
    expect(e.message).toMatch(/c\.xyz: cannot save an array as "\.xyz"/);
  });
});
