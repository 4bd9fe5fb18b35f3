import { describe, it, expect, afterAll, vi } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeBytes } from '../../src/data/io.ts';
import { load } from '../../src/data/load.ts';
import { rejection, tempDir } from './helpers.ts';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

const fifo = (name: string): string => {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
};

describe('writeBytes: special files are written to, never replaced', () => {
  it('a pipe is written in place and stays a pipe', async () => {
    const path = fifo('out.fifo');
    const reader = readFile(path, 'utf8');
    await writeBytes(path, 'hello');
    expect(await reader).toBe('hello');
    expect(statSync(path).isFIFO()).toBe(true);
  }, 10_000);

  it('"-" and /dev/stdout are the standard output stream, not files', async () => {
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string, cb?: () => void) => {
      chunks.push(String(chunk));
      cb?.();
      return true;
    }) as typeof process.stdout.write);
    try {
      await writeBytes('-', 'one\n');
      await writeBytes('/dev/stdout', 'two\n');
    } finally {
      spy.mockRestore();
    }
    expect(chunks).toEqual(['one\n', 'two\n']);
    expect(existsSync(resolve('-'))).toBe(false);
  });

  it('a link is followed: the file it points to is replaced, the link stays', async () => {
    const target = join(dir, 'target.txt');
    const link = join(dir, 'link.txt');
    writeFileSync(target, 'old');
    symlinkSync(target, link);
    await writeBytes(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new');
  });

  it('a file name of 250 bytes can be written (the temporary name is short)', async () => {
    const path = join(dir, `${'n'.repeat(246)}.csv`);
    await writeBytes(path, 'a\n1\n');
    expect(readFileSync(path, 'utf8')).toBe('a\n1\n');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a folder is refused by name', async () => {
    expect((await rejection(() => writeBytes(dir, 'x'))).message).toBe(`${dir}: is a folder, not a file`);
  });

  it('Ctrl-C (SIGINT) during a write removes the temporary file', () => {
    const work = join(dir, 'interrupted');
    execFileSync('mkdir', [work]);
    const script = join(dir, 'interrupt.mts');
    const io = resolve('src/data/io.ts');
    writeFileSync(
      script,
      [
        `import { readdirSync } from 'node:fs';`,
        `import { writeBytes } from ${JSON.stringify(io)};`,
        `const dir = ${JSON.stringify(work)};`,
        `void writeBytes(dir + '/out.bin', new Uint8Array(64 << 20)).then(() => console.log('finished'));`,
        `const poll = setInterval(() => {`,
        `  if (readdirSync(dir).some((n) => n.endsWith('.tmp'))) {`,
        `    clearInterval(poll);`,
        `    process.kill(process.pid, 'SIGINT');`,
        `  }`,
        `}, 1);`,
      ].join('\n'),
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(run.stdout).not.toContain('finished');
    expect(run.signal).toBe('SIGINT');
    expect(readdirSync(work)).toEqual([]);
  }, 30_000);
});

describe('readBytes: pipes are read to their end', () => {
  it('load reads a CSV from a pipe', async () => {
    const path = fifo('in.fifo');
    const writer = writeFile(path, 'a,b\n1,2\n');
    const t = await load(path, { format: 'csv' });
    await writer;
    expect(t.kind === 'table' && t.names).toEqual(['a', 'b']);
  }, 10_000);
});
