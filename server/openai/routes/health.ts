/**
 * `GET /health` (llama-server's shape, open without the API key) and `GET /metrics`
 * (Prometheus text).
 *
 * @module
 */
import { Hono } from "hono";
import type { OpenAiEnv, RouteDeps } from "../env.ts";

/** The health and metrics routes, mounted at `/`. */
export function healthRoutes(deps: RouteDeps): Hono<OpenAiEnv> {
  const route = new Hono<OpenAiEnv>();
  route.get("/health", (c) => c.json({ status: "ok" }));
  route.get("/metrics", (c) =>
    c.body(deps.metrics.render(deps.backend.load()), 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
    }));
  return route;
}
