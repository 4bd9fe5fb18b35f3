/**
 * Moving modules without breaking imports (scripts/move-module.ts): every relative
 * import in the project that names a moved file is rewritten, and so are the moved files' own imports.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { listTs, specifierRanges } from './graph.ts';

/** The folders whose files may import a moved module. */
export const MOVE_ROOTS = ['src', 'grammar', 'test', 'bench', 'scripts'] as const;

export interface FileEdit {
  /** Project-relative paths (`/`): where the file is now and where it will be. */
  readonly from: string;
  readonly to: string;
  /** The new text, or undefined when only the path changes. */
  readonly text?: string;
}

/** `../core/errors.ts` from `src/ast/` to `src/core/errors.ts`: a relative specifier with `./` or `../`. */
function specifierFor(fromFile: string, target: string): string {
  const rel = posix.relative(posix.dirname(fromFile), target);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

function toRel(root: string, path: string): string {
  return relative(root, path).split('\\').join('/');
}

/** The text of `file` (now at `file`, later at `moves.get(file) ?? file`) with its imports rewritten. */
function rewriteImports(
  root: string,
  file: string,
  text: string,
  moves: ReadonlyMap<string, string>,
): string {
  const newFile = moves.get(file) ?? file;
  let out = '';
  let last = 0;
  for (const r of specifierRanges(file, text)) {
    if (!r.spec.startsWith('.')) continue;
    const target = toRel(root, resolve(root, dirname(file), r.spec));
    const spec = specifierFor(newFile, moves.get(target) ?? target);
    if (spec === r.spec) continue;
    out += text.slice(last, r.start) + spec;
    last = r.end;
  }
  return out + text.slice(last);
}

/**
 * The edits that move each `from` to its `to` (project-relative): every file whose imports change, and each
 * moved file (with its new path). Throws when a source is missing or a target exists.
 */
export function planMoves(root: string, moves: ReadonlyMap<string, string>, roots = MOVE_ROOTS): FileEdit[] {
  for (const [from, to] of moves) {
    if (!existsSync(join(root, from))) throw new Error(`${from}: no such file`);
    if (existsSync(join(root, to))) throw new Error(`${to}: already exists`);
  }
  const files = roots.filter((r) => existsSync(join(root, r))).flatMap((r) => listTs(join(root, r)));
  const edits: FileEdit[] = [];
  for (const abs of files) {
    const file = toRel(root, abs);
    const text = readFileSync(abs, 'utf8');
    const next = rewriteImports(root, file, text, moves);
    const to = moves.get(file) ?? file;
    if (next !== text || to !== file)
      edits.push({ from: file, to, ...(next !== text ? { text: next } : {}) });
  }
  return edits;
}

/** Writes the edits: new texts first, then the renames (creating folders). */
export function applyMoves(root: string, edits: readonly FileEdit[]): void {
  for (const e of edits) if (e.text !== undefined) writeFileSync(join(root, e.from), e.text);
  for (const e of edits) {
    if (e.to === e.from) continue;
    mkdirSync(dirname(join(root, e.to)), { recursive: true });
    renameSync(join(root, e.from), join(root, e.to));
  }
}
