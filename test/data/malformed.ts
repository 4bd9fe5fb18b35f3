/**
 * The malformed-file corpus: small hostile files for every reader, built here at run time (no binaries in the
 * repository). Each case is a file name (its extension picks the reader), its bytes, and what the error must say.
 * Used by malformed.test.ts, which writes them to a temporary folder and loads each one.
 */
import { deflateSync, zlibSync, gzipSync } from 'fflate';
import { crc32 } from '../../src/data/zip.ts';

export interface MalformedCase {
  /** File name; the extension picks the reader. */
  name: string;
  bytes: Uint8Array;
  /** What the error message must say (after the file name). */
  error: RegExp;
}

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---------------------------------------------------------------- FITS

/** A FITS header of `cards` ("KEY = value"), padded to 2880-byte blocks, ending with END. */
function fitsHeader(cards: readonly string[]): Uint8Array {
  const text = [...cards, 'END'].map((c) => c.padEnd(80, ' ')).join('');
  return ascii(text.padEnd(Math.ceil(text.length / 2880) * 2880, ' '));
}

const card = (key: string, value: string | number | boolean): string =>
  `${key.padEnd(8, ' ')}= ${String(value === true ? 'T' : value === false ? 'F' : value).padStart(20, ' ')}`;

const PRIMARY_EMPTY = fitsHeader([
  card('SIMPLE', true),
  card('BITPIX', 8),
  card('NAXIS', 0),
  card('EXTEND', true),
]);

function fitsCases(): MalformedCase[] {
  const negativePcount = concat([
    PRIMARY_EMPTY,
    fitsHeader([
      "XTENSION= 'BINTABLE'",
      card('BITPIX', 8),
      card('NAXIS', 2),
      card('NAXIS1', 8),
      card('NAXIS2', 4),
      card('PCOUNT', -92160),
      card('GCOUNT', 1),
    ]),
    new Uint8Array(2880),
  ]);
  const huge = fitsHeader([
    card('SIMPLE', true),
    card('BITPIX', -64),
    card('NAXIS', 2),
    card('NAXIS1', 100000),
    card('NAXIS2', 100000),
  ]);
  const image = concat([
    fitsHeader([card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 1), card('NAXIS1', 16)]),
    new Uint8Array(2880),
  ]);
  const gz = gzipSync(image);
  const forgedSize = gz.slice();
  new DataView(forgedSize.buffer).setUint32(gz.length - 4, 0xfffffff0, true);
  return [
    { name: 'negative_pcount.fits', bytes: negativePcount, error: /HDU 1: PCOUNT = -92160 is negative/ },
    { name: 'huge.fits', bytes: huge, error: /more than the limit of 268435456/ },
    { name: 'no_end.fits', bytes: ascii(card('SIMPLE', true).padEnd(80)), error: /no END card/ },
    { name: 'gzip_cut.fits.gz', bytes: gz.subarray(0, gz.length - 12), error: /corrupt gzip data/ },
    { name: 'gzip_size.fits.gz', bytes: forgedSize, error: /declares 4294967280 bytes, more than the limit/ },
  ];
}

// ---------------------------------------------------------------- NPY / NPZ

/** A `.npy` file with a version 1.0 header of `dict` followed by `data`. */
function npy(dict: string, data: Uint8Array): Uint8Array {
  const header = `${dict}`.padEnd(Math.ceil((10 + dict.length + 1) / 64) * 64 - 11, ' ') + '\n';
  const head = new Uint8Array(10);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, header.length, true);
  return concat([head, ascii(header), data]);
}

const f8 = (shape: string): string => `{'descr': '<f8', 'fortran_order': False, 'shape': ${shape}, }`;

interface ZipMember {
  name: string;
  data: Uint8Array;
  /** Deflate the data (default: stored); `level` 0 makes deflate's own stored blocks. */
  deflate?: boolean;
  level?: 0;
  /** The uncompressed size written in the headers (default: the true size). */
  declaredSize?: number;
  /** The name length written in the central directory (default: the true length). */
  declaredNameLength?: number;
}

/** A ZIP archive written field by field, so that any field can lie. */
function zip(members: readonly ZipMember[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = ascii(m.name);
    const body = m.deflate ? deflateSync(m.data, { level: m.level ?? 6 }) : m.data;
    const size = m.declaredSize ?? m.data.length;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, m.deflate ? 8 : 0, true);
    lv.setUint32(14, crc32(m.data), true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, m.deflate ? 8 : 0, true);
    cv.setUint32(16, crc32(m.data), true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, m.declaredNameLength ?? name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, body);
    centrals.push(central);
    offset += local.length + body.length;
  }
  const cdSize = centrals.reduce((n, c) => n + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  return concat([...locals, ...centrals, eocd]);
}

/** `archive` with the entry count of its end-of-central-directory record replaced. */
function withEntryCount(archive: Uint8Array, count: number): Uint8Array {
  const out = archive.slice();
  const v = new DataView(out.buffer);
  v.setUint16(out.length - 12, count, true);
  v.setUint16(out.length - 14, count, true);
  return out;
}

function npzCases(): MalformedCase[] {
  const ok = npy(f8('(4,)'), new Uint8Array(32));
  // 2^29 doubles (4 GiB) declared by the header; the archive itself is tiny.
  const over = npy(f8('(536870912,)'), new Uint8Array(64));
  // A header for 16 values, but the member inflates to 1 MB of zeros and says so.
  const long = npy(f8('(16,)'), new Uint8Array(1 << 20));
  return [
    {
      name: 'bad_name_length.npz',
      bytes: zip([{ name: 'a.npy', data: ok, declaredNameLength: 0xffff }]),
      error: /runs past the directory/,
    },
    { name: 'empty.npz', bytes: zip([]), error: /the archive holds no arrays/ },
    {
      name: 'over_limit.npz',
      bytes: zip([{ name: 'a.npy', data: over, deflate: true }]),
      error: /more than the limit of 268435456/,
    },
    {
      name: 'longer_than_declared.npz',
      bytes: zip([{ name: 'a.npy', data: long, deflate: true, declaredSize: 128 + 16 * 8 }]),
      error: /holds more than the 256 bytes it declares/,
    },
    {
      name: 'longer_than_declared_stored_blocks.npz',
      bytes: zip([{ name: 'a.npy', data: long, deflate: true, level: 0, declaredSize: 128 + 16 * 8 }]),
      error: /holds more than the 256 bytes it declares/,
    },
    {
      name: 'entry_count.npz',
      bytes: withEntryCount(zip([{ name: 'a.npy', data: ok }]), 1000),
      error: /cannot hold 1000 entries/,
    },
    {
      name: 'size_vs_header.npz',
      bytes: zip([{ name: 'a.npy', data: long, deflate: true }]),
      error: /\[a\]: the archive declares 1048704 bytes for this member, its \.npy header .* needs 256/,
    },
    { name: 'not_zip.npz', bytes: ascii('PK\x03\x04 this is not a zip'), error: /not a valid zip archive/ },
    {
      name: 'header_over_limit.npy',
      bytes: npy(f8('(1048576, 1048576)'), new Uint8Array(0)),
      error: /more than the limit of 268435456/,
    },
    { name: 'cut.npy', bytes: npy(f8('(100,)'), new Uint8Array(10)), error: /truncated \.npy data/ },
  ];
}

// ---------------------------------------------------------------- PNG

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  out.set(ascii(type), 4);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

/** A grey 8-bit PNG of `w` x `h` whose (valid) zlib stream holds `scanlines`. */
function png(w: number, h: number, scanlines: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, w);
  v.setUint32(4, h);
  ihdr.set([8, 0, 0, 0, 0], 8);
  return concat([
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlibSync(scanlines)),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

function pngCases(): MalformedCase[] {
  const rows = new Uint8Array(8 * 9).fill(7); // 8 rows of a filter byte + 8 samples of 7
  for (let r = 0; r < 8; r++) rows[r * 9] = 0;
  return [
    {
      name: 'cut_pixels.png',
      bytes: png(8, 8, rows.subarray(0, 3 * 9)),
      error: /truncated pixel data: 27 of the 72 bytes/,
    },
    { name: 'huge.png', bytes: png(20000, 20000, rows), error: /more than the limit of 268435456/ },
  ];
}

// ---------------------------------------------------------------- TIFF

/** A little-endian one-strip grey TIFF: `entries` are [tag, type, value] (type 3 short, 4 long). */
function tiff(entries: readonly [number, number, number][], strip: Uint8Array, nextIfd?: number): Uint8Array {
  const ifdAt = 8;
  const ifdBytes = 2 + 12 * (entries.length + 2) + 4;
  const stripAt = ifdAt + ifdBytes;
  const all: [number, number, number][] = [...entries, [273, 4, stripAt], [279, 4, strip.length]];
  all.sort((a, b) => a[0] - b[0]);
  const out = new Uint8Array(stripAt + strip.length);
  const v = new DataView(out.buffer);
  out.set(ascii('II*\0'));
  v.setUint32(4, ifdAt, true);
  v.setUint16(ifdAt, all.length, true);
  all.forEach(([tag, type, value], i) => {
    const p = ifdAt + 2 + 12 * i;
    v.setUint16(p, tag, true);
    v.setUint16(p + 2, type, true);
    v.setUint32(p + 4, 1, true);
    if (type === 3) v.setUint16(p + 8, value, true);
    else v.setUint32(p + 8, value, true);
  });
  v.setUint32(ifdAt + 2 + 12 * all.length, nextIfd ?? 0, true);
  out.set(strip, stripAt);
  return out;
}

const grey = (w: number, h: number, compression: number, bits = 8): [number, number, number][] => [
  [256, 4, w],
  [257, 4, h],
  [258, 3, bits],
  [259, 3, compression],
  [262, 3, 1],
  [277, 3, 1],
  [278, 4, h],
];

function tiffCases(): MalformedCase[] {
  // 32-bit LZW strips are decoded by exprfit, not by the tiff package. PackBits: a literal run of 10 bytes where the 8 x 8 image needs 64.
  const packbits = Uint8Array.of(9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
  return [
    {
      name: 'ifd_loop.tif',
      bytes: tiff(grey(4, 4, 1), new Uint8Array(16), 8),
      error: /points back to an earlier one \(a loop\)/,
    },
    {
      name: 'huge.tif',
      bytes: tiff(grey(100000, 100000, 1), new Uint8Array(16)),
      error: /more than the limit of 268435456/,
    },
    {
      name: 'cut_packbits.tif',
      bytes: tiff(grey(8, 8, 32773), packbits),
      error: /page 0: truncated image data/,
    },
    {
      name: 'cut_lzw.tif',
      bytes: tiff(grey(8, 8, 5, 32), Uint8Array.of(0x80)),
      error: /page 0: truncated image data/,
    },
    {
      name: 'cut_deflate.tif',
      bytes: tiff(grey(8, 8, 8, 32), zlibSync(new Uint8Array(100))),
      error: /page 0: truncated image data/,
    },
    {
      name: 'ifd_outside.tif',
      bytes: Uint8Array.of(0x49, 0x49, 42, 0, 0xff, 0xff, 0, 0),
      error: /lies past the end of the file/,
    },
  ];
}

// ---------------------------------------------------------------- JSON and text

function textCases(): MalformedCase[] {
  return [
    {
      name: 'deep.json',
      bytes: ascii('['.repeat(100000) + ']'.repeat(100000)),
      error: /nested more than 64 deep/,
    },
    {
      name: 'deep_object.json',
      bytes: ascii('{"a":'.repeat(100000) + '1' + '}'.repeat(100000)),
      error: /a is an object, not a number/,
    },
    { name: 'deep_invalid.json', bytes: ascii('['.repeat(100000) + 'x'), error: /invalid JSON/ },
    { name: 'ragged.csv', bytes: ascii('a,b\n1,2\n3\n'), error: /line 3/ },
  ];
}

/** Every case of the corpus. */
export function malformedCorpus(): MalformedCase[] {
  return [...fitsCases(), ...npzCases(), ...pngCases(), ...tiffCases(), ...textCases()];
}
