/**
 * App-wide routes: state, settings, models (list, load, unload), resources and the
 * app event stream (docs/ui-api.md).
 *
 * @module
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { SettingsPatch } from "../../storage/mod.ts";
import { readJson } from "../body.ts";
import type { AppDeps } from "../deps.ts";
import type { AppEvent } from "../../app/events.ts";
import { badRequest } from "../http_error.ts";
import { readResources } from "../../app/resources.ts";
import { startLoad } from "../../app/model_loads.ts";
import { downloadJson } from "../../api/hub_json.ts";
import type { DownloadStatus } from "../../hub/mod.ts";

/** Seconds between SSE comments that keep an idle event stream open through proxies. */
const KEEPALIVE_SECONDS = 15;

/**
 * Checks that each folder being added (not already in `current`) is an existing directory: a
 * typo would otherwise sit in the list and find nothing. Folders already listed may be gone
 * for a while (an unmounted drive) and stay.
 *
 * @throws {HttpError} 400 naming the first folder that is missing or not a directory.
 */
async function requireNewFolders(folders: unknown[], current: readonly string[]): Promise<void> {
  for (const folder of folders) {
    if (typeof folder !== "string" || current.includes(folder)) continue;
    const stat = await Deno.stat(folder).catch(() => null);
    if (!stat) throw badRequest(`Cannot add the model folder "${folder}": it does not exist`);
    if (!stat.isDirectory) {
      throw badRequest(`Cannot add the model folder "${folder}": it is a file, not a folder`);
    }
  }
}

/** The app-wide routes. */
export function appStateRoutes(deps: AppDeps): Hono {
  const { storage, host, events } = deps;
  const app = new Hono();

  app.get(
    "/state",
    (c) =>
      c.json({
        loaded: host.loaded,
        loading: host.loading,
        load_error: host.loadError,
        settings: storage.settings.get(),
      }),
  );

  app.get("/settings", (c) => c.json(storage.settings.get()));
  app.patch("/settings", async (c) => {
    const patch = (await readJson(c)) as SettingsPatch;
    if (Array.isArray(patch.model_folders)) {
      await requireNewFolders(patch.model_folders, storage.settings.get().model_folders);
    }
    const settings = storage.settings.patch(patch);
    if ("model_folders" in patch) deps.library.scan().catch(() => {});
    return c.json(settings);
  });

  app.post("/models/load", async (c) => {
    const body = await readJson(c);
    const path = body.path;
    if (typeof path !== "string" || path === "") throw badRequest("path must name a model file");
    // The model's saved n_ctx, else the settings' default.
    const nCtx = body.n_ctx ?? storage.modelOptions.get(path).n_ctx ?? storage.settings.get().n_ctx;
    if (typeof nCtx !== "number") throw badRequest("n_ctx must be an integer >= 16");
    await startLoad(host, deps.library, path, nCtx);
    return c.body(null, 202);
  });

  app.post("/models/unload", (c) => {
    deps.replies.stopAll();
    host.unload();
    return c.body(null, 204);
  });

  app.post("/models/loras", async (c) => {
    const { path, scale = 1 } = await readJson(c);
    if (typeof path !== "string" || path === "") {
      throw badRequest("path must name a LoRA adapter file");
    }
    if (typeof scale !== "number") throw badRequest("scale must be a number");
    return c.json(await host.addLora(path, scale));
  });

  app.patch("/models/loras/:id", async (c) => {
    const { scale } = await readJson(c);
    if (typeof scale !== "number") throw badRequest("scale must be a number");
    return c.json(await host.setLoraScale(Number(c.req.param("id")), scale));
  });

  app.delete("/models/loras/:id", async (c) => {
    return c.json(await host.removeLora(Number(c.req.param("id"))));
  });

  app.get("/resources", async (c) => {
    return c.json(readResources(host.loaded, deps.rate, await deps.deviceMemory.read()));
  });

  app.get("/events", (c) =>
    streamSSE(c, async (stream) => {
      const queue: AppEvent[] = [];
      let wake = () => {};
      const unsubscribe = events.subscribe((event) => {
        queue.push(event);
        wake();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake();
      });
      events.closed.then(() => wake());
      while (!stream.aborted && !events.isClosed) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, KEEPALIVE_SECONDS * 1000);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        if (queue.length === 0 && !stream.aborted && !events.isClosed) {
          await stream.write(": keepalive\n\n");
        }
        for (const event of queue.splice(0)) {
          await stream.writeSSE({ event: event.event, data: JSON.stringify(wire(event)) });
        }
      }
    }));

  return app;
}

/** An app event's data in wire spelling: downloads are published as the hub's statuses. */
function wire(event: AppEvent): unknown {
  return event.event === "downloads" ? downloadJson(event.data as DownloadStatus) : event.data;
}
