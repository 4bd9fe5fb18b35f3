import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildGraph } from './graph.ts';
import { applyMoves, planMoves } from './move.ts';

let root: string | undefined;

function project(files: Record<string, string>): string {
  root = mkdtempSync(join(tmpdir(), 'exprfit-move-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

const read = (r: string, p: string): string => readFileSync(join(r, p), 'utf8');

describe('planMoves / applyMoves', () => {
  it('rewrites every kind of import of a moved file and the moved file itself', () => {
    const r = project({
      'src/syntax/span.ts': "import { x } from './helper.ts';\nexport const span = x;\n",
      'src/syntax/helper.ts': 'export const x = 1;\n',
      'src/syntax/parse.ts': 'import { span } from \'./span.ts\';\nexport { span } from "./span.ts";\n',
      'src/ast/expr.ts':
        "import type { S } from '../syntax/span.ts';\nconst m = () => import('../syntax/span.ts');\n",
      'test/syntax/span.test.ts': "import { span } from '../../src/syntax/span.ts';\nimport 'vitest';\n",
      'src/other.ts': "import { x } from './syntax/helper.ts';\n",
    });
    const edits = planMoves(r, new Map([['src/syntax/span.ts', 'src/core/errors.ts']]));
    expect(edits.map((e) => `${e.from} -> ${e.to}`).sort()).toEqual([
      'src/ast/expr.ts -> src/ast/expr.ts',
      'src/syntax/parse.ts -> src/syntax/parse.ts',
      'src/syntax/span.ts -> src/core/errors.ts',
      'test/syntax/span.test.ts -> test/syntax/span.test.ts',
    ]);
    applyMoves(r, edits);
    expect(existsSync(join(r, 'src/syntax/span.ts'))).toBe(false);
    expect(read(r, 'src/core/errors.ts')).toBe(
      "import { x } from '../syntax/helper.ts';\nexport const span = x;\n",
    );
    expect(read(r, 'src/syntax/parse.ts')).toBe(
      'import { span } from \'../core/errors.ts\';\nexport { span } from "../core/errors.ts";\n',
    );
    expect(read(r, 'src/ast/expr.ts')).toBe(
      "import type { S } from '../core/errors.ts';\nconst m = () => import('../core/errors.ts');\n",
    );
    expect(read(r, 'test/syntax/span.test.ts')).toContain("from '../../src/core/errors.ts'");
    expect(buildGraph(r, ['src']).edges.length).toBe(6); // every import still resolves
  });

  it('moves several files that import each other', () => {
    const r = project({
      'src/syntax/span.ts': 'export const s = 1;\n',
      'src/syntax/suggest.ts': "import { s } from './span.ts';\nexport const t = s;\n",
    });
    const moves = new Map([
      ['src/syntax/span.ts', 'src/core/errors.ts'],
      ['src/syntax/suggest.ts', 'src/core/suggest.ts'],
    ]);
    applyMoves(r, planMoves(r, moves));
    expect(read(r, 'src/core/suggest.ts')).toBe("import { s } from './errors.ts';\nexport const t = s;\n");
  });

  it('refuses a missing source or an existing target', () => {
    const r = project({ 'src/a/x.ts': '', 'src/b/y.ts': '' });
    expect(() => planMoves(r, new Map([['src/a/nope.ts', 'src/b/z.ts']]))).toThrow(/no such file/);
    expect(() => planMoves(r, new Map([['src/a/x.ts', 'src/b/y.ts']]))).toThrow(/already exists/);
  });
});
