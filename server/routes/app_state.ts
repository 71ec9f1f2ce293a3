/**
 * App-wide routes: state, settings, models (list, load, unload), resources and the
 * app event stream (docs/ui-api.md).
 *
 * @module
 */
import { resolve } from "node:path";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { SettingsPatch } from "../../storage/mod.ts";
import { GgufError } from "../../engine/errors.ts";
import { checkGgufFile } from "../../engine/gguf_check.ts";
import { crashError, verdictsOf } from "../../engine/load_probe.ts";
import { LoadVerdicts } from "../../engine/load_verdicts.ts";
import { readJson } from "../body.ts";
import type { AppDeps } from "../deps.ts";
import type { AppEvent } from "../../app/events.ts";
import { badRequest } from "../http_error.ts";
import { ModelBrokenError } from "../../app/errors.ts";
import { readResources } from "../../app/resources.ts";
import { downloadJson } from "../../api/hub_json.ts";
import type { DownloadStatus } from "../../hub/mod.ts";

/**
 * Answers 422 for a file that fails the header checks or crashed llama.cpp before (by
 * path, size and mtime); both are quick, unlike the load, whose outcome comes later as
 * an event. Other problems (a missing file) are the load's to report.
 *
 * @throws {ModelBrokenError}
 */
async function refuseKnownBroken(path: string, verdicts: LoadVerdicts | undefined): Promise<void> {
  let reason: string | null = null;
  try {
    await checkGgufFile(path);
    const known = await verdictsOf(verdicts).get(await LoadVerdicts.stamp(path));
    if (known?.ok === false) reason = crashError(path, known).message;
  } catch (error) {
    if (error instanceof GgufError) reason = error.message;
  }
  if (reason !== null) {
    throw new ModelBrokenError(path, reason);
  }
}

/** Seconds between SSE comments that keep an idle event stream open through proxies. */
const KEEPALIVE_SECONDS = 15;

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
    const settings = storage.settings.patch(patch);
    if ("model_folders" in patch) deps.library.scan().catch(() => {});
    return c.json(settings);
  });

  app.post("/models/load", async (c) => {
    const { path, n_ctx: nCtx = storage.settings.get().n_ctx } = await readJson(c);
    if (typeof path !== "string" || path === "") throw badRequest("path must name a model file");
    // A file the library found broken never reaches llama.cpp, which can crash on bad input.
    const listed = deps.library.get(resolve(path));
    if (listed?.broken) {
      const reason = listed.brokenReason ?? "unknown reason";
      throw new ModelBrokenError(path, reason, `the library lists it as broken: ${reason}`);
    }
    if (!Number.isInteger(nCtx) || (nCtx as number) < 16) {
      throw badRequest("n_ctx must be an integer >= 16");
    }
    await refuseKnownBroken(path, host.verdicts);
    // Loading runs on; the host publishes progress and the outcome (`model` or `load_error`).
    host.load(path, nCtx as number).catch(() => {});
    return c.body(null, 202);
  });

  app.post("/models/unload", (c) => {
    deps.replies.stopAll();
    host.unload();
    return c.body(null, 204);
  });

  app.get("/resources", (c) => c.json(readResources(host.loaded, deps.rate)));

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
