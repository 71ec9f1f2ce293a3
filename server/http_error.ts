/**
 * The UI API's error responses (`{"error": {"message", "type", ...}}`, docs/ui-api.md):
 * shorthands for the errors routes raise themselves, and the one function that turns any
 * error into a response through the error table (server/error_table.ts).
 *
 * @module
 */
import { HttpError, httpFailure } from "./error_table.ts";

export { HttpError };

/** 400 for an invalid request body or query. */
export const badRequest = (message: string): HttpError =>
  new HttpError(400, "invalid_request", message);
/** 404 for an unknown route, download or other id a route looks up itself. */
export const notFound = (message: string): HttpError => new HttpError(404, "not_found", message);
/** 409 when the state forbids the request. */
export const conflict = (message: string): HttpError => new HttpError(409, "conflict", message);

/** Builds the JSON error response for any error; unknown errors become 500. */
export function errorResponse(error: unknown): Response {
  const { status, type, message, extra, headers } = httpFailure(error);
  return Response.json({ error: { message, type, ...extra } }, { status, headers });
}
