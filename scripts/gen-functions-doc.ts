/**
 * Writes the generated reference pages: docs/functions.md (the builtin registry) and docs/symbolic.md (the
 * symbolic layer and its rule table). Run `npx tsx scripts/gen-functions-doc.ts` after changing either.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderFunctionsDoc } from '../src/symbolic/functionsDoc.ts';
import { renderSymbolicDoc } from '../src/symbolic/doc.ts';

for (const [file, text] of [
  ['functions.md', renderFunctionsDoc()],
  ['symbolic.md', renderSymbolicDoc()],
] as const) {
  const target = fileURLToPath(new URL(`../docs/${file}`, import.meta.url));
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
