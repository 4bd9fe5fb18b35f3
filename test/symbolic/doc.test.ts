import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSymbolicDoc } from '../../src/symbolic/doc.ts';
import { RULES } from '../../src/symbolic/rules.ts';

describe('docs/symbolic.md', () => {
  it('is up to date (run `npx tsx scripts/gen-functions-doc.ts`)', () => {
    const committed = readFileSync(fileURLToPath(new URL('../../docs/symbolic.md', import.meta.url)), 'utf8');
    expect(committed).toBe(renderSymbolicDoc());
  });

  it('lists every rule', () => {
    const doc = renderSymbolicDoc();
    for (const r of RULES) expect(doc).toContain(`\`${r.name}\``);
  });
});
