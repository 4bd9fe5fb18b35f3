/**
 * Routes every import between folders of src/ (and grammar/) through the folders' public entries, and
 * regenerates the entries: `index.ts` (browser-safe: no `node:` import reachable) and `node.ts` (the names of
 * files that reach one), with named re-exports of what other folders, the package entries and test/, bench/,
 * scripts/ (through an entry) use. Idempotent: run it after adding files or imports; a second run changes
 * nothing. Prints the files it writes; `--check` writes nothing and fails when something would change.
 *
 *   npx tsx scripts/route-entries.ts [--check]
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { planRouting } from '../test/architecture/route.ts';

const root = join(import.meta.dirname, '..');
const check = process.argv.includes('--check');
const { writes, warnings } = planRouting(root);
for (const w of warnings) console.warn(`warning: ${w}`);
let changed = 0;
for (const [file, text] of [...writes].sort(([a], [b]) => a.localeCompare(b))) {
  const path = join(root, file);
  if (text === null) {
    console.log(`delete ${file}`);
    if (!check) rmSync(path);
    changed++;
    continue;
  }
  const formatted = await format(text, { ...(await resolveConfig(path)), filepath: path });
  const old = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (formatted === old) continue;
  console.log(`${old === undefined ? 'create' : 'write'} ${file}`);
  if (!check) writeFileSync(path, formatted);
  changed++;
}
console.log(changed ? `${changed} files ${check ? 'would change' : 'changed'}` : 'nothing to change');
if (check && changed) process.exitCode = 1;
