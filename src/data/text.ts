/** Byte ↔ text conversions for the binary formats without Node's Buffer, so the readers also run in browsers. */

/** `length` bytes from `start` as text: latin1 (one char per byte, as FITS and npy headers are) or UTF-8. */
export function decodeText(
  bytes: Uint8Array,
  start: number,
  length: number,
  encoding: 'latin1' | 'utf8',
): string {
  const part = bytes.subarray(start, start + length);
  if (encoding === 'utf8') return new TextDecoder().decode(part);
  let text = '';
  for (let i = 0; i < part.length; i += 4096) {
    text += String.fromCharCode(...part.subarray(i, i + 4096));
  }
  return text;
}

/** Latin1 bytes of `text` (each char code 0–255; higher codes keep their low byte, as Buffer does). */
export function encodeLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
