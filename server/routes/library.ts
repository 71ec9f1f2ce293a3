/**
 * The local side of the model browser: the library, memory fit, verify, delete and
 * reveal (docs/ui-api.md).
 *
 * @module
 */
import { dirname } from "node:path";
import { Hono } from "hono";
import type { Engine } from "../../engine/engine.ts";
import { estimateMemory, type MemoryFit } from "../../engine/memory_fit.ts";
import type { LibraryModel, ModelLibrary } from "../../library/mod.ts";
import { openBrowser } from "../../cli/open_browser.ts";
import { badRequest, notFound } from "../http_error.ts";
import { ModelCrashError } from "../../engine/errors.ts";
import type { LoadVerdicts } from "../../engine/load_verdicts.ts";
import { markCrashed } from "../model_host.ts";

/** What the library routes use. */
export interface LibraryDeps {
  library: ModelLibrary;
  engine: () => Promise<Engine>;
  bundledModel: string;
  /** The settings' n_ctx, the default for fit estimates. */
  defaultNCtx: () => number;
  /** Verdicts of child-process loads; a fit of a file not known to load runs in a child. */
  loadVerdicts?: LoadVerdicts;
}

/** A memory fit as the UI API shows it. */
export function fitJson(fit: MemoryFit) {
  return {
    devices: fit.devices.map((d) => ({
      device: d.device,
      weights_bytes: d.weightsBytes,
      kv_cache_bytes: d.kvCacheBytes,
      compute_bytes: d.computeBytes,
      total_bytes: d.totalBytes,
      free_bytes: d.freeBytes,
    })),
    total_bytes: fit.totalBytes,
    verdict: fit.verdict,
    n_ctx: fit.nCtx,
    max_n_ctx: fit.maxNCtx,
    method: fit.method,
    simulation_error: fit.simulationError,
  };
}

/** A library model as the UI API shows it. */
export function libraryEntry(m: LibraryModel, bundledModel: string) {
  const bundled = m.path === bundledModel;
  return {
    id: m.id,
    path: m.path,
    name: m.displayName,
    kind: m.kind,
    size_bytes: m.sizeBytes,
    architecture: m.architecture,
    quantization: m.quantization,
    n_params: m.nParams,
    context_length: m.nCtxTrain,
    n_layer: m.nLayer,
    has_chat_template: m.hasChatTemplate,
    license: m.license,
    base_model: m.baseModel?.name ?? m.baseModel?.repoUrl ?? null,
    source: bundled ? "bundled" : m.root.kind,
    hf_repo: m.hf?.repo ?? null,
    sha256: m.sha256,
    verified_at: m.verifiedAtMs,
    broken_reason: m.broken ? m.brokenReason : null,
    bundled,
  };
}

/** `/api/models/...` of the library (load and unload live in app_state.ts). */
export function libraryRoutes(deps: LibraryDeps): Hono {
  const { library } = deps;
  const app = new Hono();
  const find = (id: string) => {
    const model = library.get(id);
    if (!model) throw notFound(`No model "${id}" in the library`);
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
    if (!Number.isInteger(nCtx) || nCtx < 16) throw badRequest("n_ctx must be an integer >= 16");
    if (!Number.isInteger(nGpuLayers) || nGpuLayers < -1) {
      throw badRequest("n_gpu_layers must be an integer >= -1");
    }
    // Without an engine the formula answers alone.
    const engine = await deps.engine().catch(() => null);
    try {
      const loadVerdicts = deps.loadVerdicts;
      return c.json(fitJson(
        await estimateMemory(engine, model.path, { nCtx, nGpuLayers, loadVerdicts }),
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
    await openBrowser(dirname(find(c.req.param("id")).path));
    return c.body(null, 204);
  });

  return app;
}
