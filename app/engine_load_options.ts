/**
 * A model's saved load options (storage's `ModelLoadOptions`, in llama.cpp's names)
 * mapped to the engine's: the device kind, the model's, the context's and the draft
 * model's options. Their JSON tells the host whether a loaded model still matches.
 *
 * @module
 */
import type { KvCacheType } from "../engine/context_options.ts";
import type { DeviceKind } from "../ffi/devices.ts";
import type { ModelLoadOptions } from "../storage/mod.ts";

/** Saved load options in the engine's spelling: the model's, the context's and the draft's. */
export interface EngineLoadOptions {
  /** The device kind to load on; absent: the engine the host was created for. */
  variant?: DeviceKind;
  model: { nGpuLayers?: number; useMmap?: boolean; useMlock?: boolean };
  /** The draft model file and its limits (engine defaults when absent). */
  draft?: { path: string; nMax?: number; pMin?: number };
  context: {
    nThreads?: number;
    flashAttn?: boolean | "auto";
    typeK?: KvCacheType;
    typeV?: KvCacheType;
  };
}

/** Maps saved load options (llama.cpp's names) to the engine's; absent ones stay absent. */
export function engineLoadOptions(o: ModelLoadOptions): EngineLoadOptions {
  const pick = <T extends object>(value: T) =>
    Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
  return {
    ...(o.variant === undefined ? {} : { variant: o.variant }),
    model: pick({ nGpuLayers: o.n_gpu_layers, useMmap: o.use_mmap, useMlock: o.use_mlock }),
    context: pick({
      nThreads: o.n_threads,
      flashAttn: o.flash_attn === undefined || o.flash_attn === "auto"
        ? o.flash_attn
        : o.flash_attn === "on",
      typeK: o.cache_type_k,
      typeV: o.cache_type_v,
    }),
    ...(o.draft_model === undefined
      ? {}
      : { draft: pick({ path: o.draft_model, nMax: o.draft_max, pMin: o.draft_p_min }) }),
  };
}
