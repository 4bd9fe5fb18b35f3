/**
 * Spots on an image stack (issue 15): 256 frames of 128×128, each with 36 isolated Gaussian spots (amplitude
 * 300, sigma 1.4, background 10, Poisson counts) on a 20-pixel grid with random sub-pixel offsets, written as a
 * 3-D `.npy` file and read frame by frame by `runSpotsStack`: 2 threads against 1 thread (goal: speed-up ≥ 1.8×,
 * i.e. ratio ≤ 0.56), end to end (reading, detection, fits, table). Rows:
 * - warm: the worker pool started and the pipeline loaded and JIT-compiled in every thread that runs it: each
 *   has run it on `WARM_FRAMES` frames (the cold runs and untimed ones: three more of 1 thread, seven more of 2
 *   threads, whose workers take half the frames each) — a worker's V8 keeps optimising code and collecting
 *   garbage on its helper threads (TurboFan, concurrent marking and sweeping in a profile) well above its
 *   steady rate over its first several hundred frames: measured on 2 threads, the CPU per frame fell from 3.1–3.5
 *   ms in the 2nd–6th run to 2.5–2.9 ms in the 7th–10th (each worker runs 128 frames per run; load average 2.2). Then
 *   runs of 1 and 2 threads alternate, medians of 3. The note gives the CPU
 *   per frame (Linux: per thread from /proc): the whole process, the main thread (reading, messages) and the
 *   other threads (the workers, and V8's compiler and GC threads); 2 threads can reach 2× only when their
 *   total CPU per frame is no more than 1 thread's. Also the share of the wall time the two workers were idle
 *   (neither running nor waiting for a CPU): what the code loses (start, reading, the last frames), not the
 *   machine's load.
 * - cold: the pool closed before the run: worker start-up (from the TypeScript sources through tsx when run
 *   with tsx) and each worker's JIT warm-up included, one run each.
 * - probe: two worker threads each spinning the same fixed loop against one: near 1 when two cores were free
 *   for the process during the run (then the warm row's speed-up is the code's), near 2 when only one was.
 * The rows of 1 and 2 threads are checked to be identical; the load average is in the notes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { NdArray } from '../src/data/ndarray.ts';
import { writeNpy } from '../src/data/npy.ts';
import { closeBatchPool } from '../src/batch/pool.ts';
import { runSpotsStack } from '../src/batch/spots/stack.ts';
import { mulberry32 } from '../src/solver/multistart.ts';
import type { BenchRow } from './types.ts';

const FRAMES = 256;
const SIZE = 128;
/** Frames each thread that runs the pipeline has run before the timed runs (the cold run included). */
const WARM_FRAMES = 1024;

/** Untimed runs after the cold one that bring each of `threads` threads to `WARM_FRAMES` frames. */
const warmRuns = (threads: number): number => Math.ceil(WARM_FRAMES / (FRAMES / threads)) - 1;

/** Poisson variate by inversion (means here are at most a few hundred: fine for a benchmark's data). */
function poisson(u: () => number, mean: number): number {
  const g = Math.sqrt(-2 * Math.log(u() || 1e-300)) * Math.cos(2 * Math.PI * u());
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * g));
}

function stack(): NdArray {
  const u = mulberry32(15);
  const data = new Float64Array(FRAMES * SIZE * SIZE);
  for (let k = 0; k < FRAMES; k++) {
    const spots: [number, number][] = [];
    for (let gy = 0; gy < 6; gy++)
      for (let gx = 0; gx < 6; gx++) spots.push([14 + 20 * gx + u(), 14 + 20 * gy + u()]);
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        let m = 10;
        for (const [sx, sy] of spots) m += 300 * Math.exp(-((x - sx) ** 2 + (y - sy) ** 2) / (2 * 1.4 ** 2));
        data[(k * SIZE + y) * SIZE + x] = poisson(u, m);
      }
    }
  }
  return new NdArray(data, [FRAMES, SIZE, SIZE]);
}

/**
 * Per thread of this process, by thread id: [CPU time, time waiting for a CPU] so far (ms); empty where
 * /proc/self/task/N/schedstat is not there.
 */
function threadTimes(): Map<string, [number, number]> {
  const m = new Map<string, [number, number]>();
  let tasks: string[] = [];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return m;
  }
  for (const t of tasks) {
    try {
      const [run, wait] = readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ').map(Number);
      m.set(t, [run / 1e6, wait / 1e6]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return m;
}

interface Timed {
  ms: number;
  /** CPU of the whole process, of the main thread and of the other threads (ms; NaN where unknown). */
  cpu: number;
  main: number;
  other: number;
  /** Of the two threads with the most CPU besides the main one (the workers), the share of the wall time they
   * were idle — neither running nor waiting for a CPU (NaN where unknown). */
  idle: number;
  csv: string;
}

/** Main thread CPU, other threads' CPU, and the idle share of the two busiest other threads, between two reads. */
function threadUse(
  before: Map<string, [number, number]>,
  after: Map<string, [number, number]>,
  ms: number,
): Pick<Timed, 'main' | 'other' | 'idle'> {
  if (!after.size) return { main: NaN, other: NaN, idle: NaN };
  let main = 0;
  const others: [number, number][] = [];
  for (const [t, [run, wait]] of after) {
    const [run0, wait0] = before.get(t) ?? [0, 0];
    if (t === String(process.pid)) main = run - run0;
    else others.push([run - run0, wait - wait0]);
  }
  const busiest = others.sort((a, b) => b[0] - a[0]).slice(0, 2);
  const idle = busiest.reduce((sum, [run, wait]) => sum + Math.max(0, ms - run - wait), 0) / (2 * ms);
  return { main, other: others.reduce((sum, [run]) => sum + run, 0), idle };
}

async function timed(file: string, threads: number, cold = false): Promise<Timed> {
  if (cold) await closeBatchPool();
  const before = threadTimes();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const res = await runSpotsStack(file, { threads });
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const use = threadUse(before, threadTimes(), ms);
  return { ms, cpu: (c.user + c.system) / 1000, ...use, csv: res.toCsv() };
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];

/** The median of each measure of the runs. */
function medians(runs: readonly Timed[]): Timed {
  const m = (k: 'ms' | 'cpu' | 'main' | 'other' | 'idle'): number => median(runs.map((r) => r[k]));
  return {
    ms: m('ms'),
    cpu: m('cpu'),
    main: m('main'),
    other: m('other'),
    idle: m('idle'),
    csv: runs[0].csv,
  };
}

/** Wall time (ms) of `n` worker threads each spinning the same fixed loop (~0.3 s on one free core). */
function spin(n: number): Promise<number> {
  const code = `const { parentPort } = require('node:worker_threads');
    let x = 0;
    for (let i = 0; i < 2e8; i++) x += i % 7;
    parentPort.postMessage(x);`;
  const t0 = performance.now();
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      w.once('message', () => resolve(w.terminate().then(() => undefined)));
      w.once('error', reject);
    });
  return Promise.all(Array.from({ length: n }, one)).then(() => performance.now() - t0);
}

const load = (): string => loadavg()[0].toFixed(1);

export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'exprfit-stack-bench-'));
  const file = join(dir, 'stack.npy');
  await writeNpy(file, stack());
  try {
    const loadBefore = load();
    const probe = [await spin(1), await spin(2)];
    const cold = [await timed(file, 1, true), await timed(file, 2, true)];
    const one: Timed[] = [];
    const two: Timed[] = [];
    let same = cold[0].csv === cold[1].csv;
    for (const threads of [1, 2]) for (let r = 0; r < warmRuns(threads); r++) await timed(file, threads);
    for (let r = 0; r < 3; r++) {
      one.push(await timed(file, 1));
      two.push(await timed(file, 2));
      same &&= one[r].csv === two[r].csv;
    }
    const probeAfter = [await spin(1), await spin(2)];
    const loads = `load average ${loadBefore} → ${load()}`;
    return [
      row('warm', medians(two), medians(one), same, loads),
      row('cold', cold[1], cold[0], same, loads),
      probeRow(probe, probeAfter, loads),
    ];
  } finally {
    await closeBatchPool();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU per frame of a run: whole process (main thread + other threads), ms. */
function cpuPerFrame(t: Timed): string {
  const f = (v: number): string => (v / FRAMES).toFixed(2);
  return Number.isNaN(t.main) ? f(t.cpu) : `${f(t.cpu)} (main ${f(t.main)} + other threads ${f(t.other)})`;
}

function row(what: string, two: Timed, one: Timed, same: boolean, loads: string): BenchRow {
  const fps = (t: number): string => (FRAMES / (t / 1000)).toFixed(1);
  return {
    name: `spots stack ${FRAMES}×${SIZE}², 2 threads vs 1, ${what}`,
    ms: two.ms,
    baselineMs: one.ms,
    ratio: two.ms / one.ms,
    note:
      `${fps(one.ms)} → ${fps(two.ms)} frames/s; speed-up ${(one.ms / two.ms).toFixed(2)}× (goal ≥ 1.8); ` +
      `CPU ms/frame 1 thread ${cpuPerFrame(one)}, 2 threads ${cpuPerFrame(two)}; ` +
      `workers idle ${(100 * two.idle).toFixed(0)}% of the wall time; ` +
      `rows ${same ? 'identical' : 'DIFFER'}; ${what === 'warm' ? `each thread warmed on ${WARM_FRAMES} frames; ` : ''}${loads}`,
  };
}

function probeRow(before: number[], after: number[], loads: string): BenchRow {
  const r = (p: number[]): string => (p[1] / p[0]).toFixed(2);
  return {
    name: 'probe: 2 threads spinning a fixed loop vs 1',
    ms: after[1],
    baselineMs: after[0],
    ratio: after[1] / after[0],
    note: `before the runs ${before[1].toFixed(0)} vs ${before[0].toFixed(0)} ms (${r(before)}), after (this row) ${r(after)}; ~1: two free cores, ~2: one; ${loads}`,
  };
}
