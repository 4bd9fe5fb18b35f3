/**
 * Multi-page TIFF files as stacks read one page at a time (see src/data/stack.ts): opening follows the chain of
 * page directories (reading only them); a frame is read by copying its directory, the values it points to and
 * its strips or tiles into a one-page TIFF in memory, which `parseTiff` decodes. Reduced-resolution pages
 * (thumbnails) are skipped; every frame must have the size of the first.
 */
import type { FileHandle } from 'node:fs/promises';
import { ioError } from './io.ts';
import type { NdArray } from './ndarray.ts';
import { checkFrameIndex, openForReading, readAt, truncatedFrame, type FrameStack } from './stackFile.ts';
import { parseTiff } from './tiff.ts';

/** Bytes per value of each TIFF field type (1 BYTE ... 13 IFD). */
const TYPE_SIZE = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];

const TAG_NEW_SUBFILE = 254;
/** Tags holding the offsets of image data, with the tag of their byte counts. */
const DATA_TAGS = new Map([
  [273, 279],
  [324, 325],
]);

interface Entry {
  readonly tag: number;
  readonly type: number;
  readonly count: number;
  /** The value bytes (inline or read from where the entry points). */
  readonly bytes: Uint8Array;
}

interface Layout {
  readonly file: string;
  readonly handle: FileHandle;
  readonly size: number;
  readonly little: boolean;
}

function typeSize(type: number, file: string, where: string): number {
  const s = TYPE_SIZE[type];
  if (!s) throw ioError(file, `${where}: unknown TIFF field type ${type}`);
  return s;
}

async function readExact(t: Layout, at: number, n: number, what: string): Promise<Uint8Array> {
  const b = at + n <= t.size ? await readAt(t.handle, at, n) : new Uint8Array(0);
  if (b.length < n) throw ioError(t.file, `the stack is truncated: ${what} lies past the end of the file`);
  return b;
}

/** The entries of the directory at `off` and the offset of the next one. */
async function readIfd(t: Layout, off: number, page: number): Promise<{ entries: Entry[]; next: number }> {
  const where = `the directory of page ${page}`;
  const head = await readExact(t, off, 2, where);
  const n = new DataView(head.buffer).getUint16(0, t.little);
  const raw = await readExact(t, off + 2, 12 * n + 4, where);
  const v = new DataView(raw.buffer);
  const entries: Entry[] = [];
  for (let i = 0; i < n; i++) {
    const p = 12 * i;
    const tag = v.getUint16(p, t.little);
    const type = v.getUint16(p + 2, t.little);
    const count = v.getUint32(p + 4, t.little);
    const len = typeSize(type, t.file, where) * count;
    const bytes =
      len <= 4
        ? raw.slice(p + 8, p + 8 + len)
        : await readExact(t, v.getUint32(p + 8, t.little), len, `a value of ${where}`);
    entries.push({ tag, type, count, bytes });
  }
  return { entries, next: v.getUint32(12 * n, t.little) };
}

function numbers(e: Entry, little: boolean): number[] {
  const v = new DataView(e.bytes.buffer, e.bytes.byteOffset, e.bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i < e.count; i++)
    out.push(e.type === 3 ? v.getUint16(2 * i, little) : v.getUint32(4 * i, little));
  return out;
}

/** Whether a directory is a reduced-resolution page (a thumbnail), which a stack skips. */
function isThumbnail(entries: readonly Entry[], little: boolean): boolean {
  const e = entries.find((x) => x.tag === TAG_NEW_SUBFILE);
  return e !== undefined && (numbers(e, little)[0] & 1) === 1;
}

/** The offsets of the frames' directories (thumbnails left out); a loop of directories is an error. */
async function pageDirectories(t: Layout, first: number): Promise<number[]> {
  const seen = new Set<number>();
  const pages: number[] = [];
  for (let off = first; off !== 0;) {
    if (seen.has(off))
      throw ioError(t.file, `the directory of page ${seen.size} points back to an earlier one (a loop)`);
    seen.add(off);
    const { entries, next } = await readIfd(t, off, seen.size - 1);
    if (!isThumbnail(entries, t.little)) pages.push(off);
    off = next;
  }
  if (pages.length === 0) throw ioError(t.file, 'the file holds no images');
  return pages;
}

/** The data segments (strips or tiles) of a page, read from the file. */
async function segments(
  t: Layout,
  entries: readonly Entry[],
  k: number,
  count: number,
): Promise<Uint8Array[]> {
  const offsets = entries.find((e) => DATA_TAGS.has(e.tag));
  if (!offsets) throw ioError(t.file, `frame ${k}: the page has no image data offsets`);
  const countsEntry = entries.find((e) => e.tag === DATA_TAGS.get(offsets.tag));
  if (!countsEntry) throw ioError(t.file, `frame ${k}: the page has no image data byte counts`);
  const offs = numbers(offsets, t.little);
  const lens = numbers(countsEntry, t.little);
  const out: Uint8Array[] = [];
  for (let i = 0; i < offs.length; i++) {
    const bytes = offs[i] < t.size ? await readAt(t.handle, offs[i], lens[i] ?? 0) : new Uint8Array(0);
    if (bytes.length < (lens[i] ?? 0)) {
      const need = lens.reduce((a, b) => a + b, 0);
      const got = out.reduce((a, b) => a + b.length, 0) + bytes.length;
      throw truncatedFrame(t.file, k, count, need, got);
    }
    out.push(bytes);
  }
  return out;
}

/** A one-page TIFF: header, the directory (offsets as LONG), the out-of-line values, then the data. */
function onePageTiff(entries: readonly Entry[], data: readonly Uint8Array[], little: boolean): Uint8Array {
  const dataTag = entries.find((e) => DATA_TAGS.has(e.tag))!.tag;
  const fixed = entries.map((e) =>
    e.tag === dataTag ? { ...e, type: 4, count: data.length, bytes: new Uint8Array(4 * data.length) } : e,
  );
  const ifdSize = 2 + 12 * fixed.length + 4;
  const outOfLine = fixed.reduce(
    (a, e) => a + (e.bytes.length > 4 ? e.bytes.length + (e.bytes.length & 1) : 0),
    0,
  );
  const dataStart = 8 + ifdSize + outOfLine;
  const total = dataStart + data.reduce((a, b) => a + b.length, 0);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set(little ? [0x49, 0x49] : [0x4d, 0x4d], 0);
  v.setUint16(2, 42, little);
  v.setUint32(4, 8, little);
  writeData(out, fixed, dataTag, data, dataStart, little);
  writeDirectory(out, v, fixed, 8 + ifdSize, little);
  return out;
}

function writeData(
  out: Uint8Array,
  entries: readonly Entry[],
  dataTag: number,
  data: readonly Uint8Array[],
  start: number,
  little: boolean,
): void {
  const offs = entries.find((e) => e.tag === dataTag)!.bytes;
  const ov = new DataView(offs.buffer);
  let at = start;
  data.forEach((d, i) => {
    ov.setUint32(4 * i, at, little);
    out.set(d, at);
    at += d.length;
  });
}

function writeDirectory(
  out: Uint8Array,
  v: DataView,
  entries: readonly Entry[],
  valuesAt: number,
  little: boolean,
): void {
  v.setUint16(8, entries.length, little);
  let at = valuesAt;
  entries.forEach((e, i) => {
    const p = 10 + 12 * i;
    v.setUint16(p, e.tag, little);
    v.setUint16(p + 2, e.type, little);
    v.setUint32(p + 4, e.count, little);
    if (e.bytes.length <= 4) out.set(e.bytes, p + 8);
    else {
      v.setUint32(p + 8, at, little);
      out.set(e.bytes, at);
      at += e.bytes.length + (e.bytes.length & 1);
    }
  });
  v.setUint32(10 + 12 * entries.length, 0, little);
}

async function tiffLayout(
  file: string,
  handle: FileHandle,
  size: number,
): Promise<{ t: Layout; first: number }> {
  const head = size >= 8 ? await readAt(handle, 0, 8) : new Uint8Array(0);
  const order = head.length === 8 ? String.fromCharCode(head[0], head[1]) : '';
  if (order !== 'II' && order !== 'MM') throw ioError(file, 'not a TIFF file (bad byte-order mark)');
  const little = order === 'II';
  const v = new DataView(head.buffer);
  const version = v.getUint16(2, little);
  if (version === 43) throw ioError(file, 'BigTIFF files are not supported');
  if (version !== 42) throw ioError(file, 'not a TIFF file (bad version number)');
  return { t: { file, handle, size, little }, first: v.getUint32(4, little) };
}

/** The number of pages of a TIFF file, thumbnails left out (only the page directories are read). */
export async function tiffPageCount(file: string): Promise<number> {
  const { handle, size } = await openForReading(file);
  try {
    const { t, first } = await tiffLayout(file, handle, size);
    return (await pageDirectories(t, first)).length;
  } finally {
    await handle.close();
  }
}

/** Opens a TIFF file as a stack of its pages (only the page directories are read here). */
export async function openTiffStack(file: string): Promise<FrameStack> {
  const { handle, size } = await openForReading(file);
  try {
    const { t, first } = await tiffLayout(file, handle, size);
    const pages = await pageDirectories(t, first);
    const count = pages.length;
    const decode = async (k: number): Promise<NdArray> => {
      checkFrameIndex(file, k, count);
      const { entries } = await readIfd(t, pages[k], k);
      const mini = onePageTiff(entries, await segments(t, entries, k, count), t.little);
      return parseTiff(mini, `${file} (frame ${k})`);
    };
    const frame0 = await decode(0);
    if (frame0.ndim !== 2) {
      throw ioError(
        file,
        `a stack needs grey frames [rows, cols]; frame 0 has shape [${frame0.shape.join(', ')}]`,
      );
    }
    const frameShape: [number, number] = [frame0.shape[0], frame0.shape[1]];
    const read = async (k: number): Promise<NdArray> => {
      const f = await decode(k);
      if (f.ndim !== 2 || f.shape[0] !== frameShape[0] || f.shape[1] !== frameShape[1]) {
        throw ioError(
          file,
          `frame ${k} has shape [${f.shape.join(', ')}], frame 0 [${frameShape.join(', ')}]: frames of a stack must agree`,
        );
      }
      return f;
    };
    return { file, count, frameShape, read, close: () => handle.close() };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
