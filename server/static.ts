/**
 * Serves the bundled UI (dist/ui) behind the secret: index.html for `/` and any path
 * that is not a file (client-side routes), assets by extension, nothing outside the
 * folder.
 *
 * @module
 */
import { extname, join, normalize } from "node:path";
import { badRequest } from "./http_error.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".map": "application/json",
  ".woff2": "font/woff2",
};

/**
 * The UI's Content-Security-Policy: scripts, stylesheets and fonts from this server only, no
 * inline scripts or `<style>` elements, no plugins, no framing; images may be data: URLs
 * (icons) or blob: URLs (the composer's previews of images being attached, made by the page
 * from the user's own files). Inline `style` attributes are allowed because KaTeX lays formulas out with them;
 * the Markdown sanitizer keeps `style` only inside KaTeX's output and never with `url(`, and
 * nothing could load from elsewhere anyway (`img-src`, `font-src` stay 'self').
 */
export const UI_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; " +
  "style-src-attr 'unsafe-inline'; " +
  "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; " +
  "base-uri 'none'";

/**
 * Answers a GET for `pathname` from `dir`; 404 when the UI is not built.
 *
 * @param dir the built UI (ui/build.ts)
 * @param pathname the request's path
 * @param theme the theme setting when it is "light" or "dark": index.html then comes with
 *   `data-theme` on `<html>`, so its first paint has the theme's colours. The UI sets the
 *   attribute itself once the settings arrive; without it a dark theme painted white first.
 * @throws {HttpError} 400 when `pathname` has a malformed percent escape ("/%", "/%ff").
 */
export async function serveUi(
  dir: string,
  pathname: string,
  theme?: "light" | "dark",
): Promise<Response> {
  const relative = normalize(decodePath(pathname)).replace(/^(\.\.(\/|\\|$))+/, "");
  let file = join(dir, relative);
  if (!file.startsWith(dir)) return new Response("Not found", { status: 404 });
  let stat = await Deno.stat(file).catch(() => null);
  if (!stat?.isFile) {
    file = join(dir, "index.html");
    stat = await Deno.stat(file).catch(() => null);
    if (!stat?.isFile) {
      return new Response("The UI is not built: run deno task start", { status: 404 });
    }
  }
  const headers = new Headers({
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "content-security-policy": UI_CSP,
    "x-content-type-options": "nosniff",
    "cache-control": "no-cache",
  });
  if (theme && file.endsWith("index.html")) {
    const html = await Deno.readTextFile(file);
    return new Response(html.replace(/<html\b/, `<html data-theme="${theme}"`), { headers });
  }
  return new Response((await Deno.open(file)).readable, { headers });
}

function decodePath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    // A URIError is the client's malformed escape, not a server fault.
    throw badRequest(`Cannot decode the path "${pathname}": it has a malformed percent escape`);
  }
}
