/**
 * Fit plots: a vega-lite spec compiled to vega and rendered headless to SVG (`renderer: 'none'`, `toSVG()`), and
 * to PNG by rasterising that SVG with resvg. vega, vega-lite and resvg are imported on first use.
 *
 * - 1-D: data points (with error bars when `sigma` is given) and the model curve, with a residuals panel
 *   (data - model) below sharing the x axis.
 * - 2-D: data, model and residual heatmaps side by side; data and model share one viridis colour scale, the
 *   residual map a diverging scale symmetric about 0; each has a colour bar. Row 0 is drawn at the top and pixel
 *   centres sit at integer coordinates (x = column, y = row), as `grid(img)` gives them. The heatmaps are embedded
 *   as PNG images (data URLs), block-averaged to at most about 2 screen pixels per image pixel, so large images
 *   stay fast and the SVG small.
 * - compare (data of several variables that do not form a grid): data against model with the line data = model,
 *   and the residuals by point index below.
 * - Several specs: their plots stacked top to bottom in one picture, each under its own title (the equations of
 *   a global fit).
 * - Text in PNGs needs a font: system fonts are loaded (plus `fontFiles`); when none is found the PNG is still
 *   written, without text, and `warnings` says so (install e.g. fonts-dejavu-core or pass `fontFiles`).
 */
import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { encodeRgbaPng } from './png.ts';
import { extensionOf, ioError, quote, writeBytes } from './io.ts';
import { ExprfitError } from '../core/index.ts';
import { importPlotPackage } from './optional.ts';
import { buildSpec, type PlotEnv, type PlotOptions, type PlotSpec } from './plotSpec.ts';

export type {
  Plot1DSpec,
  Plot2DSpec,
  PlotCompareSpec,
  PlotSpec,
  PlotOptions,
  ModelBand,
} from './plotSpec.ts';

export interface PlotResult {
  file: string;
  format: 'svg' | 'png';
  /** Size of the written picture in pixels (CSS pixels for SVG). */
  width: number;
  height: number;
  /** Non-fatal problems, e.g. no font found for PNG text. */
  warnings: string[];
}

type VegaModule = typeof import('vega');
type VegaLiteModule = typeof import('vega-lite');
let libs: Promise<{ vega: VegaModule; vl: VegaLiteModule }> | undefined;
async function loadVega(): Promise<{ vega: VegaModule; vl: VegaLiteModule }> {
  libs ??= Promise.all([
    importPlotPackage('vega', () => import('vega')),
    importPlotPackage('vega-lite', () => import('vega-lite')),
  ]).then(([vega, vl]) => ({ vega, vl }));
  return libs;
}

/** Node's plot environment: vega's schemes, PNGs encoded with pngjs. */
async function nodeEnv(): Promise<PlotEnv> {
  const { vega } = await loadVega();
  return {
    scheme: (name) => vega.scheme(name) as unknown as (t: number) => string,
    pngUrl: async (rgba, width, height) =>
      `data:image/png;base64,${Buffer.from(await encodeRgbaPng(rgba, width, height)).toString('base64')}`,
  };
}

/**
 * The vega-lite specification of a fit plot, or of several stacked (for tests, or to hand to another vega
 * renderer).
 */
export async function plotSpec(
  spec: PlotSpec | readonly PlotSpec[],
  options: PlotOptions = {},
): Promise<object> {
  return buildSpec(spec, options, [], await nodeEnv());
}

async function render(
  spec: PlotSpec | readonly PlotSpec[],
  options: PlotOptions,
  warnings: string[],
): Promise<string> {
  const { vega, vl } = await loadVega();
  const lite = await buildSpec(spec, options, warnings, await nodeEnv());
  const compiled = vl.compile(lite as never).spec;
  try {
    const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
    try {
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  } catch (e) {
    throw e instanceof EvalError ? noCodeGeneration(e) : e;
  }
}

/**
 * vega compiles its expressions with `new Function`; where code generation from strings is disallowed
 * (`node --disallow-code-generation-from-strings`, a strict Content-Security-Policy) fits run on the
 * interpreted kernels, but no plot can be drawn.
 */
function noCodeGeneration(cause: EvalError): ExprfitError {
  return new ExprfitError(
    'usage',
    'plots cannot be drawn where code generation from strings is disallowed (vega compiles its expressions)',
    {
      hints: [
        'run without --disallow-code-generation-from-strings to plot, or use plotSpec() for another renderer',
      ],
      cause,
    },
  );
}

/** Renders a fit plot (or several, stacked) to an SVG string. */
export async function plotSvg(
  spec: PlotSpec | readonly PlotSpec[],
  options: PlotOptions = {},
): Promise<string> {
  return render(spec, options, []);
}

const FONT_DIRS = [
  '/usr/share/fonts',
  '/usr/local/share/fonts',
  join(homedir(), '.fonts'),
  join(homedir(), '.local/share/fonts'),
  '/Library/Fonts',
  '/System/Library/Fonts',
  join(homedir(), 'Library/Fonts'),
  'C:\\Windows\\Fonts',
];

let systemFontCache: boolean | undefined;
/** Whether any font file exists in the usual system folders (a quick bounded scan). */
export function hasSystemFonts(): boolean {
  if (systemFontCache !== undefined) return systemFontCache;
  let budget = 2000;
  const scan = (dir: string, depth: number): boolean => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return false;
    }
    for (const n of names) {
      if (--budget < 0) return false;
      if (/\.(ttf|otf|ttc|otc)$/i.test(n)) return true;
      if (depth < 4) {
        const p = join(dir, n);
        try {
          if (statSync(p).isDirectory() && scan(p, depth + 1)) return true;
        } catch {
          // unreadable entry: skip
        }
      }
    }
    return false;
  };
  systemFontCache = FONT_DIRS.some((d) => scan(d, 0));
  return systemFontCache;
}

/** Rasterises an SVG to PNG bytes with resvg. */
export async function svgToPng(
  svg: string,
  options: { scale?: number; fontFiles?: readonly string[] } = {},
): Promise<{ png: Uint8Array; width: number; height: number; warnings: string[] }> {
  const { Resvg } = await importPlotPackage('@resvg/resvg-js', () => import('@resvg/resvg-js'));
  const warnings: string[] = [];
  const fontFiles = [...(options.fontFiles ?? [])];
  if (fontFiles.length === 0 && !hasSystemFonts()) {
    warnings.push(
      'no font found: the PNG has no text; install a font (e.g. Debian/Ubuntu: fonts-dejavu-core) or write .svg',
    );
  }
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    background: 'white',
    font: {
      loadSystemFonts: true,
      fontFiles,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
  });
  const img = resvg.render();
  return { png: img.asPng(), width: img.width, height: img.height, warnings };
}

/**
 * Writes a fit plot: `.svg` (vega's SVG) or `.png` (that SVG rasterised by resvg at `scale`, default 2). An
 * array of specs draws their plots one below the other (e.g. the equations of a global fit).
 * Errors: an unsupported extension or an unwritable file is an `'io'` error naming the file.
 */
export async function plotFit(
  file: string,
  spec: PlotSpec | readonly PlotSpec[],
  options: PlotOptions = {},
): Promise<PlotResult> {
  const ext = extensionOf(file);
  if (ext !== '.svg' && ext !== '.png') {
    throw ioError(file, `plots are written as .svg or .png, not ${quote(ext || '(no extension)')}`);
  }
  const warnings: string[] = [];
  const svg = await render(spec, options, warnings);
  const m = /<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
  if (ext === '.svg') {
    await writeBytes(file, svg);
    return { file, format: 'svg', width: Number(m?.[1] ?? 0), height: Number(m?.[2] ?? 0), warnings };
  }
  const r = await svgToPng(svg, options);
  await writeBytes(file, r.png);
  return { file, format: 'png', width: r.width, height: r.height, warnings: [...warnings, ...r.warnings] };
}
