/**
 * Regenerates the options tables of the docs from the options schemas (scripts/options-docs.ts). Run
 * `npx tsx scripts/gen-options-docs.ts` after changing an option.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOCS_DIR, OPTION_PAGES, updateOptionTables } from './options-docs.ts';

for (const page of OPTION_PAGES) {
  const target = join(DOCS_DIR, page);
  const text = readFileSync(target, 'utf8');
  const updated = updateOptionTables(text);
  if (updated !== text) writeFileSync(target, updated);
  process.stdout.write(`${updated === text ? 'current' : 'wrote'} ${target}\n`);
}
