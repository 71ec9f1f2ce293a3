/**
 * Length-prefixed frames of structured-clone data (node:v8 serialize: typed arrays,
 * bigints and undefined survive, as they do through a Worker's postMessage) over a
 * byte stream: the pipe between the app and an engine child process
 * (engine/engine_process.ts, engine/_engine_child.ts). A frame is a little-endian u32
 * byte count, then the bytes.
 *
 * @module
 */
import { deserialize, serialize } from "node:v8";

/** One frame's bytes for `value`. */
export function encodeFrame(value: unknown): Uint8Array {
  const body = serialize(value);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length, true);
  out.set(body, 4);
  return out;
}

/**
 * The values of the frames on `stream`, in order; ends when the stream ends (a
 * partial last frame is dropped: the writer died mid-frame).
 */
export async function* readFrames(stream: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  let buffer = new Uint8Array(0);
  for await (const chunk of stream) {
    const joined = new Uint8Array(buffer.length + chunk.length);
    joined.set(buffer);
    joined.set(chunk, buffer.length);
    buffer = joined;
    let offset = 0;
    while (buffer.length - offset >= 4) {
      const size = new DataView(buffer.buffer, buffer.byteOffset + offset).getUint32(0, true);
      if (buffer.length - offset - 4 < size) break;
      yield deserialize(buffer.subarray(offset + 4, offset + 4 + size));
      offset += 4 + size;
    }
    buffer = buffer.slice(offset);
  }
}
