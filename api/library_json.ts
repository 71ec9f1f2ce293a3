/**
 * The library's and memory fit's UI API shapes, made from the layers' own values: the
 * mappers are typed with api/types.ts, so the server and the UI cannot drift apart.
 *
 * @module
 */
import type { MemoryFit as EngineMemoryFit } from "../engine/memory_fit.ts";
import type { LibraryModel } from "../library/mod.ts";
import type { LibraryEntry, MemoryFit } from "./types.ts";

/**
 * A memory fit as the UI API shows it.
 *
 * @param fit The estimate, for all `nParallel` sequences together.
 * @param nParallel The slots the estimate is for; `n_ctx` in the JSON is one slot's.
 *   Default 1.
 */
export function fitJson(fit: EngineMemoryFit, nParallel = 1): MemoryFit {
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
    n_ctx: Math.floor(fit.nCtx / nParallel),
    n_parallel: nParallel,
    max_n_ctx: fit.maxNCtx,
    method: fit.method,
    simulation_error: fit.simulationError,
  };
}

/** A library model as the UI API shows it. */
export function libraryEntry(m: LibraryModel, bundledModel: string): LibraryEntry {
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
