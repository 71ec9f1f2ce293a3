/**
 * Load options saved per model file (LM Studio's per-model settings): context size, GPU
 * offload, threads, flash attention, KV cache types, memory mapping, a draft model for
 * speculative decoding and the device kind (the prebuilt variant), in llama.cpp's names.
 * Kept by path in their own table, so re-indexing the library never loses them.
 *
 * @module
 */
import type { StoreContext } from "./_context.ts";
import {
  checkInteger,
  checkKeys,
  checkNumber,
  checkObject,
  checkOneOf,
  checkString,
} from "./_validate.ts";
import type { ModelLoadOptions } from "./types.ts";

/** KV cache types llama.cpp takes for `cache_type_k` / `cache_type_v` (llama-server's -ctk). */
export const CACHE_TYPES: readonly NonNullable<ModelLoadOptions["cache_type_k"]>[] = [
  "f32",
  "f16",
  "bf16",
  "q8_0",
  "q4_0",
  "q4_1",
  "iq4_nl",
  "q5_0",
  "q5_1",
];
/** Device kinds of `variant`: ffi/devices.ts's DEVICE_KINDS (storage cannot import ffi/). */
const DEVICE_KINDS: readonly NonNullable<ModelLoadOptions["variant"]>[] = [
  "cpu",
  "vulkan",
  "cuda",
  "metal",
];
const FLASH_ATTN: readonly NonNullable<ModelLoadOptions["flash_attn"]>[] = ["on", "off", "auto"];
const KEYS = [
  "n_ctx",
  "n_gpu_layers",
  "n_threads",
  "flash_attn",
  "cache_type_k",
  "cache_type_v",
  "use_mmap",
  "use_mlock",
  "draft_model",
  "draft_max",
  "draft_p_min",
  "variant",
];
const INT32_MAX = 2 ** 31 - 1;
/** Largest `draft_max`: engine/speculative.ts's DRAFT_MAX_LIMIT (storage sits beside engine/). */
const DRAFT_MAX_LIMIT = 512;

/**
 * Checks load options: known keys only, each in its range; a null value means "the default"
 * and is dropped.
 *
 * @throws {TypeError} for an unknown key or a value of the wrong type
 * @throws {RangeError} for a number out of range
 */
export function checkModelLoadOptions(value: unknown): ModelLoadOptions {
  const fields = checkObject(value, "options");
  checkKeys(fields, "options", KEYS);
  const out: ModelLoadOptions = {};
  const has = (key: string) => fields[key] !== undefined && fields[key] !== null;
  if (has("n_ctx")) out.n_ctx = checkInteger(fields.n_ctx, "options.n_ctx", 16, INT32_MAX);
  if (has("n_gpu_layers")) {
    out.n_gpu_layers = checkInteger(fields.n_gpu_layers, "options.n_gpu_layers", -1, 100_000);
  }
  if (has("n_threads")) {
    out.n_threads = checkInteger(fields.n_threads, "options.n_threads", 1, 1024);
  }
  if (has("flash_attn")) {
    out.flash_attn = checkOneOf(fields.flash_attn, "options.flash_attn", FLASH_ATTN);
  }
  for (const key of ["cache_type_k", "cache_type_v"] as const) {
    if (has(key)) out[key] = checkOneOf(fields[key], `options.${key}`, CACHE_TYPES);
  }
  if (has("use_mmap")) {
    if (typeof fields.use_mmap !== "boolean") {
      throw new TypeError(`Cannot use "options.use_mmap": must be true or false`);
    }
    out.use_mmap = fields.use_mmap;
  }
  if (has("use_mlock")) {
    if (typeof fields.use_mlock !== "boolean") {
      throw new TypeError(`Cannot use "options.use_mlock": must be true or false`);
    }
    out.use_mlock = fields.use_mlock;
  }
  if (has("draft_model")) out.draft_model = checkString(fields.draft_model, "options.draft_model");
  if (has("draft_max")) {
    out.draft_max = checkInteger(fields.draft_max, "options.draft_max", 1, DRAFT_MAX_LIMIT);
  }
  if (has("draft_p_min")) {
    out.draft_p_min = checkNumber(fields.draft_p_min, "options.draft_p_min", 0, 1);
  }
  if (has("variant")) out.variant = checkOneOf(fields.variant, "options.variant", DEVICE_KINDS);
  return out;
}

/** Load options by model path. Get it from `Storage.modelOptions`. */
export class ModelOptionsStore {
  readonly #ctx: StoreContext;

  /** @internal Use `Storage.modelOptions`. */
  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** The options saved for `path`; `{}` (every default) when none are. */
  get(path: string): ModelLoadOptions {
    const row = this.#ctx.sql.get("SELECT options FROM model_load_options WHERE path = ?")
      .get(path);
    return row ? JSON.parse(row.options as string) : {};
  }

  /**
   * Replaces the options of `path`; `{}` (or only nulls) forgets them.
   *
   * @returns the options saved
   * @throws {TypeError} or {RangeError} for invalid options (see {@link checkModelLoadOptions})
   */
  set(path: string, options: unknown): ModelLoadOptions {
    checkString(path, "path");
    const checked = checkModelLoadOptions(options);
    if (Object.keys(checked).length === 0) {
      this.#ctx.sql.get("DELETE FROM model_load_options WHERE path = ?").run(path);
      return checked;
    }
    this.#ctx.sql.get(
      `INSERT INTO model_load_options (path, options, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (path) DO UPDATE SET options = excluded.options,
         updated_at = excluded.updated_at`,
    ).run(path, JSON.stringify(checked), this.#ctx.now());
    return checked;
  }
}
