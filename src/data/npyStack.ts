/** 3-D `.npy` files ([frames, rows, cols], C order) as stacks read one frame at a time (see stack.ts). */
import { NdArray } from './ndarray.ts';
import { checkFileArraySize, ioError } from './io.ts';
import type { FileHandle } from 'node:fs/promises';
import { decodeElements, parseDescr, parseNpyHeader, type NpyHeader } from './npy.ts';
import { checkFrameIndex, openForReading, readAt, truncatedFrame, type FrameStack } from './stackFile.ts';

/** The most bytes a `.npy` header may take (magic, version, length and a 65535-byte format 1.0 header). */
const NPY_HEAD_PEEK = 12 + 0xffff;

/** The shape [frames, rows, cols] of a stack `.npy`, or an error naming the file. */
function stackShape(shape: readonly number[], file: string): [number, number, number] {
  if (shape.length !== 3) {
    throw ioError(
      file,
      `a stack is a 3-D array [frames, rows, cols]; this one has shape [${shape.join(', ')}]`,
    );
  }
  return [shape[0], shape[1], shape[2]];
}

async function npyHeader(handle: FileHandle, size: number, file: string): Promise<NpyHeader> {
  return parseNpyHeader(await readAt(handle, 0, Math.min(size, NPY_HEAD_PEEK)), file);
}

/** The number of dimensions of the array of a `.npy` file (only its header is read). */
export async function npyDims(file: string): Promise<number> {
  const { handle, size } = await openForReading(file);
  try {
    return (await npyHeader(handle, size, file)).shape.length;
  } finally {
    await handle.close();
  }
}

/** Opens a 3-D `.npy` file as a stack of [rows, cols] frames (only its header is read here). */
export async function openNpyStack(file: string): Promise<FrameStack> {
  const { handle, size } = await openForReading(file);
  try {
    const h = await npyHeader(handle, size, file);
    const dtype = parseDescr(h.descr, file);
    const [count, rows, cols] = stackShape(h.shape, file);
    if (h.fortranOrder && count > 1) {
      throw ioError(file, 'a Fortran-order stack cannot be read frame by frame; save it in C order');
    }
    checkFileArraySize(file, 'a frame', [rows, cols]);
    const frameBytes = rows * cols * dtype.size;
    const read = async (k: number): Promise<NdArray> => {
      checkFrameIndex(file, k, count);
      const bytes = await readAt(handle, h.dataOffset + k * frameBytes, frameBytes);
      if (bytes.length < frameBytes) throw truncatedFrame(file, k, count, frameBytes, bytes.length);
      const data = decodeElements(bytes, 0, rows * cols, dtype.kind, dtype.size, dtype.little);
      return new NdArray(data, [rows, cols]);
    };
    return { file, count, frameShape: [rows, cols], read, close: () => handle.close() };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
