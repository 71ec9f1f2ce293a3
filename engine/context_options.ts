/**
 * Load-time options of a context (`model.createContext`) and their validation.
 *
 * @module
 */
import type { DraftOptions } from "./speculative.ts";
import type { ModelInfo } from "./types.ts";

/**
 * KV cache types a context accepts, with their `enum ggml_type` values (ggml.h); the
 * list is llama.cpp's `kv_cache_types` in common/arg.cpp.
 *
 * @example
 * ```ts
 * import { KV_CACHE_TYPES, type KvCacheType, loadModel } from "@hearth/hearth";
 *
 * const typeK: KvCacheType = "f32";
 * console.log(KV_CACHE_TYPES[typeK], Object.keys(KV_CACHE_TYPES)); // 0 (GGML_TYPE_F32), ...
 * using model = await loadModel("models/stories260K.gguf");
 * using ctx = await model.createContext({ nCtx: 256, typeK, typeV: typeK });
 * ```
 */
export const KV_CACHE_TYPES = {
  f32: 0,
  f16: 1,
  bf16: 30,
  q8_0: 8,
  q4_0: 2,
  q4_1: 3,
  iq4_nl: 20,
  q5_0: 6,
  q5_1: 7,
} as const;

/** A KV cache type name. */
export type KvCacheType = keyof typeof KV_CACHE_TYPES;

/** Options of `model.createContext()`. */
export interface ContextOptions {
  /**
   * KV cache size in tokens, shared by all sequences; integer >= 0, `0` = the model's
   * training context. llama.cpp rounds it up to a multiple of 256. Default
   * min(4096, n_ctx_train), as llama-cli.
   */
  nCtx?: number;
  /** Most tokens per decode call (logical batch); integer >= 1. Default 2048. */
  nBatch?: number;
  /** Most tokens per compute step (physical batch); integer in [1, nBatch]. Default 512. */
  nUbatch?: number;
  /** CPU threads of the context's threadpool; integer >= 1. Default: logical CPUs. */
  nThreads?: number;
  /** Independent sequences (seq_id 0..nSeqMax-1); integer in [1, 256]. Default 1. */
  nSeqMax?: number;
  /**
   * One KV pool of `nCtx` cells that every sequence may use (llama.cpp's `kv_unified`,
   * llama-server's `--kv-unified`); false gives each of the `nSeqMax` sequences its own
   * `nCtx / nSeqMax` (padded to 256). Default false.
   */
  kvUnified?: boolean;
  /** Flash attention: true, false or "auto" (llama.cpp decides per device). Default "auto". */
  flashAttn?: boolean | "auto";
  /** K cache type. Default "f16". Quantized V caches need flash attention. */
  typeK?: KvCacheType;
  /** V cache type. Default "f16". */
  typeV?: KvCacheType;
  /**
   * Speculative decoding with a draft model (llama.cpp's `-md`): the draft proposes up
   * to `nMax` tokens greedily, the target verifies them in one batch. Output is the
   * target's, token for token (greedy: identical; sampled: the same distribution). A
   * second context of the same sizes is made on the draft model and freed with this
   * one. Only `generate`/`chat` use it. Default: none.
   */
  draft?: DraftOptions;
}

/** Options as the Worker takes them. */
export interface ResolvedContextOptions {
  nCtx: number;
  nBatch: number;
  nUbatch: number;
  nThreads: number;
  nSeqMax: number;
  kvUnified: boolean;
  flashAttn: boolean | "auto";
  typeK: number;
  typeV: number;
  embeddings: boolean;
}

/** `LLAMA_MAX_SEQ` in llama.cpp src/llama-cparams.h. */
export const LLAMA_MAX_SEQ = 256;

const KEYS = new Set([
  "nCtx",
  "nBatch",
  "nUbatch",
  "nThreads",
  "nSeqMax",
  "kvUnified",
  "flashAttn",
  "typeK",
  "typeV",
]);

/**
 * Validates context options and fills defaults.
 *
 * @throws {TypeError} for an unknown option or a wrong type.
 * @throws {RangeError} for a value out of range (nSeqMax above nBatch too), naming the option.
 */
export function resolveContextOptions(
  options: ContextOptions,
  model: ModelInfo,
): ResolvedContextOptions {
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) throw new TypeError(`Unknown context option "${key}"`);
  }
  const int = (name: keyof ContextOptions, value: number, min: number, max = 2 ** 31 - 1) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${value}`);
    }
    return value;
  };
  const train = model.nCtxTrain > 0 ? model.nCtxTrain : 4096;
  const nCtx = int("nCtx", options.nCtx ?? Math.min(4096, train), 0);
  const nBatch = int("nBatch", options.nBatch ?? 2048, 1);
  const nUbatch = int("nUbatch", options.nUbatch ?? Math.min(512, nBatch), 1, nBatch);
  const nThreads = int("nThreads", options.nThreads ?? navigator.hardwareConcurrency, 1, 512);
  const nSeqMax = int("nSeqMax", options.nSeqMax ?? 1, 1, LLAMA_MAX_SEQ);
  // llama_context reserves an output row per sequence within n_batch rows and aborts the
  // process past that (GGML_ASSERT n_outputs_max, src/llama-context.cpp output_reserve).
  if (nSeqMax > nBatch) {
    throw new RangeError(
      `nSeqMax (${nSeqMax}) must be at most nBatch (${nBatch}): every sequence needs an ` +
        `output row of the batch; raise nBatch or lower nSeqMax`,
    );
  }
  const kvUnified = options.kvUnified ?? false;
  if (typeof kvUnified !== "boolean") {
    throw new TypeError(`kvUnified must be a boolean, got ${kvUnified}`);
  }
  const flashAttn = options.flashAttn ?? "auto";
  if (flashAttn !== "auto" && typeof flashAttn !== "boolean") {
    throw new RangeError(`flashAttn must be true, false or "auto", got ${flashAttn}`);
  }
  const type = (name: "typeK" | "typeV") => {
    const value = options[name] ?? "f16";
    if (!(value in KV_CACHE_TYPES)) {
      throw new RangeError(
        `${name} must be one of ${Object.keys(KV_CACHE_TYPES).join(", ")}, got "${value}"`,
      );
    }
    return KV_CACHE_TYPES[value];
  };
  return {
    nCtx: nCtx === 0 ? train : nCtx,
    nBatch,
    nUbatch,
    nThreads,
    nSeqMax,
    kvUnified,
    flashAttn,
    typeK: type("typeK"),
    typeV: type("typeV"),
    embeddings: false,
  };
}
