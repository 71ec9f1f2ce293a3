/**
 * Per-call options of `generate` and `chat`, and their validation before anything
 * reaches the engine Worker.
 *
 * @module
 */
import type { Sampler } from "./sampler.ts";
import {
  type ResolvedSampling,
  resolveSampling,
  SAMPLING_OPTION_KEYS,
  type SamplingOptions,
} from "./sampling.ts";

/** The most stop strings one call may have (OpenAI allows 4; llama-server more). */
export const MAX_STOP_STRINGS = 16;

/** Options of `context.generate()`; sampling options are those of {@link SamplingOptions}. */
export interface GenerateOptions extends SamplingOptions {
  /**
   * Tokens to generate at most; integer >= -1. `-1` = until the context is full; `0` =
   * decode the prompt into the sequence's KV cache (for a later call to reuse) and
   * generate nothing, ending with finish_reason "length". Default -1.
   */
  maxTokens?: number;
  /**
   * Text that ends the generation when produced, also across tokens; the stop text is
   * not emitted. A string or up to 16 non-empty strings. Default none.
   */
  stop?: string | readonly string[];
  /** Stops the generation; it then ends with finish_reason "abort" and the text so far. */
  signal?: AbortSignal;
  /** The sequence to run on; integer in [0, nSeqMax). Default 0. */
  seqId?: number;
  /**
   * A sampler made by `model.createSampler()`, used instead of the sampling options
   * (which must then be absent). Its chain is reused; its state (penalty window,
   * grammar position, random generator, reseeded with its seed) resets at each call.
   */
  sampler?: Sampler;
  /** For text prompts: add BOS (and EOS) when the model's tokenizer does. Default true. */
  addSpecial?: boolean;
  /**
   * For text prompts: images (encoded PNG, JPEG, BMP or GIF bytes), one per
   * `<__media__>` marker in the prompt, in order (markers go in front when the prompt has
   * none). Needs an mmproj on the model (`model.loadMmproj`). Default none.
   */
  images?: readonly Uint8Array[];
  /** Render special tokens (e.g. `<|im_end|>`) into the text. Default false. */
  special?: boolean;
}

/** Options of `context.chat()`. */
export interface ChatOptions extends Omit<GenerateOptions, "addSpecial" | "images"> {
  /**
   * What to do when the rendered conversation does not fit n_ctx: "error" throws
   * ContextOverflowError; "truncate-oldest" drops whole turns, oldest first (a user
   * message and the assistant and tool messages after it), until it fits, keeping the
   * system messages and the last turn; `result.truncation` says what it dropped.
   * Default "error".
   */
  overflow?: "error" | "truncate-oldest";
  /** Extra variables for the chat template (e.g. `tools`, `enable_thinking`). */
  templateVars?: Record<string, unknown>;
  /** A Jinja chat template to use instead of the model's own. */
  chatTemplate?: string;
}

/** Options after validation. */
export interface ResolvedGenerateOptions {
  maxTokens: number;
  stop: string[];
  seqId: number;
  special: boolean;
  sampling: ResolvedSampling;
  sampler: Sampler | undefined;
}

const CALL_KEYS = new Set([
  "images",
  "maxTokens",
  "stop",
  "signal",
  "seqId",
  "sampler",
  "addSpecial",
  "special",
]);

/**
 * Validates call options.
 *
 * @throws {TypeError} for a wrong type or an unknown option.
 * @throws {RangeError} for an out-of-range value, naming the option.
 */
export function resolveGenerateOptions(
  options: GenerateOptions,
  nVocab: number,
  nSeqMax: number,
): ResolvedGenerateOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("options must be an object");
  }
  const sampling: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (CALL_KEYS.has(key)) continue;
    if (!(SAMPLING_OPTION_KEYS as readonly string[]).includes(key)) {
      // resolveSampling names unknown keys with a suggestion.
      sampling[key] = value;
    } else if (value !== undefined) {
      sampling[key] = value;
    }
  }
  const { maxTokens = -1, seqId = 0, sampler, special = false } = options;
  if (!Number.isInteger(maxTokens) || maxTokens < -1) {
    throw new RangeError(`maxTokens must be an integer >= -1, got ${maxTokens}`);
  }
  if (!Number.isInteger(seqId) || seqId < 0 || seqId >= nSeqMax) {
    throw new RangeError(`seqId must be an integer in [0, ${nSeqMax}), got ${seqId}`);
  }
  const stop = options.stop === undefined
    ? []
    : typeof options.stop === "string"
    ? [options.stop]
    : [...options.stop];
  if (stop.length > MAX_STOP_STRINGS) {
    throw new RangeError(`stop must have at most ${MAX_STOP_STRINGS} strings, got ${stop.length}`);
  }
  stop.forEach((s, i) => {
    if (typeof s !== "string") throw new TypeError(`stop[${i}] must be a string`);
    if (s === "") throw new RangeError(`stop[${i}] must not be empty`);
  });
  if (sampler !== undefined && Object.keys(sampling).length > 0) {
    throw new TypeError(
      `Cannot combine sampler with sampling options: got ${Object.keys(sampling).join(", ")}`,
    );
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError("signal must be an AbortSignal");
  }
  return {
    maxTokens,
    stop,
    seqId,
    special: Boolean(special),
    sampling: resolveSampling(sampling as SamplingOptions, nVocab),
    sampler,
  };
}
