// Bundles the library and the CLI with esbuild, then emits the type declarations (dist/types) with tsc, and
// writes the web page (dist/web: index.html, style.css, app.js and worker.js with vega and vega-lite bundled).
// `--no-types` skips the declarations (the test setup), `--types-only` skips the bundles, `--no-web` the page,
// `--web-only` builds only the page (`npm run build:web`).
// Heavy optional libraries stay external and are imported lazily.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

// fflate stays external: its package picks a Node or a browser build by export condition (exprfit/core).
const external = [
  'fflate',
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
const typesOnly = process.argv.includes('--types-only');
const webOnly = process.argv.includes('--web-only');
mkdirSync('dist', { recursive: true });
if (!typesOnly && !webOnly) {
  // chunk names change with the code: old ones would pile up
  for (const f of readdirSync('dist', { withFileTypes: true }).filter((e) => e.isFile())) {
    if (/\.js(\.map)?$/.test(f.name)) rmSync(join('dist', f.name));
  }
  await build({
    ...common,
    entryPoints: {
      cli: 'src/cli/main.ts',
      index: 'src/index.ts',
      core: 'src/portable.ts',
      'batch-worker': 'src/batch/worker.ts',
    },
    outdir: 'dist',
    splitting: true,
  });
}

/** Declarations for consumers: tsc keeps the sources' `./x.ts` specifiers, which a consumer resolves as `./x.js`. */
function emitDeclarations() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  // declarations of renamed or deleted modules would linger
  rmSync('dist/types', { recursive: true, force: true });
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  for (const entry of readdirSync('dist/types', { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(/(['"])(\.{1,2}\/[^'"]*?)\.ts\1/g, '$1$2.js$1');
    if (fixed !== text) writeFileSync(file, fixed);
  }
}
/** The web page: static files any host can serve (src/web/page; `exprfit serve` serves them). */
async function buildWeb(outdir) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { app: 'src/web/page/main.ts', worker: 'src/web/page/worker.ts' },
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(join('src/web/page', f), join(outdir, f));
}
if (!typesOnly && !process.argv.includes('--no-web')) await buildWeb(join('dist', 'web'));
if (!webOnly && !process.argv.includes('--no-types')) emitDeclarations();
