import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NdArray } from '../../src/data/ndarray.ts';
import {
  readNpy,
  parseNpy,
  parseNpyHeader,
  writeNpy,
  encodeNpy,
  readNpz,
  writeNpz,
} from '../../src/data/npy.ts';
import { fixture, expectedTable, expectArray, rejection, tempDir } from './helpers.ts';

const expected = expectedTable('npy', 'expected.json');
const files = Object.keys(expected).filter((k) => k.endsWith('.npy'));

describe('readNpy: fixtures written by numpy (dtype x byte order x memory order)', () => {
  it('covers every dtype, both byte orders and both orders', () => {
    const names = files.join(' ');
    for (const code of ['f2', 'f4', 'f8', 'i2', 'i4', 'i8', 'u2', 'u4', 'u8']) {
      for (const e of ['le', 'be'])
        for (const o of ['C', 'F']) expect(names).toContain(`${code}_${e}_${o}.npy`);
    }
    for (const code of ['i1', 'u1', 'b1'])
      for (const o of ['C', 'F']) expect(names).toContain(`${code}_na_${o}.npy`);
  });

  it.each(files)('%s', async (name) => {
    const exp = expected[name];
    const a = await readNpy(fixture('npy', name));
    expectArray(a, exp);
    const h = parseNpyHeader(readFileSync(fixture('npy', name)), name);
    expect(h.descr).toBe(exp.descr);
    expect(h.fortranOrder).toBe(exp.fortran);
  });
});

describe('readNpz', () => {
  const npz = expectedTable('npy', 'expected.json').npz as unknown as Record<
    string,
    { shape: number[]; values: number[] }
  >;
  it.each(['savez.npz', 'savez_compressed.npz'])('%s (stored and deflated members)', async (name) => {
    const z = await readNpz(fixture('npz', name));
    expect(z.names).toEqual(['a', 'b']);
    expectArray(z.arrays.a, npz.a);
    expectArray(z.arrays.b, npz.b);
  });
  it('positional names arr_0, arr_1', async () => {
    const z = await readNpz(fixture('npz', 'positional.npz'));
    expect(z.names).toEqual(['arr_0', 'arr_1']);
    expectArray(z.arrays.arr_1, npz.b);
  });
});

describe('writeNpy / writeNpz round trips', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);
  const cases: [string, NdArray][] = [
    ['2-D', new NdArray(Float64Array.of(1, -2.5, NaN, Infinity, -Infinity, 1e-310), [2, 3])],
    ['1-D', new NdArray(Float64Array.of(0.1, 0.2, 0.3))],
    ['0-d', NdArray.scalar(42)],
    ['empty', new NdArray(new Float64Array(0), [0, 5])],
    [
      '4-D',
      new NdArray(
        Float64Array.from({ length: 120 }, (_, i) => i * 0.25 - 7),
        [2, 3, 4, 5],
      ),
    ],
  ];
  it.each(cases)('%s', async (label, a) => {
    const file = join(dir, `${label}.npy`);
    await writeNpy(file, a);
    const b = await readNpy(file);
    expectArray(b, { shape: [...a.shape], values: Array.from(a.data) });
    const h = parseNpyHeader(readFileSync(file), file);
    expect(h.descr).toBe('<f8');
    expect(h.dataOffset % 64).toBe(0);
  });
  it('npz', async () => {
    const file = join(dir, 'two.npz');
    await writeNpz(file, { x: cases[0][1], y: cases[1][1] });
    const z = await readNpz(file);
    expect(z.names).toEqual(['x', 'y']);
    expect(Array.from(z.arrays.y.data)).toEqual([0.1, 0.2, 0.3]);
  });
  it('writes byte for byte what numpy.save writes', async () => {
    const theirs = readFileSync(fixture('npy', 'vector.npy'));
    const mine = encodeNpy(await readNpy(fixture('npy', 'vector.npy')));
    expect(Buffer.from(mine).equals(theirs)).toBe(true);
  });
});

describe('npy errors', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);
  it('missing file names the file', async () => {
    const err = await rejection(() => readNpy(join(dir, 'nope.npy')));
    expect(err.code).toBe('io');
    expect(err.message).toContain('nope.npy');
    expect(err.message).toContain('not found');
  });
  it('truncated data says how many bytes are missing', async () => {
    const bytes = readFileSync(fixture('npy', 'f8_le_C.npy'));
    const file = join(dir, 'cut.npy');
    writeFileSync(file, bytes.subarray(0, bytes.length - 5));
    const err = await rejection(() => readNpy(file));
    expect(err.code).toBe('io');
    expect(err.message).toMatch(
      /cut\.npy: truncated .npy data: shape \[2, 3\] of <f8 needs 48 bytes, the file has 43/,
    );
  });
  it('truncated header', () => {
    const bytes = readFileSync(fixture('npy', 'f8_le_C.npy')).subarray(0, 30);
    expect(() => parseNpy(bytes, 'h.npy')).toThrow(/h\.npy: truncated .npy header/);
  });
  it('not an npy file', () => {
    expect(() => parseNpy(Buffer.from('hello world'), 'x.npy')).toThrow(/not a NumPy .npy file/);
  });
  it.each([
    ['complex.npy', /unsupported dtype "<c16"/],
    ['structured.npy', /structured/],
  ])('%s is refused', async (name, re) => {
    const err = await rejection(() => readNpy(fixture('npy', name)));
    expect(err.code).toBe('io');
    expect(err.message).toMatch(re);
  });
  it('corrupt npz member (CRC)', async () => {
    const bytes = Buffer.from(readFileSync(fixture('npz', 'savez.npz')));
    bytes[200] ^= 0xff; // inside the first member's data
    const file = join(dir, 'bad.npz');
    writeFileSync(file, bytes);
    const err = await rejection(() => readNpz(file));
    expect(err.message).toMatch(/bad\.npz: zip member 'a\.npy' is corrupt/);
  });
  it('truncated npz', async () => {
    const bytes = readFileSync(fixture('npz', 'savez_compressed.npz'));
    const file = join(dir, 'cut.npz');
    writeFileSync(file, bytes.subarray(0, bytes.length - 30));
    const err = await rejection(() => readNpz(file));
    expect(err.message).toMatch(/cut\.npz: not a valid zip archive/);
  });
});
