import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFits, parseFits, listFitsHdus } from '../../src/data/fits.ts';
import { fixture, expectedTable, expectArray, rejection, tempDir } from './helpers.ts';

const astropy = expectedTable('fits', 'expected.json');
const indep = expectedTable('fits', 'expected_indep.json');

describe('readFits: files written by astropy', () => {
  const plain = Object.keys(astropy).filter((k) => !k.includes('#'));
  it.each(plain)('%s', async (name) => {
    expectArray((await readFits(fixture('fits', name))).array, astropy[name]);
  });
  it.each([
    ['SCI', 1],
    ['err', 3],
  ])('extension by EXTNAME %s', async (name, index) => {
    const f = await readFits(fixture('fits', 'astropy_ext.fits'), { hdu: name });
    expect(f.hdu).toBe(index);
    expect(f.extname).toBe(name.toUpperCase());
    expectArray(f.array, astropy[`astropy_ext.fits#${name.toUpperCase()}`]);
  });
  it('an index given as text, as a script passes it', async () => {
    expect((await readFits(fixture('fits', 'astropy_ext.fits'), { hdu: '3' })).extname).toBe('ERR');
  });
  it('extension by index, and the default is the first HDU with image data', async () => {
    const byIndex = await readFits(fixture('fits', 'astropy_ext.fits'), { hdu: 3 });
    expectArray(byIndex.array, astropy['astropy_ext.fits#ERR']);
    const dflt = await readFits(fixture('fits', 'astropy_ext.fits'));
    expect(dflt.hdu).toBe(1);
  });
  it('BZERO = 32768 unsigned 16-bit and BSCALE/BZERO scaled data', async () => {
    const u16 = await readFits(fixture('fits', 'astropy_u16.fits'));
    expect(u16.header.BZERO).toBe(32768);
    const scaled = await readFits(fixture('fits', 'astropy_scaled.fits'));
    expect(scaled.header.BSCALE).toBe(0.5);
    expect(scaled.header.BZERO).toBe(1000);
  });
  it('axis order: shape is [NAXIS2, NAXIS1] and a cube [NAXIS3, NAXIS2, NAXIS1]', async () => {
    const f = await readFits(fixture('fits', 'astropy_i16.fits'));
    expect(f.header.NAXIS1).toBe(7);
    expect(f.header.NAXIS2).toBe(5);
    expect([...f.array.shape]).toEqual([5, 7]);
    expect([...(await readFits(fixture('fits', 'astropy_cube.fits'))).array.shape]).toEqual([2, 3, 4]);
  });
  it('lists HDUs', async () => {
    const hdus = await listFitsHdus(fixture('fits', 'astropy_ext.fits'));
    expect(hdus.map((h) => [h.index, h.type, h.extname ?? null, h.shape])).toEqual([
      [0, 'PRIMARY', null, []],
      [1, 'IMAGE', 'SCI', [5, 7]],
      [2, 'BINTABLE', 'TAB', [3, 4]],
      [3, 'IMAGE', 'ERR', [3, 2]],
    ]);
  });
});

describe('readFits: files written by an independent struct/numpy writer', () => {
  it.each(Object.keys(indep))('%s', async (name) => {
    expectArray((await readFits(fixture('fits', name))).array, indep[name]);
  });
  it('header cards: HIERARCH, D exponents, CONTINUE long strings, logicals, commentary', async () => {
    const f = await readFits(fixture('fits', 'indep_ext.fits.gz'), { hdu: 0 }).catch((e) => e);
    // the primary HDU of this file has no data
    expect(f.message).toMatch(/indep_ext\.fits\.gz: HDU 0 PRIMARY \[\] holds no data/);
    const [primary, ext] = await listFitsHdus(fixture('fits', 'indep_ext.fits.gz'));
    const byKey = Object.fromEntries(
      primary.cards.filter((c) => c.value !== null).map((c) => [c.key, c.value]),
    );
    expect(byKey['ESO DET CHIP NAME']).toBe('CCD-42');
    expect(byKey.EXPTIME).toBe(15);
    expect(byKey.LONGSTR).toBe('first part second part');
    expect(byKey.FLAG).toBe(false);
    expect(primary.cards.find((c) => c.key === 'COMMENT')?.comment).toBe("it's a comment");
    expect(ext.extname).toBe('DATA');
  });
});

describe('readFits: files written by cfitsio (imcopy)', () => {
  it('a section [2:5,1:3] (FITS x first, 1-based) equals array[0:3, 1:5]', async () => {
    const full = astropy['astropy_f64.fits'];
    const values: number[] = [];
    for (let r = 0; r < 3; r++) for (let c = 1; c < 5; c++) values.push(full.values[r * 7 + c]);
    expectArray((await readFits(fixture('fits', 'cfitsio_section.fits'))).array, { shape: [3, 4], values });
  });
  it('gzip written by cfitsio', async () => {
    expectArray((await readFits(fixture('fits', 'cfitsio_i32.fits.gz'))).array, indep['indep_bitpix32.fits']);
  });
  it('an extension copied to a primary HDU', async () => {
    expectArray((await readFits(fixture('fits', 'cfitsio_sci.fits'))).array, astropy['astropy_ext.fits#SCI']);
  });
});

describe('FITS edge cases built in memory', () => {
  const card = (text: string): string => text.padEnd(80, ' ');
  const fitsBytes = (cards: string[], data: Buffer): Buffer => {
    let header = [...cards, 'END'].map(card).join('');
    header = header.padEnd(Math.ceil(header.length / 2880) * 2880, ' ');
    const pad = Buffer.alloc((2880 - (data.length % 2880)) % 2880);
    return Buffer.concat([Buffer.from(header, 'latin1'), data, pad]);
  };
  it('unsigned 64-bit (BZERO = 2^63) is added exactly before rounding', () => {
    const data = Buffer.alloc(24);
    data.writeBigInt64BE(-(2n ** 63n), 0); // 0
    data.writeBigInt64BE(5n - 2n ** 63n, 8); // 5
    data.writeBigInt64BE(2n ** 63n - 1n, 16); // 2^64 - 1
    const bytes = fitsBytes(
      [
        'SIMPLE  =                    T',
        'BITPIX  =                   64',
        'NAXIS   =                    1',
        'NAXIS1  =                    3',
        'BZERO   =  9223372036854775808',
        'BSCALE  =                    1',
      ],
      data,
    );
    expect(Array.from(parseFits(bytes, 'u64.fits').array.data)).toEqual([0, 5, 2 ** 64]);
  });
  it('unsigned 32-bit (BZERO = 2^31) and a missing final padding', () => {
    const data = Buffer.alloc(8);
    data.writeInt32BE(-(2 ** 31), 0);
    data.writeInt32BE(2 ** 31 - 1, 4);
    const bytes = fitsBytes(
      [
        'SIMPLE  =                    T',
        'BITPIX  =                   32',
        'NAXIS   =                    2',
        'NAXIS1  =                    1',
        'NAXIS2  =                    2',
        'BZERO   =           2147483648',
      ],
      data,
    ).subarray(0, 2880 + 8);
    const a = parseFits(bytes, 'u32.fits').array;
    expect([...a.shape]).toEqual([2, 1]);
    expect(Array.from(a.data)).toEqual([0, 2 ** 32 - 1]);
  });
});

describe('FITS errors', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);
  it('missing file', async () => {
    const err = await rejection(() => readFits(join(dir, 'none.fits')));
    expect(err.code).toBe('io');
    expect(err.message).toBe(`${join(dir, 'none.fits')}: file not found`);
  });
  it('truncated data says how much is missing', async () => {
    const bytes = readFileSync(fixture('fits', 'astropy_f64.fits'));
    const file = join(dir, 'cut.fits');
    writeFileSync(file, bytes.subarray(0, 2880 + 100));
    const err = await rejection(() => readFits(file));
    expect(err.message).toMatch(
      /cut\.fits: truncated: HDU 0 needs 280 bytes of data for \[5, 7\] at BITPIX -64, the file has 100/,
    );
  });
  it('truncated header', () => {
    const bytes = readFileSync(fixture('fits', 'astropy_f64.fits')).subarray(0, 300);
    expect(() => parseFits(bytes, 'h.fits')).toThrow(/h\.fits: HDU 0: header has no END card/);
  });
  it('truncated gzip', () => {
    const bytes = readFileSync(fixture('fits', 'astropy_i16.fits.gz'));
    expect(() => parseFits(bytes.subarray(0, 100), 'g.fits.gz')).toThrow(/g\.fits\.gz: corrupt gzip data/);
  });
  it('not FITS', () => {
    expect(() => parseFits(gzipSync(Buffer.from('hello')), 'x.fits.gz')).toThrow(
      /x\.fits\.gz: not a FITS file/,
    );
  });
  it.each([
    [
      { hdu: 9 },
      /HDU 9 does not exist; the file has 4 \(0-based\): 0 PRIMARY \[\]; 1 IMAGE 'SCI' \[5, 7\]; 2 BINTABLE 'TAB'; 3 IMAGE 'ERR' \[3, 2\]/,
    ],
    [{ hdu: 'TAB' }, /HDU 2 BINTABLE 'TAB' is not an image/],
    [{ hdu: 'NOPE' }, /no HDU with EXTNAME "NOPE"/],
    [{ hdu: 0 }, /HDU 0 PRIMARY \[\] holds no data/],
  ])('bad hdu option %j', async (options, re) => {
    const err = await rejection(() => readFits(fixture('fits', 'astropy_ext.fits'), options));
    expect(err.code).toBe('io');
    expect(err.message).toMatch(re);
  });
});
