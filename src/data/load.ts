/**
 * `load(file)`: one entry point for every supported data format, chosen by extension (or, for an unknown
 * extension, by the file's first bytes). `saveArray(file, array)`: the matching writers for one array.
 */
import { NdArray } from './ndarray.ts';
import { extensionOf, ioError, quote, readBytes } from './io.ts';
import { parseTable, writeTable, type ReadTableOptions } from './table.ts';
import { jsonToData, parseJsonText, writeJson } from './json.ts';
import { parseNpy, parseNpz, writeNpy } from './npy.ts';
import { parsePng, writeHeatmapPng, writePng16, type ReadPngOptions } from './png.ts';
import { parseTiff } from './tiff.ts';
import { parseFits, type FitsCard, type FitsValue } from './fits.ts';
import { ExprfitError } from '../core/index.ts';

export type DataFormat = 'csv' | 'tsv' | 'text' | 'json' | 'npy' | 'npz' | 'png' | 'tiff' | 'fits';

/** Extension -> format. `.fit` is deliberately absent: it is exprfit's script extension. */
export const EXTENSIONS: Readonly<Record<string, DataFormat>> = Object.freeze({
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.txt': 'text',
  '.dat': 'text',
  '.json': 'json',
  '.npy': 'npy',
  '.npz': 'npz',
  '.png': 'png',
  '.tif': 'tiff',
  '.tiff': 'tiff',
  '.fits': 'fits',
  '.fts': 'fits',
  '.fits.gz': 'fits',
  '.fts.gz': 'fits',
});

export interface LoadOptions extends ReadTableOptions, Omit<ReadPngOptions, 'grey'> {
  /** Force a format instead of going by the extension. */
  format?: DataFormat;
  /** npz: the array to read; JSON: a top-level member; tables (with `loadArray`): a column. */
  key?: string;
  /** FITS: HDU index (0 = primary) or EXTNAME. */
  hdu?: number | string;
  /** TIFF: one page (0-based). */
  page?: number;
  /** PNG/TIFF: colour -> luma. */
  grey?: boolean;
}

/** What `load` returns: one array, a table of named 1-D columns, or several named arrays. */
export type LoadedData =
  | {
      kind: 'array';
      format: DataFormat;
      array: NdArray;
      fits?: { cards: FitsCard[]; header: Record<string, FitsValue>; hdu: number; extname?: string };
    }
  | { kind: 'table'; format: DataFormat; columns: Record<string, NdArray>; names: string[] }
  | { kind: 'arrays'; format: DataFormat; arrays: Record<string, NdArray>; names: string[] };

function sniff(bytes: Uint8Array): DataFormat | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 16)).toString('latin1');
  if (head.startsWith('\x93NUMPY')) return 'npy';
  if (head.startsWith('PK\x03\x04') || head.startsWith('PK\x05\x06')) return 'npz';
  if (head.startsWith('\x89PNG')) return 'png';
  if (head.startsWith('II*\0') || head.startsWith('MM\0*')) return 'tiff';
  if (head.startsWith('SIMPLE  =') || (bytes[0] === 0x1f && bytes[1] === 0x8b)) return 'fits';
  return undefined;
}

const SUPPORTED = Object.keys(EXTENSIONS).join(' ');

/** Reads any supported data file (see `docs/formats.md`). */
export async function load(file: string, options: LoadOptions = {}): Promise<LoadedData> {
  const ext = extensionOf(file);
  if (!options.format && ext === '.fit') {
    throw ioError(file, `'.fit' is an exprfit script, not data; FITS images use .fits, .fts or .fits.gz`);
  }
  const bytes = await readBytes(file);
  const format = options.format ?? EXTENSIONS[ext] ?? sniff(bytes);
  if (!format) {
    throw ioError(
      file,
      `unknown data format${ext ? ` ${quote(ext)}` : ''}; supported extensions: ${SUPPORTED} (or pass a format)`,
    );
  }
  switch (format) {
    case 'csv':
    case 'tsv':
    case 'text': {
      let text = bytes.toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      const delimiter = options.delimiter ?? (format === 'csv' ? ',' : format === 'tsv' ? '\t' : undefined);
      const t = await parseTable(text, file, { ...options, delimiter });
      return { kind: 'table', format, columns: t.columns, names: t.names };
    }
    case 'json': {
      return { format, ...jsonToData(parseJsonText(bytes.toString('utf8'), file), file, options.key) };
    }
    case 'npy':
      return { kind: 'array', format, array: parseNpy(bytes, file) };
    case 'npz': {
      const z = parseNpz(bytes, file);
      if (options.key !== undefined) {
        const a = z.arrays[options.key];
        if (!a)
          throw ioError(
            file,
            `no array ${quote(options.key)}; the archive holds ${z.names.map((n) => quote(n)).join(', ')}`,
          );
        return { kind: 'array', format, array: a };
      }
      return { kind: 'arrays', format, arrays: z.arrays, names: z.names };
    }
    case 'png':
      return { kind: 'array', format, array: await parsePng(bytes, file, options) };
    case 'tiff':
      return { kind: 'array', format, array: await parseTiff(bytes, file, options) };
    case 'fits': {
      const f = parseFits(bytes, file, options);
      return {
        kind: 'array',
        format,
        array: f.array,
        fits: {
          cards: f.cards,
          header: f.header,
          hdu: f.hdu,
          ...(f.extname !== undefined ? { extname: f.extname } : {}),
        },
      };
    }
    default:
      throw new ExprfitError('option', `unknown format ${quote(String(format))}`);
  }
}

/**
 * One array from loaded data: an array as is; several arrays -> `key` or the first; a table -> the column `key`,
 * or all columns as a 2-D [rows, columns] array in column order.
 */
export function toArray(data: LoadedData, key?: string, file = 'data'): NdArray {
  switch (data.kind) {
    case 'array':
      return data.array;
    case 'arrays': {
      const name = key ?? data.names[0];
      const a = data.arrays[name];
      if (!a)
        throw ioError(
          file,
          `no array ${quote(name)}; it holds ${data.names.map((n) => quote(n)).join(', ')}`,
        );
      return a;
    }
    case 'table': {
      if (key !== undefined) {
        const c = data.columns[key];
        if (!c)
          throw ioError(
            file,
            `no column ${quote(key)}; the columns are ${data.names.map((n) => quote(n)).join(', ')}`,
          );
        return c;
      }
      const rows = data.names.length ? data.columns[data.names[0]].size : 0;
      const m = data.names.length;
      const out = new Float64Array(rows * m);
      data.names.forEach((n, j) => {
        const c = data.columns[n].data;
        for (let i = 0; i < rows; i++) out[i * m + j] = c[i];
      });
      return new NdArray(out, [rows, m]);
    }
  }
}

/** `load` then `toArray`: any data file as one array. */
export async function loadArray(file: string, options: LoadOptions = {}): Promise<NdArray> {
  return toArray(await load(file, options), options.key, file);
}

export interface SaveArrayOptions {
  /** Column name for 1-D arrays written as CSV/TSV (default `'value'`); 2-D arrays get `name_0`, `name_1`, ... */
  name?: string;
  /** PNG: a colour heatmap (default) or 16-bit grey with the scaling recorded. */
  png?: 'heatmap' | 'grey16';
  /** PNG: values mapped to the colormap ends / to 0..65535 (default min..max). */
  range?: readonly [number, number];
  /** PNG heatmap: colormap name (default viridis). */
  colormap?: string;
}

/** Writes one array by extension: `.npy`, `.json`, `.csv`/`.tsv`/`.txt` (1-D or 2-D), `.png` (2-D). */
export async function saveArray(file: string, array: NdArray, options: SaveArrayOptions = {}): Promise<void> {
  const ext = extensionOf(file);
  switch (ext) {
    case '.npy':
      return writeNpy(file, array);
    case '.json':
      return writeJson(file, array.toNested());
    case '.csv':
    case '.tsv':
    case '.txt': {
      const name = options.name ?? 'value';
      const delimiter = ext === '.tsv' ? '\t' : ext === '.txt' ? ' ' : ',';
      if (array.ndim <= 1) return writeTable(file, { [name]: array }, { delimiter });
      if (array.ndim === 2) {
        const [r, c] = array.shape;
        const cols: Record<string, Float64Array> = {};
        for (let j = 0; j < c; j++) {
          const col = new Float64Array(r);
          for (let i = 0; i < r; i++) col[i] = array.data[i * c + j];
          cols[`${name}_${j}`] = col;
        }
        return writeTable(file, cols, { delimiter });
      }
      throw new ExprfitError(
        'shape',
        `${file}: a text table holds 1-D or 2-D arrays; this one has shape [${array.shape.join(', ')}] (save it as .npy)`,
      );
    }
    case '.png':
      if (options.png === 'grey16') return writePng16(file, array, { range: options.range });
      return writeHeatmapPng(file, array, { range: options.range, colormap: options.colormap });
    default:
      throw ioError(
        file,
        `cannot save an array as ${quote(ext || '(no extension)')}; use .npy, .json, .csv, .tsv, .txt or .png`,
      );
  }
}
