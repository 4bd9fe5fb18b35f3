/**
 * The layer rules of docs/architecture.md, enforced: no import cycle (type-only imports included) and no
 * import up the layer order of `LAYERS` (test/architecture/graph.ts). The violations present when this test
 * was written are listed in known-violations.json; the list may only shrink: a new violation fails, and so
 * does a listed one that was fixed (remove it: `npx tsx scripts/architecture-violations.ts --write`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModuleGraph, Violations } from './graph.ts';
import {
  buildGraph,
  compareViolations,
  cycles,
  entryBypasses,
  formatReport,
  importsOf,
  layerOf,
  shortestCycle,
  upwardImports,
  violationsOf,
} from './graph.ts';
import { isEntry } from './graph.ts';
import { pathToNode } from './graph.ts';

const root = join(import.meta.dirname, '..', '..');
const known = JSON.parse(
  readFileSync(join(import.meta.dirname, 'known-violations.json'), 'utf8'),
) as Violations;

describe('the module graph of src/ and grammar/', () => {
  const graph = buildGraph(root);
  const found = violationsOf(graph);
  const { added, fixed } = compareViolations(found, known);

  it('has no new cycle or upward import', () => {
    const report = formatReport(graph);
    expect(added, `new layer violations:\n${added.join('\n')}\n\nall violations:\n${report}`).toEqual([]);
  });

  it('lists no fixed violation as known (the list only shrinks)', () => {
    expect(fixed, `fixed, remove from test/architecture/known-violations.json:\n${fixed.join('\n')}`).toEqual(
      [],
    );
  });

  it('imports each folder through its entries (index.ts, node.ts), its own files directly', () => {
    const bypasses = entryBypasses(graph).map((e) => `${e.from}:${e.line} -> ${e.to}`);
    expect(bypasses, `run npx tsx scripts/route-entries.ts:\n${bypasses.join('\n')}`).toEqual([]);
  });

  it('reaches no node: import from the browser-safe entries (each index.ts, src/portable.ts)', () => {
    const entries = graph.files.filter(
      (f) => f === 'src/portable.ts' || (isEntry(f) && f.endsWith('/index.ts')),
    );
    expect(entries).toContain('src/core/index.ts');
    const paths = entries.flatMap((f) => pathToNode(graph, f)?.join(' -> ') ?? []);
    expect(paths, 'move the names of these files to node.ts (npx tsx scripts/route-entries.ts)').toEqual([]);
  });

  it('sees the files and imports of every layer', () => {
    expect(graph.files).toContain('grammar/parser.ts');
    expect(graph.files).toContain('src/index.ts');
    expect(graph.edges.length).toBeGreaterThan(300);
    expect(graph.edges.some((e) => e.kind === 'type')).toBe(true);
    expect(graph.edges.some((e) => e.kind === 'dynamic')).toBe(true);
  });
});

describe('import parsing', () => {
  it('finds every kind of import with its line', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from './b.ts';",
      "import { type C, type D } from './c.ts';",
      "import { type E, f } from './e.ts';",
      "export { g } from './g.ts';",
      "export type { H } from './h.ts';",
      "export * from './star.ts';",
      "const m = await import('./lazy.ts');",
      "type T = typeof import('./typeof.ts');",
      "import './side.ts';",
      "import x from 'chevrotain';",
      "const s = `import('./not-an-import.ts')`; // import { z } from './comment.ts'",
    ].join('\n');
    expect(importsOf('x.ts', text)).toEqual([
      { spec: './a.ts', kind: 'value', line: 1 },
      { spec: './b.ts', kind: 'type', line: 2 },
      { spec: './c.ts', kind: 'type', line: 3 },
      { spec: './e.ts', kind: 'value', line: 4 },
      { spec: './g.ts', kind: 'value', line: 5 },
      { spec: './h.ts', kind: 'type', line: 6 },
      { spec: './star.ts', kind: 'value', line: 7 },
      { spec: './lazy.ts', kind: 'dynamic', line: 8 },
      { spec: './typeof.ts', kind: 'type', line: 9 },
      { spec: './side.ts', kind: 'value', line: 10 },
      { spec: 'chevrotain', kind: 'value', line: 11 },
    ]);
  });
});

function graphOf(edges: [string, string][]): ModuleGraph {
  const files = [...new Set(edges.flat())].sort();
  return { files, edges: edges.map(([from, to]) => ({ from, to, kind: 'value' as const, line: 1 })) };
}

describe('rules on a small graph', () => {
  const g = graphOf([
    ['src/ast/a.ts', 'src/syntax/s.ts'],
    ['src/syntax/s.ts', 'src/ast/a.ts'],
    ['src/fit/x.ts', 'src/fit/y.ts'],
    ['src/fit/y.ts', 'src/fit/z.ts'],
    ['src/fit/z.ts', 'src/fit/x.ts'],
    ['src/fit/x.ts', 'src/solver/index.ts'],
    ['src/repl/r.ts', 'src/cli/c.ts'],
    ['src/cli/c.ts', 'src/repl/r.ts'],
    ['src/cli/c.ts', 'src/solver/inner.ts'],
    ['src/model/m.ts', 'src/model/m.ts'],
  ]);

  it('finds each cycle once, with a shortest path', () => {
    expect(cycles(g)).toEqual([
      ['src/ast/a.ts', 'src/syntax/s.ts'],
      ['src/cli/c.ts', 'src/repl/r.ts'],
      ['src/fit/x.ts', 'src/fit/y.ts', 'src/fit/z.ts'],
      ['src/model/m.ts'],
    ]);
    expect(shortestCycle(g, ['src/fit/x.ts', 'src/fit/y.ts', 'src/fit/z.ts'])).toEqual([
      'src/fit/x.ts',
      'src/fit/y.ts',
      'src/fit/z.ts',
      'src/fit/x.ts',
    ]);
  });

  it('finds upward imports by layer rank', () => {
    expect(upwardImports(g).map((e) => `${e.from} -> ${e.to}`)).toEqual([
      'src/ast/a.ts -> src/syntax/s.ts',
      'src/repl/r.ts -> src/cli/c.ts',
    ]);
    expect(() => upwardImports(graphOf([['src/nowhere/a.ts', 'src/ast/b.ts']]))).toThrow(/no layer/);
  });

  it('finds imports that bypass a folder index', () => {
    expect(entryBypasses(g).map((e) => e.to)).toEqual([
      'src/syntax/s.ts',
      'src/ast/a.ts',
      'src/cli/c.ts',
      'src/repl/r.ts',
      'src/solver/inner.ts',
    ]);
    expect(layerOf('src/index.ts')).toBe('index');
    expect(layerOf('grammar/parser.ts')).toBe('grammar');
  });

  it('compares with the allowed list both ways', () => {
    const allowed: Violations = {
      cycles: [
        ['src/fit/x.ts', 'src/fit/y.ts', 'src/fit/z.ts', 'src/fit/w.ts'],
        ['src/old/a.ts', 'src/old/b.ts'],
      ],
      upward: ['src/ast/a.ts -> src/syntax/s.ts', 'src/old/a.ts -> src/cli/c.ts'],
    };
    const found = violationsOf(g);
    expect(compareViolations(found, allowed)).toEqual({
      added: [
        'cycle: src/ast/a.ts, src/syntax/s.ts',
        'cycle: src/cli/c.ts, src/repl/r.ts',
        'cycle: src/model/m.ts',
        'upward: src/repl/r.ts -> src/cli/c.ts',
      ],
      fixed: [
        'cycle: src/fit/x.ts, src/fit/y.ts, src/fit/z.ts, src/fit/w.ts',
        'cycle: src/old/a.ts, src/old/b.ts',
        'upward: src/old/a.ts -> src/cli/c.ts',
      ],
    });
  });
});
