/**
 * PNG images (pngjs, loaded lazily).
 *
 * Reading keeps the stored sample values (0..255 for 8-bit, 0..65535 for 16-bit, 0..2^d-1 for 1/2/4-bit grey):
 * grey and grey+alpha -> [rows, cols]; RGB, RGBA and palette images -> [rows, cols, 3]. Options: `alpha` keeps an
 * alpha channel as the last channel when the file has one; `grey` turns colour into luma
 * (0.299 R + 0.587 G + 0.114 B, ITU-R BT.601, as PIL's `convert('L')` before rounding); `normalize` divides by
 * the largest sample value (so values lie in 0..1). Row 0 is the top row of the picture.
 *
 * Writing: `writeHeatmapPng` maps values through a colormap (viridis by default) over min..max or a given range;
 * `writePng16` stores values as 16-bit grey scaled to 0..65535 and records the scaling in `tEXt` chunks
 * `exprfit:offset` and `exprfit:scale` (value = offset + scale * sample), which `readPng` applies when present
 * (unless `raw`), so a write -> read round trip returns the values to within scale/2. NaN is written as a
 * transparent pixel (grey+alpha) and read back as NaN.
 */
import { NdArray } from './ndarray.ts';
import { crc32, inflateExact } from './zip.ts';
import { colorize, COLORMAPS, finiteRange, type Colormap } from './colormap.ts';
import { checkFileArraySize, ioError, quote, readBytes, writeBytes } from './io.ts';
import { ExprfitError } from '../core/index.ts';

type PngModule = typeof import('pngjs');
let pngModule: Promise<PngModule['PNG']> | undefined;
/** pngjs, imported on first use. */
async function loadPng(): Promise<PngModule['PNG']> {
  pngModule ??= import('pngjs').then((m) => m.PNG ?? (m as unknown as { default: PngModule }).default.PNG);
  return pngModule;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export interface ReadPngOptions {
  /** Colour images -> luma [rows, cols]. */
  grey?: boolean;
  /** Keep the alpha channel (as the last channel) when the file has one. */
  alpha?: boolean;
  /** Divide by the largest sample value (255, 65535, ...): values in 0..1. */
  normalize?: boolean;
  /** Ignore the `exprfit:offset`/`exprfit:scale` chunks written by `writePng16`. */
  raw?: boolean;
}

/** The `tEXt` chunks of a PNG as keyword -> text (Latin-1). */
export function pngTextChunks(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 8;
  while (p + 12 <= bytes.length) {
    const len = view.getUint32(p);
    const type = String.fromCharCode(bytes[p + 4], bytes[p + 5], bytes[p + 6], bytes[p + 7]);
    const start = p + 8;
    if (start + len > bytes.length) break;
    if (type === 'tEXt') {
      const chunk = bytes.subarray(start, start + len);
      const nul = chunk.indexOf(0);
      if (nul > 0) {
        out[Buffer.from(chunk.subarray(0, nul)).toString('latin1')] = Buffer.from(
          chunk.subarray(nul + 1),
        ).toString('latin1');
      }
    }
    if (type === 'IEND') break;
    p = start + len + 4; // tEXt may come before or after IDAT
  }
  return out;
}

/** A PNG with `tEXt` chunks inserted right after IHDR. */
export function insertPngText(png: Uint8Array, entries: Record<string, string>): Uint8Array {
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(entries)) {
    if (!/^[\x20-\x7e]{1,79}$/.test(k))
      throw new ExprfitError('value', `invalid PNG text keyword ${quote(k)}`);
    const data = Buffer.concat([Buffer.from(k, 'latin1'), Buffer.of(0), Buffer.from(v, 'latin1')]);
    const c = Buffer.alloc(12 + data.length);
    c.writeUInt32BE(data.length, 0);
    c.write('tEXt', 4, 'latin1');
    data.copy(c, 8);
    c.writeUInt32BE(crc32(c, 4, 8 + data.length), 8 + data.length);
    chunks.push(c);
  }
  const ihdrEnd = 8 + 12 + 13;
  return Buffer.concat([png.subarray(0, ihdrEnd), ...chunks, png.subarray(ihdrEnd)]);
}

const SAMPLES_PER_PIXEL: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** The bytes of filtered scanlines an image of this header inflates to (each row: a filter byte + samples). */
function scanlineBytes(w: number, h: number, bitsPerPixel: number, interlaced: boolean): number {
  const rows = (pw: number, ph: number): number =>
    pw > 0 && ph > 0 ? ph * (1 + Math.ceil((pw * bitsPerPixel) / 8)) : 0;
  if (!interlaced) return rows(w, h);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) total += rows(Math.ceil((w - x0) / dx), Math.ceil((h - y0) / dy));
  return total;
}

/**
 * Checks a PNG before it is decoded: its size against the array limit (from IHDR, before any allocation), and
 * that its compressed pixel data holds every scanline (a cut-short file must not read as zeros). Chunk layouts
 * it does not understand are left to the decoder's own errors.
 */
function checkPng(bytes: Uint8Array, file: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 33 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return;
  const w = view.getUint32(16);
  const h = view.getUint32(20);
  const depth = bytes[24];
  const spp = SAMPLES_PER_PIXEL[bytes[25]];
  if (spp === undefined || ![1, 2, 4, 8, 16].includes(depth)) return;
  checkFileArraySize(file, 'the PNG image', spp === 1 ? [h, w] : [h, w, spp]);
  const idat: Uint8Array[] = [];
  for (let p = 8; p + 12 <= bytes.length;) {
    const len = view.getUint32(p);
    const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
    if (type === 'IDAT') idat.push(bytes.subarray(p + 8, Math.min(p + 8 + len, bytes.length)));
    if (type === 'IEND') break;
    p += 12 + len;
  }
  const expected = scanlineBytes(w, h, depth * spp, bytes[28] === 1);
  let got: number;
  try {
    got = inflateExact(Buffer.concat(idat), 'zlib', expected).bytes.length;
  } catch (err) {
    throw ioError(file, `corrupt or truncated pixel data (${(err as Error).message})`, err);
  }
  if (got < expected) {
    throw ioError(file, `truncated pixel data: ${got} of the ${expected} bytes a ${w}x${h} image needs`);
  }
}

/** Decodes a PNG held in memory (see the module comment for shapes and options). */
export async function parsePng(
  bytes: Uint8Array,
  file = '<png>',
  options: ReadPngOptions = {},
): Promise<NdArray> {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw ioError(file, 'not a PNG file (bad signature)');
  }
  checkPng(bytes, file);
  const PNG = await loadPng();
  let img: {
    width: number;
    height: number;
    depth: number;
    colorType: number;
    data: Uint8Array | Uint16Array;
    transColor?: number[];
    alpha?: boolean;
  };
  try {
    img = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      skipRescale: true,
    }) as unknown as typeof img;
  } catch (err) {
    throw ioError(file, `cannot decode PNG: ${(err as Error).message}`, err);
  }
  const { width: w, height: h, depth, colorType } = img;
  const src = img.data; // RGBA, 4 samples per pixel, at the stored depth
  const n = w * h;
  const maxSample = colorType === 3 ? 255 : 2 ** depth - 1;
  // pngjs zeroes every channel of a tRNS-transparent pixel; restore the stored colour (alpha 0 marks them).
  const trans = img.transColor;
  const isColor = colorType === 2 || colorType === 3 || colorType === 6;
  const hasAlpha = colorType === 4 || colorType === 6 || trans !== undefined || img.alpha === true;
  const text = pngTextChunks(bytes);
  const offset = Number(text['exprfit:offset']);
  const scale = Number(text['exprfit:scale']);
  const scaled = !options.raw && !isColor && Number.isFinite(offset) && Number.isFinite(scale);

  const keepAlpha = options.alpha === true && hasAlpha && !scaled;
  const grey = !isColor || options.grey === true;
  const nch = (grey ? 1 : 3) + (keepAlpha ? 1 : 0);
  const out = new Float64Array(n * nch);
  const norm = options.normalize && !scaled ? 1 / maxSample : 1;
  for (let i = 0, p = 0, q = 0; i < n; i++, p += 4, q += nch) {
    let r = src[p];
    let g = src[p + 1];
    let b = src[p + 2];
    const a = src[p + 3];
    if (trans && a === 0 && colorType !== 3) {
      r = trans[0];
      g = trans.length === 3 ? trans[1] : trans[0];
      b = trans.length === 3 ? trans[2] : trans[0];
    }
    if (grey) {
      let v = isColor ? 0.299 * r + 0.587 * g + 0.114 * b : r;
      if (scaled) v = hasAlpha && a === 0 ? NaN : offset + scale * v;
      out[q] = v * norm;
    } else {
      out[q] = r * norm;
      out[q + 1] = g * norm;
      out[q + 2] = b * norm;
    }
    if (keepAlpha) out[q + nch - 1] = a * norm;
  }
  return new NdArray(out, nch === 1 ? [h, w] : [h, w, nch]);
}

/** Reads a PNG image into an NdArray (see the module comment). */
export async function readPng(file: string, options: ReadPngOptions = {}): Promise<NdArray> {
  return parsePng(await readBytes(file), file, options);
}

function image2d(array: NdArray, what: string): [number, number] {
  if (array.ndim !== 2 || array.shape[0] === 0 || array.shape[1] === 0) {
    throw new ExprfitError(
      'shape',
      `${what} needs a non-empty 2-D array [rows, cols]; got shape [${array.shape.join(', ')}]`,
    );
  }
  return [array.shape[0], array.shape[1]];
}

export interface HeatmapOptions {
  /** Values mapped to the ends of the colormap; default the finite min..max. */
  range?: readonly [number, number];
  /** `'viridis'` (default), `'grey'`, or a 256-entry 0xRRGGBB table. */
  colormap?: string | Colormap;
  /** Integer upscaling factor (each value becomes scale x scale pixels); default 1. */
  scale?: number;
}

function resolveColormap(c: string | Colormap | undefined): Colormap {
  if (c === undefined) return COLORMAPS.viridis;
  if (typeof c === 'string') {
    const m = COLORMAPS[c.toLowerCase()];
    if (!m) {
      throw new ExprfitError(
        'option',
        `unknown colormap ${quote(c)}; known: ${Object.keys(COLORMAPS).join(', ')}`,
      );
    }
    return m;
  }
  if (c.length !== 256) throw new ExprfitError('option', 'a colormap table needs 256 entries');
  return c;
}

/** RGBA bytes of a heatmap of a 2-D array, and the range used. Row 0 is the top row. */
export function heatmapRgba(
  array: NdArray,
  options: HeatmapOptions = {},
): { rgba: Uint8Array; width: number; height: number; range: [number, number] } {
  const [h, w] = image2d(array, 'a heatmap');
  const k = options.scale ?? 1;
  if (!Number.isInteger(k) || k < 1 || k > 64) {
    throw new ExprfitError('option', `heatmap scale must be an integer from 1 to 64, got ${k}`);
  }
  let [lo, hi] = options.range ? [options.range[0], options.range[1]] : finiteRange(array.data);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  const small = colorize(array.data, lo, hi, resolveColormap(options.colormap));
  if (k === 1) return { rgba: small, width: w, height: h, range: [lo, hi] };
  const W = w * k;
  const rgba = new Uint8Array(W * h * k * 4);
  const src32 = new Uint32Array(small.buffer, small.byteOffset, w * h);
  const dst32 = new Uint32Array(rgba.buffer);
  for (let y = 0; y < h * k; y++) {
    const row = ((y / k) | 0) * w;
    const o = y * W;
    for (let x = 0; x < W; x++) dst32[o + x] = src32[row + ((x / k) | 0)];
  }
  return { rgba, width: W, height: h * k, range: [lo, hi] };
}

/** Encodes 8-bit RGBA bytes as a PNG (RGB when fully opaque). */
export async function encodeRgbaPng(
  rgba: Uint8Array,
  width: number,
  height: number,
  text?: Record<string, string>,
): Promise<Uint8Array> {
  const PNG = await loadPng();
  let opaque = true;
  for (let i = 3; i < rgba.length; i += 4) {
    if (rgba[i] !== 255) {
      opaque = false;
      break;
    }
  }
  const data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  const png = PNG.sync.write({ width, height, data } as never, {
    colorType: opaque ? 2 : 6,
    inputColorType: 6,
    inputHasAlpha: true,
    bitDepth: 8,
  });
  return text ? insertPngText(png, text) : png;
}

/** PNG bytes of a heatmap (see `writeHeatmapPng`). */
export async function encodeHeatmapPng(array: NdArray, options: HeatmapOptions = {}): Promise<Uint8Array> {
  const { rgba, width, height, range } = heatmapRgba(array, options);
  const cmap =
    typeof options.colormap === 'string' ? options.colormap : options.colormap ? 'custom' : 'viridis';
  return encodeRgbaPng(rgba, width, height, {
    'exprfit:range': `${range[0]} ${range[1]}`,
    'exprfit:colormap': cmap,
  });
}

/**
 * Writes a 2-D array as a colour heatmap PNG (viridis by default), auto-scaled over the finite min..max or over
 * `range`; NaN pixels are transparent. The range and colormap are recorded in `tEXt` chunks `exprfit:range`
 * ("lo hi") and `exprfit:colormap`.
 */
export async function writeHeatmapPng(
  file: string,
  array: NdArray,
  options: HeatmapOptions = {},
): Promise<void> {
  await writeBytes(file, await encodeHeatmapPng(array, options));
}

/** PNG bytes of a 16-bit grey image of a 2-D array (see `writePng16`). */
export async function encodePng16(
  array: NdArray,
  options: { range?: readonly [number, number] } = {},
): Promise<Uint8Array> {
  const [h, w] = image2d(array, 'a 16-bit PNG');
  let [lo, hi] = options.range ? [options.range[0], options.range[1]] : finiteRange(array.data);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  const scale = hi > lo ? (hi - lo) / 65535 : 1;
  const d = array.data;
  let hasNaN = false;
  for (let i = 0; i < d.length; i++) {
    if (Number.isNaN(d[i])) {
      hasNaN = true;
      break;
    }
  }
  const nch = hasNaN ? 2 : 1;
  const samples = new Uint16Array(w * h * nch);
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    let s = Math.round((v - lo) / scale);
    if (!(s >= 0)) s = 0;
    else if (s > 65535) s = 65535;
    if (hasNaN) {
      samples[2 * i] = Number.isNaN(v) ? 0 : s;
      samples[2 * i + 1] = Number.isNaN(v) ? 0 : 65535;
    } else samples[i] = s;
  }
  const PNG = await loadPng();
  // pngjs takes 16-bit input as host-order Uint16 values in a Buffer.
  const data = Buffer.from(samples.buffer);
  const png = PNG.sync.write({ width: w, height: h, data } as never, {
    colorType: hasNaN ? 4 : 0,
    inputColorType: hasNaN ? 4 : 0,
    inputHasAlpha: hasNaN,
    bitDepth: 16,
  });
  return insertPngText(png, { 'exprfit:offset': String(lo), 'exprfit:scale': String(scale) });
}

/**
 * Writes a 2-D array as a 16-bit grey PNG: `range` (default the finite min..max) is mapped linearly onto
 * 0..65535 and recorded in `tEXt` chunks (`exprfit:offset`, `exprfit:scale`: value = offset + scale * sample);
 * NaN pixels are transparent (the file is then grey+alpha).
 */
export async function writePng16(
  file: string,
  array: NdArray,
  options: { range?: readonly [number, number] } = {},
): Promise<void> {
  await writeBytes(file, await encodePng16(array, options));
}
