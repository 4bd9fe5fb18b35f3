/** Saving a fit result to `-` (stdout) and to a device (`/dev/null`): JSON written there, no file created. */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runInProcess } from './inProcess.ts';

const dir = mkdtempSync(join(tmpdir(), 'exprfit-save-targets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(target: string): string {
  const file = join(dir, 'save.fit');
  const lines = ['x = [1, 2, 3, 4]', 'y = 2*x + 1', 'param a = 1, b = 0', 'model y = a*x + b', 'fit'];
  writeFileSync(file, [...lines, `save "${target}"`].join('\n'));
  return file;
}

describe('save of a fit result to special targets', () => {
  it('/dev/null: written in place (it stays a device), exit 0', async () => {
    const r = await runInProcess(['run', script('/dev/null')]);
    expect(r.stderr).toContain('wrote /dev/null');
    expect(r.status).toBe(0);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it("'-': the JSON goes to stdout, and no file named '-' appears beside the script", async () => {
    let written = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown, cb?: unknown) => {
      written += String(chunk);
      if (typeof cb === 'function') (cb as () => void)();
      return true;
    });
    try {
      const r = await runInProcess(['run', script('-')]);
      expect(r.status).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(JSON.parse(written).params.a.value).toBeCloseTo(2, 10);
    expect(existsSync(join(dir, '-'))).toBe(false);
  });
});
