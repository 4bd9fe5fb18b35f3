import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderFunctionsDoc } from '../../src/symbolic/functionsDoc.ts';
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

  it.each([
    ['sin', '`d/dx = cos(x)`'],
    ['atan2', '`d/dy = x/(x^2 + y^2)`; `d/dx = -y/(x^2 + y^2)`'],
    ['log', '`d/dx = 1/(x*log(base))`'],
    ['polygamma', '`n` is an integer order: derivative 0'],
    [
      'gammainc',
      '`a`: no closed form (an error if `a` is fitted); `d/dx = exp(log(x)*(a - 1) - x - lgamma(a))`',
    ],
    ['besseli0', '`d/dx = besseli1(x)`'],
  ])('gives the derivative of %s from its rule', (name, text) => {
    const doc = renderFunctionsDoc();
    const section = doc.slice(doc.indexOf(`### \`${name}\``));
    const line = section.split('\n').find((l) => l.startsWith('**Derivative:**'));
    expect(line).toContain(text);
  });
});
