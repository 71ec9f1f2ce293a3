/**
 * Reads request bodies with a size limit and a clear 400 for anything malformed.
 *
 * @module
 */
import type { Context } from "hono";
import { badRequest, HttpError } from "./http_error.ts";

/** Largest JSON body of an ordinary API call, in bytes. */
export const MAX_JSON_BYTES = 1 << 20;

/**
 * Reads the body as text, refusing more than `maxBytes` (413); a client that
 * disconnects mid-body gets 400 and one log line.
 */
export async function readText(c: Context, maxBytes: number): Promise<string> {
  const declared = Number(c.req.header("content-length") ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const reader = c.req.raw.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch((error) => {
      throw clientClosed(c, error);
    });
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(await new Blob(chunks as BlobPart[]).arrayBuffer());
}

/**
 * Reads a binary body whole, refusing more than `maxBytes` (413). With a Content-Length
 * the bytes land in one buffer of that size, without a second copy; a body that comes
 * as one chunk of that size is returned as it is, and then no buffer is allocated at
 * all (a fresh 8 MiB one is zeroed by the allocator: about 95 ms a GiB of 8 MiB
 * writes on the app's event loop, docs/benchmarks.md, "Workspace files: the UI API with
 * the client in its own process").
 */
export async function readBytes(c: Context, maxBytes: number): Promise<Uint8Array> {
  const declared = c.req.header("content-length");
  const size = declared === undefined ? undefined : Number(declared);
  if (size !== undefined && size > maxBytes) throw tooLarge(maxBytes);
  const reader = c.req.raw.body?.getReader();
  if (!reader) return new Uint8Array(0);
  let buffer: Uint8Array | undefined;
  let filled = 0;
  for (;;) {
    const { done, value } = await reader.read().catch((error) => {
      throw clientClosed(c, error);
    });
    if (done) break;
    if (filled + value.byteLength > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    if (filled === 0 && value.byteLength === size) {
      // The whole body in one chunk (the relay's fast path hands it so): keep it, no copy.
      buffer = value;
      filled = size;
      continue;
    }
    buffer ??= new Uint8Array(size ?? 64 << 10);
    if (filled + value.byteLength > buffer.length) {
      // No length given (chunked): grow by doubling.
      const grown = new Uint8Array(
        Math.min(maxBytes, Math.max(buffer.length * 2, filled + value.byteLength)),
      );
      grown.set(buffer.subarray(0, filled));
      buffer = grown;
    }
    buffer.set(value, filled);
    filled += value.byteLength;
  }
  if (buffer === undefined) return new Uint8Array(0);
  return filled === buffer.length ? buffer : buffer.subarray(0, filled);
}

/** Reads a JSON object body (an empty body reads as `{}`). */
export async function readJson(
  c: Context,
  maxBytes = MAX_JSON_BYTES,
): Promise<Record<string, unknown>> {
  const text = await readText(c, maxBytes);
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badRequest(`Cannot parse the request body as JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequest("The request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/**
 * A client that disconnects mid-body is routine, not a server fault: one line on the
 * log (not a BadResource stack) and a 400 that nobody will read.
 */
function clientClosed(c: Context, error: unknown): HttpError {
  const reason = error instanceof Error ? error.message : String(error);
  console.warn(`hearth: ${c.req.method} ${c.req.path}: the client left mid-body (${reason})`);
  return badRequest("The connection closed before the whole request body arrived");
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, "invalid_request", `The request body exceeds ${maxBytes} bytes`);
}
