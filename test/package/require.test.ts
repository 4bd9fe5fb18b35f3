/**
 * package.json promises Node >= 20.19 (`engines`): the version from which `require()` loads an ES module without a
 * flag. CommonJS users can `require('exprfit')` and `require('exprfit/core')` (the built dist/, made by the test setup).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };

describe('the package from CommonJS', () => {
  it('engines says >=20.19, the first Node 20 whose require() loads ES modules', () => {
    expect(pkg.engines.node).toBe('>=20.19');
  });

  it('require() loads both entries', () => {
    const require = createRequire(new URL('../../package.json', import.meta.url));
    const main = require('./dist/index.js') as { fit: unknown; plotSvg: unknown };
    const core = require('./dist/core.js') as { fit: unknown };
    expect(typeof main.fit).toBe('function');
    expect(typeof main.plotSvg).toBe('function');
    expect(typeof core.fit).toBe('function');
  });
});
