/**
 * The app server's guard against cross-site requests. The secret cookie is
 * SameSite=Strict, but every port of 127.0.0.1 is the same site, so a page served by
 * any other local server could still POST with it. Browsers mark every request they
 * send: `Origin` on anything but GET/HEAD, `Sec-Fetch-Site` on all of them. A
 * state-changing request (any method but GET, HEAD and OPTIONS) is refused with 403
 * when either names another origin, or when it carries a body that is not
 * `application/json` or `application/octet-stream` (the workspace files' bytes). The
 * bodies a page can send without a CORS preflight are text/plain, form-urlencoded and
 * multipart; both allowed types need a preflight, which this server never grants.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { HttpError } from "./http_error.ts";

/** Body types a state-changing request may carry. */
const BODY_TYPES = new Set(["application/json", "application/octet-stream"]);

/** Methods that only read: no Origin or Content-Type check. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** `Sec-Fetch-Site` values of requests this server's own pages (or the user) made. */
const SAME_ORIGIN_SITES = new Set(["same-origin", "none"]);

/**
 * Middleware: refuses (403, type "forbidden") a state-changing request whose `Origin`
 * is not `http://` + one of `hosts()` (e.g. "127.0.0.1:8123"), whose `Sec-Fetch-Site`
 * is "same-site" or "cross-site", or whose body is not `application/json` or
 * `application/octet-stream`. Requests without Origin and Sec-Fetch-Site (curl, scripts
 * holding the secret) pass the origin checks; they still need one of those types for a body.
 */
export function requireSameOrigin(hosts: () => readonly string[]): MiddlewareHandler {
  return async function requireSameOrigin(c, next) {
    if (SAFE_METHODS.has(c.req.method)) return await next();
    const origin = c.req.header("origin");
    if (origin !== undefined && !hosts().some((host) => `http://${host}` === origin)) {
      throw new HttpError(
        403,
        "forbidden",
        `Cannot accept a ${c.req.method} from origin "${origin}": only the Hearth window may change state`,
      );
    }
    const site = c.req.header("sec-fetch-site");
    if (site !== undefined && !SAME_ORIGIN_SITES.has(site)) {
      throw new HttpError(
        403,
        "forbidden",
        `Cannot accept a ${c.req.method} from a ${site} page: only the Hearth window may change state`,
      );
    }
    const type = c.req.header("content-type");
    // Deno hands a (empty) body stream even for "content-length: 0", so ask the headers.
    const hasBody = type !== undefined || c.req.header("transfer-encoding") !== undefined ||
      Number(c.req.header("content-length") ?? 0) > 0;
    if (hasBody && !BODY_TYPES.has(mediaType(type))) {
      throw new HttpError(
        403,
        "forbidden",
        `Cannot accept a ${c.req.method} body of type "${
          type ?? ""
        }": send it as application/json (or application/octet-stream for file bytes)`,
      );
    }
    await next();
  };
}

/** "application/json; charset=utf-8" -> "application/json". */
function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0].trim().toLowerCase();
}
