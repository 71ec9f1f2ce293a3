/**
 * Hyperparameter checks of engine/gguf_check.ts: values llama.cpp's loader accepts but
 * asserts on later, aborting the process.
 *
 * @module
 */
import { GgufError } from "./errors.ts";

/**
 * LLAMA_MAX_LAYERS in src/llama-hparams.h of the pinned llama.cpp (the one in
 * node-llama-cpp 3.21.1: `#define LLAMA_MAX_LAYERS 512`): llama-model.cpp asserts
 * `n_layer_all > 0 && n_layer_all <= LLAMA_MAX_LAYERS`, which aborts the process.
 */
const LLAMA_MAX_LAYERS = 512;

/**
 * Checks the hyperparameters llama.cpp trusts: values that pass its loader but abort the
 * process later, `GGML_ASSERT(hparams.n_layer_all > 0 ...)` at load or
 * `GGML_ASSERT(eps >= 0.0f)` in the first decode. Only present scalar keys are checked
 * (per-layer arrays are llama.cpp's to check); the child-process load of
 * engine/load_probe.ts catches what no check here foresees.
 *
 * @param path The file, for the message.
 * @param arch `general.architecture`: the prefix of the keys.
 * @param scalars The file's scalar metadata.
 * @throws {GgufError} naming the key, its value and what llama.cpp needs.
 */
export function checkHyperparameters(
  path: string,
  arch: string,
  scalars: Record<string, string | number | boolean>,
): void {
  const fail = (key: string, value: unknown, want: string) =>
    new GgufError(path, `${arch}.${key} is ${value}; ${want}`);
  const layers = scalars[`${arch}.block_count`];
  if (
    layers !== undefined &&
    (typeof layers !== "number" || !Number.isInteger(layers) || layers < 1 ||
      layers > LLAMA_MAX_LAYERS)
  ) {
    throw fail("block_count", layers, `llama.cpp needs 1 to ${LLAMA_MAX_LAYERS} layers`);
  }
  for (const key of ["attention.layer_norm_rms_epsilon", "attention.layer_norm_epsilon"]) {
    const eps = scalars[`${arch}.${key}`];
    if (eps !== undefined && (typeof eps !== "number" || !Number.isFinite(eps) || eps <= 0)) {
      throw fail(key, eps, "a norm epsilon must be a finite number above 0");
    }
  }
  const heads = scalars[`${arch}.attention.head_count`];
  const kvHeads = scalars[`${arch}.attention.head_count_kv`];
  for (const [key, value] of [["head_count", heads], ["head_count_kv", kvHeads]] as const) {
    if (value !== undefined && (typeof value !== "number" || value < 1)) {
      throw fail(`attention.${key}`, value, "a model needs at least one attention head");
    }
  }
  if (typeof heads === "number" && typeof kvHeads === "number" && heads % kvHeads !== 0) {
    throw fail(
      "attention.head_count",
      heads,
      `not a multiple of attention.head_count_kv ${kvHeads}, as grouped-query attention needs`,
    );
  }
  const context = scalars[`${arch}.context_length`];
  if (context !== undefined && (typeof context !== "number" || context < 1)) {
    throw fail("context_length", context, "the training context must be at least 1 token");
  }
}
