/**
 * exprfit data layer: NdArray, file readers and writers, fit plots. Heavy libraries (pngjs, tiff, csv-parse, vega,
 * vega-lite, resvg) are imported only when a function needing them runs. Formats and conventions:
 * docs/formats.md.
 */
export { NdArray, broadcastShapes } from './ndarray.ts';
export { load, loadArray, toArray, saveArray, EXTENSIONS } from './load.ts';
export type { LoadedData, LoadOptions, DataFormat, SaveArrayOptions } from './load.ts';
export { readTable, parseTable, writeTable, formatTable, parseCell, formatNumber } from './table.ts';
export type { Table, ReadTableOptions, WriteTableOptions, ColumnData } from './table.ts';
export { readJson, parseJsonText, jsonToData, writeJson, formatJson, toJsonValue } from './json.ts';
export type { JsonData, JsonWriteOptions, NonFinite } from './json.ts';
export {
  readNpy,
  parseNpy,
  parseNpyHeader,
  writeNpy,
  encodeNpy,
  readNpz,
  parseNpz,
  writeNpz,
} from './npy.ts';
export type { NpyHeader, NpzContents } from './npy.ts';
export {
  readPng,
  parsePng,
  writeHeatmapPng,
  encodeHeatmapPng,
  heatmapRgba,
  writePng16,
  encodePng16,
  encodeRgbaPng,
  pngTextChunks,
} from './png.ts';
export type { ReadPngOptions, HeatmapOptions } from './png.ts';
export { readTiff, parseTiff } from './tiff.ts';
export type { ReadTiffOptions } from './tiff.ts';
export { readFits, parseFits, listFitsHdus, fitsHdus } from './fits.ts';
export type { FitsImage, FitsCard, FitsHdu, FitsValue, ReadFitsOptions } from './fits.ts';
export { VIRIDIS, GREY, COLORMAPS, colorize, finiteRange } from './colormap.ts';
export type { Colormap } from './colormap.ts';
export { plotFit, plotSvg, plotSpec, svgToPng, hasSystemFonts } from './plot.ts';
export type { PlotSpec, Plot1DSpec, Plot2DSpec, PlotOptions, PlotResult } from './plot.ts';
export { ioError } from './io.ts';
