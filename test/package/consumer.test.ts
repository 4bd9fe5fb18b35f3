/**
 * The package as a TypeScript user sees it: a consumer project in a temp dir, with node_modules/exprfit linked to
 * this checkout, type-checks with `strict` and `skipLibCheck: false` under each module resolution that reads
 * package.json `exports`, for 'exprfit' and 'exprfit/core' (the declarations come from `node scripts/build.mjs --types-only`).
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
let dir = '';

const CONSUMER = `import {
  fit, parseExpr, differentiate, printExpr, NdArray, linspace, ExprfitError, fitMany, runSpots,
  plotSpec, plotSvg, parseNpy, parseTable, parseFits, parseTiff, toArray, writeNpz, mvnpdf2, gaussianUnion, probUnion,
  type FitResult, type FitOptions, type FitManyResult, type SpotsResult, type PlotSpec, type Expr, type Table,
} from 'exprfit';
import { fit as fitAnywhere, parseNpy as parseNpyAnywhere, type FitResult as CoreFitResult } from 'exprfit/core';

export async function anywhere(): Promise<number> {
  const r: CoreFitResult = await fitAnywhere('y = a*x', { x: [1, 2], y: [2, 4] });
  return r.chi2 + parseNpyAnywhere(new Uint8Array(0), 'x.npy').size;
}

export async function demo(): Promise<number> {
  const x: NdArray = linspace(0, 1, 5);
  const options: FitOptions = {};
  const r: FitResult = await fit('y = a*x', { x, y: x }, { a: 1 }, options);
  const d: Expr = differentiate(parseExpr('a*x^2'), 'x');
  const spec: PlotSpec = { kind: '1d', x: [0, 1], y: [0, 1], model: [0, 1] };
  const table: Table = await parseTable('x,y\\n1,2\\n', 'a.csv');
  const many: FitManyResult | undefined = undefined;
  const spots: SpotsResult | undefined = undefined;
  const fns = [fitMany, runSpots, plotSpec, plotSvg, parseNpy, parseFits, parseTiff, toArray, writeNpz];
  const u = probUnion([mvnpdf2(x, x, [0, 0], [[1, 0], [0, 1]])]);
  const e: unknown = new ExprfitError('value', 'bad');
  return r.params.a.value + r.chi2 + printExpr(d).length + table.names.length + fns.length + u.size + Number(e !== spec) +
    Number(many === spots) + gaussianUnion.length;
}
`;

const RESOLUTIONS = [
  { module: 'nodenext', moduleResolution: 'nodenext' },
  { module: 'node16', moduleResolution: 'node16' },
  { module: 'esnext', moduleResolution: 'bundler' },
];

/** The newest modification time of the files under `dir` (0 when there are none). */
function newest(dir: string): number {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return Math.max(0, ...files.map((e) => statSync(join(e.parentPath, e.name)).mtimeMs));
}

/** Declarations newer than every source file (`npm test` has just built them) are used as they are. */
function typesAreCurrent(): boolean {
  const index = join(root, 'dist/types/src/index.d.ts');
  return (
    existsSync(index) &&
    statSync(index).mtimeMs >= Math.max(newest(join(root, 'src')), newest(join(root, 'grammar')))
  );
}

beforeAll(() => {
  if (!typesAreCurrent()) {
    execFileSync(process.execPath, ['scripts/build.mjs', '--types-only'], { cwd: root, stdio: 'inherit' });
  }
  dir = mkdtempSync(join(tmpdir(), 'exprfit-consumer-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules', 'exprfit'), 'dir');
  symlinkSync(join(root, 'node_modules', '@types'), join(dir, 'node_modules', '@types'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(join(dir, 'index.ts'), CONSUMER);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function typecheck(module: string, moduleResolution: string): Promise<string> {
  const args = [tsc, '--noEmit', '--strict', '--skipLibCheck', 'false', '--target', 'es2022'];
  args.push('--module', module, '--moduleResolution', moduleResolution, '--types', 'node', 'index.ts');
  try {
    await promisify(execFile)(process.execPath, args, { cwd: dir });
    return '';
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e);
  }
}

describe('a strict TypeScript consumer of the package', () => {
  it.each(RESOLUTIONS)('type-checks under moduleResolution $moduleResolution', async (r) => {
    expect(await typecheck(r.module, r.moduleResolution)).toBe('');
  });
});
