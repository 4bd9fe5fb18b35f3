/**
 * Prints the import cycles and upward imports of src/ and grammar/ (see test/architecture/graph.ts).
 * `--entries` also lists imports that bypass a folder's index.ts. `--write` rewrites
 * test/architecture/known-violations.json with the current violations (only after fixing some: the list
 * may only shrink; test/architecture/layers.test.ts fails on new ones and on stale ones).
 *
 *   npx tsx scripts/architecture-violations.ts [--write] [--entries]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildGraph, entryBypasses, formatReport, violationsOf } from '../test/architecture/graph.ts';

const root = join(import.meta.dirname, '..');
const graph = buildGraph(root);
console.log(formatReport(graph) || 'no cycles, no upward imports');
if (process.argv.includes('--entries')) {
  for (const e of entryBypasses(graph)) console.log(`entry bypass: ${e.from}:${e.line} -> ${e.to}`);
}
if (process.argv.includes('--write')) {
  const file = join(root, 'test/architecture/known-violations.json');
  writeFileSync(file, JSON.stringify(violationsOf(graph), null, 2) + '\n');
  console.log(`wrote ${file}`);
}
