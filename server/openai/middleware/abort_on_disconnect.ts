/**
 * Middleware giving each request an AbortController that aborts when the client
 * disconnects (Deno aborts the request's signal), so generations stop with it. The
 * SSE helper also aborts it when a stream is cancelled.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { OpenAiEnv } from "../env.ts";

/**
 * Sets `c.var.abort`, linked to the request's signal and to `shutdown` (the server
 * closing, which must not wait for long generations).
 */
export function abortOnDisconnect(shutdown?: AbortSignal): MiddlewareHandler<OpenAiEnv> {
  return async function abortOnDisconnect(c, next) {
    const abort = new AbortController();
    // Deno also aborts the request's signal once a response is complete; by then the
    // generation has ended, so aborting it changes nothing.
    for (const signal of [c.req.raw.signal, shutdown]) {
      if (signal === undefined) continue;
      if (signal.aborted) abort.abort(signal.reason);
      else signal.addEventListener("abort", () => abort.abort(signal.reason), { once: true });
    }
    c.set("abort", abort);
    await next();
  };
}
