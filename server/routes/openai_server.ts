/**
 * The app's OpenAI server as the UI sees it (docs/ui-api.md): its status, and the
 * hook that makes it follow `PATCH /api/settings`.
 *
 * @module
 */
import { Hono, type MiddlewareHandler } from "hono";
import type { AppOpenAiServer } from "../app_openai_server.ts";

/** `GET /api/openai-server`: the {@link OpenAiServerStatus}. */
export function openAiServerRoutes(deps: { openAiServer: AppOpenAiServer }): Hono {
  const app = new Hono();
  app.get("/", (c) => c.json(deps.openAiServer.status));
  return app;
}

/**
 * Middleware for `/api/settings`: after a successful PATCH, the server catches up with
 * the settings (starts, restarts or stops) before the answer goes out, so a status read
 * right after it is current. Settings that do not concern it change nothing.
 */
export function followSettings(server: AppOpenAiServer): MiddlewareHandler {
  return async function followSettings(c, next) {
    await next();
    if (c.req.method === "PATCH" && c.res.ok) await server.apply();
  };
}
