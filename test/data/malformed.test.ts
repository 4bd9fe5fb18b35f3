import { describe, it, expect, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from '../../src/data/load.ts';
import { readNpy, readNpz, writeNpz } from '../../src/data/npy.ts';
import { readPng } from '../../src/data/png.ts';
import { readTiff } from '../../src/data/tiff.ts';
import { readFits } from '../../src/data/fits.ts';
import { formatJson, readJson } from '../../src/data/json.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import { readTable } from '../../src/data/table.ts';
import { malformedCorpus } from './malformed.ts';
import { rejection, tempDir } from './helpers.ts';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

/** The format's own reader for a file name. */
function ownReader(file: string): (() => Promise<unknown>)[] {
  if (/\.fits(\.gz)?$/.test(file)) return [() => readFits(file)];
  if (file.endsWith('.npz')) return [() => readNpz(file)];
  if (file.endsWith('.npy')) return [() => readNpy(file)];
  if (file.endsWith('.png')) return [() => readPng(file)];
  if (file.endsWith('.tif')) return [() => readTiff(file)];
  if (file.endsWith('.json')) return [() => readJson(file)];
  return [() => readTable(file)];
}

// A hang (a TIFF directory loop) fails by this per-test timeout instead of stalling the suite.
describe('malformed-file corpus: every reader gives an io ExprfitError naming the file', () => {
  it.each(malformedCorpus().map((c) => [c.name, c] as const))(
    '%s',
    async (_name, c) => {
      const file = join(dir, c.name);
      writeFileSync(file, c.bytes);
      for (const read of [() => load(file), ...ownReader(file)]) {
        const err = await rejection(read);
        expect(err.code).toBe('io');
        expect(err.message.startsWith(`${file}`)).toBe(true);
        expect(err.message).toMatch(c.error);
      }
    },
    10_000,
  );
});

describe('special files', () => {
  it('load("/dev/zero") is refused at once instead of reading forever', async () => {
    const err = await rejection(() => load('/dev/zero', { format: 'npy' }));
    expect(err.message).toBe('/dev/zero: is a device, not a file; data is read from files and pipes');
  }, 10_000);

  it('a folder is named as one', async () => {
    expect((await rejection(() => load(dir, { format: 'csv' }))).message).toBe(
      `${dir}: is a folder, not a file`,
    );
  });
});

describe('names from file content are prototype-free', () => {
  it('CSV columns and JSON members named __proto__ and constructor are data', async () => {
    const csv = join(dir, 'proto.csv');
    writeFileSync(csv, '__proto__,constructor\n1,2\n3,4\n');
    const t = await load(csv);
    expect(t.kind === 'table' && [...t.columns['__proto__'].data, ...t.columns['constructor'].data]).toEqual([
      1, 3, 2, 4,
    ]);
    const json = join(dir, 'proto.json');
    writeFileSync(json, '{"__proto__": [1, 2], "constructor": [3, 4]}');
    const j = await load(json);
    expect(j.kind === 'table' && j.names).toEqual(['__proto__', 'constructor']);
    expect(j.kind === 'table' && [...j.columns['__proto__'].data]).toEqual([1, 2]);
  });

  it('npz members named __proto__ and constructor are arrays', async () => {
    const file = join(dir, 'proto.npz');
    await writeNpz(file, { ['__proto__']: NdArray.from([1, 2]), constructor: NdArray.from([3]) });
    const z = await readNpz(file);
    expect(z.names).toEqual(['__proto__', 'constructor']);
    expect([...z.arrays['__proto__'].data, ...z.arrays['constructor'].data]).toEqual([1, 2, 3]);
  });

  it('JSON output keeps a member named __proto__', () => {
    expect(formatJson(JSON.parse('{"__proto__": [1], "a": 2}'), { indent: 0 })).toBe(
      '{"__proto__":[1],"a":2}\n',
    );
  });

  it('a JSON key is looked up among the file’s own members only', async () => {
    const json = join(dir, 'own.json');
    writeFileSync(json, '{"a": [1, 2]}');
    const err = await rejection(() => load(json, { key: 'toString' }));
    expect(err.message).toBe(`${json}: no member "toString" at the top level`);
  });
});
