/**
 * The shapes of per-call sampling options: what a caller passes
 * ({@link SamplingOptions}, with llama.cpp's defaults), what validation makes of it
 * ({@link ResolvedSampling}) and llama.h's random-seed sentinel. Validation is in
 * sampling.ts, the sampler chain they imply in sampler_chain.ts.
 *
 * @module
 */

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
   * `resolveSampling` (sampling.ts) draws so it can be reported.
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
