import { describe, it, expect, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  readTable,
  parseTable,
  writeTable,
  parseCell,
  formatTable,
  fastNumber,
} from '../../src/data/table.ts';
import { NdArray } from '../../src/data/ndarray.ts';
import { fixture, rejection, tempDir } from './helpers.ts';

// The values numpy.savetxt wrote (fmt %.17g round-trips doubles exactly).
const t = [0, 0.5, 1, 1.5, 2, 2.5];
const y = t.map((v) => 10 * Math.exp(-v / 1.3) + 0.25);
const sigma = t.map((v) => 0.1 + 0.05 * v);

function close(a: ArrayLike<number>, b: readonly number[]): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(a[i]).toBeCloseTo(b[i], 14);
}

describe('readTable on fixtures', () => {
  it.each([
    ['decay.csv', ['t', 'y', 'sigma']],
    ['decay.tsv', ['t', 'y', 'sigma']],
    ['savetxt_default.txt', ['t', 'y', 'sigma']], // header from the '# t y sigma' comment
  ])('%s', async (name, names) => {
    const tab = await readTable(fixture('table', name));
    expect(tab.names).toEqual(names);
    expect([...tab.columns.t.shape]).toEqual([6]);
    close(tab.columns.t.data, t);
    close(tab.columns.y.data, y);
    close(tab.columns.sigma.data, sigma);
  });

  it('no header: columns col1, col2', async () => {
    const tab = await readTable(fixture('table', 'no_header.txt'));
    expect(tab.names).toEqual(['col1', 'col2']);
    close(tab.columns.col2.data, y);
  });

  it('quoted names and cells, CRLF, empty cells and nan/inf spellings', async () => {
    const tab = await readTable(fixture('table', 'quoted.csv'));
    expect(tab.names).toEqual(['time, s', 'signal y', 'flag']);
    expect(Array.from(tab.columns['time, s'].data)).toEqual([0, 1, 2, 3]);
    expect(Array.from(tab.columns['signal y'].data)).toEqual([1.5, NaN, -Infinity, 0.0025]);
    expect(Array.from(tab.columns.flag.data)).toEqual([1, NaN, Infinity, NaN]);
  });

  it('comments, blank lines and a trailing delimiter', async () => {
    const tab = await readTable(fixture('table', 'comments.csv'));
    expect(tab.names).toEqual(['x', 'y']);
    expect(Array.from(tab.columns.x.data)).toEqual([1, 3, 5]);
    expect(Array.from(tab.columns.y.data)).toEqual([2, 4, 6]);
  });

  it('sniffs a semicolon delimiter in a .txt file', async () => {
    const tab = await readTable(fixture('table', 'semicolon.txt'));
    expect(tab.names).toEqual(['u', 'v']);
    expect(Array.from(tab.columns.v.data)).toEqual([2, 400]);
  });

  it('selects columns, leaving others unparsed', async () => {
    const tab = await parseTable('name,x\nalpha,1\nbeta,2\n', 'sel.csv', { columns: ['x'] });
    expect(tab.names).toEqual(['x']);
    expect(Array.from(tab.columns.x.data)).toEqual([1, 2]);
  });
});

describe('parseCell', () => {
  it.each([
    ['1', 1],
    [' -2.5e3 ', -2500],
    ['.5', 0.5],
    ['5.', 5],
    ['+7', 7],
    ['', NaN],
    ['NaN', NaN],
    ['na', NaN],
    ['N/A', NaN],
    ['inf', Infinity],
    ['-Infinity', -Infinity],
  ])('%j -> %d', (text, v) => {
    expect(parseCell(text)).toBe(v);
  });
  it.each(['abc', '0x10', '1,5', '1e', '--1', '1 2'])('%j is not a number', (text) => {
    expect(parseCell(text)).toBeUndefined();
  });
});

describe('fastNumber (the numeric fast path) agrees with Number()', () => {
  const formats: ((v: number) => string)[] = [
    (v) => String(v),
    (v) => v.toExponential(6),
    (v) => v.toPrecision(15),
    (v) => v.toFixed(4),
    (v) => v.toPrecision(3),
  ];
  it('on random doubles in several notations', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }),
        fc.nat(4),
        (v, f) => {
          const s = formats[f](v);
          const fast = fastNumber(s, 0, s.length);
          if (fast !== undefined)
            expect(Object.is(fast, Number(s)) || (fast === 0 && Number(s) === 0)).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });
  it.each(['1', '-0.5', '  12.25 ', '+3e2', '0.000', '.5', '5.', '123456789012345', '1e-22', '9e22'])(
    'takes %j',
    (s) => {
      expect(fastNumber(s, 0, s.length)).toBe(Number(s));
    },
  );
  it.each(['', 'abc', '1e', '1234567890123456', '1e23', '1e-23', '0x10', '1 2', 'nan', '-', '.', 'e5'])(
    'leaves %j to the slow path',
    (s) => {
      expect(fastNumber(s, 0, s.length)).toBeUndefined();
    },
  );
});

describe('parseTable edge cases', () => {
  it('a header-less numeric file with trailing delimiters', async () => {
    const t = await parseTable('1,2,\n3,4,\n', 'x.csv');
    expect(t.names).toEqual(['col1', 'col2']);
    expect(Array.from(t.columns.col2.data)).toEqual([2, 4]);
  });
  it('CR-only and CRLF line ends', async () => {
    expect(Array.from((await parseTable('a,b\r1,2\r3,4\r', 'mac.csv')).columns.b.data)).toEqual([2, 4]);
    expect(Array.from((await parseTable('a,b\r\n1,2\r\n3,4\r\n', 'dos.csv')).columns.b.data)).toEqual([2, 4]);
  });
  it('a bad cell in the fast path names line and column', async () => {
    const err = await rejection(() => parseTable('a,b\n1,2\n\n# c\n3,x4\n', 'f.csv'));
    expect(err.message).toBe('f.csv: line 5, column 2 ("b"): cannot read "x4" as a number');
    expect(err.hints).toEqual(['3,x4', '  ^^']);
  });
  it('the caret keeps tabs so it lines up under a TSV line', async () => {
    const err = await rejection(() => parseTable('a\tb\n1\tzz\n', 't.tsv'));
    expect(err.hints).toEqual(['1\tzz', ' \t^^']);
  });
  it('too many fields in the fast path', async () => {
    const err = await rejection(() => parseTable('a,b\n1,2,3\n', 'f.csv'));
    expect(err.message).toBe('f.csv: line 2: 3 field(s), but the header has 2 column(s)');
  });
  it('whitespace-separated with tabs and runs of spaces', async () => {
    const t = await parseTable('x   y\n1\t 2\n  3    4  \n', 'w.dat', { delimiter: 'whitespace' });
    expect(Array.from(t.columns.y.data)).toEqual([2, 4]);
  });
  it('header: false keeps a text first row out of the names', async () => {
    const err = await rejection(() => parseTable('a,b\n1,2\n', 'h.csv', { header: false }));
    expect(err.message).toMatch(/line 1, column 1 \("col1"\): cannot read "a"/);
  });
});

describe('readTable errors', () => {
  it('a bad cell names the file, line, column and text, with the line and a caret', async () => {
    const err = await rejection(() => readTable(fixture('table', 'bad_cell.csv')));
    expect(err.code).toBe('io');
    expect(err.message).toMatch(/bad_cell\.csv: line 4, column 2 \("y"\): cannot read "abc" as a number/);
    expect(err.hints).toEqual(['2,abc', '  ^^^']);
    expect(err.format()).toContain('  2,abc\n    ^^^');
  });
  it('a bad quoted cell in the csv-parse path', async () => {
    const err = await rejection(() => parseTable('"a","b"\n"1","x y"\n', 'q.csv'));
    expect(err.message).toMatch(/q\.csv: line 2, column 2 \("b"\): cannot read "x y"/);
  });
  it('a short row', async () => {
    const err = await rejection(() => readTable(fixture('table', 'ragged.csv')));
    expect(err.message).toMatch(/ragged\.csv: line 3: 2 field\(s\), but the header has 3 column\(s\)/);
  });
  it('missing file', async () => {
    const err = await rejection(() => readTable('/no/such/dir/data.csv'));
    expect(err.code).toBe('io');
    expect(err.message).toBe('/no/such/dir/data.csv: file not found');
  });
  it('empty file', async () => {
    const err = await rejection(() => parseTable('# only a comment\n\n', 'e.csv'));
    expect(err.message).toMatch(/e\.csv: no data/);
  });
  it('duplicate column names', async () => {
    const err = await rejection(() => parseTable('a,a\n1,2\n', 'd.csv'));
    expect(err.message).toMatch(/column name "a" appears twice/);
  });
  it('unknown selected column', async () => {
    const err = await rejection(() => parseTable('a,b\n1,2\n', 'd.csv', { columns: ['c'] }));
    expect(err.message).toMatch(/no column named "c"; the columns are "a", "b"/);
  });
});

describe('writeTable round trips', () => {
  const { dir, cleanup } = tempDir();
  afterAll(cleanup);
  const cols = {
    t: Float64Array.of(0, 0.1, 1e-300, -2.5e17),
    'y value': [1 / 3, NaN, Infinity, -Infinity],
    n: new NdArray(Float64Array.of(1, 2, 3, 4)),
  };
  it.each(['out.csv', 'out.tsv'])('%s', async (name) => {
    const file = join(dir, name);
    await writeTable(file, cols);
    const back = await readTable(file);
    expect(back.names).toEqual(['t', 'y value', 'n']);
    expect(Array.from(back.columns.t.data)).toEqual(Array.from(cols.t));
    expect(Array.from(back.columns['y value'].data)).toEqual(cols['y value']);
    expect(Array.from(back.columns.n.data)).toEqual([1, 2, 3, 4]);
  });
  it('quotes names that need it', () => {
    expect(formatTable({ 'a,b': [1], '"q"': [2] })).toBe('"a,b","""q"""\n1,2\n');
  });
  it('refuses columns of different lengths', () => {
    expect(() => formatTable({ a: [1, 2], b: [1] })).toThrow(/same length/);
  });
  it('a missing folder is an io error naming the file', async () => {
    const file = join(dir, 'missing', 'x.csv');
    const err = await rejection(() => writeTable(file, { a: [1] }));
    expect(err.code).toBe('io');
    expect(err.message).toBe(`${file}: folder not found`);
  });
  it('a large numeric file takes the fast path', async () => {
    const n = 200_000;
    const lines = ['a,b'];
    for (let i = 0; i < n; i++) lines.push(`${i},${i * 0.5}`);
    const file = join(dir, 'big.csv');
    writeFileSync(file, lines.join('\n'));
    const tab = await readTable(file);
    expect(tab.columns.b.size).toBe(n);
    expect(tab.columns.b.data[n - 1]).toBe((n - 1) * 0.5);
  });
});
