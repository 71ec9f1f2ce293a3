/**
 * What the model host shows the UI API (docs/ui-api.md): the loaded model with its
 * LoRA adapters ({@link LoadedModel}, {@link LoadedLora}), the load in progress
 * ({@link Loading}) and why the last load failed ({@link LoadError}).
 *
 * @module
 */

/** The loaded model as the UI API shows it (docs/ui-api.md `LoadedModel`). */
export interface LoadedModel {
  path: string;
  description: string;
  n_params: number;
  size_bytes: number;
  n_ctx_train: number;
  /** Tokens of each slot. */
  n_ctx: number;
  /** Slots: replies generated at once. */
  n_parallel: number;
  /** KV cache of all slots. */
  kv_cache_bytes: number;
  n_layers_offloaded: number;
  /** LoRA adapters on the chat context, in the order they were added. */
  loras: LoadedLora[];
  /** The mmproj loaded with the model (it then takes images), or null. */
  mmproj: string | null;
  /**
   * Why the model takes no images although the library pairs it with an mmproj (libmtmd
   * not built, or the file refused), with what to do; null otherwise.
   */
  vision_error: string | null;
  /** The draft model speculative decoding runs with (load option `draft_model`), or null. */
  draft_model: string | null;
  /**
   * Why the model loaded without the draft model its load options name (a vocabulary that
   * differs, a file that does not load); null otherwise.
   */
  draft_error: string | null;
  /**
   * The prebuilt `@node-llama-cpp` package the model's engine runs, e.g. "linux-x64-vulkan",
   * or "custom" for --lib-dir (load option `variant` picks it).
   */
  variant: string;
  /** ggml's devices of that engine, e.g. ["Vulkan0", "CPU"]: the ones layers can go to. */
  devices: string[];
}

/** A LoRA adapter on the loaded model (docs/ui-api.md `LoadedLora`). */
export interface LoadedLora {
  /** The host's id of the adapter, for PATCH and DELETE. */
  id: number;
  path: string;
  /** `general.name` of the adapter file, else its file name. */
  name: string;
  /** The scale it is applied with; 0 = off. */
  scale: number;
  /** What llama.cpp multiplies with: scale * alpha / rank (alpha 0: scale). */
  effective_scale: number;
}

/** A load in progress: the file and a fraction in [0, 1]. */
export interface Loading {
  path: string;
  progress: number;
}

/** Why the last load failed: the file and the error's message. */
export interface LoadError {
  path: string;
  message: string;
}
