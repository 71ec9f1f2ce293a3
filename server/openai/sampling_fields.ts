/**
 * The request fields chat and text completions share: sampling, length, stop,
 * logit_bias, n, stream and stream_options, translated into the engine's
 * GenerateOptions. Absent fields take the engine's defaults (llama-server's), not
 * OpenAI's.
 *
 * @module
 */
import { MAX_STOP_STRINGS } from "../../engine/generate_options.ts";
import type { GenerateOptions } from "../../engine/generate_options.ts";
import { invalidRequest } from "./errors.ts";
import {
  invalidValue,
  type JsonObject,
  optionalBoolean,
  optionalNumber,
  optionalObject,
  optionalString,
  rejectUnknown,
  wrongType,
} from "./fields.ts";

/** Fields read by {@link readSampling}, for the routes' lists of known fields. */
export const SAMPLING_FIELDS: readonly string[] = [
  "temperature",
  "top_p",
  "top_k",
  "min_p",
  "presence_penalty",
  "frequency_penalty",
  "seed",
  "stop",
  "logit_bias",
  "max_tokens",
  "n",
  "stream",
  "stream_options",
  "user",
];

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
 * Reads the shared fields of a completion request.
 *
 * @param maxTokens The length limit the route read (max_tokens or
 *   max_completion_tokens); undefined = until EOS or a full context.
 * @param nVocab The model's vocabulary size, bounding logit_bias ids.
 * @throws {OpenAiError} 400 naming the field at fault.
 */
export function readSampling(
  body: JsonObject,
  maxTokens: number | undefined,
  nVocab: number,
): SamplingRequest {
  const n = optionalNumber(body.n, "n", { integer: true, min: 1, max: 128 });
  if (n !== undefined && n !== 1) {
    throw invalidRequest(
      "Invalid 'n': this server generates one choice per request; use n=1.",
      "n",
      "invalid_value",
    );
  }
  optionalString(body.user, "user");
  const topP = optionalNumber(body.top_p, "top_p", { min: 0, max: 1 });
  const options: GenerateOptions = {
    temperature: optionalNumber(body.temperature, "temperature", { min: 0, max: 2 }),
    // The engine needs top_p > 0; OpenAI's 0 keeps only the most likely token, as does the smallest p.
    topP: topP === 0 ? Number.MIN_VALUE : topP,
    topK: optionalNumber(body.top_k, "top_k", { integer: true, min: 0, max: 2 ** 31 - 1 }),
    minP: optionalNumber(body.min_p, "min_p", { min: 0, max: 1 }),
    presencePenalty: optionalNumber(body.presence_penalty, "presence_penalty", { min: -2, max: 2 }),
    frequencyPenalty: optionalNumber(body.frequency_penalty, "frequency_penalty", {
      min: -2,
      max: 2,
    }),
    seed: readSeed(body.seed),
    stop: readStop(body.stop),
    logitBias: readLogitBias(body.logit_bias, nVocab),
    maxTokens: maxTokens ?? -1,
  };
  const stream = optionalBoolean(body.stream, "stream") ?? false;
  const streamOptions = optionalObject(body.stream_options, "stream_options");
  if (streamOptions !== undefined && !stream) {
    throw invalidRequest(
      "Invalid 'stream_options': only allowed when 'stream' is true.",
      "stream_options",
      "invalid_value",
    );
  }
  let includeUsage = false;
  if (streamOptions !== undefined) {
    rejectUnknown(
      streamOptions,
      new Set(["include_usage", "include_obfuscation"]),
      "stream_options",
    );
    includeUsage = optionalBoolean(streamOptions.include_usage, "stream_options.include_usage") ??
      false;
    optionalBoolean(streamOptions.include_obfuscation, "stream_options.include_obfuscation");
  }
  for (const key of Object.keys(options) as (keyof GenerateOptions)[]) {
    if (options[key] === undefined) delete options[key];
  }
  return { options, stream, includeUsage };
}

/** Reads a length limit (max_tokens and its kin): an integer >= 1, or undefined. */
export function readMaxTokens(value: unknown, param: string): number | undefined {
  return optionalNumber(value, param, { integer: true, min: 1 });
}

/**
 * OpenAI's seed is any integer; llama.cpp's is a uint32 where 0xFFFFFFFF means
 * "random". Integers are taken modulo 2^32, so -1 is random, as in llama.cpp.
 */
function readSeed(value: unknown): number | undefined {
  const seed = optionalNumber(value, "seed", { integer: true });
  if (seed === undefined) return undefined;
  const wrapped = ((seed % 2 ** 32) + 2 ** 32) % 2 ** 32;
  return wrapped === 0xFFFFFFFF ? undefined : wrapped;
}

function readStop(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list)) throw wrongType("stop", "a string or an array of strings", value);
  if (list.length > MAX_STOP_STRINGS) {
    throw invalidValue(
      "stop",
      `expected at most ${MAX_STOP_STRINGS} strings, but got ${list.length}`,
    );
  }
  list.forEach((s, i) => {
    if (typeof s !== "string") throw wrongType(`stop[${i}]`, "a string", s);
    if (s === "") throw invalidValue(`stop[${i}]`, "empty string");
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
