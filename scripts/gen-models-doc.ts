/**
 * Writes docs/models.md (the named models table) from src/models. Run `npx tsx scripts/gen-models-doc.ts` after
 * changing a model; test/models/doc.test.ts fails while the page is out of date.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderModelsDoc } from '../src/models/doc.ts';

const target = fileURLToPath(new URL('../docs/models.md', import.meta.url));
writeFileSync(target, renderModelsDoc());
process.stdout.write(`wrote ${target}\n`);
