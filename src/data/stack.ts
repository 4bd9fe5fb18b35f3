/**
 * Image stacks read one frame at a time: 3-D `.npy` files ([frames, rows, cols]; npyStack.ts) and multi-page
 * TIFF files (tiffStack.ts). Only the header (or the page directories) is read when a stack is opened; each
 * frame's bytes are read from the file when it is asked for, so a stack larger than memory streams with memory
 * bounded by a few frames. A stack that ends early is an `'io'` error naming the file and the frame.
 */
import { ioError } from './io.ts';
import { npyDims, openNpyStack } from './npyStack.ts';
import { openForReading, readAt, type FrameStack } from './stackFile.ts';
import { openTiffStack, tiffPageCount } from './tiffStack.ts';

export type { FrameStack } from './stackFile.ts';

/** The format of a file by its first bytes: a `.npy` array, a TIFF, or neither. */
async function stackFormat(file: string): Promise<'npy' | 'tiff' | undefined> {
  const { handle } = await openForReading(file);
  let head: Uint8Array;
  try {
    head = await readAt(handle, 0, 6);
  } finally {
    await handle.close();
  }
  const text = String.fromCharCode(...head);
  if (text === '\x93NUMPY') return 'npy';
  if (text.startsWith('II*\0') || text.startsWith('MM\0*')) return 'tiff';
  return undefined;
}

/** Opens a stack: a 3-D `.npy` file or a TIFF file (its pages are the frames). */
export async function openStack(file: string): Promise<FrameStack> {
  const format = await stackFormat(file);
  if (format === 'npy') return openNpyStack(file);
  if (format === 'tiff') return openTiffStack(file);
  throw ioError(file, 'not an image stack: stacks are multi-page TIFF files or 3-D .npy files');
}

/**
 * The file as a stack when it is one — a TIFF file of several pages, or a 3-D `.npy` file — else undefined
 * (an image of one page is read as an image).
 */
export async function stackOrImage(file: string): Promise<FrameStack | undefined> {
  const format = await stackFormat(file);
  if (format === undefined) return undefined;
  if (format === 'npy') return (await npyDims(file)) === 3 ? openNpyStack(file) : undefined;
  return (await tiffPageCount(file)) > 1 ? openTiffStack(file) : undefined;
}
