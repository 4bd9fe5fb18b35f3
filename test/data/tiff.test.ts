import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTiff } from '../../src/data/tiff.ts';
import { fixture, expectedTable, expectArray, rejection, tempDir } from './helpers.ts';

const expected = expectedTable('tiff', 'expected.json');

describe('readTiff on fixtures (tifffile and Pillow/libtiff)', () => {
  it.each(Object.keys(expected))('%s', async (name) => {
    expectArray(await readTiff(fixture('tiff', name)), expected[name]);
  });
  it('a stack is [pages, rows, cols]; page picks one', async () => {
    const e = expected['stack_u16.tif'];
    const all = await readTiff(fixture('tiff', 'stack_u16.tif'));
    expect([...all.shape]).toEqual([3, 5, 7]);
    const p2 = await readTiff(fixture('tiff', 'stack_u16.tif'), { page: 2 });
    expectArray(p2, { shape: [5, 7], values: e.values.slice(70, 105) });
  });
  it('grey: true turns RGB into luma', async () => {
    const rgb = expected['rgb8.tif'];
    const a = await readTiff(fixture('tiff', 'rgb8.tif'), { grey: true });
    const v = rgb.values;
    const luma = Array.from(
      { length: 35 },
      (_, i) => 0.299 * v[3 * i] + 0.587 * v[3 * i + 1] + 0.114 * v[3 * i + 2],
    );
    expectArray(a, { shape: [5, 7], values: luma }, 1e-9);
  });
});

describe('TIFF errors', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);
  it('missing file', async () => {
    const err = await rejection(() => readTiff(join(dir, 'none.tif')));
    expect(err.code).toBe('io');
    expect(err.message).toMatch(/none\.tif: file not found/);
  });
  it('a page that does not exist', async () => {
    const err = await rejection(() => readTiff(fixture('tiff', 'stack_u16.tif'), { page: 3 }));
    expect(err.message).toMatch(/stack_u16\.tif: page 3 does not exist; the file has 3 page\(s\)/);
  });
  it('not a TIFF', async () => {
    const file = join(dir, 'x.tif');
    writeFileSync(file, 'hello');
    expect((await rejection(() => readTiff(file))).message).toMatch(/x\.tif: not a TIFF file/);
  });
  it.each(['u16.tif', 'i32.tif', 'pil_lzw_u16.tif'])('truncated %s', async (name) => {
    const bytes = readFileSync(fixture('tiff', name));
    const file = join(dir, `cut-${name}`);
    // keep the header and directory (tifffile/Pillow write them before or after the data): cut image bytes
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.5)));
    const err = await rejection(() => readTiff(file));
    expect(err.code).toBe('io');
    expect(err.message).toContain(`cut-${name}`);
  });
});
