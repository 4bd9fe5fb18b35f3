import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderModelsDoc } from '../../src/models/doc.ts';
import { namedModels } from '../../src/models/registry.ts';

describe('docs/models.md', () => {
  it('is up to date with the model table (run `npx tsx scripts/gen-models-doc.ts`)', () => {
    const committed = readFileSync(fileURLToPath(new URL('../../docs/models.md', import.meta.url)), 'utf8');
    expect(committed).toBe(renderModelsDoc());
  });

  it('has one row per model with its formula and lmfit equivalent', () => {
    const doc = renderModelsDoc();
    for (const m of namedModels()) {
      const line = doc.split('\n').find((l) => l.startsWith(`| \`${m.name}(`));
      expect(line, m.name).toBeDefined();
      expect(line).toContain(m.lmfit);
      expect(line).toContain(m.formula.replace(/\|/g, '\\|'));
    }
  });
});
