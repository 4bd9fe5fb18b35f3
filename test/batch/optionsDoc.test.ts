import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OPTION_PAGES, updateOptionTables } from '../../scripts/options-doc.ts';

function page(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../docs/${name}`, import.meta.url)), 'utf8');
}

describe('the options tables of the docs', () => {
  it.each(OPTION_PAGES)(
    'docs/%s is up to date with the schemas (run `npx tsx scripts/gen-options-doc.ts`)',
    (name) => {
      const text = page(name);
      expect(text).toMatch(/<!-- options: \w+ (api|cli|script) -->/);
      expect(text).toBe(updateOptionTables(text));
    },
  );

  it('documents every option of spots in each front end', () => {
    expect(page('batch.md')).toContain('| `maxGroupSize` | integer | `25` |');
    expect(page('cli.md')).toContain('| `--max-group-size` | integer | `25` |');
    expect(page('cli.md')).toContain('| `max_group_size` | integer | `25` |');
  });

  it('rejects a table of an unknown schema', () => {
    expect(() => updateOptionTables('<!-- options: nope api -->\nx\n<!-- /options -->')).toThrow(
      /unknown schema 'nope'/,
    );
  });
});
