/**
 * Prints the import cycles and upward imports of src/ and grammar/ (see test/architecture/graph.ts).
 * `--entries` also lists imports that bypass a folder's entries (index.ts, node.ts; fixed by
 * `npx tsx scripts/route-entries.ts`). `--write` rewrites
 * test/architecture/known-violations.json with the current violations (only after fixing some: the list
 * may only shrink; test/architecture/layers.test.ts fails on new ones and on stale ones).
 *
 *   npx tsx scripts/architecture-violations.ts [--write] [--entries]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { buildGraph, entryBypasses, formatReport, violationsOf } from '../test/architecture/graph.ts';

const root = join(import.meta.dirname, '..');
const graph = buildGraph(root);
console.log(formatReport(graph) || 'no cycles, no upward imports');
if (process.argv.includes('--entries')) {
  for (const e of entryBypasses(graph)) console.log(`entry bypass: ${e.from}:${e.line} -> ${e.to}`);
}
if (process.argv.includes('--write')) {
  const file = join(root, 'test/architecture/known-violations.json');
  const json = JSON.stringify(violationsOf(graph), null, 2);
  // formatted as `npm run format:check` expects
  writeFileSync(file, await format(json, { ...(await resolveConfig(file)), filepath: file }));
  console.log(`wrote ${file}`);
}
