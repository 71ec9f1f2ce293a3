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
