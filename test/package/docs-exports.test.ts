/**
 * Every library function the docs show is exported from 'exprfit': the names imported from 'exprfit' in code
 * samples, and the names of signatures written as `` `name(args): Type` `` or `` `name(args) → result` ``.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as exprfit from '../../src/index.ts';

const DOCS = [...readdirSync('docs').map((f) => `docs/${f}`), 'README.md'].filter((f) => f.endsWith('.md'));

/** Names that a doc shows as library functions (its `import { … } from 'exprfit'` lines and signatures). */
function shownNames(markdown: string): string[] {
  const names = new Set<string>();
  for (const m of markdown.matchAll(/import \{([^}]*)\} from 'exprfit'/g)) {
    for (const n of m[1].split(',')) if (n.trim() && !n.trim().startsWith('type ')) names.add(n.trim());
  }
  for (const m of markdown.matchAll(/`([a-z][A-Za-z0-9]*)\([^`]*\)(?::|\s*→)[^`]*`/g)) names.add(m[1]);
  return [...names];
}

describe('docs and exports', () => {
  it('finds signatures and imports in markdown', () => {
    const md =
      "```ts\nimport { fit, type FitResult } from 'exprfit';\n```\n`mvnpdf2(x, y, mean, cov): NdArray`, `f(x)`";
    expect(shownNames(md).sort()).toEqual(['fit', 'mvnpdf2']);
  });

  it.each(DOCS)('%s shows only exported functions', (file) => {
    const missing = shownNames(readFileSync(file, 'utf8')).filter((n) => !(n in exprfit));
    expect(missing).toEqual([]);
  });
});
