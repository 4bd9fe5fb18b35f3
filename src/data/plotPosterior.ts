/**
 * Pictures of what follows a fit (vega-lite views for src/data/plot.ts): the corner plot of posterior samples
 * (1-D histograms on the diagonal, below them 2-D scatter with the 1σ and 2σ density contours of
 * src/data/contours.ts) and the map of a 2-D confidence region (the probability
 * of every grid cell being excluded, coloured by the 1σ, 2σ and 3σ levels it lies within, under the contour
 * lines of those levels).
 */

import { densityContours, gridContours, SIGMA_LEVELS_2D } from './contours.ts';

/** Samples of several parameters (e.g. an MCMC chain): one column per parameter. */
export interface PlotCornerSpec {
  kind: 'corner';
  names: readonly string[];
  columns: Readonly<Record<string, ArrayLike<number>>>;
  title?: string;
}

/** A probability on a grid: `prob[i * xs.length + j]` at (xs[j], ys[i]). */
export interface PlotRegionSpec {
  kind: 'region';
  x: string;
  y: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  prob: ArrayLike<number>;
  title?: string;
}

interface PosteriorSection {
  view: Record<string, unknown>;
  datasets: Record<string, object[]>;
}

const PANEL = 150;
const MAX_SAMPLES = 1500;
const COLOR = '#1f5fa8';
const CONTOUR = '#0b2545';
const AXIS = { labelFontSize: 10, titleFontSize: 11 };

function titleOf(text: string | undefined, subtitle: string | undefined): object {
  if (!text && !subtitle) return {};
  return { title: { text: text ?? ' ', fontSize: 16, ...(subtitle ? { subtitle } : {}) } };
}

const fieldOf = (j: number): string => `p${j}`;

function axisOf(names: readonly string[], j: number): object {
  return { field: fieldOf(j), type: 'quantitative', title: names[j], scale: { zero: false }, axis: AXIS };
}

function histogram(name: string, names: readonly string[], j: number): object {
  return {
    width: PANEL,
    height: PANEL,
    data: { name },
    mark: { type: 'bar', color: COLOR },
    encoding: {
      x: { ...axisOf(names, j), bin: { maxbins: 30 } },
      y: { aggregate: 'count', type: 'quantitative', title: null, axis: AXIS },
    },
  };
}

const panelOf = (j: number, i: number): string => `${j},${i}`;

/** The scatter of parameter i against j under the density contours of all the samples of the pair. */
function scatter(name: string, contours: string, names: readonly string[], j: number, i: number): object {
  const lines = {
    data: { name: contours },
    transform: [{ filter: `datum.panel === '${panelOf(j, i)}'` }],
    mark: { type: 'rule', color: CONTOUR, strokeWidth: 1.2 },
    encoding: {
      x: { field: 'x', type: 'quantitative' },
      y: { field: 'y', type: 'quantitative' },
      x2: { field: 'x2' },
      y2: { field: 'y2' },
      strokeDash: {
        field: 'level',
        type: 'nominal',
        scale: {
          domain: ['1σ', '2σ'],
          range: [
            [1, 0],
            [4, 2],
          ],
        },
        legend: { title: 'contours' },
      },
    },
  };
  const points = {
    data: { name },
    mark: { type: 'point', filled: true, size: 4, opacity: 0.15, color: COLOR },
    encoding: { x: axisOf(names, j), y: axisOf(names, i) },
  };
  return { width: PANEL, height: PANEL, layer: [points, lines] };
}

/** The 1σ and 2σ contour segments of every pair (j < i) of all the samples, tagged by panel. */
function contourRows(spec: PlotCornerSpec): object[] {
  const { names, columns } = spec;
  const label = (level: number): string => `${SIGMA_LEVELS_2D.indexOf(level) + 1}σ`;
  return names.flatMap((pi, i) =>
    names.slice(0, i).flatMap((pj, j) =>
      densityContours(columns[pj], columns[pi]).map((c) => ({
        panel: panelOf(j, i),
        level: label(c.level),
        x: c.x,
        y: c.y,
        x2: c.x2,
        y2: c.y2,
      })),
    ),
  );
}

/**
 * The corner plot: row i holds the scatter of parameter i against 0..i-1 (every sample's contours; at most
 * MAX_SAMPLES points drawn), then the histogram of i.
 */
export function cornerSection(spec: PlotCornerSpec, suffix: string): PosteriorSection {
  const { names, columns } = spec;
  const n = names.length ? columns[names[0]].length : 0;
  const stride = Math.max(1, Math.ceil(n / MAX_SAMPLES));
  const rows: object[] = [];
  for (let r = 0; r < n; r += stride) {
    rows.push(Object.fromEntries(names.map((p, j) => [fieldOf(j), columns[p][r]])));
  }
  const name = `samples${suffix}`;
  const contours = `contours${suffix}`;
  const subtitle = stride > 1 ? `showing ${rows.length} of ${n} samples (1 in ${stride})` : undefined;
  return {
    datasets: { [name]: rows, [contours]: contourRows(spec) },
    view: {
      ...titleOf(spec.title, subtitle),
      vconcat: names.map((_, i) => ({
        hconcat: names
          .slice(0, i + 1)
          .map((__, j) => (j === i ? histogram(name, names, i) : scatter(name, contours, names, j, i))),
      })),
    },
  };
}

/** The confidence level a probability lies within. */
const LEVELS: readonly [number, string][] = [
  [0.6827, '1σ'],
  [0.9545, '2σ'],
  [0.9973, '3σ'],
];
const OUTSIDE = '> 3σ';

function levelOf(p: number): string {
  return LEVELS.find(([limit]) => p <= limit)?.[1] ?? OUTSIDE;
}

/** The edges of the cells centred on `v` (sorted, at least 2). */
function edges(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  const e = new Float64Array(n + 1);
  for (let i = 1; i < n; i++) e[i] = (v[i - 1] + v[i]) / 2;
  e[0] = v[0] - (e[1] - v[0]);
  e[n] = v[n - 1] + (v[n - 1] - e[n - 1]);
  return e;
}

/** The 1σ, 2σ and 3σ contour lines of the region's probability, as segments labelled by level. */
function regionLines(spec: PlotRegionSpec): object[] {
  const label = new Map(LEVELS);
  return gridContours(
    spec.xs,
    spec.ys,
    spec.prob,
    LEVELS.map(([p]) => p),
  ).map((c) => ({ x: c.x, y: c.y, x2: c.x2, y2: c.y2, level: label.get(c.level) }));
}

/** The region as cells coloured by the level they lie within. */
export function regionSection(spec: PlotRegionSpec, suffix: string): PosteriorSection {
  const ex = edges(spec.xs);
  const ey = edges(spec.ys);
  const cells: object[] = [];
  for (let i = 0; i < spec.ys.length; i++) {
    for (let j = 0; j < spec.xs.length; j++) {
      const prob = spec.prob[i * spec.xs.length + j];
      cells.push({ x: ex[j], x2: ex[j + 1], y: ey[i], y2: ey[i + 1], prob, level: levelOf(prob) });
    }
  }
  const name = `region${suffix}`;
  const lines = `regionLines${suffix}`;
  const domain = [...LEVELS.map(([, l]) => l), OUTSIDE];
  const contour = {
    data: { name: lines },
    mark: { type: 'rule', color: CONTOUR, strokeWidth: 1.2 },
    encoding: {
      x: { field: 'x', type: 'quantitative' },
      y: { field: 'y', type: 'quantitative' },
      x2: { field: 'x2' },
      y2: { field: 'y2' },
    },
  };
  return {
    datasets: { [name]: cells, [lines]: regionLines(spec) },
    view: {
      ...titleOf(spec.title, undefined),
      width: 360,
      height: 300,
      layer: [cellsLayer(name, spec, domain), contour],
    },
  };
}

/** The cells of the region map, coloured by level. */
function cellsLayer(name: string, spec: PlotRegionSpec, domain: string[]): object {
  return {
    data: { name },
    mark: { type: 'rect' },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        title: spec.x,
        scale: { zero: false, nice: false },
        axis: AXIS,
      },
      x2: { field: 'x2' },
      y: {
        field: 'y',
        type: 'quantitative',
        title: spec.y,
        scale: { zero: false, nice: false },
        axis: AXIS,
      },
      y2: { field: 'y2' },
      color: {
        field: 'level',
        type: 'ordinal',
        scale: { domain, range: ['#08519c', '#4292c6', '#9ecae1', '#f7fbff'] },
        legend: { title: 'region' },
      },
      tooltip: [{ field: 'prob', type: 'quantitative' }],
    },
  };
}
