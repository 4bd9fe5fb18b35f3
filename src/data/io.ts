/**
 * File access shared by the readers and writers: every failure becomes an `ExprfitError` with code `'io'`
 * that names the file (never a raw Node error).
 */
import type { FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { ExprfitError } from '../core/index.ts';
import { checkArraySize } from './ndarray.ts';

/**
 * Node's file system, path and crypto modules, looked up when a file is read or written. No static `node:` import,
 * so this module and the in-memory readers that share its helpers also bundle for browsers (`exprfit/core`).
 */
function nodeModules(): {
  fs: typeof import('node:fs/promises');
  fsSync: typeof import('node:fs');
  path: typeof import('node:path');
  crypto: typeof import('node:crypto');
} {
  const proc = globalThis.process as NodeJS.Process | undefined;
  if (typeof proc?.getBuiltinModule !== 'function') {
    throw new ExprfitError(
      'io',
      'reading and writing files needs Node.js >= 20.16 (elsewhere: parseNpy, parseTable, ...)',
    );
  }
  const get = (id: string): unknown => proc.getBuiltinModule(id);
  return {
    fs: get('node:fs/promises') as typeof import('node:fs/promises'),
    fsSync: get('node:fs') as typeof import('node:fs'),
    path: get('node:path') as typeof import('node:path'),
    crypto: get('node:crypto') as typeof import('node:crypto'),
  };
}

/** An `'io'` error about `file`: `"<file>: <message>"`; `hints` are shown below it (e.g. the bad line). */
export function ioError(
  file: string,
  message: string,
  cause?: unknown,
  hints?: readonly string[],
): ExprfitError {
  return new ExprfitError('io', `${file}: ${message}`, {
    ...(cause === undefined ? {} : { cause }),
    hints,
    detail: { file, reason: message },
  });
}

/**
 * `checkArraySize` for an array a file describes, before anything is allocated: above the limit is an `'io'`
 * error naming the file and the shape.
 */
export function checkFileArraySize(file: string, what: string, shape: readonly number[]): number {
  try {
    return checkArraySize(what, shape);
  } catch (err) {
    throw ioError(file, (err as Error).message, err);
  }
}

export function describeFsError(err: unknown, verb: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return verb === 'read' ? 'file not found' : 'folder not found';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (cannot ${verb})`;
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return `cannot ${verb}: ${(err as Error | undefined)?.message ?? String(err)}`;
  }
}

/** The most bytes read from a pipe (a FIFO or socket has no size to check in advance): 2 GiB. */
const MAX_PIPE_BYTES = 2 ** 31;

/** What is at `file` (following links), or undefined when nothing is there. */
async function statOrNothing(file: string): Promise<Stats | undefined> {
  try {
    return await nodeModules().fs.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Reads a pipe to its end, refusing more than {@link MAX_PIPE_BYTES}. */
async function readPipe(handle: FileHandle, file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(1 << 20);
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    total += bytesRead;
    if (total > MAX_PIPE_BYTES) throw ioError(file, `more than ${MAX_PIPE_BYTES} bytes from a pipe`);
    chunks.push(chunk.subarray(0, bytesRead));
  }
}

/**
 * Reads a whole file; a missing or unreadable file is an `'io'` ExprfitError naming it. Devices (`/dev/zero`,
 * a terminal) and folders are refused before anything is read; a pipe is read up to {@link MAX_PIPE_BYTES}.
 */
export async function readBytes(file: string): Promise<Buffer> {
  let handle: FileHandle | undefined;
  try {
    const st = await nodeModules().fs.stat(file);
    if (st.isDirectory()) throw ioError(file, 'is a folder, not a file');
    if (!st.isFile() && !st.isFIFO() && !st.isSocket()) {
      throw ioError(file, 'is a device, not a file; data is read from files and pipes');
    }
    handle = await nodeModules().fs.open(file, 'r');
    return st.isFile() ? await handle.readFile() : await readPipe(handle, file);
  } catch (err) {
    if (err instanceof ExprfitError) throw err;
    throw ioError(file, describeFsError(err, 'read'), err);
  } finally {
    await handle?.close();
  }
}

/** Reads a text file as UTF-8 (a leading byte-order mark is dropped). */
export async function readText(file: string): Promise<string> {
  const text = (await readBytes(file)).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Temporary files being written, removed when the process is interrupted before they are renamed. */
const pendingTemps = new Set<string>();

function removeTempsAndReraise(signal: NodeJS.Signals): void {
  for (const tmp of pendingTemps) {
    try {
      nodeModules().fsSync.unlinkSync(tmp);
    } catch {
      // already gone
    }
  }
  pendingTemps.clear();
  process.off('SIGINT', removeTempsAndReraise);
  process.off('SIGTERM', removeTempsAndReraise);
  // With no other handler, end as the signal would have ended the process.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function trackTemp(tmp: string): void {
  if (pendingTemps.size === 0) {
    process.on('SIGINT', removeTempsAndReraise);
    process.on('SIGTERM', removeTempsAndReraise);
  }
  pendingTemps.add(tmp);
}

function untrackTemp(tmp: string): void {
  pendingTemps.delete(tmp);
  if (pendingTemps.size === 0) {
    process.off('SIGINT', removeTempsAndReraise);
    process.off('SIGTERM', removeTempsAndReraise);
  }
}

/** Paths written as a stream to the process's own output instead of a file. */
function standardStream(file: string): NodeJS.WriteStream | undefined {
  if (file === '-' || file === '/dev/stdout') return process.stdout;
  return file === '/dev/stderr' ? process.stderr : undefined;
}

/**
 * Whether `file` is written as a stream or in place rather than as a file of its own format: `-`,
 * `/dev/stdout`, `/dev/stderr`, or an existing device or pipe (`/dev/null`, a FIFO).
 */
export async function isStreamTarget(file: string): Promise<boolean> {
  if (standardStream(file)) return true;
  const st = await statOrNothing(file).catch(() => undefined);
  return st !== undefined && (st.isCharacterDevice() || st.isFIFO());
}

/** `-`, `/dev/stdout` or `/dev/stderr`: names of the process's own outputs, not paths relative to a folder. */
export function isStandardStreamName(file: string): boolean {
  return standardStream(file) !== undefined;
}

async function writeStream(stream: NodeJS.WriteStream, bytes: Uint8Array | string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    stream.write(bytes, (err) => (err ? reject(err) : resolve()));
  });
}

/** Writes in place, without a temporary file: for a device or pipe (`/dev/null`, a FIFO). */
async function writeInPlace(file: string, bytes: Uint8Array | string): Promise<void> {
  const handle = await nodeModules().fs.open(file, 'w');
  try {
    await handle.writeFile(bytes);
  } finally {
    await handle.close();
  }
}

/** Syncs a folder so that a rename in it survives a crash; not every platform can, which is not an error. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await nodeModules().fs.open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // best effort
  }
}

/** Writes `bytes` to a new temporary file next to `target`, synced to disk, then renames it over `target`. */
async function writeAndRename(target: string, bytes: Uint8Array | string): Promise<void> {
  // A short name: `target`'s own name may already be near the 255-byte limit.
  const { path, crypto } = nodeModules();
  const tmp = path.join(path.dirname(target), `.exprfit-${crypto.randomBytes(6).toString('hex')}.tmp`);
  // Tracked before it exists: an interrupt while the file is being created must still remove it.
  trackTemp(tmp);
  try {
    const handle = await nodeModules().fs.open(tmp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await nodeModules().fs.rename(tmp, target);
    await syncFolder(nodeModules().path.dirname(target));
  } catch (err) {
    await nodeModules()
      .fs.unlink(tmp)
      .catch(() => undefined);
    throw err;
  } finally {
    untrackTemp(tmp);
  }
}

/**
 * Writes a whole file atomically: the bytes go to a temporary file next to it, synced and renamed over the
 * target only when complete, so a failed or interrupted (Ctrl-C) write never leaves a half-written file or a
 * temporary file behind. A link is followed (the file it points to is replaced). `-`, `/dev/stdout` and
 * `/dev/stderr` are written as streams; an existing device or pipe is written in place, never replaced; any other
 * special file is refused.
 */
export async function writeBytes(file: string, bytes: Uint8Array | string): Promise<void> {
  try {
    const stream = standardStream(file);
    if (stream) return await writeStream(stream, bytes);
    const st = await statOrNothing(file);
    if (st === undefined) return await writeAndRename(file, bytes);
    if (st.isFile()) return await writeAndRename(await nodeModules().fs.realpath(file), bytes);
    if (st.isDirectory()) throw ioError(file, 'is a folder, not a file');
    if (st.isCharacterDevice() || st.isFIFO()) return await writeInPlace(file, bytes);
    throw ioError(file, 'is a special file (not a regular file, device or pipe); refusing to replace it');
  } catch (err) {
    if (err instanceof ExprfitError) throw err;
    throw ioError(file, describeFsError(err, 'write'), err);
  }
}

/** A short, printable rendering of a value for error messages (cell text, header values...). */
export function quote(text: string, max = 40): string {
  const t = text.length > max ? `${text.slice(0, max)}...` : text;
  return JSON.stringify(t);
}

/** The lower-cased extension including `.gz` compounds: `a.fits.gz` -> `.fits.gz`, `b.CSV` -> `.csv`. */
export function extensionOf(file: string): string {
  const name = (file.split(/[\\/]/).pop() ?? file).toLowerCase();
  const m = /(\.[a-z0-9]+)(\.gz)?$/.exec(name);
  if (!m) return '';
  return m[2] ? `${m[1]}${m[2]}` : m[1];
}
