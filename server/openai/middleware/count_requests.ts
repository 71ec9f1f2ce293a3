/**
 * Middleware counting answered requests by endpoint and status for `/metrics`.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { ServerMetrics } from "../metrics.ts";

/** The endpoints counted by name; any other path counts as "other", bounding labels. */
const ENDPOINTS = new Set([
  "/v1/models",
  "/v1/chat/completions",
  "/v1/completions",
  "/v1/embeddings",
  "/health",
  "/metrics",
]);

/** Counts each request once its response (or error response) is set. */
export function countRequests(metrics: ServerMetrics): MiddlewareHandler {
  return async function countRequests(c, next) {
    await next();
    const path = c.req.path.replace(/\/+$/, "");
    const endpoint = ENDPOINTS.has(path)
      ? path
      : path.startsWith("/v1/models/")
      ? "/v1/models/{model}"
      : "other";
    metrics.countRequest(endpoint, c.res.status);
  };
}
