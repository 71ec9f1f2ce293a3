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
 * closing, which must not wait for long generations). Both links are removed when the
 * request ends: `shutdown` lives as long as the server, and a listener left on it
 * would keep every request's controller alive (a few KB per request, health checks
 * included).
 */
export function abortOnDisconnect(shutdown?: AbortSignal): MiddlewareHandler<OpenAiEnv> {
  return async function abortOnDisconnect(c, next) {
    const abort = new AbortController();
    const request = c.req.raw.signal;
    c.set("abort", abort);
    if (request.aborted || shutdown?.aborted) {
      abort.abort(request.aborted ? request.reason : shutdown?.reason);
      return await next();
    }
    const onShutdown = () => abort.abort(shutdown?.reason);
    // Deno also aborts the request's signal once a response is complete (its legacy
    // behaviour); by then the generation has ended, so aborting it changes nothing.
    const onRequestAbort = () => {
      abort.abort(request.reason);
      unlink();
    };
    const unlink = () => {
      shutdown?.removeEventListener("abort", onShutdown);
      request.removeEventListener("abort", onRequestAbort);
    };
    request.addEventListener("abort", onRequestAbort, { once: true });
    shutdown?.addEventListener("abort", onShutdown, { once: true });
    // Under Deno.serve, Hono's env is the handler info, whose `completed` settles once
    // the response is delivered or the connection lost: the end of every request,
    // streamed ones included, whether or not the request's signal aborts on success.
    completed(c.env)?.then(unlink, unlink);
    try {
      await next();
    } finally {
      // A response that is not a stream was made whole by the handler: the request's
      // generation, if any, has ended. Streams end with `completed` or the signal.
      if (!isEventStream(c.res)) unlink();
    }
  };
}

function completed(env: unknown): Promise<void> | undefined {
  const promise = (env as { completed?: unknown } | undefined)?.completed;
  return promise instanceof Promise ? promise : undefined;
}

function isEventStream(response: Response | undefined): boolean {
  return response?.headers.get("content-type")?.startsWith("text/event-stream") ?? false;
}
