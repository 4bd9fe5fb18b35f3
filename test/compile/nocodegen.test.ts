/**
 * Where code generation from strings is disallowed (`node --disallow-code-generation-from-strings`, a strict
 * CSP), fit() and fitMany() run on the interpreted kernels (gaussfilter and rbfkernel on plain loops) and give the compiled results (one spawn of the
 * built dist, which the vitest global setup builds). The same run checks a bundle whose worker file is
 * missing: fitMany with threads then fits on one thread, with a warning.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fit } from '../../src/fit/fit.ts';
import { fitMany } from '../../src/batch/fitMany.ts';
import { closeBatchPool } from '../../src/batch/pool.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import { gaussfilter } from '../../src/arrays/filter.ts';
import { rbfkernel } from '../../src/arrays/rbf.ts';

const dist = fileURLToPath(new URL('../../dist', import.meta.url));
// inside the repository, so the copied bundle resolves its external packages (fflate) from node_modules
const cache = fileURLToPath(new URL('../../node_modules/.cache', import.meta.url));
mkdirSync(cache, { recursive: true });
// real path: in a git worktree node_modules is a link, and the child names the worker file by its real path
const dir = realpathSync(mkdtempSync(join(cache, 'exprfit-nocodegen-')));

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeBatchPool();
});

/** The problems, as text run both here (compiled) and in the child (interpreted). */
const PROBLEMS = `
const t = Array.from({ length: 20 }, (_v, i) => i / 4);
const y = t.map((v) => 3 * Math.exp(-v / 1.5) + 0.2 + 0.01 * Math.sin(7 * v));
const single = ['y = A*exp(-t/tau) + c', { t, y }, { A: 1, tau: 1, c: 0 }];
const W = 8;
const z = new Float64Array(40 * W);
for (let i = 0; i < 40; i++)
  for (let c = 0; c < W; c++) z[i * W + c] = (50 + i) * Math.exp(-((c - 3.5 - i / 40) ** 2) / 3) + 2 + 0.1 * Math.cos(i + c);
const many = (NdArray) => [
  'z = A*exp(-(x-x0)^2/(2*s^2)) + bg',
  { z: new NdArray(z, [40, W]), x: Float64Array.from({ length: W }, (_v, i) => i) },
  { A: 40, x0: 3, s: 1.5, bg: 1 },
];
const image = (NdArray) => new NdArray(Float64Array.from({ length: 30 * 20 }, (_v, i) => Math.sin(i * 0.37) + (i % 7)), [30, 20]);
const points = [[0, 0.5], [1, 2], [3, -1], [0.25, 0.75], [2, 2]];
`;

const CHILD = `
${PROBLEMS}
const warnings = [];
process.on('warning', (w) => warnings.push(w.message));
const lib = await import(process.argv[2]);
const bare = await import(process.argv[3]);
let evalBlocked = false;
try { new Function('return 1'); } catch { evalBlocked = true; }
const r = lib.fit(...single);
const m = await lib.fitMany(...many(lib.NdArray), { threads: 2, chunkSize: 10 });
const b = await bare.fitMany(...many(bare.NdArray), { threads: 2, chunkSize: 10 });
await lib.closeBatchPool();
const img = image(lib.NdArray);
const arrays = {
  small: [...lib.gaussfilter(img, 1.5).data],
  wide: [...lib.gaussfilter(img, 12, 'wrap').data],
  rbf: [...lib.rbfkernel(points, null, 0.8).data],
};
const cols = (res) => Object.fromEntries(res.params.map((p) => [p, [...res.values[p]]]));
console.log(JSON.stringify({ evalBlocked, fit: r.values, many: cols(m), bare: cols(b), arrays, warnings }));
`;

function close(a: number, b: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
}

describe('without code generation from strings', () => {
  it('fit(), fitMany() (worker threads included), gaussfilter and rbfkernel give the compiled results; a missing worker file means one thread', async () => {
    // a bundle without its worker file
    const bare = join(dir, 'bare');
    cpSync(dist, bare, { recursive: true, filter: (src) => !/batch-worker\.js$|\.map$/.test(src) });
    const script = join(dir, 'child.mjs');
    writeFileSync(script, CHILD);
    const stdout = execFileSync(
      process.execPath,
      [
        '--disallow-code-generation-from-strings',
        script,
        pathToFileURL(join(dist, 'index.js')).href,
        pathToFileURL(join(bare, 'index.js')).href,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const child = JSON.parse(stdout) as {
      evalBlocked: boolean;
      fit: Record<string, number>;
      many: Record<string, number[]>;
      bare: Record<string, number[]>;
      arrays: Record<'small' | 'wide' | 'rbf', number[]>;
      warnings: string[];
    };
    expect(child.evalBlocked).toBe(true);
    const here = new Function(
      'NdArray',
      `${PROBLEMS}; return { single, many: many(NdArray), image: image(NdArray), points };`,
    )(NdArray) as {
      single: Parameters<typeof fit>;
      many: Parameters<typeof fitMany>;
      image: NdArray;
      points: number[][];
    };
    // gaussfilter's blocked (radius <= 32) and general kernels, and rbfkernel's blocks, as plain loops
    const arrays = {
      small: gaussfilter(here.image, 1.5).data,
      wide: gaussfilter(here.image, 12, 'wrap').data,
      rbf: rbfkernel(here.points, null, 0.8).data,
    };
    for (const key of ['small', 'wide', 'rbf'] as const) {
      expect(child.arrays[key]).toHaveLength(arrays[key].length);
      arrays[key].forEach((v, i) => close(child.arrays[key][i], v));
    }
    const r = fit(...here.single);
    for (const [k, v] of Object.entries(r.values)) close(child.fit[k], v);
    const m = await fitMany(...here.many);
    for (const p of m.params) {
      m.values[p].forEach((v, i) => {
        close(child.many[p][i], v);
        close(child.bare[p][i], v);
      });
    }
    expect(child.warnings).toContain(
      `the batch worker file ${join(bare, 'batch-worker.js')} is missing: fitting on one thread`,
    );
  });

  it('exprfit run (the CLI path): the fit, report and save work; a plot is a clear error, not an internal one', () => {
    const script = join(dir, 'quick.fit');
    const data = fileURLToPath(new URL('../../examples/data/spot.npy', import.meta.url));
    writeFileSync(
      script,
      [
        `img = load("${data}")`,
        'x, y = grid(img)',
        'param A = 50 in [0, inf], x0 = 10, y0 = 10, s = 3 in [0.5, 10], c = 0',
        'model img = A*exp(-((x - x0)^2 + (y - y0)^2)/(2*s^2)) + c',
        'fit',
        'report',
        `save "${join(dir, 'quick.json')}"`,
        `plot "${join(dir, 'quick.svg')}"`,
      ].join('\n'),
    );
    const bin = fileURLToPath(new URL('../../bin/exprfit.js', import.meta.url));
    const run = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', bin, 'run', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toMatch(/fit 1: converged/);
    expect(run.stdout).toMatch(/\[\[Variables\]\]/);
    expect(JSON.parse(readFileSync(join(dir, 'quick.json'), 'utf8'))).toHaveProperty('params');
    expect(run.stderr).toMatch(
      /quick\.fit:8:6: error: plots cannot be drawn where code generation from strings/,
    );
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.status).toBe(2);
  });
});
