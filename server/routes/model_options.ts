/**
 * `/api/model-options`: the load options saved per model file (docs/ui-api.md). A change
 * applies at the model's next load; a reply that needs the model reloads it with them.
 * `/devices` lists the device kinds (prebuilt variants) detected for the `variant` option.
 *
 * @module
 */
import { Hono } from "hono";
import { readJson } from "../body.ts";
import type { AppDeps } from "../deps.ts";
import { badRequest } from "../http_error.ts";
import { detectDevices } from "../../ffi/devices.ts";

/** The per-model load options routes. */
export function modelOptionsRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/", (c) => {
    const path = c.req.query("path");
    if (!path) throw badRequest("path must name a model file");
    return c.json({ path, options: deps.storage.modelOptions.get(path) });
  });
  // The device kinds the load option `variant` offers here, read afresh (a few file checks).
  app.get("/devices", (c) => c.json({ devices: detectDevices() }));
  app.put("/", async (c) => {
    const { path, options } = await readJson(c);
    if (typeof path !== "string" || path === "") throw badRequest("path must name a model file");
    return c.json({ path, options: deps.storage.modelOptions.set(path, options ?? {}) });
  });
  return app;
}
