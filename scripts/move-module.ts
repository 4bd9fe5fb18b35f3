/**
 * Moves modules and rewrites every relative import of them in src/, grammar/, test/, bench/ and scripts/
 * (including `import type`, `export … from`, `import()`), and the moved files' own imports. Prints the plan;
 * `--apply` writes it. Non-TypeScript references (docs, comments naming the old path) are not touched: grep
 * for the old path afterwards. A module moved to another folder is then routed through that folder's entries by
 * `npx tsx scripts/route-entries.ts` (run it after the move).
 *
 *   npx tsx scripts/move-module.ts [--apply] src/syntax/span.ts src/core/errors.ts [FROM TO ...]
 */
import { join } from 'node:path';
import { applyMoves, planMoves } from '../test/architecture/move.ts';

const args = process.argv.slice(2);
const apply = args.includes('--apply');
const paths = args.filter((a) => a !== '--apply');
if (paths.length === 0 || paths.length % 2 !== 0) {
  console.error('usage: npx tsx scripts/move-module.ts [--apply] FROM TO [FROM TO ...]');
  process.exit(2);
}
const moves = new Map<string, string>();
for (let i = 0; i < paths.length; i += 2) moves.set(paths[i], paths[i + 1]);
const root = join(import.meta.dirname, '..');
const edits = planMoves(root, moves);
for (const e of edits) {
  console.log(`${e.to === e.from ? 'edit' : 'move'} ${e.from}${e.to === e.from ? '' : ` -> ${e.to}`}`);
}
if (apply) {
  applyMoves(root, edits);
  console.log('now route the imports through the folder entries: npx tsx scripts/route-entries.ts');
} else console.log(`${edits.length} files; run again with --apply to write`);
