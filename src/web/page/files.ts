/**
 * Data files chosen or dropped on the page, read in memory with exprfit's readers: CSV/TSV/TXT tables (their
 * columns), JSON, NPY, TIFF, FITS and PNG (decoded by the browser, as grey levels 0..255). An image becomes
 * `img` with its pixel-centre grids `x` (column) and `y` (row), as `x, y = grid(img)` in a script.
 */
import { ExprfitError } from '../../core/index.ts';
import {
  jsonToData,
  NdArray,
  parseFits,
  parseJsonText,
  parseNpy,
  parseTable,
  parseTiff,
} from '../../data/index.ts';

export interface LoadedData {
  data: Record<string, NdArray>;
  /** A model to start from, in the data's names. */
  model: string;
  /** Start values of its parameters (others start at 1). */
  starts: Record<string, number>;
  /** Script lines that read the same data from the file (next to the script). */
  load: string[];
}

function extension(name: string): string {
  const m = /\.([a-z0-9]+)$/i.exec(name);
  return m ? m[1].toLowerCase() : '';
}

/** ITU-R BT.601 luma; a grey pixel is its level. */
function luma(r: number, g: number, b: number): number {
  return r === g && g === b ? r : 0.299 * r + 0.587 * g + 0.114 * b;
}

/** A PNG as grey levels (ITU-R BT.601 luma of RGB), row 0 at the top. */
async function decodePng(bytes: Uint8Array): Promise<NdArray> {
  const bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type: 'image/png' }));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new ExprfitError('io', 'this browser cannot decode images (no 2-D canvas)');
  ctx.drawImage(bitmap, 0, 0);
  const px = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const out = new Float64Array(bitmap.width * bitmap.height);
  for (let i = 0; i < out.length; i++) out[i] = luma(px[4 * i], px[4 * i + 1], px[4 * i + 2]);
  return new NdArray(out, [bitmap.height, bitmap.width]);
}

/** Starts of the spot model: the brightest pixel, the image's levels, a width of a tenth of the image. */
function spotStarts(img: NdArray): Record<string, number> {
  const [h, w] = img.shape;
  const s = Math.max(1, Math.min(h, w) / 10);
  let top = -1;
  let lo = Infinity;
  for (let i = 0; i < img.size; i++) {
    const v = img.data[i];
    if (!Number.isFinite(v)) continue;
    if (top < 0 || v > img.data[top]) top = i;
    lo = Math.min(lo, v);
  }
  if (top < 0) return { A: 1, x0: (w - 1) / 2, y0: (h - 1) / 2, s, c: 0 };
  return { A: img.data[top] - lo, x0: top % w, y0: Math.floor(top / w), s, c: lo };
}

/** An image with its grids and a 2-D Gaussian spot model started from the image's size and levels. */
function imageData(img: NdArray, file: string): LoadedData {
  if (img.ndim !== 2) {
    throw new ExprfitError(
      'shape',
      `${file}: an image must be 2-D; this array has shape [${img.shape.join(', ')}]`,
    );
  }
  const [h, w] = img.shape;
  const x = new Float64Array(h * w).map((_, i) => i % w);
  const y = new Float64Array(h * w).map((_, i) => Math.floor(i / w));
  const model = `img = A*exp(-((x - x0)^2 + (y - y0)^2)/(2*s^2)) + c`;
  return {
    data: { img, x: new NdArray(x, [h, w]), y: new NdArray(y, [h, w]) },
    model,
    starts: spotStarts(img),
    load: [`img = load(${JSON.stringify(file)})`, 'x, y = grid(img)'],
  };
}

/** Columns with a straight line through the first two as a start. */
function tableData(columns: Record<string, NdArray>, names: readonly string[], file: string): LoadedData {
  if (names.length < 2)
    throw new ExprfitError('io', `${file}: the page needs at least two columns (x and y)`);
  const model = `${names[1]} = a*${names[0]} + b`;
  return { data: { ...columns }, model, starts: {}, load: [`data ${JSON.stringify(file)}`] };
}

function jsonData(text: string, file: string): LoadedData {
  const d = jsonToData(parseJsonText(text, file), file);
  if (d.kind === 'array') return imageData(d.array, file);
  return tableData(d.kind === 'table' ? d.columns : d.arrays, d.names, file);
}

/** Reads a data file by its extension. */
export async function readDataFile(file: string, bytes: Uint8Array): Promise<LoadedData> {
  const text = (): string => new TextDecoder().decode(bytes);
  switch (extension(file)) {
    case 'csv':
    case 'tsv':
    case 'txt':
    case 'dat': {
      const t = await parseTable(text(), file);
      return tableData(t.columns, t.names, file);
    }
    case 'json':
      return jsonData(text(), file);
    case 'npy':
      return imageData(parseNpy(bytes, file), file);
    case 'png':
      return imageData(await decodePng(bytes), file);
    case 'tif':
    case 'tiff':
      return imageData(await parseTiff(bytes, file), file);
    case 'fits':
    case 'fts':
      return imageData(parseFits(bytes, file).array, file);
    default:
      throw new ExprfitError(
        'io',
        `${file}: the page reads .csv, .tsv, .json, .npy, .png, .tif and .fits files`,
      );
  }
}
