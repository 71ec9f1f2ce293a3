/**
 * The local side of the model browser: the library, memory fit, verify, delete and
 * reveal (docs/ui-api.md).
 *
 * @module
 */
import { dirname } from "node:path";
import { Hono } from "hono";
import type { Engine } from "../../engine/engine.ts";
import { estimateMemory } from "../../engine/memory_fit.ts";
import { type ModelLibrary, ModelNotInLibraryError } from "../../library/mod.ts";
import { badRequest } from "../http_error.ts";
import { fitJson, libraryEntry } from "../../api/library_json.ts";
import { ModelCrashError } from "../../engine/errors.ts";
import type { LoadVerdicts } from "../../engine/load_verdicts.ts";
import { markCrashed } from "../../app/model_loads.ts";

/** What the library routes use. */
export interface LibraryDeps {
  library: ModelLibrary;
  /** Shows a folder in the system's file manager. */
  openPath: (path: string) => Promise<void>;
  engine: () => Promise<Engine>;
  bundledModel: string;
  /** The settings' n_ctx, the default for fit estimates. */
  defaultNCtx: () => number;
  /** The settings' n_parallel: the app's slots, each with the chat's n_ctx of KV cache. */
  slots: () => number;
  /** Verdicts of child-process loads; a fit of a file not known to load runs in a child. */
  loadVerdicts?: LoadVerdicts;
}

/** `/api/models/...` of the library (load and unload live in app_state.ts). */
export function libraryRoutes(deps: LibraryDeps): Hono {
  const { library } = deps;
  const app = new Hono();
  const find = (id: string) => {
    const model = library.get(id);
    if (!model) throw new ModelNotInLibraryError(id);
    return model;
  };

  app.get("/", (c) => {
    const models = library.list({ includeHidden: false })
      .map((m) => libraryEntry(m, deps.bundledModel))
      .sort((a, b) => Number(b.bundled) - Number(a.bundled) || a.name.localeCompare(b.name));
    return c.json({ models });
  });

  app.get("/:id/fit", async (c) => {
    const model = find(c.req.param("id"));
    if (model.broken) throw badRequest(`Cannot estimate a broken model: ${model.brokenReason}`);
    const nCtx = Number(c.req.query("n_ctx") ?? deps.defaultNCtx());
    const nGpuLayers = Number(c.req.query("n_gpu_layers") ?? -1);
    const slots = deps.slots();
    if (!Number.isInteger(nCtx) || nCtx < 16) throw badRequest("n_ctx must be an integer >= 16");
    if (!Number.isInteger(nGpuLayers) || nGpuLayers < -1) {
      throw badRequest("n_gpu_layers must be an integer >= -1");
    }
    // Without an engine the formula answers alone.
    const engine = await deps.engine().catch(() => null);
    try {
      const loadVerdicts = deps.loadVerdicts;
      return c.json(fitJson(
        // As the app loads it: n_parallel slots with n_ctx tokens each (engine/serving.ts).
        await estimateMemory(engine, model.path, {
          nCtx: nCtx * slots,
          nSeqMax: slots,
          nGpuLayers,
          loadVerdicts,
        }),
        slots,
      ));
    } catch (error) {
      // The simulation crashed llama.cpp (in a child process): the model is broken.
      if (error instanceof ModelCrashError) await markCrashed(library, model.path, error);
      throw error;
    }
  });

  app.post("/:id/verify", async (c) => {
    const result = await library.verify(find(c.req.param("id")).id);
    return c.json({ ok: result.ok, sha256: result.sha256, expected_sha256: result.expectedSha256 });
  });

  app.delete("/:id", async (c) => {
    const model = find(c.req.param("id"));
    if (model.path === deps.bundledModel) throw badRequest("The bundled model cannot be deleted");
    await library.remove(model.id, { deleteFile: true });
    return c.body(null, 204);
  });

  app.post("/:id/reveal", async (c) => {
    await deps.openPath(dirname(find(c.req.param("id")).path));
    return c.body(null, 204);
  });

  return app;
}
