/**
 * Benchmark driver: `npm run bench [-- filter]`. Runs every bench/*.bench.ts module's `run()` and prints
 * each row's time against the baseline measured in the same run. Numbers are recorded in bench/README.md.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import type { BenchRow } from './types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !filter || f.includes(filter))
  .sort();

console.log(
  `exprfit benchmarks — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}`,
);
const fmt = (v: number): string =>
  Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toPrecision(3)) : 'n/a';
for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { run: () => Promise<BenchRow[]> };
  console.log(`\n== ${f}`);
  const rows = await mod.run();
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(58)} ${fmt(r.ms).padStart(9)} ms  baseline ${fmt(r.baselineMs).padStart(9)} ms  ratio ${fmt(r.ratio).padStart(6)}${r.note ? '  ' + r.note : ''}`,
    );
  }
}
