/**
 * FITS images (Flexible Image Transport System, FITS Standard 4.0), written here because no maintained Node
 * reader exists.
 *
 * - Headers: 80-character ASCII cards in 2880-byte blocks up to `END`; values are strings (quotes, `''` escapes,
 *   long strings continued with `&` + `CONTINUE`), logicals `T`/`F`, integers, reals (`E` or `D` exponents);
 *   commentary cards (`COMMENT`, `HISTORY`, blank) keep their text as the comment; `HIERARCH` keywords are read.
 * - HDUs: the primary HDU and `IMAGE` extensions are read; other extensions (`BINTABLE`, `TABLE`) are skipped over
 *   using `PCOUNT`/`GCOUNT`. Tile-compressed images (`ZIMAGE = T` binary tables) are not supported.
 * - Data: big-endian BITPIX 8 (unsigned), 16/32/64 (signed), -32/-64 (IEEE floats); physical value
 *   = BZERO + BSCALE * stored; integer pixels equal to BLANK become NaN. 64-bit integers beyond 2^53 round to the
 *   nearest double.
 * - Axis order: NAXIS1 varies fastest in the file, so the NdArray shape is [NAXISn, ..., NAXIS2, NAXIS1]; a 2-D
 *   image is [rows = NAXIS2, cols = NAXIS1] and pixel (x, y) in FITS 1-based terms is `array.get(y - 1, x - 1)`.
 * - gzip-compressed files (`.fits.gz`, or any file starting with the gzip magic) are inflated first.
 */
import { NdArray, MAX_ARRAY_ELEMENTS } from './ndarray.ts';
import { checkFileArraySize, ioError, quote, readBytes } from './io.ts';
import { crc32, inflateExact } from './zip.ts';
import { decodeText } from './text.ts';

export type FitsValue = string | number | boolean | null;

/** One header card. `value` is null for commentary cards and keywords without a value. */
export interface FitsCard {
  key: string;
  value: FitsValue;
  comment: string;
  /** The card's 80 characters as stored (the first card when a long string spans several). */
  raw: string;
}

/** One header-data unit as found in the file. */
export interface FitsHdu {
  /** 0 for the primary HDU, 1... for extensions. */
  index: number;
  /** `'PRIMARY'` or the XTENSION value (`'IMAGE'`, `'BINTABLE'`, `'TABLE'`, ...). */
  type: string;
  extname?: string;
  bitpix: number;
  /** NdArray order: [NAXISn, ..., NAXIS1]. */
  shape: number[];
  cards: FitsCard[];
  /** Byte offset and length of the data (unpadded). */
  dataOffset: number;
  dataBytes: number;
}

export interface ReadFitsOptions {
  /** HDU index (0 = primary) or EXTNAME (case-insensitive). Default: the first HDU that holds image data. */
  hdu?: number | string;
}

/** An image read from a FITS file, with its header. */
export interface FitsImage {
  array: NdArray;
  /** All cards of the HDU's header, in order. */
  cards: FitsCard[];
  /** Keyword -> value for cards with a value (the last card wins when a keyword repeats). */
  header: Record<string, FitsValue>;
  /** Which HDU was read. */
  hdu: number;
  extname?: string;
}

const BLOCK = 2880;
const CARD = 80;

function parseValue(text: string): { value: FitsValue; comment: string } {
  const t = text.trimStart();
  if (t.startsWith("'")) {
    let s = '';
    let i = 1;
    for (; i < t.length; i++) {
      if (t[i] === "'") {
        if (t[i + 1] === "'") {
          s += "'";
          i++;
        } else break;
      } else s += t[i];
    }
    const rest = t.slice(i + 1);
    const slash = rest.indexOf('/');
    return { value: s.replace(/ +$/, ''), comment: slash >= 0 ? rest.slice(slash + 1).trim() : '' };
  }
  const slash = t.indexOf('/');
  const v = (slash >= 0 ? t.slice(0, slash) : t).trim();
  const comment = slash >= 0 ? t.slice(slash + 1).trim() : '';
  if (v === '') return { value: null, comment };
  if (v === 'T') return { value: true, comment };
  if (v === 'F') return { value: false, comment };
  if (/^[+-]?\d+$/.test(v)) return { value: Number(v), comment };
  if (/^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$/.test(v))
    return { value: Number(v.replace(/[Dd]/, 'E')), comment };
  return { value: v, comment }; // complex numbers and anything unusual stay text
}

/** Parses header cards from `bytes` at `offset`; returns the cards and the offset just past the header blocks. */
function parseHeader(
  bytes: Uint8Array,
  offset: number,
  file: string,
  hduIndex: number,
): { cards: FitsCard[]; end: number } {
  const cards: FitsCard[] = [];
  let p = offset;
  for (;;) {
    if (p + CARD > bytes.length) {
      throw ioError(file, `HDU ${hduIndex}: header has no END card (the file is truncated or not FITS)`);
    }
    const raw = decodeText(bytes, p, CARD, 'latin1');
    p += CARD;
    const key = raw.slice(0, 8).trimEnd();
    if (key === 'END') break;
    if (key === 'HIERARCH') {
      const eq = raw.indexOf('=', 8);
      if (eq > 0) {
        const { value, comment } = parseValue(raw.slice(eq + 1));
        cards.push({ key: raw.slice(9, eq).trim(), value, comment, raw });
        continue;
      }
    }
    if (raw.slice(8, 10) === '= ') {
      const { value, comment } = parseValue(raw.slice(10));
      cards.push({ key, value, comment, raw });
    } else if (key === 'CONTINUE' && cards.length > 0) {
      const prev = cards[cards.length - 1];
      if (typeof prev.value === 'string' && prev.value.endsWith('&')) {
        const { value, comment } = parseValue(raw.slice(8));
        prev.value = prev.value.slice(0, -1) + (typeof value === 'string' ? value : '');
        if (comment) prev.comment = prev.comment ? `${prev.comment} ${comment}` : comment;
      } else cards.push({ key, value: null, comment: raw.slice(8).trim(), raw });
    } else {
      cards.push({ key, value: null, comment: raw.slice(8).trim(), raw });
    }
  }
  return { cards, end: offset + Math.ceil((p - offset) / BLOCK) * BLOCK };
}

function headerMap(cards: readonly FitsCard[]): Record<string, FitsValue> {
  const h: Record<string, FitsValue> = Object.create(null);
  for (const c of cards) if (c.value !== null) h[c.key] = c.value;
  return h;
}

function intKey(h: Record<string, FitsValue>, key: string, file: string, hdu: number, dflt?: number): number {
  const v = h[key];
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw ioError(
      file,
      `HDU ${hdu}: ${v === undefined ? `missing keyword ${key}` : `${key} = ${quote(String(v))} is not an integer`}`,
    );
  }
  return v;
}

/** Lists the HDUs of a FITS file held in memory (already gunzipped). */
export function fitsHdus(bytes: Uint8Array, file = '<fits>'): FitsHdu[] {
  const magic = decodeText(bytes, 0, 9, 'latin1');
  if (magic !== 'SIMPLE  =') throw ioError(file, 'not a FITS file (it must start with SIMPLE  =)');
  const hdus: FitsHdu[] = [];
  let p = 0;
  while (p < bytes.length) {
    const index = hdus.length;
    // Trailing zero padding or junk after the last HDU is ignored.
    if (index > 0) {
      const k = decodeText(bytes, p, 8, 'latin1');
      if (k !== 'XTENSION') break;
    }
    const { cards, end } = parseHeader(bytes, p, file, index);
    const h = headerMap(cards);
    const bitpix = intKey(h, 'BITPIX', file, index);
    if (![8, 16, 32, 64, -32, -64].includes(bitpix))
      throw ioError(file, `HDU ${index}: invalid BITPIX ${bitpix}`);
    const naxis = intKey(h, 'NAXIS', file, index);
    if (naxis < 0 || naxis > 999) throw ioError(file, `HDU ${index}: invalid NAXIS ${naxis}`);
    const dims: number[] = [];
    for (let i = 1; i <= naxis; i++) {
      const n = intKey(h, `NAXIS${i}`, file, index);
      if (n < 0) throw ioError(file, `HDU ${index}: NAXIS${i} = ${n} is negative`);
      dims.push(n);
    }
    const pcount = intKey(h, 'PCOUNT', file, index, 0);
    const gcount = intKey(h, 'GCOUNT', file, index, 1);
    if (pcount < 0) throw ioError(file, `HDU ${index}: PCOUNT = ${pcount} is negative`);
    if (gcount < 0) throw ioError(file, `HDU ${index}: GCOUNT = ${gcount} is negative`);
    const groups = index === 0 && h.GROUPS === true && dims[0] === 0;
    const count = naxis === 0 ? 0 : (groups ? dims.slice(1) : dims).reduce((a, b) => a * b, 1);
    const dataBytes = naxis === 0 ? 0 : (Math.abs(bitpix) / 8) * gcount * (pcount + count);
    const type = index === 0 ? 'PRIMARY' : String(h.XTENSION ?? '').trim();
    const extname = typeof h.EXTNAME === 'string' ? h.EXTNAME.trim() : undefined;
    hdus.push({
      index,
      type: groups ? 'GROUPS' : type,
      extname,
      bitpix,
      shape: [...dims].reverse(),
      cards,
      dataOffset: end,
      dataBytes,
    });
    p = end + Math.ceil(dataBytes / BLOCK) * BLOCK;
  }
  return hdus;
}

function isImage(hdu: FitsHdu): boolean {
  return hdu.type === 'PRIMARY' || hdu.type === 'IMAGE' || hdu.type === 'IUEIMAGE';
}

function describe(hdu: FitsHdu): string {
  const h = headerMap(hdu.cards);
  const what = h.ZIMAGE === true ? 'tile-compressed image' : hdu.type;
  return `${hdu.index} ${what}${hdu.extname ? ` '${hdu.extname}'` : ''}${
    isImage(hdu) ? ` [${hdu.shape.join(', ')}]` : ''
  }`;
}

/** Decodes one image HDU's data into an NdArray (BZERO/BSCALE applied, BLANK -> NaN). */
function decodeImage(bytes: Uint8Array, hdu: FitsHdu, file: string): NdArray {
  const h = headerMap(hdu.cards);
  const n = checkFileArraySize(file, `HDU ${hdu.index}`, hdu.shape);
  const size = Math.abs(hdu.bitpix) / 8;
  const need = n * size;
  const have = bytes.length - hdu.dataOffset;
  if (have < need) {
    throw ioError(
      file,
      `truncated: HDU ${hdu.index} needs ${need} bytes of data for [${hdu.shape.join(', ')}] at BITPIX ` +
        `${hdu.bitpix}, the file has ${Math.max(0, have)}`,
    );
  }
  const num = (key: string, dflt: number): number => {
    const v = h[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'number')
      throw ioError(file, `HDU ${hdu.index}: ${key} = ${quote(String(v))} is not a number`);
    return v;
  };
  const bzero = num('BZERO', 0);
  const bscale = num('BSCALE', 1);
  const blank = hdu.bitpix > 0 && h.BLANK !== undefined ? num('BLANK', 0) : undefined;
  const v = new DataView(bytes.buffer, bytes.byteOffset + hdu.dataOffset, need);
  const out = new Float64Array(n);
  switch (hdu.bitpix) {
    case 8:
      for (let i = 0; i < n; i++) out[i] = v.getUint8(i);
      break;
    case 16:
      for (let i = 0; i < n; i++) out[i] = v.getInt16(2 * i);
      break;
    case 32:
      for (let i = 0; i < n; i++) out[i] = v.getInt32(4 * i);
      break;
    case 64: {
      const big = blank !== undefined ? BigInt(blank) : undefined;
      for (let i = 0; i < n; i++) {
        const s = v.getBigInt64(8 * i);
        // BZERO = 2^63 marks unsigned 64-bit: add it exactly in BigInt before rounding to a double.
        if (s === big) out[i] = NaN;
        else if (bzero === 9223372036854775808 && bscale === 1) out[i] = Number(s + 9223372036854775808n);
        else out[i] = Number(s);
      }
      if (bzero === 9223372036854775808 && bscale === 1) return new NdArray(out, hdu.shape);
      break;
    }
    case -32:
      for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i);
      break;
    case -64:
      for (let i = 0; i < n; i++) out[i] = v.getFloat64(8 * i);
      break;
  }
  if (blank !== undefined && hdu.bitpix !== 64) {
    for (let i = 0; i < n; i++) if (out[i] === blank) out[i] = NaN;
  }
  if (bzero !== 0 || bscale !== 1) {
    for (let i = 0; i < n; i++) out[i] = bzero + bscale * out[i];
  }
  return new NdArray(out, hdu.shape);
}

/**
 * The most bytes a gzipped FITS file may inflate to: the largest image (2^28 float64 values) plus 64 MiB of
 * headers and other HDUs. The size the gzip trailer declares is checked against it before anything is allocated.
 */
const MAX_GUNZIP_BYTES = MAX_ARRAY_ELEMENTS * 8 + 2 ** 26;

/** gunzips when the bytes start with the gzip magic, into a buffer of the size the gzip trailer declares. */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  if (bytes.length < 18) throw ioError(file, 'corrupt gzip data (the file is truncated)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getUint32(bytes.length - 4, true);
  if (declared > MAX_GUNZIP_BYTES) {
    throw ioError(
      file,
      `the gzip data declares ${declared} bytes, more than the limit of ${MAX_GUNZIP_BYTES}`,
    );
  }
  let result: { bytes: Uint8Array; excess: boolean };
  try {
    result = inflateExact(bytes, 'gzip', declared);
  } catch (err) {
    throw ioError(file, `corrupt gzip data (${(err as Error).message})`, err);
  }
  const out = result.bytes;
  if (result.excess || out.length !== declared || crc32(out) !== view.getUint32(bytes.length - 8, true)) {
    throw ioError(file, 'corrupt gzip data (the size or CRC-32 in its trailer does not match the data)');
  }
  return out;
}

/** Reads an image HDU from FITS bytes held in memory (gzip allowed). */
export function parseFits(bytes: Uint8Array, file = '<fits>', options: ReadFitsOptions = {}): FitsImage {
  const data = maybeGunzip(bytes, file);
  const hdus = fitsHdus(data, file);
  const list = (): string => hdus.map(describe).join('; ');
  let hdu: FitsHdu | undefined;
  const sel = options.hdu;
  if (sel === undefined) {
    hdu = hdus.find((x) => isImage(x) && x.dataBytes > 0);
    if (!hdu) throw ioError(file, `no image data in any HDU (HDUs: ${list()})`);
  } else if (typeof sel === 'number') {
    hdu = hdus[sel];
    if (!Number.isInteger(sel) || !hdu) {
      throw ioError(file, `HDU ${sel} does not exist; the file has ${hdus.length} (0-based): ${list()}`);
    }
  } else {
    const want = sel.trim().toUpperCase();
    hdu = hdus.find((x) => x.extname?.toUpperCase() === want);
    // A number given as text (from a script or the command line) is an index when no EXTNAME matches.
    if (!hdu && /^\d+$/.test(want)) hdu = hdus[Number(want)];
    if (!hdu) throw ioError(file, `no HDU with EXTNAME ${quote(sel)}; HDUs: ${list()}`);
  }
  if (!isImage(hdu)) {
    throw ioError(
      file,
      `HDU ${describe(hdu)} is not an image; only the primary HDU and IMAGE extensions are read`,
    );
  }
  if (hdu.dataBytes === 0) throw ioError(file, `HDU ${describe(hdu)} holds no data (NAXIS = 0)`);
  return {
    array: decodeImage(data, hdu, file),
    cards: hdu.cards,
    header: headerMap(hdu.cards),
    hdu: hdu.index,
    ...(hdu.extname !== undefined ? { extname: hdu.extname } : {}),
  };
}

/** Reads an image from a FITS file (`.fits`, `.fts`, `.fits.gz`; see the module comment). */
export async function readFits(file: string, options: ReadFitsOptions = {}): Promise<FitsImage> {
  return parseFits(await readBytes(file), file, options);
}

/** The HDUs of a FITS file (headers, types, shapes), without decoding data. */
export async function listFitsHdus(file: string): Promise<FitsHdu[]> {
  return fitsHdus(maybeGunzip(await readBytes(file), file), file);
}
