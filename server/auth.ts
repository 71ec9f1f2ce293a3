/**
 * The app server's gate: a per-launch secret that only the window knows, and a Host
 * check against DNS rebinding. The window opens `/?secret=S`; the answer sets an
 * HttpOnly, SameSite=Strict cookie, so pages, API calls and EventSource all carry it.
 * Every other local process or web page gets 401 (403 for a foreign Host).
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { HttpError } from "./http_error.ts";

/** The cookie that carries the secret. */
export const SECRET_COOKIE = "hearth_secret";

/** Makes a launch secret: 32 random bytes, base64url. */
export function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}

/** Compares two strings in time independent of where they differ. */
export function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Middleware: checks Host against `hosts` (e.g. "127.0.0.1:8123", "localhost:8123"),
 * trades `?secret=` on `/` for the cookie, and requires the cookie or a Bearer token.
 */
export function requireSecret(secret: string, hosts: () => readonly string[]): MiddlewareHandler {
  return async function requireSecret(c, next) {
    const host = c.req.header("host") ?? "";
    if (!hosts().includes(host)) {
      throw new HttpError(403, "forbidden", `Host "${host}" is not this server`);
    }
    const url = new URL(c.req.url);
    const offered = url.searchParams.get("secret");
    if (offered !== null && url.pathname === "/" && sameSecret(offered, secret)) {
      setCookie(c, SECRET_COOKIE, secret, { httpOnly: true, sameSite: "Strict", path: "/" });
      return c.redirect("/", 303);
    }
    const bearer = c.req.header("authorization")?.replace(/^Bearer\s+/i, "");
    const cookie = getCookie(c, SECRET_COOKIE);
    if (!(cookie && sameSecret(cookie, secret)) && !(bearer && sameSecret(bearer, secret))) {
      throw new HttpError(
        401,
        "unauthorized",
        "This server needs the secret Hearth opened it with",
      );
    }
    await next();
  };
}
