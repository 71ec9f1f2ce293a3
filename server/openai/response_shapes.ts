/**
 * What chat and text completion responses share: the id/created/model fields,
 * OpenAI's finish_reason and its `usage` object, from the engine's results.
 *
 * @module
 */
import type { FinishReason, GenerationMetrics } from "../../engine/types.ts";

/** The fields every object of one response shares. */
export interface ResponseMeta {
  /** `chatcmpl-…` or `cmpl-…`. */
  id: string;
  /** Unix seconds. */
  created: number;
  /** The served model's id. */
  model: string;
}

/** OpenAI's finish_reason: an abort (the client is gone) reads as "stop". */
export function openAiFinish(reason: FinishReason): "stop" | "length" {
  return reason === "length" ? "length" : "stop";
}

/** OpenAI's `usage` of a completion. */
export interface Usage {
  /** Tokens of the rendered prompt, cached or not. */
  prompt_tokens: number;
  /** Tokens generated, including a final end-of-generation token. */
  completion_tokens: number;
  /** Their sum. */
  total_tokens: number;
  /** Prompt tokens reused from the KV cache. */
  prompt_tokens_details: { cached_tokens: number };
}

/** The usage of a generation. */
export function usageOf(metrics: GenerationMetrics): Usage {
  return {
    prompt_tokens: metrics.promptTokens,
    completion_tokens: metrics.generatedTokens,
    total_tokens: metrics.promptTokens + metrics.generatedTokens,
    prompt_tokens_details: { cached_tokens: metrics.cachedTokens },
  };
}

/**
 * llama-server's `timings` of a completion (tools/server/server-common.cpp): prompt and
 * predicted token counts, milliseconds and rates, and with a draft model `draft_n`
 * (tokens drafted) and `draft_n_accepted`.
 */
export interface Timings {
  /** Prompt tokens decoded (not cached). */
  prompt_n: number;
  /** Milliseconds spent on the prompt. */
  prompt_ms: number;
  /** prompt_ms / prompt_n. */
  prompt_per_token_ms: number;
  /** Prompt tokens per second. */
  prompt_per_second: number;
  /** Tokens generated. */
  predicted_n: number;
  /** Milliseconds from the first generated token to the last. */
  predicted_ms: number;
  /** predicted_ms / predicted_n. */
  predicted_per_token_ms: number;
  /** Generated tokens per second after the first. */
  predicted_per_second: number;
  /** Tokens the draft model proposed (speculative decoding only). */
  draft_n?: number;
  /** Drafted tokens the model accepted (speculative decoding only). */
  draft_n_accepted?: number;
}

/** The timings of a generation, as llama-server reports them. */
export function timingsOf(metrics: GenerationMetrics): Timings {
  const per = (ms: number, n: number) => n > 0 ? ms / n : 0;
  return {
    prompt_n: metrics.promptEvalTokens,
    prompt_ms: metrics.promptMs,
    prompt_per_token_ms: per(metrics.promptMs, metrics.promptEvalTokens),
    prompt_per_second: metrics.promptTokPerSec,
    predicted_n: metrics.generatedTokens,
    predicted_ms: metrics.genMs,
    predicted_per_token_ms: per(metrics.genMs, metrics.generatedTokens),
    predicted_per_second: metrics.genTokPerSec,
    ...(metrics.draftTokens
      ? { draft_n: metrics.draftTokens, draft_n_accepted: metrics.draftAcceptedTokens ?? 0 }
      : {}),
  };
}
