/**
 * What the stack readers share (stack.ts opens a stack; npyStack.ts and tiffStack.ts read the formats): the
 * `FrameStack` contract, reading a file at an offset, and the errors of a missing or truncated frame.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { NdArray } from './ndarray.ts';
import { describeFsError, ioError } from './io.ts';
import { ExprfitError } from '../core/index.ts';

/** A stack of 2-D frames read one at a time. */
export interface FrameStack {
  readonly file: string;
  /** Number of frames. */
  readonly count: number;
  /** [rows, cols] of every frame. */
  readonly frameShape: readonly [number, number];
  /** Frame `k` (0-based) as a 2-D array. */
  read(k: number): Promise<NdArray>;
  close(): Promise<void>;
}

/** Opens a file for reading; a missing or unreadable file is an `'io'` error naming it. */
export async function openForReading(file: string): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const st = await handle.stat();
    if (!st.isFile()) throw ioError(file, 'is not a regular file; a stack is read from a file');
    return { handle, size: st.size };
  } catch (err) {
    await handle?.close();
    if (err instanceof ExprfitError) throw err;
    throw ioError(file, describeFsError(err, 'read'), err);
  }
}

/** Reads `length` bytes at `position`; fewer when the file ends first. */
export async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buf : buf.subarray(0, got);
}

export function checkFrameIndex(file: string, k: number, count: number): void {
  if (!Number.isInteger(k) || k < 0 || k >= count) {
    throw ioError(file, `frame ${k} does not exist; the stack has ${count} frame(s) (0-based)`);
  }
}

/** The error of a frame whose bytes the file does not hold. */
export function truncatedFrame(
  file: string,
  k: number,
  count: number,
  need: number,
  got: number,
): ExprfitError {
  return ioError(
    file,
    `the stack is truncated: frame ${k} (of ${count}, 0-based) needs ${need} bytes, the file holds ${got} of them`,
  );
}
