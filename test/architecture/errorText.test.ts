/**
 * "Error text is never parsed" (docs/architecture.md): no code in src/ slices, matches or rewrites the text of
 * a message (`err.message.slice(...)`, `.message.startsWith(...)`, `/.../.test(e.message)`); a caller that
 * needs what an error is about reads its `detail`. The few places that read text exprfit does not write
 * (a library's or the JS engine's message) are listed below with the reason; the list may only shrink.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

const KNOWN: Readonly<Record<string, string>> = {
  // the JS engine's RangeError (call stack, Map size): its message is all there is
  'src/fit/fit.ts': "the engine's RangeError message",
  // csv-parse's own message, lower-cased at its start
  'src/data/table.ts': "csv-parse's message",
};

/** `.message.slice(`, `.message.match(`, `.test(err.message)`, ...: code that reads a message's text. */
const READS_TEXT =
  /\.message\s*\.\s*(slice|substring|substr|startsWith|endsWith|includes|indexOf|match|matchAll|replace|replaceAll|split|search)\s*\(|\.(test|exec)\(\s*[\w.]+\.message\s*\)/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(d.name) ? [path] : [];
  });
}

describe('error text is never parsed', () => {
  const readers = sourceFiles(join(root, 'src'))
    .filter((f) => READS_TEXT.test(readFileSync(f, 'utf8')))
    .map((f) => relative(root, f).split('\\').join('/'))
    .sort();

  it('no file of src/ reads the text of a message, except the known ones', () => {
    expect(readers.filter((f) => !(f in KNOWN))).toEqual([]);
  });

  it('the list of known ones is up to date (a fixed file leaves it)', () => {
    expect(Object.keys(KNOWN).sort()).toEqual(readers.filter((f) => f in KNOWN));
  });

  it('the pattern finds the kind of code it forbids', () => {
    for (const line of [
      'const rest = err.message.slice(fn.length);',
      "if (!err.message.startsWith('crBasis')) return err;",
      'if (/call stack/.test(e.message)) throw x;',
      'const m = error.message.match(/line (\\d+)/);',
    ]) {
      expect(READS_TEXT.test(line), line).toBe(true);
    }
    expect(READS_TEXT.test('throw err.reworded(`${to}: ${reason}`);')).toBe(false);
    expect(READS_TEXT.test('withMessage((m) => `frame ${k}: ${m}`)')).toBe(false);
  });
});
