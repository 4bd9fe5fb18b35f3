/**
 * The vega-lite specifications of fit plots (described in plot.ts), without rendering: browser-safe, so the CLI's
 * plots (plot.ts renders them to SVG and PNG) and the web page (src/web) draw the same descriptions. What
 * differs between the two is a {@link PlotEnv}: vega's colour schemes and how a heatmap becomes a PNG data URL.
 */
import { NdArray } from './ndarray.ts';
import { colorize, finiteRange } from './colormap.ts';
import { quote } from './io.ts';
import { ExprfitError } from '../core/index.ts';
import { cornerSection, regionSection } from './plotPosterior.ts';
import type { PlotCornerSpec, PlotRegionSpec } from './plotPosterior.ts';

/** What drawing heatmaps needs from the platform: vega's colour schemes and a PNG encoder. */
export interface PlotEnv {
  /** vega's `scheme(name)`: t in 0..1 to a CSS colour. */
  scheme(name: string): (t: number) => string;
  /** RGBA pixels (rows from the top) as a `data:image/png;base64,` URL. */
  pngUrl(rgba: Uint8Array, width: number, height: number): Promise<string>;
}

/** A 1-D fit: data (x, y), the model at the data x, optionally a dense model curve and per-point sigma. */
export interface Plot1DSpec {
  kind: '1d';
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** The model evaluated at `x` (residuals are y - model). */
  model: ArrayLike<number>;
  /** A dense model curve; default: the model at the data x, sorted by x. */
  curveX?: ArrayLike<number>;
  curveY?: ArrayLike<number>;
  /** Error bars (one standard deviation) on the data. */
  sigma?: ArrayLike<number>;
  /** A band around the model (e.g. its confidence band): drawn shaded under the model curve. */
  band?: ModelBand;
  xLabel?: string;
  yLabel?: string;
  title?: string;
}

/** The limits of a band around the model at the points `x`. */
export interface ModelBand {
  x: ArrayLike<number>;
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
}

/** A 2-D fit: data and model of the same 2-D shape [rows, cols]. */
export interface Plot2DSpec {
  kind: '2d';
  data: NdArray;
  model: NdArray;
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** The x of the first and the last column's centre (default [0, cols - 1]: pixel coordinates). */
  xCoords?: readonly [number, number];
  /** The y of the first and the last row's centre (default [0, rows - 1]); row 0 is drawn at the top. */
  yCoords?: readonly [number, number];
}

/**
 * Data that depend on several variables but are no grid: data against model (points on the line data = model
 * fit well), and the residuals by point index.
 */
export interface PlotCompareSpec {
  kind: 'compare';
  y: ArrayLike<number>;
  model: ArrayLike<number>;
  /** Error bars (one standard deviation) on the data. */
  sigma?: ArrayLike<number>;
  /** The data's name (axis titles). */
  yLabel?: string;
  title?: string;
}

export type PlotSpec = Plot1DSpec | Plot2DSpec | PlotCompareSpec | PlotCornerSpec | PlotRegionSpec;

export interface PlotOptions {
  /** Width of a 1-D plot's panels in CSS pixels (default 520); 2-D panels are at most 260 wide or high. */
  width?: number;
  /** PNG pixels per CSS pixel (default 2). */
  scale?: number;
  /** Extra font files (.ttf/.otf) for PNG text. */
  fontFiles?: readonly string[];
  /** 1-D: at most this many data points are drawn (1 in k beyond it; default 5000). */
  maxPoints?: number;
  /** A title over all the plots when several specs are drawn (each keeps its own title). */
  title?: string;
}

/** Font stack used in the SVG; the first family available wins (in resvg and in browsers). */
const FONT = 'DejaVu Sans, Liberation Sans, Noto Sans, Arial, Helvetica, sans-serif';
const DATA_COLOR = '#1f5fa8';
const MODEL_COLOR = '#d1495b';

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** A point's residual `r = y - m` and, with a sigma, its error bars on the data (`lo`, `hi`) and residual. */
function residualFields(y: number, m: number, s: number | undefined): object {
  const r = { r: finiteOrNull(y - m) };
  if (s === undefined) return r;
  return {
    ...r,
    lo: finiteOrNull(y - s),
    hi: finiteOrNull(y + s),
    rlo: finiteOrNull(y - m - s),
    rhi: finiteOrNull(y - m + s),
  };
}

function checkLengths(spec: Plot1DSpec): void {
  const n = spec.x.length;
  const bad = (name: string, len: number): never => {
    throw new ExprfitError('shape', `plot: ${name} has ${len} values but x has ${n}`);
  };
  if (spec.y.length !== n) bad('y', spec.y.length);
  if (spec.model.length !== n) bad('model', spec.model.length);
  if (spec.sigma && spec.sigma.length !== n) bad('sigma', spec.sigma.length);
  if ((spec.curveX === undefined) !== (spec.curveY === undefined)) {
    throw new ExprfitError('value', 'plot: curveX and curveY must be given together');
  }
  const band = spec.band;
  if (band && (band.lower.length !== band.x.length || band.upper.length !== band.x.length)) {
    throw new ExprfitError('shape', `plot: the band's lower and upper limits need one value per x`);
  }
  if (spec.curveX && spec.curveY && spec.curveX.length !== spec.curveY.length) {
    throw new ExprfitError(
      'shape',
      `plot: curveX has ${spec.curveX.length} values but curveY has ${spec.curveY.length}`,
    );
  }
}

/**
 * One plot of a picture: its vega-lite view (a concat of panels, without the top-level `$schema` and `config`)
 * and the named datasets it uses (names end with `suffix`, so that several plots can share one picture).
 */
interface Section {
  view: Record<string, unknown>;
  datasets: Record<string, object[]>;
}

const AXIS_1D = { labelFontSize: 11, titleFontSize: 12 };
const AXIS_2D = { labelFontSize: 10, titleFontSize: 11, grid: false };

/** Every `stride`-th index below n (all when n <= maxPoints), with the subtitle and warning that say so. */
function thinning(
  n: number,
  options: PlotOptions,
  warnings: string[],
): { stride: number; subtitle?: string } {
  const maxPoints = Math.max(10, options.maxPoints ?? 5000);
  const stride = Math.ceil(n / maxPoints);
  if (stride <= 1) return { stride: 1 };
  const subtitle = `showing ${Math.ceil(n / stride)} of ${n} points (1 in ${stride})`;
  warnings.push(`plot: ${subtitle}`);
  return { stride, subtitle };
}

function titleOf(text: string | undefined, subtitle: string | undefined): object {
  const t = text ?? (subtitle ? ' ' : undefined);
  return t ? { title: { text: t, fontSize: 16, ...(subtitle ? { subtitle } : {}) } } : {};
}

function spec1d(spec: Plot1DSpec, options: PlotOptions, warnings: string[], suffix = ''): Section {
  checkLengths(spec);
  const n = spec.x.length;
  const width = options.width ?? 520;
  const { stride, subtitle } = thinning(n, options, warnings);
  const pointsName = `points${suffix}`;
  const curveName = `curve${suffix}`;
  const points: object[] = [];
  for (let i = 0; i < n; i += stride) {
    const x = spec.x[i];
    const y = spec.y[i];
    const m = spec.model[i];
    const s = spec.sigma?.[i];
    points.push({
      x: finiteOrNull(x),
      y: finiteOrNull(y),
      ...residualFields(y, m, s),
    });
  }
  let cx: ArrayLike<number>;
  let cy: ArrayLike<number>;
  if (spec.curveX && spec.curveY) {
    cx = spec.curveX;
    cy = spec.curveY;
  } else {
    const order = Array.from({ length: Math.ceil(n / stride) }, (_, i) => i * stride).sort(
      (a, b) => spec.x[a] - spec.x[b],
    );
    cx = order.map((i) => spec.x[i]);
    cy = order.map((i) => spec.model[i]);
  }
  const curve: object[] = [];
  for (let i = 0; i < cx.length; i++) curve.push({ x: finiteOrNull(cx[i]), y: finiteOrNull(cy[i]), i });
  const xTitle = spec.xLabel ?? 'x';
  const xEnc = {
    field: 'x',
    type: 'quantitative',
    title: xTitle,
    scale: { zero: false, nice: true },
    axis: AXIS_1D,
  };
  const legendScale = { domain: ['data', 'model'], range: [DATA_COLOR, MODEL_COLOR] };
  const errorBars = spec.sigma
    ? [
        {
          data: { name: pointsName },
          mark: { type: 'rule', color: DATA_COLOR, opacity: 0.6 },
          encoding: { x: xEnc, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
        },
      ]
    : [];
  const residualBars = spec.sigma
    ? [
        {
          mark: { type: 'rule', color: DATA_COLOR, opacity: 0.6 },
          encoding: { x: xEnc, y: { field: 'rlo', type: 'quantitative' }, y2: { field: 'rhi' } },
        },
      ]
    : [];
  const bandName = `band${suffix}`;
  const bandLayer = spec.band ? [bandArea(bandName, xEnc)] : [];
  const bandData = spec.band ? { [bandName]: bandRows(spec.band) } : {};
  return {
    datasets: { [pointsName]: points, [curveName]: curve, ...bandData },
    view: {
      ...titleOf(spec.title, subtitle),
      vconcat: [
        {
          width,
          height: Math.round(width * 0.6),
          layer: [
            ...bandLayer,
            ...errorBars,
            {
              data: { name: pointsName },
              mark: { type: 'point', filled: true, size: n > 1000 ? 10 : 36, opacity: 0.85 },
              encoding: {
                x: xEnc,
                y: {
                  field: 'y',
                  type: 'quantitative',
                  title: spec.yLabel ?? 'y',
                  scale: { zero: false, nice: true },
                  axis: AXIS_1D,
                },
                // the legend sits outside the plot, to the right, so it never covers data
                color: {
                  datum: 'data',
                  scale: legendScale,
                  legend: { title: null, orient: 'right', labelFontSize: 11 },
                },
              },
            },
            {
              data: { name: curveName },
              mark: { type: 'line', strokeWidth: 2, interpolate: 'linear' },
              encoding: {
                x: xEnc,
                y: { field: 'y', type: 'quantitative' },
                order: { field: 'i', type: 'quantitative' },
                color: { datum: 'model', scale: legendScale },
              },
            },
          ],
        },
        residualPanel(pointsName, xEnc, width, n, residualBars),
      ],
      resolve: { scale: { x: 'shared' } },
    },
  };
}

/** The band's rows, sorted by x. */
function bandRows(band: ModelBand): object[] {
  const order = Array.from({ length: band.x.length }, (_, i) => i).sort((a, b) => band.x[a] - band.x[b]);
  return order.map((i) => ({
    x: finiteOrNull(band.x[i]),
    lower: finiteOrNull(band.lower[i]),
    upper: finiteOrNull(band.upper[i]),
  }));
}

/** The band as a shaded area in the model's colour, under the model curve. */
function bandArea(name: string, xEnc: object): object {
  return {
    data: { name },
    mark: { type: 'area', color: MODEL_COLOR, opacity: 0.2 },
    encoding: { x: xEnc, y: { field: 'lower', type: 'quantitative' }, y2: { field: 'upper' } },
  };
}

/** The residuals below a plot: points `r` (with bars `rlo`..`rhi`) over `xEnc`, and a dashed zero line. */
function residualPanel(pointsName: string, xEnc: object, width: number, n: number, bars: object[]): object {
  return {
    width,
    height: Math.round(width * 0.22),
    data: { name: pointsName },
    layer: [
      {
        mark: { type: 'rule', color: '#888', strokeDash: [4, 3] },
        encoding: { y: { datum: 0, type: 'quantitative' } },
      },
      ...bars,
      {
        mark: { type: 'point', filled: true, size: n > 1000 ? 10 : 28, color: DATA_COLOR, opacity: 0.85 },
        encoding: {
          x: xEnc,
          y: {
            field: 'r',
            type: 'quantitative',
            title: 'residual',
            scale: { zero: true, nice: true },
            axis: AXIS_1D,
          },
        },
      },
    ],
  };
}

/** Data against model, with the line data = model, and the residuals by point index. */
function specCompare(spec: PlotCompareSpec, options: PlotOptions, warnings: string[], suffix = ''): Section {
  const n = spec.y.length;
  if (spec.model.length !== n) {
    throw new ExprfitError('shape', `plot: model has ${spec.model.length} values but the data have ${n}`);
  }
  if (spec.sigma && spec.sigma.length !== n) {
    throw new ExprfitError('shape', `plot: sigma has ${spec.sigma.length} values but the data have ${n}`);
  }
  const width = options.width ?? 520;
  const { stride, subtitle } = thinning(n, options, warnings);
  const pointsName = `points${suffix}`;
  const points: object[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i += stride) {
    const y = spec.y[i];
    const m = spec.model[i];
    const s = spec.sigma?.[i];
    for (const v of [y, m]) {
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    points.push({
      i,
      y: finiteOrNull(y),
      m: finiteOrNull(m),
      ...residualFields(y, m, s),
    });
  }
  if (!(hi > lo)) [lo, hi] = Number.isFinite(lo) ? [lo - 0.5, lo + 0.5] : [0, 1];
  const name = spec.yLabel ?? 'data';
  const side = Math.round(width * 0.6);
  const scale = { domain: [lo, hi], nice: true, zero: false };
  const mEnc = {
    field: 'm',
    type: 'quantitative',
    title: 'model (line: data = model)',
    scale,
    axis: AXIS_1D,
  };
  const iEnc = {
    field: 'i',
    type: 'quantitative',
    title: 'point index',
    scale: { zero: false, nice: false },
    axis: AXIS_1D,
  };
  const bars = (enc: object, lo: string, hi: string) =>
    spec.sigma
      ? [
          {
            mark: { type: 'rule', color: DATA_COLOR, opacity: 0.6 },
            encoding: { x: enc, y: { field: lo, type: 'quantitative' }, y2: { field: hi } },
          },
        ]
      : [];
  return {
    datasets: { [pointsName]: points },
    view: {
      ...titleOf(spec.title, subtitle),
      vconcat: [
        {
          width: side,
          height: side,
          data: { name: pointsName },
          layer: [
            {
              data: { values: [{ v: lo }, { v: hi }] },
              mark: { type: 'line', color: MODEL_COLOR, strokeWidth: 1.5 },
              encoding: {
                x: { field: 'v', type: 'quantitative', scale, axis: AXIS_1D },
                y: { field: 'v', type: 'quantitative', scale },
              },
            },
            ...bars(mEnc, 'lo', 'hi'),
            {
              mark: {
                type: 'point',
                filled: true,
                size: n > 1000 ? 10 : 30,
                color: DATA_COLOR,
                opacity: 0.8,
              },
              encoding: {
                x: mEnc,
                y: { field: 'y', type: 'quantitative', title: name, scale, axis: AXIS_1D },
              },
            },
          ],
        },
        residualPanel(pointsName, iEnc, width, n, bars(iEnc, 'rlo', 'rhi')),
      ],
    },
  };
}

/** Block-average (NaN-aware) or integer-upsample a 2-D array to about `target` pixels on its long side. */
function resample(a: NdArray, target: number): NdArray {
  const [h, w] = a.shape;
  const long = Math.max(h, w);
  if (long > target) {
    const f = Math.ceil(long / target);
    const H = Math.ceil(h / f);
    const W = Math.ceil(w / f);
    const out = new Float64Array(H * W);
    const cnt = new Float64Array(H * W);
    for (let y = 0; y < h; y++) {
      const oy = ((y / f) | 0) * W;
      for (let x = 0; x < w; x++) {
        const v = a.data[y * w + x];
        if (!Number.isNaN(v)) {
          out[oy + ((x / f) | 0)] += v;
          cnt[oy + ((x / f) | 0)]++;
        }
      }
    }
    for (let i = 0; i < out.length; i++) out[i] = cnt[i] ? out[i] / cnt[i] : NaN;
    return new NdArray(out, [H, W]);
  }
  const k = Math.max(1, Math.floor(target / long));
  if (k === 1) return a;
  const out = new Float64Array(h * k * w * k);
  const W = w * k;
  for (let y = 0; y < h * k; y++) {
    const src = ((y / k) | 0) * w;
    for (let x = 0; x < W; x++) out[y * W + x] = a.data[src + ((x / k) | 0)];
  }
  return new NdArray(out, [h * k, W]);
}

function schemeTable(env: PlotEnv, name: string, reverse = false): number[] {
  const interp = env.scheme(name);
  const table: number[] = [];
  for (let i = 0; i < 256; i++) {
    const t = (i + 0.5) / 256;
    const c = interp(reverse ? 1 - t : t);
    const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(c) ?? /#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(c);
    if (!m) throw new Error(`unexpected colour ${c}`);
    const parse = (s: string): number => (c.startsWith('#') ? parseInt(s, 16) : Number(s));
    table.push((parse(m[1]) << 16) | (parse(m[2]) << 8) | parse(m[3]));
  }
  return table;
}

async function imageUrl(
  env: PlotEnv,
  a: NdArray,
  lo: number,
  hi: number,
  table: readonly number[],
  target: number,
): Promise<string> {
  const r = resample(a, target);
  const rgba = colorize(r.data, lo, hi, table);
  return env.pngUrl(rgba, r.shape[1], r.shape[0]);
}

async function spec2d(spec: Plot2DSpec, env: PlotEnv): Promise<Section> {
  const { data, model } = spec;
  if (data.ndim !== 2 || data.size === 0) {
    throw new ExprfitError(
      'shape',
      `plot: 2-D data must have shape [rows, cols]; got [${data.shape.join(', ')}]`,
    );
  }
  if (model.ndim !== 2 || model.shape[0] !== data.shape[0] || model.shape[1] !== data.shape[1]) {
    throw new ExprfitError(
      'shape',
      `plot: the model's shape [${model.shape.join(', ')}] differs from the data's [${data.shape.join(', ')}]`,
    );
  }
  const [h, w] = data.shape;
  const resid = new Float64Array(data.size);
  for (let i = 0; i < resid.length; i++) resid[i] = data.data[i] - model.data[i];
  const residual = new NdArray(resid, [h, w]);
  const [dlo, dhi] = finiteRange(data.data);
  const [mlo, mhi] = finiteRange(model.data);
  let lo = Math.min(dlo, mlo);
  let hi = Math.max(dhi, mhi);
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  if (hi === lo) [lo, hi] = [lo - 0.5, hi + 0.5];
  const [rlo, rhi] = finiteRange(resid);
  let rmax = Math.max(Math.abs(rlo), Math.abs(rhi));
  if (!(rmax > 0) || !Number.isFinite(rmax)) rmax = 1;

  const panel = 260;
  const pw = w >= h ? panel : Math.max(40, Math.round((panel * w) / h));
  const ph = h >= w ? panel : Math.max(40, Math.round((panel * h) / w));
  const target = 2 * panel;
  const seq = schemeTable(env, 'viridis');
  const div = schemeTable(env, 'redblue', true);
  const urls = await Promise.all([
    imageUrl(env, data, lo, hi, seq, target),
    imageUrl(env, model, lo, hi, seq, target),
    imageUrl(env, residual, -rmax, rmax, div, target),
  ]);
  const xTitle = spec.xLabel ?? 'x (column)';
  const yTitle = spec.yLabel ?? 'y (row)';
  // the image spans half a pixel beyond the first and last centres
  const extent = (c: readonly [number, number] | undefined, k: number): [number, number] => {
    const [a, b] = c ?? [0, k - 1];
    const half = k > 1 ? (b - a) / (k - 1) / 2 : 0.5;
    return [a - half, b + half];
  };
  const [xa, xb] = extent(spec.xCoords, w);
  const [ya, yb] = extent(spec.yCoords, h);
  const panelSpec = (
    title: string,
    url: string,
    domain: [number, number],
    scheme: string,
    reverse: boolean,
  ): object => ({
    title: { text: title, fontSize: 13 },
    width: pw,
    height: ph,
    view: { stroke: null },
    layer: [
      {
        data: { values: [{ x0: xa, x1: xb, y0: ya, y1: yb, url }] },
        mark: { type: 'image', aspect: false, smooth: false },
        encoding: {
          x: {
            field: 'x0',
            type: 'quantitative',
            title: xTitle,
            scale: { domain: [xa, xb], nice: false, zero: false },
            axis: AXIS_2D,
          },
          x2: { field: 'x1' },
          y: {
            field: 'y0',
            type: 'quantitative',
            title: yTitle,
            scale: { domain: [ya, yb], nice: false, zero: false, reverse: true },
            axis: AXIS_2D,
          },
          y2: { field: 'y1' },
          url: { field: 'url', type: 'nominal' },
        },
      },
      {
        data: { values: [{ v: domain[0] }, { v: domain[1] }] },
        mark: { type: 'point', opacity: 0, size: 0 },
        encoding: {
          x: { datum: 0, type: 'quantitative' },
          y: { datum: 0, type: 'quantitative' },
          color: {
            field: 'v',
            type: 'quantitative',
            scale: { domain, scheme, reverse, nice: false, zero: false, clamp: true },
            legend: { title: null, gradientLength: Math.max(40, ph - 10), orient: 'right', format: '.3~g' },
          },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  });
  return {
    datasets: {},
    view: {
      ...titleOf(spec.title, undefined),
      hconcat: [
        panelSpec('data', urls[0], [lo, hi], 'viridis', false),
        panelSpec('model', urls[1], [lo, hi], 'viridis', false),
        panelSpec('residual (data - model)', urls[2], [-rmax, rmax], 'redblue', true),
      ],
      resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
      spacing: 30,
    },
  };
}

async function section(
  spec: PlotSpec,
  options: PlotOptions,
  warnings: string[],
  suffix: string,
  env: PlotEnv,
): Promise<Section> {
  if (spec?.kind === '1d') return spec1d(spec, options, warnings, suffix);
  if (spec?.kind === '2d') return spec2d(spec, env);
  if (spec?.kind === 'compare') return specCompare(spec, options, warnings, suffix);
  if (spec?.kind === 'corner') return cornerSection(spec, suffix);
  if (spec?.kind === 'region') return regionSection(spec, suffix);
  throw new ExprfitError('value', `plot: unknown kind ${quote(String((spec as { kind?: unknown })?.kind))}`);
}

/**
 * The vega-lite specification of a fit plot, or of several stacked; `warnings` collects what was left out
 * (points thinned).
 */
export async function buildSpec(
  specs: PlotSpec | readonly PlotSpec[],
  options: PlotOptions,
  warnings: string[],
  env: PlotEnv,
): Promise<object> {
  const list: readonly PlotSpec[] = Array.isArray(specs) ? specs : [specs as PlotSpec];
  if (list.length === 0) throw new ExprfitError('value', 'plot: nothing to plot (no specs)');
  const sections: Section[] = [];
  for (let i = 0; i < list.length; i++)
    sections.push(await section(list[i], options, warnings, i ? `_${i}` : '', env));
  const top = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    datasets: Object.assign({}, ...sections.map((s) => s.datasets)) as Record<string, object[]>,
    config: { font: FONT, legend: { labelFontSize: 11 } },
  };
  if (sections.length === 1) return { ...top, ...sections[0].view };
  return {
    ...top,
    ...(options.title ? { title: { text: options.title, fontSize: 18 } } : {}),
    vconcat: sections.map((s) => s.view),
    spacing: 40,
  };
}
