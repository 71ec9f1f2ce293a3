/**
 * The OpenAI API's errors: one class that carries status, `type`, `param` and `code`,
 * and the one mapping from our engine's errors to OpenAI error JSON
 * (`{"error": {"message", "type", "param", "code"}}`), used by the app's `onError`
 * and by the SSE helper when a stream fails after its headers were sent.
 *
 * @module
 */
import type { GrammarError } from "../../engine/errors.ts";
import { httpFailure } from "../error_table.ts";

/** Fields of an OpenAI error besides its message. */
export interface OpenAiErrorInit {
  /** The request field at fault, e.g. "temperature" or "messages[0].content"; null if none. */
  param?: string | null;
  /** A machine-readable code, e.g. "model_not_found"; null if none. */
  code?: string | null;
  /** Extra fields of the error object (llama-server's `n_prompt_tokens`, `n_ctx`). */
  extra?: Record<string, unknown>;
  /** Extra response headers (`Retry-After`). */
  headers?: Record<string, string>;
}

/** An error answered as OpenAI error JSON with its own HTTP status. */
export class OpenAiError extends Error {
  /** HTTP status code. */
  readonly status: number;
  /** The error `type` on the wire: "invalid_request_error", "server_error", ... */
  readonly type: string;
  /** The request field at fault, or null. */
  readonly param: string | null;
  /** A machine-readable code, or null. */
  readonly code: string | null;
  /** Extra fields of the error object. */
  readonly extra: Record<string, unknown>;
  /** Extra response headers. */
  readonly headers: Record<string, string>;

  /** Creates the error; `message` is shown to the API client as is. */
  constructor(status: number, type: string, message: string, init: OpenAiErrorInit = {}) {
    super(message);
    this.name = "OpenAiError";
    this.status = status;
    this.type = type;
    this.param = init.param ?? null;
    this.code = init.code ?? null;
    this.extra = init.extra ?? {};
    this.headers = init.headers ?? {};
  }

  /** The JSON body: `{"error": {"message", "type", "param", "code", ...extra}}`. */
  toJSON(): { error: Record<string, unknown> } {
    const { message, type, param, code, extra } = this;
    return { error: { message, type, param, code, ...extra } };
  }
}

/** 400 `invalid_request_error` for a bad request body, naming the field at fault. */
export function invalidRequest(
  message: string,
  param: string | null = null,
  code: string | null = null,
): OpenAiError {
  return new OpenAiError(400, "invalid_request_error", message, { param, code });
}

/**
 * The 400 for a schema whose grammar llama.cpp cannot take (left recursion through
 * `$ref`, a grammar over the size limits), naming the field and llama.cpp's reason.
 */
export function unusableSchema(param: string, error: GrammarError): OpenAiError {
  return invalidRequest(
    `Invalid '${param}': the grammar made from this schema cannot be used: ${error.message}.`,
    param,
    "unsupported_schema",
  );
}

/** The OpenAI error `type` for an HTTP status, as OpenAI's API spells them. */
function openAiType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  return status >= 500 ? "server_error" : "invalid_request_error";
}

/** Error-table types too generic to be worth an OpenAI `code`. */
const GENERIC_TYPES = new Set(["invalid_request", "not_found", "conflict", "server_error"]);

/**
 * Turns any error into an OpenAiError: ours pass through; every other error is answered
 * as the error table (server/error_table.ts) says, its type becoming the OpenAI `code`
 * (ContextOverflowError: 400 `exceed_context_size` with llama-server's counts;
 * QueueFullError: 503 `queue_full` with Retry-After); an error without a row is logged
 * and becomes 500 `server_error`.
 */
export function toOpenAiError(error: unknown): OpenAiError {
  if (error instanceof OpenAiError) return error;
  const { status, type, message, extra, headers } = httpFailure(error);
  return new OpenAiError(
    status,
    openAiType(status),
    type === "server_error" ? `The server failed the request: ${message}` : message,
    { code: GENERIC_TYPES.has(type) ? null : type, extra, headers },
  );
}

/** The JSON response for any error (see {@link toOpenAiError}). */
export function openAiErrorResponse(error: unknown): Response {
  const http = toOpenAiError(error);
  return Response.json(http.toJSON(), { status: http.status, headers: http.headers });
}
