/**
 * Middleware requiring `Authorization: Bearer <key>` on every route but `/health`.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { OpenAiError } from "../errors.ts";

/** Paths answered without the key: liveness probes carry no secrets. */
const OPEN_PATHS = new Set(["/health"]);

/** Requires the bearer token `key`; 401 `invalid_api_key` otherwise. */
export function apiKey(key: string): MiddlewareHandler {
  return async function apiKey(c, next) {
    if (OPEN_PATHS.has(c.req.path)) return await next();
    const offered = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
    if (offered === undefined || !sameKey(offered, key)) {
      throw new OpenAiError(
        401,
        "invalid_request_error",
        offered === undefined
          ? "You didn't provide an API key. Send it as 'Authorization: Bearer YOUR_KEY'."
          : "Incorrect API key provided.",
        { code: "invalid_api_key", headers: { "www-authenticate": "Bearer" } },
      );
    }
    await next();
  };
}

/** Compares in time independent of where the strings differ. */
function sameKey(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  }
  return diff === 0;
}
