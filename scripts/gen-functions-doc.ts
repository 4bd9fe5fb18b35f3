/** Writes docs/functions.md from the builtin registry: `npx tsx scripts/gen-functions-doc.ts`. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderFunctionsDoc } from '../src/functions/doc.ts';

const target = fileURLToPath(new URL('../docs/functions.md', import.meta.url));
writeFileSync(target, renderFunctionsDoc());
process.stdout.write(`wrote ${target}\n`);
