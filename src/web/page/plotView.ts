/**
 * Draws plot specs into an element with vega's View (SVG renderer): the vega-lite spec from the CLI's spec
 * functions (src/data/plotSpec.ts), compiled by vega-lite. Heatmaps become PNG data URLs through a canvas.
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { buildSpec, type PlotEnv, type PlotSpec } from '../../data/index.ts';

/** A canvas-encoded PNG of RGBA pixels. */
async function pngUrl(rgba: Uint8Array, width: number, height: number): Promise<string> {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2-D canvas in this browser');
  ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
  return canvas.toDataURL('image/png');
}

const ENV: PlotEnv = {
  scheme: (name) => vega.scheme(name) as unknown as (t: number) => string,
  pngUrl,
};

/** One view at a time in `container`: drawing replaces the previous one. */
export class PlotView {
  private view: vega.View | undefined;

  constructor(private readonly container: HTMLElement) {}

  async draw(specs: PlotSpec[], width: number): Promise<void> {
    const lite = await buildSpec(specs, { width }, [], ENV);
    const compiled = vl.compile(lite as vl.TopLevelSpec).spec;
    const view = new vega.View(vega.parse(compiled), {
      renderer: 'svg',
      container: this.container,
      hover: false,
    });
    await view.runAsync();
    this.view?.finalize();
    this.view = view;
  }

  clear(): void {
    this.view?.finalize();
    this.view = undefined;
    this.container.replaceChildren();
  }
}
