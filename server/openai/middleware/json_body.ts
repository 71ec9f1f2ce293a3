/**
 * Middleware that reads a POST body as one JSON object, at most `maxBytes` bytes
 * (413 beyond, counted as it streams in, whatever Content-Length says), and hands it
 * to routes as `c.var.body`. A client that disconnects mid-body gets 400 and one log
 * line.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { OpenAiEnv } from "../env.ts";
import { invalidRequest, OpenAiError } from "../errors.ts";

/** The default body limit: 4 MiB, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Routes whose body is a JSON array (llama-server's `POST /lora-adapters`): into `c.var.bodyList`. */
const ARRAY_BODY_PATHS: ReadonlySet<string> = new Set(["/lora-adapters"]);

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
    if (Array.isArray(value) && ARRAY_BODY_PATHS.has(c.req.path)) {
      c.set("body", {});
      c.set("bodyList", value);
      return await next();
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
    const { done, value } = await reader.read().catch((error) => {
      throw clientClosed(request, error);
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
 * A client that disconnects mid-body is routine, not a server fault: one line on the
 * log (not a BadResource stack) and a 400 that nobody will read.
 */
function clientClosed(request: Request, error: unknown): OpenAiError {
  const reason = error instanceof Error ? error.message : String(error);
  const path = new URL(request.url).pathname;
  console.warn(`hearth serve: ${request.method} ${path}: the client left mid-body (${reason})`);
  return invalidRequest(
    "The connection closed before the whole request body arrived.",
    null,
    "incomplete_body",
  );
}

function tooLarge(maxBytes: number): OpenAiError {
  return new OpenAiError(
    413,
    "invalid_request_error",
    `The request body exceeds ${maxBytes} bytes.`,
    { code: "request_too_large" },
  );
}
