// Bundles the library and the CLI with esbuild. Heavy optional libraries stay external and are imported lazily.
import { build } from 'esbuild';

const external = [
  'vega',
  'vega-lite',
  '@resvg/resvg-js',
  'pngjs',
  'tiff',
  'csv-parse',
  'csv-parse/sync',
];
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external,
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts', 'batch-worker': 'src/batch/worker.ts' },
  outdir: 'dist',
  splitting: true,
});
