/**
 * Shared pieces of the UI render tests: Chromium's path and flags, and the helpers their
 * in-test servers answer with (the built bundle, JSON, SSE).
 *
 * @module
 */
import { join } from "node:path";

/** The system Chromium Playwright drives. */
export const CHROMIUM = "/usr/bin/chromium";

/** Headless Chromium without sandbox, GPU or background traffic. */
export const LAUNCH_ARGS: string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const TYPES: Record<string, string> = {
  js: "text/javascript",
  css: "text/css",
  svg: "image/svg+xml",
};

/** Answers `/`, `/app.js`, `/app.css` and `/favicon.svg` from `dist`; null for other paths. */
export async function serveBundle(dist: string, path: string): Promise<Response | null> {
  if (path === "/") {
    return new Response(await Deno.readFile(join(dist, "index.html")), {
      headers: { "content-type": "text/html" },
    });
  }
  if (path === "/app.js" || path === "/app.css" || path === "/favicon.svg") {
    return new Response(await Deno.readFile(join(dist, path)), {
      headers: { "content-type": TYPES[path.split(".")[1]] },
    });
  }
  return null;
}

/** A JSON answer. */
export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

/** An SSE answer; `write` sends events and the stream ends when it resolves. */
export function sse(
  write: (send: (event: string, data: unknown) => void) => Promise<void>,
): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream({
    async start(controller) {
      await write((event, data) =>
        controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`))
      );
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

/** True when nothing is wider than the viewport. */
export function fits(
  page: { evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R> },
  width: number,
): Promise<boolean> {
  return page.evaluate(
    (w) => document.documentElement.scrollWidth <= w && document.body.scrollWidth <= w,
    width,
  );
}
