/**
 * File access shared by the readers and writers: every failure becomes an `ExprfitError` with code `'io'`
 * that names the file (never a raw Node error).
 */
import { readFile, writeFile, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ExprfitError } from '../syntax/span.ts';

/** An `'io'` error about `file`: `"<file>: <message>"`; `hints` are shown below it (e.g. the bad line). */
export function ioError(
  file: string,
  message: string,
  cause?: unknown,
  hints?: readonly string[],
): ExprfitError {
  return new ExprfitError('io', `${file}: ${message}`, { ...(cause === undefined ? {} : { cause }), hints });
}

function describeFsError(err: unknown, verb: string): string {
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

/** Reads a whole file; a missing or unreadable file is an `'io'` ExprfitError naming it. */
export async function readBytes(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw ioError(file, describeFsError(err, 'read'), err);
  }
}

/** Reads a text file as UTF-8 (a leading byte-order mark is dropped). */
export async function readText(file: string): Promise<string> {
  const text = (await readBytes(file)).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Writes a whole file atomically: the bytes go to a temporary file next to it, renamed over the target only when
 * complete, so a failed write never leaves a half-written file behind.
 */
export async function writeBytes(file: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
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
  const name = basename(file).toLowerCase();
  const m = /(\.[a-z0-9]+)(\.gz)?$/.exec(name);
  if (!m) return '';
  return m[2] ? `${m[1]}${m[2]}` : m[1];
}
