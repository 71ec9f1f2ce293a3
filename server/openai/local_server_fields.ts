/**
 * Fields OpenAI does not define but local servers' clients send: llama-server's
 * `n_predict`, `t_max_predict_ms`, `cache_prompt`, `n_probs`, `samplers`, `id_slot`,
 * `n_keep`, and Ollama's `keep_alive` (its `options` are read through
 * RequestFields). Each is type-checked (400 on a wrong type); those this engine
 * cannot honour are recorded as ignored unless their value asks for what it does
 * anyway (`cache_prompt: true`, `n_probs: 0`, `id_slot: -1`, `n_keep: 0`). The
 * sampling ones it honours are in sampling_fields.ts.
 *
 * @module
 */
import { optionalBoolean, optionalNumber, wrongType } from "./fields.ts";
import type { RequestFields } from "./request_fields.ts";

/** Fields read by {@link readLocalServerFields}, for the routes' lists of known fields. */
export const LOCAL_SERVER_FIELDS: readonly string[] = [
  "n_predict",
  "t_max_predict_ms",
  "cache_prompt",
  "n_probs",
  "samplers",
  "id_slot",
  "n_keep",
  "keep_alive",
  "options",
  "lora",
];

/** What the route acts on from these fields. */
export interface LocalServerRequest {
  /**
   * llama-server's `n_predict` (Ollama's `options.num_predict`): tokens to generate
   * at most; -1 = until EOS or a full context (Ollama's -2, fill the context, too).
   * Undefined when absent.
   */
  nPredict: number | undefined;
  /**
   * llama-server's `t_max_predict_ms`: once a newline has been generated and this
   * many milliseconds have passed since the first token, the generation ends with
   * finish_reason "length". Undefined when absent or 0 (off).
   */
  tMaxPredictMs: number | undefined;
  /**
   * llama-server's per-request `lora: [{id, scale}]`, as sent (checked against the
   * served adapters by ServedLoras.forRequest). Undefined when absent.
   */
  lora: unknown;
}

/**
 * Reads the local-server fields of a completion request.
 *
 * @throws {OpenAiError} 400 naming a field of the wrong type or out of range.
 */
export function readLocalServerFields(fields: RequestFields): LocalServerRequest {
  const int = (name: string, min: number, max = 2 ** 31 - 1) =>
    optionalNumber(fields.get(name), fields.param(name), { integer: true, min, max });
  const ignoreUnless = (name: string, honoured: boolean) => {
    if (fields.has(name) && !honoured) fields.ignore(name);
  };
  const nPredict = int("n_predict", -2);
  const tMaxPredictMs = optionalNumber(fields.get("t_max_predict_ms"), "t_max_predict_ms", {
    min: 0,
  });
  // The engine always reuses the longest cached prefix of the slot's KV cache.
  const cachePrompt = optionalBoolean(fields.get("cache_prompt"), "cache_prompt");
  ignoreUnless("cache_prompt", cachePrompt !== false);
  // Token probabilities are not returned by this engine.
  ignoreUnless("n_probs", int("n_probs", 0) === 0);
  // The engine's sampler order is fixed (llama.cpp's default order).
  readSamplers(fields.get("samplers"));
  ignoreUnless("samplers", false);
  // Slots are assigned by the server; -1 is llama-server's "any slot".
  ignoreUnless("id_slot", int("id_slot", -1) === -1);
  // No context shift here: an overlong prompt is an error, so nothing is kept.
  ignoreUnless("n_keep", (int("n_keep", -1) ?? 0) === 0);
  // The model stays loaded for the server's life.
  readKeepAlive(fields.get("keep_alive"));
  ignoreUnless("keep_alive", false);
  return {
    nPredict: nPredict === undefined ? undefined : Math.max(nPredict, -1),
    tMaxPredictMs: tMaxPredictMs === 0 ? undefined : tMaxPredictMs,
    lora: fields.get("lora") ?? undefined,
  };
}

/** llama-server takes the sampler order as names or as a string of one-letter codes. */
function readSamplers(value: unknown): void {
  if (value === undefined || value === null || typeof value === "string") return;
  if (!Array.isArray(value)) throw wrongType("samplers", "a string or an array of strings", value);
  value.forEach((name, i) => {
    if (typeof name !== "string") throw wrongType(`samplers[${i}]`, "a string", name);
  });
}

/** Ollama's keep_alive is a duration string ("5m") or a number of seconds. */
function readKeepAlive(value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "string" && typeof value !== "number") {
    throw wrongType("keep_alive", "a string or a number", value);
  }
}
