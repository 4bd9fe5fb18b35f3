/**
 * TIFF images and stacks, decoded with the `tiff` package (loaded lazily); the cases that package does not decode
 * (32/64-bit integers, 16-bit floats, planar (separate-plane) files, tiled colour files, PackBits, the
 * floating-point predictor) are decoded here from the page directories it parsed.
 *
 * Shapes: one page -> [rows, cols], or [rows, cols, samples] for RGB(A)/multi-sample pages; several pages ->
 * [pages, rows, cols(, samples)] (all pages must agree; reduced-resolution thumbnails are skipped). Values are the
 * stored samples (signed and unsigned integers, floats); palette pages become RGB from the colour map (0..65535);
 * WhiteIsZero pages are inverted to BlackIsZero. Options: `page` picks one page; `grey` turns RGB into luma.
 */
import { NdArray } from './ndarray.ts';
import { checkFileArraySize, ioError, readBytes } from './io.ts';
import { inflateExact } from './zip.ts';
import type { TiffIfd } from 'tiff';

export interface ReadTiffOptions {
  /** Read only this page (0-based); default: all pages (a stack when there are several). */
  page?: number;
  /** RGB(A) pages -> luma 0.299 R + 0.587 G + 0.114 B. */
  grey?: boolean;
}

const TAG = {
  BitsPerSample: 258,
  SampleFormat: 339,
  ColorMap: 320,
} as const;

function bitsOf(ifd: TiffIfd): number[] {
  const b = ifd.get(TAG.BitsPerSample) as number | number[] | undefined;
  if (b === undefined) return [1];
  return typeof b === 'number' ? [b] : Array.from(b);
}

function formatOf(ifd: TiffIfd): number {
  const f = ifd.get(TAG.SampleFormat) as number | number[] | undefined;
  if (f === undefined) return 1;
  return typeof f === 'number' ? f : f[0];
}

/** Whether the `tiff` package decodes this page faithfully. */
function packageDecodes(ifd: TiffIfd): boolean {
  const bits = bitsOf(ifd);
  if (bits.some((b) => b !== bits[0])) return false;
  const b = bits[0];
  const fmt = formatOf(ifd);
  const spp = ifd.samplesPerPixel;
  const intOk = (b === 8 || b === 16) && (fmt === 1 || fmt === 2);
  const floatOk = (b === 32 || b === 64) && fmt === 3;
  const bitOk = b === 1 && spp === 1;
  if (!(intOk || floatOk || bitOk)) return false;
  if (spp > 1 && (ifd.planarConfiguration !== 1 || ifd.tiled)) return false;
  const pred = ifd.predictor;
  if (!(pred === 1 || (pred === 2 && (b === 8 || b === 16)))) return false;
  if (![1, 5, 8, 32946].includes(ifd.compression)) return false;
  if (ifd.fillOrder !== 1) return false;
  // Associated alpha would be un-premultiplied by the package: keep the stored samples instead.
  if (ifd.alpha && ifd.associatedAlpha) return false;
  return true;
}

/** TIFF LZW (MSB-first codes, 9..12 bits, early change). */
function lzwDecode(src: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let outPos = 0;
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const lengths = new Int32Array(4096);
  for (let i = 0; i < 256; i++) {
    suffix[i] = i;
    lengths[i] = 1;
    prefix[i] = -1;
  }
  let next = 258;
  let width = 9;
  let prev = -1;
  let bitPos = 0;
  const totalBits = src.length * 8;
  const emit = (code: number): number => {
    const len = lengths[code];
    let p = outPos + len - 1;
    let c = code;
    let first = 0;
    while (c >= 0) {
      if (p < expected) out[p] = suffix[c];
      first = suffix[c];
      c = prefix[c];
      p--;
    }
    outPos += len;
    return first;
  };
  while (bitPos + width <= totalBits && outPos < expected) {
    let code = 0;
    for (let i = 0; i < width; i++) {
      const byte = src[(bitPos + i) >> 3];
      code = (code << 1) | ((byte >> (7 - ((bitPos + i) & 7))) & 1);
    }
    bitPos += width;
    if (code === 257) break;
    if (code === 256) {
      next = 258;
      width = 9;
      prev = -1;
      continue;
    }
    if (prev < 0) {
      emit(code);
      prev = code;
      continue;
    }
    let first: number;
    if (code < next) {
      first = emit(code);
      if (next < 4096) {
        prefix[next] = prev;
        suffix[next] = first;
        lengths[next] = lengths[prev] + 1;
        next++;
      }
    } else {
      // KwKwK: the new code is prev + first char of prev.
      let c = prev;
      while (prefix[c] >= 0) c = prefix[c];
      first = suffix[c];
      if (next < 4096) {
        prefix[next] = prev;
        suffix[next] = first;
        lengths[next] = lengths[prev] + 1;
        next++;
      }
      emit(next - 1);
    }
    prev = code;
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  return out.subarray(0, Math.min(outPos, expected));
}

/** PackBits runs into at most `expected` bytes; a run cut short by the end of the data stops the output there. */
function packBitsDecode(src: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let i = 0;
  let o = 0;
  while (i < src.length && o < expected) {
    const n = (src[i++] << 24) >> 24;
    if (n >= 0) {
      const take = Math.min(n + 1, expected - o);
      out.set(src.subarray(i, i + take), o);
      o += Math.min(take, src.length - i);
      i += take;
    } else if (n !== -128) {
      if (i >= src.length) break;
      const v = src[i++];
      const take = Math.min(1 - n, expected - o);
      out.fill(v, o, o + take);
      o += take;
    }
  }
  return out.subarray(0, o);
}

/** Decodes one page the `tiff` package does not handle. Returns samples interleaved per pixel (chunky order). */
function decodePage(
  bytes: Uint8Array,
  ifd: TiffIfd,
  little: boolean,
  file: string,
  page: number,
): Float64Array {
  const fail = (what: string): never => {
    throw ioError(file, `page ${page}: ${what} is not supported`);
  };
  const w = ifd.width;
  const h = ifd.height;
  const spp = ifd.samplesPerPixel;
  const bits = bitsOf(ifd);
  if (bits.some((b) => b !== bits[0])) fail(`mixed bits per sample (${bits.join(', ')})`);
  const b = bits[0];
  const fmt = formatOf(ifd);
  const bytesPer = b / 8;
  if (!Number.isInteger(bytesPer) || bytesPer > 8) fail(`${b} bits per sample`);
  if (fmt === 3 ? ![2, 4, 8].includes(bytesPer) : fmt !== 1 && fmt !== 2)
    fail(`sample format ${fmt} with ${b} bits`);
  if (ifd.fillOrder !== 1) fail(`fill order ${ifd.fillOrder}`);
  const comp = ifd.compression;
  const pred = ifd.predictor;
  const planar = ifd.planarConfiguration === 2 && spp > 1;
  const segSpp = planar ? 1 : spp; // samples per pixel inside one strip/tile

  // Segments: [offset, byteCount, x0, y0, segWidth, segHeight, plane]
  const segs: [number, number, number, number, number, number, number][] = [];
  if (ifd.tiled) {
    const tw = ifd.tileWidth!;
    const th = ifd.tileHeight!;
    const offs = ifd.tileOffsets;
    const counts = ifd.tileByteCounts;
    const across = Math.ceil(w / tw);
    const down = Math.ceil(h / th);
    const per = across * down;
    for (let k = 0; k < offs.length; k++) {
      const plane = planar ? Math.floor(k / per) : 0;
      const t = k % per;
      segs.push([offs[k], counts[k], (t % across) * tw, Math.floor(t / across) * th, tw, th, plane]);
    }
  } else {
    const rps = Math.min(ifd.rowsPerStrip, h);
    const offs = ifd.stripOffsets;
    const counts = ifd.stripByteCounts;
    const per = Math.ceil(h / rps);
    for (let k = 0; k < offs.length; k++) {
      const plane = planar ? Math.floor(k / per) : 0;
      const s = k % per;
      segs.push([
        offs[k],
        counts?.[k] ?? bytes.length - offs[k],
        0,
        s * rps,
        w,
        Math.min(rps, h - s * rps),
        plane,
      ]);
    }
  }
  const out = new Float64Array(w * h * spp);
  for (const [off, count, x0, y0, sw, sh, plane] of segs) {
    if (off + count > bytes.length)
      throw ioError(file, `page ${page}: image data lies past the end of the file`);
    const raw = bytes.subarray(off, off + count);
    checkFileArraySize(file, `page ${page}: a ${sw}x${sh} strip or tile`, [sh, sw, segSpp]);
    const rowBytes = sw * segSpp * bytesPer;
    const expected = rowBytes * sh;
    let data: Uint8Array;
    try {
      if (comp === 1) data = raw;
      else if (comp === 8 || comp === 32946) data = inflateExact(raw, 'zlib', expected).bytes;
      else if (comp === 5) data = lzwDecode(raw, expected);
      else if (comp === 32773) data = packBitsDecode(raw, expected);
      else return fail(`compression ${comp}`);
    } catch (err) {
      throw ioError(file, `page ${page}: corrupt compressed data (${(err as Error).message})`, err);
    }
    if (data.length < expected) throw ioError(file, `page ${page}: truncated image data`);
    if (pred === 3) {
      // Floating-point predictor: bytes were split into planes (most significant first) and byte-differenced.
      if (fmt !== 3) fail('predictor 3 on integer samples');
      const fixed = new Uint8Array(expected);
      const n = sw * segSpp;
      for (let y = 0; y < sh; y++) {
        const row = data.slice(y * rowBytes, (y + 1) * rowBytes);
        for (let i = segSpp; i < rowBytes; i++) row[i] = (row[i] + row[i - segSpp]) & 255;
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < bytesPer; k++) {
            // plane k holds byte k of each sample, big-endian byte significance
            fixed[y * rowBytes + i * bytesPer + (little ? bytesPer - 1 - k : k)] = row[k * n + i];
          }
        }
      }
      data = fixed;
    } else if (pred !== 1 && pred !== 2) fail(`predictor ${pred}`);
    const view = new DataView(data.buffer, data.byteOffset, expected);
    const read = (p: number): number => {
      if (fmt === 3) {
        if (bytesPer === 4) return view.getFloat32(p, little);
        if (bytesPer === 8) return view.getFloat64(p, little);
        const hbits = view.getUint16(p, little);
        const s = hbits & 0x8000 ? -1 : 1;
        const e = (hbits >> 10) & 31;
        const f = hbits & 1023;
        return e === 0
          ? s * f * 2 ** -24
          : e === 31
            ? f
              ? NaN
              : s * Infinity
            : s * (1 + f / 1024) * 2 ** (e - 15);
      }
      const signed = fmt === 2;
      switch (bytesPer) {
        case 1:
          return signed ? view.getInt8(p) : view.getUint8(p);
        case 2:
          return signed ? view.getInt16(p, little) : view.getUint16(p, little);
        case 4:
          return signed ? view.getInt32(p, little) : view.getUint32(p, little);
        case 8:
          return Number(signed ? view.getBigInt64(p, little) : view.getBigUint64(p, little));
        default:
          return fail(`${b}-bit integers`);
      }
    };
    const at = (x: number, y: number, c: number): number =>
      ((y0 + y) * w + x0 + x) * spp + (planar ? plane : c);
    const cols = Math.min(sw, w - x0);
    const rows = Math.min(sh, h - y0);
    if (pred === 2) {
      // Horizontal differencing: each sample is stored as the difference to its left neighbour, modulo 2^bits.
      if (fmt === 3 || bytesPer === 8)
        fail(`predictor 2 with ${b}-bit ${fmt === 3 ? 'float' : 'integer'} samples`);
      const wrap = 2 ** b;
      const half = wrap / 2;
      for (let y = 0; y < rows; y++) {
        for (let c = 0; c < segSpp; c++) {
          let acc = 0;
          for (let x = 0; x < sw; x++) {
            const p = ((y * sw + x) * segSpp + c) * bytesPer;
            const u =
              bytesPer === 1
                ? view.getUint8(p)
                : bytesPer === 2
                  ? view.getUint16(p, little)
                  : view.getUint32(p, little);
            acc = x === 0 ? u : (acc + u) % wrap;
            if (x < cols) out[at(x, y, c)] = fmt === 2 && acc >= half ? acc - wrap : acc;
          }
        }
      }
    } else {
      for (let y = 0; y < rows; y++) {
        for (let x = 0; x < cols; x++) {
          for (let c = 0; c < segSpp; c++) out[at(x, y, c)] = read(((y * sw + x) * segSpp + c) * bytesPer);
        }
      }
    }
  }
  return out;
}

/**
 * Follows the chain of page directories (IFDs) before the `tiff` package parses it: every offset must lie in the
 * file and no directory may come twice (a loop would never end). Returns the number of directories.
 */
function checkIfdChain(bytes: Uint8Array, little: boolean, file: string): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw ioError(file, 'truncated TIFF header');
  const seen = new Set<number>();
  for (let off = view.getUint32(4, little); off !== 0;) {
    const page = seen.size;
    if (seen.has(off))
      throw ioError(file, `the directory of page ${page} points back to an earlier one (a loop)`);
    if (off + 2 > bytes.length)
      throw ioError(file, `the directory of page ${page} lies past the end of the file`);
    seen.add(off);
    const next = off + 2 + 12 * view.getUint16(off, little);
    if (next + 4 > bytes.length)
      throw ioError(file, `the directory of page ${page} runs past the end of the file`);
    off = view.getUint32(next, little);
  }
  return seen.size;
}

/** Decodes a TIFF held in memory (see the module comment). */
export async function parseTiff(
  bytes: Uint8Array,
  file = '<tiff>',
  options: ReadTiffOptions = {},
): Promise<NdArray> {
  const order = bytes.length >= 4 ? String.fromCharCode(bytes[0], bytes[1]) : '';
  if (order !== 'II' && order !== 'MM') throw ioError(file, 'not a TIFF file (bad byte-order mark)');
  const little = order === 'II';
  const version = little ? bytes[2] | (bytes[3] << 8) : (bytes[2] << 8) | bytes[3];
  if (version === 43) throw ioError(file, 'BigTIFF files are not supported');
  if (version !== 42) throw ioError(file, 'not a TIFF file (bad version number)');
  if (checkIfdChain(bytes, little, file) === 0) throw ioError(file, 'the file holds no images');
  const tiff = await import('tiff');
  const input = bytes;
  let ifds: TiffIfd[];
  try {
    ifds = tiff.decode(input, { ignoreImageData: true });
  } catch (err) {
    throw ioError(file, `cannot read TIFF directory: ${(err as Error).message}`, err);
  }
  let pages = ifds.map((ifd, i) => ({ ifd, i })).filter(({ ifd }) => !((ifd.newSubfileType ?? 0) & 1));
  if (options.page !== undefined) {
    const p = options.page;
    if (!Number.isInteger(p) || p < 0 || p >= ifds.length) {
      throw ioError(file, `page ${p} does not exist; the file has ${ifds.length} page(s) (0-based)`);
    }
    pages = [{ ifd: ifds[p], i: p }];
  }
  if (pages.length === 0) throw ioError(file, 'the file holds no images');
  const first = pages[0].ifd;
  for (const { ifd, i } of pages) {
    if (
      ifd.width !== first.width ||
      ifd.height !== first.height ||
      ifd.samplesPerPixel !== first.samplesPerPixel
    ) {
      throw ioError(
        file,
        `page ${i} is ${ifd.width}x${ifd.height}x${ifd.samplesPerPixel}, page ${pages[0].i} is ` +
          `${first.width}x${first.height}x${first.samplesPerPixel}: pages of different sizes cannot be stacked; ` +
          `read one with the page option`,
      );
    }
    const o = ifd.orientation;
    if (o !== undefined && o !== 1)
      throw ioError(file, `page ${i}: orientation ${o} is not supported (only 1)`);
    if (![0, 1, 2, 3].includes(ifd.type)) {
      throw ioError(file, `page ${i}: photometric interpretation ${ifd.type} is not supported`);
    }
  }
  const w = first.width;
  const h = first.height;
  const palette = first.type === 3;
  const spp = palette ? 3 : first.samplesPerPixel;
  const grey = options.grey === true && spp >= 3;
  const nch = grey ? 1 : spp;
  const pageSize = w * h * nch;
  const shape = nch === 1 ? [h, w] : [h, w, nch];
  const fullShape = pages.length === 1 ? shape : [pages.length, ...shape];
  checkFileArraySize(file, 'the TIFF image', [pages.length, h, w, Math.max(nch, first.samplesPerPixel)]);
  const out = new Float64Array(pageSize * pages.length);
  // One pass of the package over the whole file when it decodes every page (a stack); else page by page.
  let decodedAll: TiffIfd[] | undefined;
  if (pages.length > 1 && ifds.every((ifd) => packageDecodes(ifd))) {
    try {
      decodedAll = tiff.decode(input);
    } catch (err) {
      throw ioError(file, `cannot decode: ${(err as Error).message}`, err);
    }
  }
  for (let k = 0; k < pages.length; k++) {
    const { ifd, i } = pages[k];
    let samples: ArrayLike<number>;
    if (packageDecodes(ifd)) {
      let decoded: TiffIfd;
      try {
        decoded = decodedAll ? decodedAll[i] : tiff.decode(input, { pages: [i] })[0];
      } catch (err) {
        throw ioError(file, `page ${i}: cannot decode: ${(err as Error).message}`, err);
      }
      samples = decoded.data;
      const b = bitsOf(ifd)[0];
      if (formatOf(ifd) === 2 && (b === 8 || b === 16)) {
        samples =
          b === 8 ? new Int8Array(Uint8Array.from(samples)) : new Int16Array(Uint16Array.from(samples));
      }
    } else {
      samples = decodePage(input, ifd, little, file, i);
      if (ifd.type === 0 && formatOf(ifd) === 1) {
        const max = 2 ** bitsOf(ifd)[0] - 1;
        samples = Float64Array.from(samples, (v) => max - v);
      }
    }
    if (samples.length < w * h * ifd.samplesPerPixel) throw ioError(file, `page ${i}: truncated image data`);
    if (palette) {
      const map = ifd.get(TAG.ColorMap) as number[] | undefined;
      if (!map) throw ioError(file, `page ${i}: palette image without a colour map`);
      const n = map.length / 3;
      const rgb = new Float64Array(w * h * 3);
      for (let p = 0; p < w * h; p++) {
        const idx = samples[p];
        rgb[3 * p] = map[idx];
        rgb[3 * p + 1] = map[idx + n];
        rgb[3 * p + 2] = map[idx + 2 * n];
      }
      samples = rgb;
    }
    const base = k * pageSize;
    if (grey) {
      for (let p = 0; p < w * h; p++) {
        out[base + p] =
          0.299 * samples[p * spp] + 0.587 * samples[p * spp + 1] + 0.114 * samples[p * spp + 2];
      }
    } else {
      for (let p = 0; p < pageSize; p++) out[base + p] = samples[p];
    }
  }
  return new NdArray(out, fullShape);
}

/** Reads a TIFF image or multi-page stack into an NdArray (see the module comment). */
export async function readTiff(file: string, options: ReadTiffOptions = {}): Promise<NdArray> {
  return parseTiff(await readBytes(file), file, options);
}
