/**
 * Per-call sampling options: validation, defaults and the sampler chain they imply.
 *
 * Everything here is checked before any FFI call, so a bad option fails with a
 * message naming it instead of a silent clamp inside llama.cpp.
 *
 * This module validates; the option shapes are in sampling_options.ts and the chain in
 * sampler_chain.ts, both re-exported here.
 *
 * @module
 */
import { checkGrammar } from "./grammar_check.ts";
import {
  LLAMA_DEFAULT_SEED,
  type LogitBias,
  type ResolvedSampling,
  type SamplingOptions,
} from "./sampling_options.ts";

// The option shapes and the chain live beside this module; importers keep this path.
export {
  LLAMA_DEFAULT_SEED,
  type LogitBias,
  type ResolvedSampling,
  type SamplingOptions,
} from "./sampling_options.ts";
export { samplerChain, type SamplerStage } from "./sampler_chain.ts";

type NumericKey = Exclude<keyof ResolvedSampling, "logitBias" | "grammar" | "grammarRoot">;
interface NumberRule {
  fallback: number;
  int?: boolean;
  ok: (v: number) => boolean;
  expect: string;
}

// topK and penaltyLastN are int32_t in llama.h, seed is uint32_t.
const INT32_MAX = 2 ** 31 - 1;
const int = (fallback: number, lo: number, hi: number): NumberRule => ({
  fallback,
  int: true,
  ok: (v) => v >= lo && v <= hi,
  expect: `an integer in [${lo}, ${hi}]`,
});

// Fallbacks are `struct common_params_sampling` in llama.cpp common/common.h (temp,
// top_k, top_p, min_p, typ_p, penalty_repeat, penalty_freq, penalty_present,
// penalty_last_n, mirostat, mirostat_tau, mirostat_eta, seed); all agree with Hearth's documented defaults.
const RULES: Record<NumericKey, NumberRule> = {
  temperature: { fallback: 0.8, ok: (v) => v >= 0 && v < Infinity, expect: "a finite number >= 0" },
  topK: int(40, 0, INT32_MAX),
  topP: { fallback: 0.95, ok: (v) => v > 0 && v <= 1, expect: "a number in (0, 1]" },
  minP: { fallback: 0.05, ok: (v) => v >= 0 && v <= 1, expect: "a number in [0, 1]" },
  typicalP: { fallback: 1, ok: (v) => v > 0 && v <= 1, expect: "a number in (0, 1]" },
  repeatPenalty: { fallback: 1, ok: (v) => v > 0 && v < Infinity, expect: "a finite number > 0" },
  frequencyPenalty: { fallback: 0, ok: (v) => v >= -2 && v <= 2, expect: "a number in [-2, 2]" },
  presencePenalty: { fallback: 0, ok: (v) => v >= -2 && v <= 2, expect: "a number in [-2, 2]" },
  penaltyLastN: int(64, -1, INT32_MAX),
  mirostat: int(0, 0, 2),
  mirostatTau: { fallback: 5, ok: (v) => v >= 0 && v < Infinity, expect: "a finite number >= 0" },
  mirostatEta: { fallback: 0.1, ok: (v) => v >= 0 && v < Infinity, expect: "a finite number >= 0" },
  seed: int(LLAMA_DEFAULT_SEED, 0, 0xFFFFFFFF),
};

/** Every key {@linkcode SamplingOptions} accepts, for callers that split a larger options bag. */
export const SAMPLING_OPTION_KEYS: readonly (keyof SamplingOptions)[] = Object.freeze([
  ...Object.keys(RULES) as NumericKey[],
  "logitBias",
  "grammar",
  "grammarRoot",
]);

// llama.cpp spellings people carry over; snake_case and case slips are caught generically.
const ALIASES: Record<string, keyof SamplingOptions> = {
  temp: "temperature",
  typ_p: "typicalP",
  repeat_last_n: "penaltyLastN",
  penalty_repeat: "repeatPenalty",
  penalty_freq: "frequencyPenalty",
  penalty_present: "presencePenalty",
};

/**
 * Validates sampling options and fills in defaults.
 *
 * @param options The caller's options; `undefined` means all defaults. Keys set to
 * `undefined` take their default too.
 * @param nVocab The model's vocabulary size (`llama_vocab_n_tokens`), bounding
 * `logitBias` token ids.
 * @returns Every option present, `logitBias` as `{ token, bias }` entries in input
 * order, and `seed` a concrete uint32: an absent seed or `LLAMA_DEFAULT_SEED` becomes
 * a random value from `crypto.getRandomValues`, never `LLAMA_DEFAULT_SEED` itself.
 * @throws {TypeError} If `options` is not an object, a key is unknown (such as
 * `top_p` for `topP`), or a value has the wrong type.
 * @throws {RangeError} If a value is out of range, NaN, or not an integer where one
 * is required; if a `logitBias` token id is outside [0, nVocab); if `grammar` or
 * `grammarRoot` contains a NUL character (it would truncate the C string); if
 * `grammarRoot` is empty; or if `nVocab` is not a positive integer.
 * @throws {GrammarError} If `grammar` is not one llama.cpp can take (it does not parse,
 * lacks `grammarRoot`, is left-recursive, or is over the size limits), with the reason.
 *
 * @example Usage
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { resolveSampling } from "./sampling.ts";
 *
 * const s = resolveSampling({ topP: 0.9, logitBias: { 2: -Infinity } }, 32000);
 * strictEqual(s.topK, 40);
 * strictEqual(s.logitBias[0].token, 2);
 * ```
 */
export function resolveSampling(
  options: SamplingOptions | undefined,
  nVocab: number,
): ResolvedSampling {
  if (!Number.isInteger(nVocab) || nVocab <= 0) {
    throw new RangeError(`nVocab must be a positive integer, got ${nVocab}`);
  }
  const o: Record<string, unknown> = options === undefined ? {} : asRecord(options);
  for (const key of Object.keys(o)) {
    if (!(SAMPLING_OPTION_KEYS as readonly string[]).includes(key)) throw unknownKey(key);
  }
  const numbers = Object.fromEntries(
    Object.entries(RULES).map(([key, rule]) => [key, readNumber(key, o[key], rule)]),
  ) as Record<NumericKey, number>;
  const grammar = readText("grammar", o.grammar, "");
  const grammarRoot = readText("grammarRoot", o.grammarRoot, "root");
  if (grammar !== "") checkGrammar(grammar, grammarRoot);
  return {
    ...numbers,
    seed: numbers.seed === LLAMA_DEFAULT_SEED ? randomSeed() : numbers.seed,
    logitBias: readLogitBias(o.logitBias, nVocab),
    grammar,
    grammarRoot,
  };
}

function asRecord(options: unknown): Record<string, unknown> {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`Sampling options must be an object, got ${describe(options)}`);
  }
  return options as Record<string, unknown>;
}

function unknownKey(key: string): TypeError {
  const squash = (k: string) => k.replaceAll("_", "").toLowerCase();
  const hint = ALIASES[key] ?? SAMPLING_OPTION_KEYS.find((k) => squash(k) === squash(key));
  const suffix = hint === undefined ? "" : `; did you mean "${hint}"?`;
  return new TypeError(`Unknown sampling option "${key}"${suffix}`);
}

function readNumber(key: string, value: unknown, rule: NumberRule): number {
  if (value === undefined) return rule.fallback;
  if (typeof value !== "number") {
    throw new TypeError(`${key} must be a number, got ${describe(value)}`);
  }
  if ((rule.int && !Number.isInteger(value)) || !rule.ok(value)) {
    throw new RangeError(`${key} must be ${rule.expect}, got ${value}`);
  }
  return value;
}

function readText(key: "grammar" | "grammarRoot", value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string") {
    throw new TypeError(`${key} must be a string, got ${describe(value)}`);
  }
  if (value.includes("\0")) throw new RangeError(`${key} must not contain a NUL character`);
  if (key === "grammarRoot" && value === "") {
    throw new RangeError(`grammarRoot must not be empty, got ""`);
  }
  return value;
}

function readLogitBias(value: unknown, nVocab: number): LogitBias[] {
  if (value === undefined) return [];
  if (typeof value !== "object" || value === null) {
    throw new TypeError(`logitBias must be an object or an array, got ${describe(value)}`);
  }
  const pairs: [unknown, unknown][] = Array.isArray(value)
    ? value.map((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new TypeError(`logitBias[${i}] must be a [token, bias] pair, got ${describe(pair)}`);
      }
      if (typeof pair[0] !== "number") {
        throw new TypeError(`logitBias[${i}] token id must be a number, got ${describe(pair[0])}`);
      }
      return [pair[0], pair[1]];
    })
    // Record keys are strings; only canonical decimal ids count, so "" or "1e3" fail.
    : Object.entries(value).map(([k, b]) => [/^(0|[1-9]\d*)$/.test(k) ? Number(k) : k, b]);
  return pairs.map(([token, bias]) => {
    // A string here is a record key that is not a canonical id: a bad value, not type.
    if (typeof token !== "number" || !Number.isInteger(token) || token < 0 || token >= nVocab) {
      throw new RangeError(
        `logitBias token id must be an integer in [0, ${nVocab}), got ${describe(token)}`,
      );
    }
    if (typeof bias !== "number") {
      throw new TypeError(`logitBias for token ${token} must be a number, got ${describe(bias)}`);
    }
    // +Infinity turns softmax into Infinity - Infinity = NaN.
    if (Number.isNaN(bias) || bias === Infinity) {
      throw new RangeError(
        `logitBias for token ${token} must be finite or -Infinity, got ${bias}`,
      );
    }
    return { token, bias };
  });
}

/** A uint32 that is never LLAMA_DEFAULT_SEED, which llama.cpp would re-randomise. */
function randomSeed(): number {
  const buf = new Uint32Array(1);
  do crypto.getRandomValues(buf); while (buf[0] === LLAMA_DEFAULT_SEED);
  return buf[0];
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return String(value);
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : typeof value;
}
