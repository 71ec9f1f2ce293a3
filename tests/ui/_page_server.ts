/**
 * Shared pieces of the UI render tests: Chromium's path and flags, and the helpers their
 * in-test servers answer with (the built bundle, JSON, SSE).
 *
 * @module
 */
import { join } from "node:path";
import type { Settings } from "../../api/types.ts";
import { UI_CSP } from "../../server/static.ts";

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
  woff2: "font/woff2",
};

/**
 * Answers `/`, `/app.js`, `/app.css`, `/katex.css`, `/favicon.svg`, `/chunks/*.js` and
 * `/fonts/*` from `dist`, with the app
 * server's Content-Security-Policy (so a page that needs more than it allows fails here too);
 * null for other paths.
 */
export async function serveBundle(dist: string, path: string): Promise<Response | null> {
  const file = path === "/" ? "/index.html" : path;
  const ext = file.split(".").pop() ?? "";
  const known =
    ["/index.html", "/app.js", "/app.css", "/katex.css", "/favicon.svg"].includes(file) ||
    /^\/fonts\/[\w.-]+\.woff2$/.test(file) || /^\/chunks\/[\w-]+\.js$/.test(file);
  if (!known) return null;
  return new Response(await Deno.readFile(join(dist, file)), {
    headers: {
      "content-type": ext === "html" ? "text/html" : TYPES[ext],
      "content-security-policy": UI_CSP,
    },
  });
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

/** The settings the UI tests' fake servers answer with (a copy each call). */
export function testSettings(): Settings {
  return {
    default_model: null,
    model_folders: ["/home/me/models"],
    theme: "light",
    sampling: {
      temperature: 0.8,
      top_p: 0.95,
      top_k: 40,
      min_p: 0.05,
      repeat_penalty: 1.1,
      max_tokens: -1,
      seed: -1,
    },
    n_ctx: 4096,
    n_parallel: 4,
    system_prompt: "",
    openai_server: {
      enabled: false,
      port: 8080,
      n_parallel: 2,
      n_ctx: 4096,
      all_interfaces: false,
      api_key_set: false,
    },
  };
}

/**
 * Resolves once the page's running CSS animations and transitions have finished (a dialog's
 * fade-in, the context bar's width): what a screenshot waits for, instead of a guessed delay.
 */
export async function animationsDone(
  page: { evaluate<R>(fn: () => R | Promise<R>): Promise<R> },
): Promise<void> {
  // Two frames first, so a transition that a change just triggered has started.
  await page.evaluate(() =>
    new Promise<void>((resolve) =>
      requestAnimationFrame(() => requestAnimationFrame(() => resolve()))
    )
  );
  await page.evaluate(async () => {
    await Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {})));
  });
}
