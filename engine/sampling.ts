/**
 * Per-call sampling options: validation, defaults and the sampler chain they imply.
 *
 * Everything here is checked before any FFI call, so a bad option fails with a
 * message naming it instead of a silent clamp inside llama.cpp.
 *
 * @module
 */
import { checkGrammar } from "./grammar_check.ts";

/**
 * `LLAMA_DEFAULT_SEED` from llama.h: passed as a seed, llama.cpp picks a random one.
 * Hearth draws that seed itself, so the seed actually used can be reported.
 *
 * @example
 * ```ts
 * import { notStrictEqual } from "node:assert/strict";
 * import { LLAMA_DEFAULT_SEED, loadModel } from "@hearth/hearth";
 *
 * using model = await loadModel("models/stories260K.gguf");
 * using sampler = await model.createSampler({ seed: LLAMA_DEFAULT_SEED });
 * notStrictEqual(sampler.options.seed, LLAMA_DEFAULT_SEED); // the random seed drawn
 * ```
 */
export const LLAMA_DEFAULT_SEED = 0xFFFFFFFF;

/**
 * Sampling options for one generation call. Every field is optional; defaults are
 * those of `struct common_params_sampling` in llama.cpp `common/common.h`, which is
 * what `llama-cli` and `llama-server` use.
 */
export interface SamplingOptions {
  /** Softmax temperature; finite and >= 0, `0` = greedy (always the top token). Default `0.8`. */
  temperature?: number;
  /** Keep only the `topK` most likely tokens; integer >= 0, `0` = off. Default `40`. */
  topK?: number;
  /**
   * Nucleus sampling: keep the smallest set of tokens with this total probability;
   * in (0, 1], `1` = off. Default `0.95`.
   */
  topP?: number;
  /**
   * Drop tokens less likely than `minP` times the top token's probability;
   * in [0, 1], `0` = off. Default `0.05`.
   */
  minP?: number;
  /** Locally typical sampling mass; in (0, 1], `1` = off. Default `1`. */
  typicalP?: number;
  /**
   * Divides the logits of recently seen tokens (multiplies negative ones);
   * finite and > 0, `1` = off. Default `1`.
   */
  repeatPenalty?: number;
  /**
   * Subtracted from a token's logit once per recent occurrence; in [-2, 2]
   * (OpenAI's range), `0` = off. Default `0`.
   */
  frequencyPenalty?: number;
  /**
   * Subtracted from a token's logit if it occurred recently at all; in [-2, 2]
   * (OpenAI's range), `0` = off. Default `0`.
   */
  presencePenalty?: number;
  /**
   * How many recent tokens the three penalties look at; integer >= -1.
   * `-1` = the whole context, `0` = penalties off. Default `64`.
   */
  penaltyLastN?: number;
  /**
   * Mirostat sampling (https://arxiv.org/abs/2007.14966), which steers the text's
   * surprise towards `mirostatTau`: `0` = off, `1` = Mirostat, `2` = Mirostat 2.0.
   * When on, it replaces the penalties and the top-k, typical, top-p and min-p stages
   * (as in llama.cpp). Default `0`.
   */
  mirostat?: number;
  /** Mirostat's target surprise (cross-entropy, in nats); finite and >= 0. Default `5`. */
  mirostatTau?: number;
  /** Mirostat's learning rate; finite and >= 0. Default `0.1`. */
  mirostatEta?: number;
  /**
   * Seed for the final random pick; integer in [0, 2^32 - 1]. Absent or
   * {@linkcode LLAMA_DEFAULT_SEED} means a fresh random seed per call, which
   * {@linkcode resolveSampling} draws so it can be reported.
   */
  seed?: number;
  /**
   * Added to a token's logit before anything else; `-Infinity` bans the token.
   * Either `{ [tokenId]: bias }` or `[tokenId, bias]` pairs; duplicate ids add up,
   * as in `llama_sampler_init_logit_bias`. Default none.
   */
  logitBias?: Record<number, number> | ReadonlyArray<readonly [token: number, bias: number]>;
  /**
   * GBNF grammar text (llama.cpp `grammars/README.md`) the output must match;
   * `""` = off. Default `""`. Checked here as llama.cpp would take it (see
   * `grammar_check.ts`), so a bad grammar never reaches the engine.
   */
  grammar?: string;
  /** Name of the grammar's start rule. Default `"root"`. */
  grammarRoot?: string;
}

/** One logit bias entry, shaped like `llama_logit_bias` in llama.h. */
export interface LogitBias {
  /** Token id in [0, n_vocab). */
  token: number;
  /** Added to the token's logit; finite or `-Infinity`. */
  bias: number;
}

/**
 * {@linkcode SamplingOptions} after validation: every field present with the same
 * meaning and units, `logitBias` normalised and the seed concrete.
 */
export interface ResolvedSampling {
  /** See {@linkcode SamplingOptions.temperature}. */
  temperature: number;
  /** See {@linkcode SamplingOptions.topK}. */
  topK: number;
  /** See {@linkcode SamplingOptions.topP}. */
  topP: number;
  /** See {@linkcode SamplingOptions.minP}. */
  minP: number;
  /** See {@linkcode SamplingOptions.typicalP}. */
  typicalP: number;
  /** See {@linkcode SamplingOptions.repeatPenalty}. */
  repeatPenalty: number;
  /** See {@linkcode SamplingOptions.frequencyPenalty}. */
  frequencyPenalty: number;
  /** See {@linkcode SamplingOptions.presencePenalty}. */
  presencePenalty: number;
  /** See {@linkcode SamplingOptions.penaltyLastN}. */
  penaltyLastN: number;
  /** See {@linkcode SamplingOptions.mirostat}. */
  mirostat: number;
  /** See {@linkcode SamplingOptions.mirostatTau}. */
  mirostatTau: number;
  /** See {@linkcode SamplingOptions.mirostatEta}. */
  mirostatEta: number;
  /** A concrete uint32, never {@linkcode LLAMA_DEFAULT_SEED}, so a run can be replayed. */
  seed: number;
  /** Biases as a list; empty when off. */
  logitBias: LogitBias[];
  /** GBNF text; "" when off. */
  grammar: string;
  /** The grammar's start rule. */
  grammarRoot: string;
}

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

/** One stage of the sampler chain, named after its `llama_sampler_init_*` constructor. */
export type SamplerStage =
  | { kind: "logit_bias"; bias: LogitBias[] }
  | {
    kind: "penalties";
    /** `-1` = whole context; pass n_ctx, as llama.cpp's penalties sampler reads -1 as 0 (off). */
    lastN: number;
    repeat: number;
    frequency: number;
    presence: number;
  }
  | { kind: "grammar"; grammar: string; root: string }
  | { kind: "top_k"; k: number }
  | { kind: "typical"; p: number }
  | { kind: "top_p"; p: number }
  | { kind: "min_p"; p: number }
  | { kind: "temp"; t: number }
  /** `m` is the tokens estimating s_hat: 100, as llama.cpp's common_sampler_init passes. */
  | { kind: "mirostat"; seed: number; tau: number; eta: number; m: number }
  | { kind: "mirostat_v2"; seed: number; tau: number; eta: number }
  | { kind: "dist"; seed: number }
  | { kind: "greedy" };

/**
 * Lists the samplers to chain for resolved options, in order; stages that are off
 * are left out. The order is that of `common_sampler_init` in llama.cpp
 * `common/sampling.cpp`: logit bias, penalties, top-k, typical, top-p, min-p,
 * temperature, then `dist` draws the token. At temperature 0 the chain ends in
 * `greedy` instead, with no truncation, temperature or `dist` stages. With mirostat
 * on, logit bias (and grammar) are followed by temperature and the mirostat stage
 * alone, as in llama.cpp (greedy at temperature 0).
 *
 * The FFI side builds each stage with its `llama_sampler_init_*` function,
 * `min_keep` 0 as in `common_params_sampling`; a `penalties` stage with `lastN` -1
 * must be given the context size.
 *
 * @param s Options from {@linkcode resolveSampling}.
 * @returns The stages, first applied first; the last one always picks the token.
 */
export function samplerChain(s: ResolvedSampling): SamplerStage[] {
  const chain: SamplerStage[] = [];
  if (s.logitBias.length > 0) chain.push({ kind: "logit_bias", bias: s.logitBias });
  // llama.cpp keeps the grammar outside the chain and resamples when a token breaks
  // it; a flat chain cannot, so the grammar masks first. Otherwise top-k/top-p could
  // keep only grammar-invalid tokens and leave nothing to sample. Penalties map a
  // masked -Infinity logit to -Infinity, so masking before them changes nothing.
  if (s.grammar !== "") chain.push({ kind: "grammar", grammar: s.grammar, root: s.grammarRoot });
  if (s.mirostat !== 0) {
    if (s.temperature === 0) chain.push({ kind: "greedy" });
    else chain.push({ kind: "temp", t: s.temperature }, mirostatStage(s));
    return chain;
  }
  const penaltiesOff = s.penaltyLastN === 0 ||
    (s.repeatPenalty === 1 && s.frequencyPenalty === 0 && s.presencePenalty === 0);
  if (!penaltiesOff) {
    chain.push({
      kind: "penalties",
      lastN: s.penaltyLastN,
      repeat: s.repeatPenalty,
      frequency: s.frequencyPenalty,
      presence: s.presencePenalty,
    });
  }
  if (s.temperature === 0) {
    chain.push({ kind: "greedy" });
    return chain;
  }
  if (s.topK !== 0) chain.push({ kind: "top_k", k: s.topK });
  if (s.typicalP !== 1) chain.push({ kind: "typical", p: s.typicalP });
  if (s.topP !== 1) chain.push({ kind: "top_p", p: s.topP });
  if (s.minP !== 0) chain.push({ kind: "min_p", p: s.minP });
  chain.push({ kind: "temp", t: s.temperature }, { kind: "dist", seed: s.seed });
  return chain;
}

function mirostatStage(s: ResolvedSampling): SamplerStage {
  const { seed, mirostatTau: tau, mirostatEta: eta } = s;
  return s.mirostat === 1
    ? { kind: "mirostat", seed, tau, eta, m: 100 }
    : { kind: "mirostat_v2", seed, tau, eta };
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
