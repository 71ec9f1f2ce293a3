/**
 * Middleware for browser origins. A request carrying an Origin not in the allow-list
 * is refused with 403, preflights included, so no web page can call the API unless
 * the user allowed its origin (`--cors`). Allowed origins get their preflight answered
 * (204) and `Access-Control-Allow-Origin` on every response.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { OpenAiError } from "../errors.ts";
import { IGNORED_FIELDS_HEADER } from "../request_fields.ts";

/** Preflight answers may be cached this long, in seconds. */
const MAX_AGE_SECONDS = 600;

/** Allows cross-origin calls from exactly `origins` (e.g. "http://localhost:3000"). */
export function cors(origins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(origins.map((o) => o.replace(/\/+$/, "").toLowerCase()));
  return async function cors(c, next) {
    const origin = c.req.header("origin");
    if (origin === undefined) return await next();
    if (!allowed.has(origin.toLowerCase())) {
      throw new OpenAiError(
        403,
        "invalid_request_error",
        `Origin '${origin}' is not allowed; start the server with --cors ${origin} to allow it.`,
        { code: "origin_not_allowed" },
      );
    }
    if (c.req.method === "OPTIONS") {
      return c.body(null, 204, {
        "access-control-allow-origin": origin,
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": c.req.header("access-control-request-headers") ??
          "authorization, content-type",
        "access-control-max-age": String(MAX_AGE_SECONDS),
        vary: "Origin",
      });
    }
    await next();
    c.res.headers.set("access-control-allow-origin", origin);
    // Lets browser clients read which of their request fields were ignored.
    c.res.headers.set("access-control-expose-headers", IGNORED_FIELDS_HEADER);
    c.res.headers.append("vary", "Origin");
  };
}
