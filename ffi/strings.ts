/**
 * C string helpers for FFI calls.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes `text` as a NUL-terminated UTF-8 buffer for a `const char *` argument. */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(encoder.encode(text).byteLength + 1);
  encoder.encodeInto(text, bytes);
  return bytes;
}

/** Reads a NUL-terminated UTF-8 string; NULL reads as "". */
export function readCString(pointer: Deno.PointerValue): string {
  return pointer === null ? "" : new Deno.UnsafePointerView(pointer).getCString();
}

/** Decodes the first `length` bytes of a buffer filled by C. */
export function decodeBytes(bytes: Uint8Array, length: number): string {
  return decoder.decode(bytes.subarray(0, length));
}
