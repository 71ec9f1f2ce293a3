/**
 * The request fields chat and text completions share: sampling (OpenAI's and
 * llama-server's), length, stop, logit_bias, n, stream and stream_options,
 * translated into the engine's GenerateOptions. Absent fields take the engine's
 * defaults (llama-server's), not OpenAI's.
 *
 * @module
 */
import { MAX_STOP_STRINGS } from "../../engine/generate_options.ts";
import type { GenerateOptions } from "../../engine/generate_options.ts";
import { invalidRequest } from "./errors.ts";
import {
  invalidValue,
  type NumberRange,
  optionalBoolean,
  optionalNumber,
  optionalObject,
  optionalString,
  wrongType,
} from "./fields.ts";
import type { RequestFields } from "./request_fields.ts";

/** Fields read by {@link readSampling}, for the routes' lists of known fields. */
export const SAMPLING_FIELDS: readonly string[] = [
  "temperature",
  "top_p",
  "top_k",
  "min_p",
  "typical_p",
  "presence_penalty",
  "frequency_penalty",
  "repeat_penalty",
  "repeat_last_n",
  "mirostat",
  "mirostat_tau",
  "mirostat_eta",
  "ignore_eos",
  "seed",
  "stop",
  "logit_bias",
  "max_tokens",
  "n",
  "stream",
  "stream_options",
  "user",
];

/** What {@link readSampling} needs of the model: `ModelInfo`'s vocabulary facts. */
export interface VocabFacts {
  /** Vocabulary size, bounding logit_bias ids. */
  nVocab: number;
  /** End-of-sequence token id, -1 if none. */
  eos: number;
  /** End-of-turn token id, -1 if none. */
  eot: number;
}

/** Sampling and streaming choices of one request. */
export interface SamplingRequest {
  /** Engine options (no signal yet). */
  options: GenerateOptions;
  /** Answer with server-sent events. */
  stream: boolean;
  /** Send a usage chunk before `[DONE]` (`stream_options.include_usage`). */
  includeUsage: boolean;
}

/**
 * Reads the shared fields of a completion request, OpenAI's and llama-server's
 * sampling extensions (`top_k`, `min_p`, `typical_p`, `repeat_penalty`,
 * `repeat_last_n`, `mirostat*`, `ignore_eos`), taking Ollama's `options` where the body lacks a
 * field.
 *
 * @param maxTokens The length limit the route read (max_tokens, max_completion_tokens
 *   or n_predict); undefined or -1 = until EOS or a full context.
 * @param vocab The model's vocabulary facts: logit_bias ids are bounded by `nVocab`;
 *   `ignore_eos` bans `eos` and `eot` with a -Infinity bias, as llama-server bans
 *   end-of-generation tokens.
 * @throws {OpenAiError} 400 naming the field at fault.
 */
export function readSampling(
  fields: RequestFields,
  maxTokens: number | undefined,
  vocab: VocabFacts,
): SamplingRequest {
  const num = (name: string, range: NumberRange) =>
    optionalNumber(fields.get(name), fields.param(name), range);
  const n = num("n", { integer: true, min: 1, max: 128 });
  if (n !== undefined && n !== 1) {
    throw invalidRequest(
      "Invalid 'n': this server generates one choice per request; use n=1.",
      "n",
      "invalid_value",
    );
  }
  optionalString(fields.get("user"), "user");
  const repeatPenalty = num("repeat_penalty", { min: 0 });
  if (repeatPenalty === 0) {
    throw invalidValue(fields.param("repeat_penalty"), "expected a number > 0 (1 = off)");
  }
  const logitBias = readLogitBias(fields.body.logit_bias, vocab.nVocab);
  const ignoreEos = optionalBoolean(fields.get("ignore_eos"), "ignore_eos") ?? false;
  const options: GenerateOptions = {
    temperature: num("temperature", { min: 0, max: 2 }),
    // The engine needs top_p > 0; OpenAI's 0 keeps only the most likely token, as does the smallest p.
    topP: positive(num("top_p", { min: 0, max: 1 })),
    topK: num("top_k", { integer: true, min: 0, max: 2 ** 31 - 1 }),
    minP: num("min_p", { min: 0, max: 1 }),
    typicalP: positive(num("typical_p", { min: 0, max: 1 })),
    presencePenalty: num("presence_penalty", { min: -2, max: 2 }),
    frequencyPenalty: num("frequency_penalty", { min: -2, max: 2 }),
    repeatPenalty,
    penaltyLastN: num("repeat_last_n", { integer: true, min: -1, max: 2 ** 31 - 1 }),
    mirostat: num("mirostat", { integer: true, min: 0, max: 2 }),
    mirostatTau: num("mirostat_tau", { min: 0 }),
    mirostatEta: num("mirostat_eta", { min: 0 }),
    seed: readSeed(fields.get("seed"), fields.param("seed")),
    stop: readStop(fields.get("stop"), fields.param("stop")),
    logitBias: ignoreEos ? banEog(logitBias, vocab) : logitBias,
    maxTokens: maxTokens ?? -1,
  };
  const stream = optionalBoolean(fields.body.stream, "stream") ?? false;
  const includeUsage = readStreamOptions(fields, stream);
  for (const key of Object.keys(options) as (keyof GenerateOptions)[]) {
    if (options[key] === undefined) delete options[key];
  }
  return { options, stream, includeUsage };
}

/** A probability of 0 keeps only the most likely token, as does the smallest p > 0. */
function positive(p: number | undefined): number | undefined {
  return p === 0 ? Number.MIN_VALUE : p;
}

/** llama-server's ignore_eos: end-of-generation tokens get a -Infinity bias. */
function banEog(
  bias: Record<number, number> | undefined,
  vocab: VocabFacts,
): Record<number, number> | undefined {
  const banned = { ...bias };
  for (const token of [vocab.eos, vocab.eot]) if (token >= 0) banned[token] = -Infinity;
  return Object.keys(banned).length === 0 ? undefined : banned;
}

function readStreamOptions(fields: RequestFields, stream: boolean): boolean {
  const streamOptions = optionalObject(fields.body.stream_options, "stream_options");
  if (streamOptions === undefined) return false;
  if (!stream) {
    throw invalidRequest(
      "Invalid 'stream_options': only allowed when 'stream' is true.",
      "stream_options",
      "invalid_value",
    );
  }
  fields.ignoreUnknown(
    streamOptions,
    new Set(["include_usage", "include_obfuscation"]),
    "stream_options",
  );
  optionalBoolean(streamOptions.include_obfuscation, "stream_options.include_obfuscation");
  return optionalBoolean(streamOptions.include_usage, "stream_options.include_usage") ?? false;
}

/** Reads a length limit (max_tokens and its kin): an integer >= 1, or undefined. */
export function readMaxTokens(value: unknown, param: string): number | undefined {
  return optionalNumber(value, param, { integer: true, min: 1 });
}

/**
 * OpenAI's seed is any integer; llama.cpp's is a uint32 where 0xFFFFFFFF means
 * "random". Integers are taken modulo 2^32, so -1 is random, as in llama.cpp.
 */
function readSeed(value: unknown, param: string): number | undefined {
  const seed = optionalNumber(value, param, { integer: true });
  if (seed === undefined) return undefined;
  const wrapped = ((seed % 2 ** 32) + 2 ** 32) % 2 ** 32;
  return wrapped === 0xFFFFFFFF ? undefined : wrapped;
}

function readStop(value: unknown, param: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list)) throw wrongType(param, "a string or an array of strings", value);
  if (list.length > MAX_STOP_STRINGS) {
    throw invalidValue(
      param,
      `expected at most ${MAX_STOP_STRINGS} strings, but got ${list.length}`,
    );
  }
  list.forEach((s, i) => {
    if (typeof s !== "string") throw wrongType(`${param}[${i}]`, "a string", s);
    if (s === "") throw invalidValue(`${param}[${i}]`, "empty string");
  });
  return list.length === 0 ? undefined : list;
}

function readLogitBias(value: unknown, nVocab: number): Record<number, number> | undefined {
  const object = optionalObject(value, "logit_bias");
  if (object === undefined) return undefined;
  const bias: Record<number, number> = {};
  for (const [key, b] of Object.entries(object)) {
    const id = /^(0|[1-9]\d{0,9})$/.test(key) ? Number(key) : NaN;
    if (!(id < nVocab)) {
      throw invalidValue(
        "logit_bias",
        `'${key}' is not a token id of this model (ids are 0 to ${nVocab - 1})`,
      );
    }
    if (typeof b !== "number") throw wrongType(`logit_bias.${key}`, "a number", b);
    bias[id] = optionalNumber(b, `logit_bias.${key}`, { min: -100, max: 100 })!;
  }
  return Object.keys(bias).length === 0 ? undefined : bias;
}
