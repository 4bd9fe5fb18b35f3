/**
 * `exprfit/core` runs anywhere: esbuild bundles src/portable.ts for the browser without errors (no `node:` import is
 * reachable), and the bundle fits, differentiates and reads npy/CSV bytes in a context that has only what a
 * browser has (no process, Buffer or require).
 */
import { build } from 'esbuild';
import { runInContext, createContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

async function bundle(
  entry = 'src/portable.ts',
): Promise<{ text: string; errors: number; warnings: string[] }> {
  const r = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'exprfit',
    write: false,
    logLevel: 'silent',
  });
  return { text: r.outputFiles[0].text, errors: r.errors.length, warnings: r.warnings.map((w) => w.text) };
}

const USE = `(async () => {
  const x = exprfit.linspace(0, 4, 20);
  const y = exprfit.NdArray.zeros([20]);
  for (let i = 0; i < 20; i++) y.data[i] = 3 * Math.exp(-0.7 * x.data[i]) + 0.01 * Math.sin(7 * i);
  const fit = await exprfit.fit('y = A*exp(-k*x)', { x, y }, { A: 1, k: 1 });
  const d = exprfit.printExpr(exprfit.differentiate(exprfit.parseExpr('a*x^2'), 'x'));
  const npy = exprfit.parseNpy(exprfit.encodeNpy(x), 'x.npy');
  const table = await exprfit.parseTable('a,b\\n1,2\\n', 't.csv');
  return { k: fit.params.k.value, d, shape: npy.shape, last: npy.data[19], names: table.names };
})()`;

describe('exprfit/core', () => {
  it('bundles for the browser and runs without Node globals', async () => {
    const { text, errors, warnings } = await bundle();
    expect(errors).toBe(0);
    expect(warnings).toEqual([]);
    expect(text).not.toMatch(/(?:from|require\(|import\()\s*["']node:/);
    const browserLike = createContext({ TextDecoder, TextEncoder, performance, console, queueMicrotask });
    runInContext(text, browserLike);
    const r = await runInContext(USE, browserLike);
    expect(r.k).toBeCloseTo(0.7, 2);
    expect(r.d).toBe('2*a*x');
    expect([...r.shape]).toEqual([20]);
    expect(r.last).toBe(4);
    expect([...r.names]).toEqual(['a', 'b']);
  });

  it('the built dist/core.js (what the package exports as exprfit/core) bundles for the browser too', async () => {
    const { errors, text } = await bundle('dist/core.js');
    expect(errors).toBe(0);
    expect(text).not.toMatch(/(?:from|require\(|import\()\s*["']node:/);
  });
});
