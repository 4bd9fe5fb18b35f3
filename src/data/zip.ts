/**
 * A minimal ZIP reader (enough for NumPy `.npz`): central directory, stored and deflated members, ZIP64 sizes and
 * offsets, CRC-32 checked. Encrypted or otherwise compressed members are refused with an `'io'` error.
 * Every size and offset is checked against the file before it is used, and a member is inflated into a buffer of
 * the size its directory entry declares (never more), so a small archive cannot make a large allocation.
 *
 * Also the deflate plumbing of the other readers (`inflateExact`), through fflate (no `node:*` import).
 */
import { Inflate, inflateSync, unzlibSync, gunzipSync } from 'fflate';
import { ioError } from './io.ts';
import { decodeText } from './text.ts';

/** The compressed formats `inflateExact` reads: raw deflate (zip), zlib (PNG, TIFF), gzip. */
type DeflateFormat = 'deflate' | 'zlib' | 'gzip';

const MIN_LENGTH: Readonly<Record<DeflateFormat, number>> = { deflate: 2, zlib: 2 + 2 + 4, gzip: 10 + 2 + 8 };

/**
 * Inflates `data` into a new buffer of at most `size` bytes. Returns the bytes produced and whether the stream
 * held more than `size` (`excess`); a corrupt or cut-short stream throws an `Error` the caller names the file in.
 * The output buffer is allocated once at `size + 1` bytes, so the caller bounds the memory by bounding `size`.
 */
export function inflateExact(
  data: Uint8Array,
  format: DeflateFormat,
  size: number,
): { bytes: Uint8Array; excess: boolean } {
  // fflate returns the whole (unwritten) buffer for an empty stream: the smallest deflate stream is 2 bytes.
  if (data.length < MIN_LENGTH[format]) throw new Error('no compressed data');
  const out = new Uint8Array(size + 1);
  let produced: Uint8Array;
  try {
    produced =
      format === 'deflate'
        ? inflateSync(data, { out })
        : format === 'zlib'
          ? unzlibSync(data, { out })
          : gunzipSync(data, { out });
  } catch (err) {
    // A stored block past the end of `out` is the only RangeError: more data than declared.
    if (err instanceof RangeError) return { bytes: out.subarray(0, size), excess: true };
    throw new Error(err instanceof Error ? err.message : String(err), { cause: err });
  }
  return { bytes: out.subarray(0, Math.min(produced.length, size)), excess: produced.length > size };
}

/** CRC-32 tables for slicing by 8: table k (at 256 k) advances a byte through k further zero bytes. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++)
      t[256 * k + n] = (t[256 * (k - 1) + n] >>> 8) ^ t[t[256 * (k - 1) + n] & 0xff];
  }
  return t;
})();

/** CRC-32 (ISO 3309 / ITU-T V.42, as used by ZIP, PNG and gzip), eight bytes per step. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, seed = 0): number {
  const t = CRC_TABLE;
  let c = ~seed >>> 0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    const hi = bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24);
    c =
      t[1792 + (lo & 0xff)] ^
      t[1536 + ((lo >>> 8) & 0xff)] ^
      t[1280 + ((lo >>> 16) & 0xff)] ^
      t[1024 + (lo >>> 24)] ^
      t[768 + (hi & 0xff)] ^
      t[512 + ((hi >>> 8) & 0xff)] ^
      t[256 + ((hi >>> 16) & 0xff)] ^
      t[hi >>> 24];
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflate. */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc: number;
  readonly localHeaderOffset: number;
  readonly flags: number;
}

const EOCD_SIG = 0x06054b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const EOCD64_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

/** The end-of-central-directory record: entry count, directory size and offset (ZIP64 when saturated). */
function findDirectory(
  bytes: Uint8Array,
  view: DataView,
  bad: (what: string) => never,
): { count: number; cdSize: number; cdOffset: number } {
  // 22 bytes plus a comment of up to 65535 bytes, at the end of the file.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) bad('no end-of-central-directory record; the file may be truncated');
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== EOCD64_LOCATOR_SIG) bad('missing ZIP64 locator');
    const e64 = Number(view.getBigUint64(loc + 8, true));
    if (e64 + 56 > bytes.length || view.getUint32(e64, true) !== EOCD64_SIG) bad('bad ZIP64 record');
    count = Number(view.getBigUint64(e64 + 32, true));
    cdSize = Number(view.getBigUint64(e64 + 40, true));
    cdOffset = Number(view.getBigUint64(e64 + 48, true));
  }
  if (cdOffset + cdSize > bytes.length) bad('central directory lies past the end of the file');
  // Each entry takes at least 46 bytes: a count the directory cannot hold is corrupt (and bounds the loop).
  if (count * 46 > cdSize) bad(`the central directory of ${cdSize} bytes cannot hold ${count} entries`);
  return { count, cdSize, cdOffset };
}

/** Lists the members of a ZIP archive from its central directory. `file` is used in error messages. */
export function zipEntries(bytes: Uint8Array, file: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (what: string): never => {
    throw ioError(file, `not a valid zip archive (${what})`);
  };
  const { count, cdSize, cdOffset } = findDirectory(bytes, view, bad);
  const cdEnd = cdOffset + cdSize;
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cdEnd || view.getUint32(p, true) !== CENTRAL_SIG) bad(`bad central directory entry ${k}`);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let localHeaderOffset = view.getUint32(p + 42, true);
    const extraEnd = p + 46 + nameLen + extraLen;
    if (extraEnd + commentLen > cdEnd) {
      bad(`central directory entry ${k} (name ${nameLen} bytes) runs past the directory`);
    }
    const name = decodeText(bytes, p + 46, nameLen, flags & 0x800 ? 'utf8' : 'latin1');
    // ZIP64 extended information: the 64-bit values appear in this order, only for fields saturated above.
    let e = p + 46 + nameLen;
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const next = (): number => {
          if (q + 8 > Math.min(extraEnd, e + 4 + len)) bad(`short ZIP64 field in entry ${k}`);
          const v = Number(view.getBigUint64(q, true));
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      e += 4 + len;
    }
    entries.push({ name, method, compressedSize, size, crc, localHeaderOffset, flags });
    p = extraEnd + commentLen;
  }
  return entries;
}

/** The compressed bytes of one member, after its local header (checked against the file). */
function memberData(bytes: Uint8Array, entry: ZipEntry, file: string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localHeaderOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL_SIG) {
    throw ioError(file, `zip member '${entry.name}' has no valid local header`);
  }
  if (entry.flags & 1) throw ioError(file, `zip member '${entry.name}' is encrypted`);
  if (entry.method !== 0 && entry.method !== 8) {
    throw ioError(
      file,
      `zip member '${entry.name}' uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`,
    );
  }
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw ioError(file, `zip member '${entry.name}' is truncated`);
  return bytes.subarray(start, end);
}

/**
 * The first `n` uncompressed bytes of one member (fewer when it is shorter), inflating only as much as needed:
 * enough to read a header before the member's declared size is trusted.
 */
export function zipPeek(bytes: Uint8Array, entry: ZipEntry, file: string, n: number): Uint8Array {
  const raw = memberData(bytes, entry, file);
  if (entry.method === 0) return raw.subarray(0, n);
  const parts: Uint8Array[] = [];
  let have = 0;
  const inflater = new Inflate((chunk) => {
    parts.push(chunk);
    have += chunk.length;
  });
  try {
    for (let p = 0; p < raw.length && have < n; p += PEEK_CHUNK) {
      inflater.push(raw.subarray(p, p + PEEK_CHUNK), p + PEEK_CHUNK >= raw.length);
    }
  } catch (err) {
    throw ioError(file, `zip member '${entry.name}' is corrupt (${(err as Error).message})`, err);
  }
  const out = new Uint8Array(Math.min(n, have));
  let o = 0;
  for (const part of parts) {
    if (o >= out.length) break;
    const take = part.subarray(0, out.length - o);
    out.set(take, o);
    o += take.length;
  }
  return out;
}

const PEEK_CHUNK = 1024;

/**
 * The uncompressed bytes of one member (CRC-checked), inflated into a buffer of the size the archive declares;
 * `maxSize` bounds that declared size (the caller's limit), checked before anything is allocated.
 */
export function zipRead(bytes: Uint8Array, entry: ZipEntry, file: string, maxSize = Infinity): Uint8Array {
  const raw = memberData(bytes, entry, file);
  const what = `zip member '${entry.name}'`;
  if (entry.size > maxSize) {
    throw ioError(file, `${what} declares ${entry.size} bytes, more than the ${maxSize} its contents allow`);
  }
  let out: Uint8Array;
  if (entry.method === 0) out = raw;
  else {
    let result: { bytes: Uint8Array; excess: boolean };
    try {
      result = inflateExact(raw, 'deflate', entry.size);
    } catch (err) {
      throw ioError(file, `${what} is corrupt (${(err as Error).message})`, err);
    }
    if (result.excess) throw ioError(file, `${what} holds more than the ${entry.size} bytes it declares`);
    out = result.bytes;
  }
  if (out.length !== entry.size) {
    throw ioError(file, `${what} is corrupt: ${out.length} bytes where it declares ${entry.size}`);
  }
  if (crc32(out) !== entry.crc) throw ioError(file, `${what} is corrupt (CRC-32 mismatch)`);
  return out;
}

/** A ZIP archive of stored (uncompressed) members, as `numpy.savez` writes (no ZIP64: members < 4 GiB). */
export function zipStore(members: { name: string; data: Uint8Array }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name, 'utf8');
    const crc = crc32(m.data);
    const local = Buffer.alloc(30 + name.length);
    local.writeUInt32LE(LOCAL_SIG, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(m.data.length, 18);
    local.writeUInt32LE(m.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    name.copy(local, 30);
    const cd = Buffer.alloc(46 + name.length);
    cd.writeUInt32LE(CENTRAL_SIG, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x800, 8);
    cd.writeUInt16LE(0, 10);
    cd.writeUInt16LE(0, 12);
    cd.writeUInt16LE(0x21, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(m.data.length, 20);
    cd.writeUInt32LE(m.data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    name.copy(cd, 46);
    parts.push(local, m.data);
    central.push(cd);
    offset += local.length + m.data.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(EOCD_SIG, 0);
  eocd.writeUInt16LE(members.length, 8);
  eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(cdSize, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, eocd]);
}
