import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderFunctionsDoc } from '../../src/functions/doc.ts';
import { functionNames } from '../../src/functions/registry.ts';

describe('docs/functions.md', () => {
  it('is up to date with the registry (run `npx tsx scripts/gen-functions-doc.ts`)', () => {
    const committed = readFileSync(
      fileURLToPath(new URL('../../docs/functions.md', import.meta.url)),
      'utf8',
    );
    expect(committed).toBe(renderFunctionsDoc());
  });

  it('documents every builtin', () => {
    const doc = renderFunctionsDoc();
    for (const name of functionNames()) expect(doc).toContain(`### \`${name}\``);
  });
});
