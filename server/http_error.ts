/**
 * HTTP errors of the app server and the one place that turns any error into the
 * UI API's error JSON (`{"error": {"message", "type", ...}}`, docs/ui-api.md).
 *
 * @module
 */
import {
  ContextOverflowError,
  DisposedError,
  GgufError,
  ModelCrashError,
  ModelNotFoundError,
} from "../engine/errors.ts";
import { MessageStateError, NotFoundError } from "../storage/mod.ts";

/** An error that carries its HTTP status and error type. */
export class HttpError extends Error {
  /** HTTP status code. */
  readonly status: number;
  /** The error `type` on the wire, e.g. "invalid_request". */
  readonly type: string;
  /** Extra fields for the error object. */
  readonly extra: Record<string, unknown>;

  /** Creates the error; `message` is shown to the user. */
  constructor(status: number, type: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.type = type;
    this.extra = extra;
  }
}

/** 400 for an invalid request body or query. */
export const badRequest = (message: string): HttpError =>
  new HttpError(400, "invalid_request", message);
/** 404 for an unknown chat, message or model. */
export const notFound = (message: string): HttpError => new HttpError(404, "not_found", message);
/** 409 when the state forbids the request (no model loaded, a reply already running). */
export const conflict = (message: string): HttpError => new HttpError(409, "conflict", message);

/** Builds the JSON error response for any error; unknown errors become 500. */
export function errorResponse(error: unknown): Response {
  const http = toHttpError(error);
  return Response.json(
    { error: { message: http.message, type: http.type, ...http.extra } },
    { status: http.status },
  );
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof ContextOverflowError) {
    return new HttpError(400, "exceed_context_size", error.message, {
      n_prompt_tokens: error.nPromptTokens,
      n_ctx: error.nCtx,
    });
  }
  if (error instanceof ModelNotFoundError || error instanceof NotFoundError) {
    return notFound(error.message);
  }
  if (error instanceof MessageStateError) return conflict(error.message);
  if (error instanceof ModelCrashError) {
    // The file, not the request, is at fault: the same 422 a broken library entry gets.
    return new HttpError(422, "model_broken", error.message, { broken_reason: error.reason });
  }
  if (error instanceof GgufError) return badRequest(error.message);
  if (error instanceof SyntaxError || error instanceof TypeError || error instanceof RangeError) {
    return badRequest(error.message);
  }
  if (error instanceof DisposedError) return conflict(error.message);
  console.error(error);
  return new HttpError(500, "server_error", error instanceof Error ? error.message : String(error));
}
