/**
 * Rewrites the options tables of docs/fitting.md, docs/solver.md and docs/arrays.md from the option
 * schemas (see scripts/options-docs.ts). Run `npx tsx scripts/gen-options-docs.ts` after changing an option.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OPTION_TABLES, withOptionTables } from './options-docs.ts';

for (const page of Object.keys(OPTION_TABLES)) {
  const target = fileURLToPath(new URL(`../docs/${page}`, import.meta.url));
  const text = readFileSync(target, 'utf8');
  const updated = withOptionTables(page, text);
  if (updated !== text) writeFileSync(target, updated);
  process.stdout.write(`${updated === text ? 'unchanged' : 'wrote'} ${target}\n`);
}
