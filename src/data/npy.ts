/**
 * NumPy `.npy` (format versions 1.0, 2.0, 3.0) and `.npz` (a zip of `.npy` members, stored or deflated).
 * Reads dtypes bool, int8..int64, uint8..uint64, float16/32/64 in either byte order and C or Fortran order into
 * float64 C-order NdArrays; writes little-endian float64 C order (`<f8`), format 1.0.
 * 64-bit integers beyond 2^53 lose precision (they become the nearest double).
 */
import { NdArray } from './ndarray.ts';
import { checkFileArraySize, ioError, quote, readBytes, writeBytes } from './io.ts';
import { zipEntries, zipPeek, zipRead, zipStore, type ZipEntry } from './zip.ts';
import { decodeText, encodeLatin1 } from './text.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** A parsed `.npy` header. */
export interface NpyHeader {
  /** The dtype string as written, e.g. `<f8`, `>i4`, `|b1`. */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the array data. */
  dataOffset: number;
}

type Kind = 'f' | 'i' | 'u' | 'b';

export function parseDescr(descr: string, file: string): { kind: Kind; size: number; little: boolean } {
  const m = /^([<>|=]?)([fiub])(\d+)$/.exec(descr);
  if (!m) {
    throw ioError(
      file,
      `unsupported dtype ${quote(descr)}; supported: bool, int8-64, uint8-64, float16/32/64 (not complex, strings, ` +
        `objects or structured arrays)`,
    );
  }
  const kind = m[2] as Kind;
  const size = Number(m[3]);
  const ok =
    kind === 'f'
      ? size === 2 || size === 4 || size === 8
      : kind === 'b'
        ? size === 1
        : [1, 2, 4, 8].includes(size);
  if (!ok) throw ioError(file, `unsupported dtype ${quote(descr)}`);
  // '=' (native) is taken as little-endian: every platform numpy runs on in practice is.
  return { kind, size, little: m[1] !== '>' };
}

/** Parses the header of a `.npy` file (the Python dict literal after the magic and version). */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw ioError(file, 'not a NumPy .npy file (missing the \\x93NUMPY magic)');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw ioError(file, 'truncated .npy header');
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    throw ioError(file, `unsupported .npy format version ${major}.${bytes[7]}`);
  }
  if (start + headerLen > bytes.length) throw ioError(file, 'truncated .npy header');
  const text = decodeText(bytes, start, headerLen, major === 3 ? 'utf8' : 'latin1');
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) {
    if (/['"]descr['"]\s*:\s*\[/.test(text)) {
      throw ioError(file, 'structured (record) dtypes are not supported; save each field as its own array');
    }
    throw ioError(file, `malformed .npy header ${quote(text.trim(), 80)}`);
  }
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(n) || n < 0) throw ioError(file, `bad shape entry ${quote(s)} in .npy header`);
      return n;
    });
  return { descr: descr[1], fortranOrder: fortran[1] === 'True', shape: dims, dataOffset: start + headerLen };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Decodes `n` elements of a numeric dtype from `bytes` at `offset` into a new Float64Array. */
export function decodeElements(
  bytes: Uint8Array,
  offset: number,
  n: number,
  kind: Kind,
  size: number,
  little: boolean,
): Float64Array {
  const out = new Float64Array(n);
  // Fast path: little-endian on a little-endian host with aligned data -> a typed-array view.
  const hostLittle = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
  const abs = bytes.byteOffset + offset;
  if (
    (little || size === 1) &&
    hostLittle &&
    abs % size === 0 &&
    kind !== 'b' &&
    !(kind === 'f' && size === 2)
  ) {
    const buf = bytes.buffer;
    let src: ArrayLike<number | bigint>;
    if (kind === 'f') src = size === 4 ? new Float32Array(buf, abs, n) : new Float64Array(buf, abs, n);
    else if (kind === 'i')
      src =
        size === 1
          ? new Int8Array(buf, abs, n)
          : size === 2
            ? new Int16Array(buf, abs, n)
            : size === 4
              ? new Int32Array(buf, abs, n)
              : new BigInt64Array(buf, abs, n);
    else
      src =
        size === 1
          ? new Uint8Array(buf, abs, n)
          : size === 2
            ? new Uint16Array(buf, abs, n)
            : size === 4
              ? new Uint32Array(buf, abs, n)
              : new BigUint64Array(buf, abs, n);
    if (size === 8 && kind !== 'f') for (let i = 0; i < n; i++) out[i] = Number(src[i]);
    else out.set(src as ArrayLike<number>);
    return out;
  }
  const v = new DataView(bytes.buffer, abs, n * size);
  for (let i = 0, p = 0; i < n; i++, p += size) {
    let x: number;
    if (kind === 'b') x = v.getUint8(p) ? 1 : 0;
    else if (kind === 'f')
      x =
        size === 2
          ? halfToFloat(v.getUint16(p, little))
          : size === 4
            ? v.getFloat32(p, little)
            : v.getFloat64(p, little);
    else if (kind === 'i')
      x =
        size === 1
          ? v.getInt8(p)
          : size === 2
            ? v.getInt16(p, little)
            : size === 4
              ? v.getInt32(p, little)
              : Number(v.getBigInt64(p, little));
    else
      x =
        size === 1
          ? v.getUint8(p)
          : size === 2
            ? v.getUint16(p, little)
            : size === 4
              ? v.getUint32(p, little)
              : Number(v.getBigUint64(p, little));
    out[i] = x;
  }
  return out;
}

/** Reorders Fortran-order (first axis fastest) data into C order. */
export function fortranToC(data: Float64Array, shape: readonly number[]): Float64Array {
  const nd = shape.length;
  if (nd < 2) return data;
  const out = new Float64Array(data.length);
  // Fortran strides: axis 0 fastest.
  const fstride = new Array<number>(nd);
  let acc = 1;
  for (let i = 0; i < nd; i++) {
    fstride[i] = acc;
    acc *= shape[i];
  }
  const idx = new Array<number>(nd).fill(0);
  let src = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = data[src];
    // advance the C-order index (last axis fastest), tracking the Fortran offset
    for (let ax = nd - 1; ax >= 0; ax--) {
      idx[ax]++;
      src += fstride[ax];
      if (idx[ax] < shape[ax]) break;
      src -= fstride[ax] * shape[ax];
      idx[ax] = 0;
    }
  }
  return out;
}

/**
 * The number of values of `h.shape` and the bytes the file needs for them, or an `'io'` error naming the file
 * when the shape is above the array size limit (checked before anything is allocated).
 */
function npySize(h: NpyHeader, itemSize: number, file: string): { n: number; need: number } {
  const n = checkFileArraySize(file, 'the array', h.shape);
  return { n, need: h.dataOffset + n * itemSize };
}

/**
 * Decodes a whole `.npy` file held in memory. `file` names it in errors. With `owned` (a buffer nobody else
 * uses, such as an inflated npz member), aligned little-endian float64 data becomes the array without a copy.
 */
export function parseNpy(bytes: Uint8Array, file = '<npy>', owned = false): NdArray {
  const h = parseNpyHeader(bytes, file);
  const { kind, size, little } = parseDescr(h.descr, file);
  const { n, need } = npySize(h, size, file);
  if (bytes.length < need) {
    throw ioError(
      file,
      `truncated .npy data: shape [${h.shape.join(', ')}] of ${h.descr} needs ${need - h.dataOffset} bytes, ` +
        `the file has ${bytes.length - h.dataOffset}`,
    );
  }
  const abs = bytes.byteOffset + h.dataOffset;
  if (owned && kind === 'f' && size === 8 && little && HOST_LITTLE && abs % 8 === 0 && !h.fortranOrder) {
    return new NdArray(new Float64Array(bytes.buffer, abs, n), h.shape);
  }
  let data = decodeElements(bytes, h.dataOffset, n, kind, size, little);
  if (h.fortranOrder) data = fortranToC(data, h.shape);
  return new NdArray(data, h.shape);
}

const HOST_LITTLE = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Encodes an array as `.npy` version 1.0, dtype `<f8`, C order. */
export function encodeNpy(array: NdArray): Uint8Array {
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces so that magic + version + length + header + '\n' is a multiple of 64 bytes.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + array.size * 8);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(encodeLatin1(header), 10);
  const dv = new DataView(out.buffer, total);
  const d = array.data;
  for (let i = 0; i < d.length; i++) dv.setFloat64(i * 8, d[i], true);
  return out;
}

/** Reads a `.npy` file into a float64 C-order NdArray. */
export async function readNpy(file: string): Promise<NdArray> {
  return parseNpy(await readBytes(file), file);
}

/** Writes `array` as a `.npy` file (`<f8`, C order). */
export async function writeNpy(file: string, array: NdArray): Promise<void> {
  await writeBytes(file, encodeNpy(array));
}

/** Arrays of an `.npz` archive by name (the member name without `.npy`), and the names in archive order. */
export interface NpzContents {
  arrays: Record<string, NdArray>;
  names: string[];
}

/** The most bytes a `.npy` header may take (format 1.0 headers are at most 65535 bytes after 10 bytes). */
const MAX_HEADER_PEEK = 10 + 0xffff;

/**
 * One `.npy` member of an archive: its header is read first (inflating only that much), so the shape is checked
 * against the array size limit and the member's declared size before the member is inflated.
 */
function npzMember(bytes: Uint8Array, entry: ZipEntry, file: string, name: string): NdArray {
  const where = `${file}[${name}]`;
  const head = zipPeek(bytes, entry, file, MAX_HEADER_PEEK);
  const h = parseNpyHeader(head, where);
  const { need } = npySize(h, parseDescr(h.descr, where).size, where);
  if (entry.size !== need) {
    throw ioError(
      where,
      `the archive declares ${entry.size} bytes for this member, its .npy header (shape ` +
        `[${h.shape.join(', ')}] of ${h.descr}) needs ${need}`,
    );
  }
  return parseNpy(zipRead(bytes, entry, file, need), where, entry.method === 8);
}

/** Decodes an `.npz` archive held in memory. Names are kept in a prototype-free map (`__proto__` is a name). */
export function parseNpz(bytes: Uint8Array, file = '<npz>'): NpzContents {
  const arrays: Record<string, NdArray> = Object.create(null);
  const names: string[] = [];
  for (const e of zipEntries(bytes, file)) {
    if (e.name.endsWith('/')) continue;
    const name = e.name.replace(/\.npy$/, '');
    if (!(name in arrays)) names.push(name);
    arrays[name] = npzMember(bytes, e, file, name);
  }
  if (names.length === 0) throw ioError(file, 'the archive holds no arrays');
  return { arrays, names };
}

/** Reads an `.npz` archive (as written by `numpy.savez` or `numpy.savez_compressed`). */
export async function readNpz(file: string): Promise<NpzContents> {
  return parseNpz(await readBytes(file), file);
}

/** Writes arrays as an uncompressed `.npz` archive (like `numpy.savez`). */
export async function writeNpz(file: string, arrays: Record<string, NdArray>): Promise<void> {
  await writeBytes(
    file,
    zipStore(Object.entries(arrays).map(([name, a]) => ({ name: `${name}.npy`, data: encodeNpy(a) }))),
  );
}
