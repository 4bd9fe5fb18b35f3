import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OPTION_TABLES, withOptionTables } from '../../scripts/options-docs.ts';

function page(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../docs/${name}`, import.meta.url)), 'utf8');
}

describe('the options tables of the docs', () => {
  it.each(Object.keys(OPTION_TABLES))(
    'docs/%s is up to date with the schemas (run `npx tsx scripts/gen-options-docs.ts`)',
    (name) => {
      const text = page(name);
      expect(withOptionTables(name, text)).toBe(text);
    },
  );

  it('a stale table is rewritten, and a missing block is an error', () => {
    const stale = '# x\n<!-- options:grid -->\n| old |\n<!-- /options:grid -->\nafter\n';
    const fresh = withOptionTables('arrays.md', page('arrays.md'));
    const grid = /<!-- options:grid -->\n[\s\S]*?<!-- \/options:grid -->/.exec(fresh)?.[0];
    expect(grid).toContain('| `full` | boolean |');
    expect(() => withOptionTables('arrays.md', stale)).toThrow(/no <!-- options:sumOfGaussians -->/);
  });

  it('names the other spellings of an option', () => {
    expect(page('fitting.md')).toMatch(/\| `maxIterations` \|.*\(also `maxiter`\) \|/);
  });
});
