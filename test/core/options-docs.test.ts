/** The options tables of docs/ are generated from the schemas and kept current (scripts/options-docs.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCS_DIR, OPTION_PAGES, updateOptionTables } from '../../scripts/options-docs.ts';

function page(name: string): string {
  return readFileSync(join(DOCS_DIR, name), 'utf8');
}

describe('the options tables of the docs', () => {
  it.each(OPTION_PAGES)(
    'docs/%s is up to date with the schemas (run `npx tsx scripts/gen-options-docs.ts`)',
    (name) => {
      const text = page(name);
      expect(updateOptionTables(text)).toBe(text);
    },
  );

  it('the pages that document options hold generated tables', () => {
    for (const name of ['fitting.md', 'solver.md', 'arrays.md', 'batch.md', 'cli.md']) {
      expect(page(name)).toMatch(/<!-- options: \w+ (api|cli|script) -->/);
    }
  });

  it('documents every option of spots in each front end, and names other spellings', () => {
    expect(page('batch.md')).toContain('| `maxGroupSize` | integer | `25` |');
    expect(page('cli.md')).toContain('| `--max-group-size` | integer | `25` |');
    expect(page('cli.md')).toContain('| `max_group_size` | integer | `25` |');
    expect(page('fitting.md')).toMatch(/\| `maxIterations` \|.*\(also `maxiter`\) \|/);
  });

  it('a stale table is rewritten; a table of an unknown schema is an error', () => {
    const stale = '# x\n<!-- options: grid api -->\n| old |\n<!-- /options -->\nafter\n';
    expect(updateOptionTables(stale)).toContain('| `full` | boolean |');
    expect(() => updateOptionTables('<!-- options: nope api -->\nx\n<!-- /options -->')).toThrow(
      /unknown schema 'nope'/,
    );
  });
});
