/**
 * Regenerates the options tables of the docs from the options schemas (scripts/options-doc.ts). Run
 * `npx tsx scripts/gen-options-doc.ts` after changing a schema.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OPTION_PAGES, updateOptionTables } from './options-doc.ts';

for (const page of OPTION_PAGES) {
  const target = fileURLToPath(new URL(`../docs/${page}`, import.meta.url));
  const text = readFileSync(target, 'utf8');
  const updated = updateOptionTables(text);
  if (updated !== text) writeFileSync(target, updated);
  process.stdout.write(`${updated === text ? 'current' : 'wrote'} ${target}\n`);
}
