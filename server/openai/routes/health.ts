/**
 * `GET /health` (llama-server's shape, open without the API key) and `GET /metrics`
 * (Prometheus text).
 *
 * @module
 */
import { Hono } from "hono";
import type { OpenAiEnv, RouteDeps } from "../env.ts";
import { OpenAiError, openAiErrorResponse } from "../errors.ts";

/**
 * The health and metrics routes, mounted at `/`. `/health` answers 503 while the
 * scheduler has gone `deps.stallAfterMs` without a step with requests in flight: a
 * process that still answers HTTP but serves nothing is not healthy.
 */
export function healthRoutes(deps: RouteDeps): Hono<OpenAiEnv> {
  const route = new Hono<OpenAiEnv>();
  route.get("/health", (c) => {
    const stalledMs = deps.backend.stalledMs?.() ?? 0;
    if (stalledMs < deps.stallAfterMs) return c.json({ status: "ok" });
    const { queued, slotsBusy } = deps.backend.load();
    return openAiErrorResponse(
      new OpenAiError(
        503,
        "unavailable_error",
        `The scheduler has run no step for ${Math.round(stalledMs / 1000)} s with ` +
          `${queued + slotsBusy} requests in flight; restart the server`,
        { code: "scheduler_stalled" },
      ),
    );
  });
  route.get("/metrics", (c) =>
    c.body(deps.metrics.render(deps.backend.load()), 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
    }));
  return route;
}
