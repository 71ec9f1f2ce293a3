/**
 * Middleware that reads a POST body as one JSON object, at most `maxBytes` bytes
 * (413 beyond, counted as it streams in, whatever Content-Length says), and hands it
 * to routes as `c.var.body`.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { OpenAiEnv } from "../env.ts";
import { invalidRequest, OpenAiError } from "../errors.ts";

/** The default body limit: 4 MiB, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Parses JSON bodies of at most `maxBytes` bytes into `c.var.body`. */
export function jsonBody(maxBytes: number): MiddlewareHandler<OpenAiEnv> {
  return async function jsonBody(c, next) {
    if (c.req.method !== "POST") {
      c.set("body", {});
      return await next();
    }
    const text = await readLimited(c.req.raw, maxBytes);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw invalidRequest(
        `We could not parse the JSON body of your request: ${(error as Error).message}.`,
        null,
        "invalid_json",
      );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw invalidRequest("The request body must be a JSON object.", null, "invalid_json");
    }
    c.set("body", value as Record<string, unknown>);
    await next();
  };
}

async function readLimited(request: Request, maxBytes: number): Promise<string> {
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes) throw tooLarge(maxBytes);
  const reader = request.body?.getReader();
  if (reader === undefined) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
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

function tooLarge(maxBytes: number): OpenAiError {
  return new OpenAiError(
    413,
    "invalid_request_error",
    `The request body exceeds ${maxBytes} bytes.`,
    { code: "request_too_large" },
  );
}
