/**
 * Middleware against DNS rebinding: a page on a hostile domain that resolves to
 * 127.0.0.1 still sends its own name as Host, so only the names this server is bound
 * to are answered; anything else gets 403.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { OpenAiError } from "../errors.ts";

/**
 * Refuses requests whose Host header is not in `hosts()` (compared without case),
 * e.g. "127.0.0.1:8080", "localhost:8080", "[::1]:8080".
 */
export function hostGuard(hosts: () => readonly string[]): MiddlewareHandler {
  return async function hostGuard(c, next) {
    const host = (c.req.header("host") ?? new URL(c.req.url).host).toLowerCase();
    if (!hosts().some((allowed) => allowed.toLowerCase() === host)) {
      throw new OpenAiError(
        403,
        "invalid_request_error",
        `Host '${host}' is not a name of this server; use the address it listens on.`,
        { code: "invalid_host" },
      );
    }
    await next();
  };
}
