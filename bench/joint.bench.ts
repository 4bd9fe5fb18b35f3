/**
 * The batch kernel of a joint group of P parameters (k spots of the symmetric model and one background,
 * P = 4k + 1, on a 31×31 region): one evaluation of χ², gradient and Hessian, with the Hessian accumulated in
 * P(P+1)/2 scalar locals (unrolled) against loops over the point's derivatives. Median of repeated
 * evaluations after a warm-up long enough for V8 to optimise (or give up on) the kernel. The crossing sets
 * `LOOP_ACCUMULATION_ABOVE` in src/batch/kernel.ts. `npx tsx bench/joint.bench.ts` runs it alone.
 */
import { NdArray } from '../src/data/ndarray.ts';
import { compileProgram } from '../src/compile/fragments.ts';
import { prepareMany } from '../src/batch/fitMany.ts';
import { generateAccumulate, type AccumulateKernel } from '../src/batch/kernel.ts';
import { kernelBuffers, type BatchSetup } from '../src/batch/problem.ts';
import { multiSpotModel, spotModel } from '../src/batch/models.ts';
import { printExpr } from '../src/ast/print.ts';
import { parseExpr } from '../src/syntax/index.ts';
import type { BenchRow } from './types.ts';
import { timeMedian } from './types.ts';

const W = 31;

function setupFor(k: number): { s: BatchSetup; text: string; p: Float64Array } {
  const multi = multiSpotModel(spotModel('symmetric'), k);
  const text = printExpr(multi.expr);
  const start: Record<string, number> = { background: 10 };
  multi.rename.forEach((names, i) => {
    start[names.get('amplitude')!] = 300;
    start[names.get('x0')!] = 3 + ((i * 5) % 25);
    start[names.get('y0')!] = 3 + 5 * Math.floor(i / 5);
    start[names.get('sigma')!] = 1.5;
  });
  const obs = Float64Array.from({ length: W * W }, (_v, i) => 10 + (i % 7));
  const axis = Float64Array.from({ length: W }, (_v, i) => i);
  const data = { z: new NdArray(obs, [1, W, W]), x: new NdArray(axis, [1, W]), y: new NdArray(axis, [W, 1]) };
  const s = prepareMany(text, data, start).setup;
  return { s, text, p: Float64Array.from(s.params.map((q) => start[q])) };
}

function evalMs(k: AccumulateKernel, s: BatchSetup, p: Float64Array): number {
  const P = p.length;
  const { tables, scratch } = kernelBuffers(k, s);
  const h = new Float64Array(P * P);
  const g = new Float64Array(P);
  const arrays = s.variableData as Float64Array[];
  const once = (): number =>
    k.fn(
      p,
      new Float64Array(0),
      s.dims,
      s.strides,
      arrays,
      tables,
      s.observed,
      0,
      s.weights,
      h,
      g,
      scratch,
      0,
    );
  const runs = P > 60 ? 15 : 40;
  return timeMedian(once, runs, 2 * runs);
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const k of [1, 3, 6, 8, 10, 15, 20, 25, 31]) {
    const { s, text, p } = setupFor(k);
    const program = compileProgram(parseExpr(text), { params: s.params, fixed: [], variables: s.variables });
    const layout = { levels: s.levels, variables: s.layouts };
    const opts = { estimator: 'lse' as const, weighted: false };
    const loops = evalMs(generateAccumulate(program, layout, { ...opts, loops: true }), s, p);
    const unrolled = evalMs(generateAccumulate(program, layout, { ...opts, loops: false }), s, p);
    rows.push({
      name: `joint group P = ${p.length}: loops vs unrolled, ms/eval`,
      ms: loops,
      baselineMs: unrolled,
      ratio: loops / unrolled,
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run())
    console.log(r.name, r.ms.toFixed(4), r.baselineMs.toFixed(4), r.ratio.toFixed(2));
}
