/**
 * The scheduler's bookkeeping of one request: a {@link Job} while it waits for a slot,
 * an {@link Active} slot once admitted (prompt progress, sampler, output stream, prefix
 * wait, draft counts), and the result of a request that ended before it got one.
 *
 * @module
 */
import type { OutputStream } from "./output_stream.ts";
import type { ServeRequest } from "./serve_request.ts";
import type { SlotSampler } from "./serve_runner.ts";
import type { FinishReason, GenerationResult } from "./types.ts";

/** A submitted request and how to settle it. */
export interface Job {
  request: ServeRequest;
  resolve(result: GenerationResult): void;
  reject(error: unknown): void;
  cancelled: boolean;
  /** When it was submitted, on the scheduler's clock (milliseconds). */
  submittedAt: number;
}

/** A request that holds a slot (sequence `seqId`). */
export interface Active {
  job: Job;
  seqId: number;
  prompt: readonly number[];
  /** Next prompt position to decode. */
  position: number;
  sampler: SlotSampler;
  output: OutputStream;
  /** When it got the slot, on the scheduler's clock (milliseconds). */
  admittedAt: number;
  /** The output index of this slot in the current batch, or -1. */
  outputIndex: number;
  /** The last sampled token, decoded in the next step. */
  lastToken: number;
  /**
   * The slot that is decoding a longer prefix of this prompt than any sequence holds:
   * this one decodes nothing until that one has decoded `waitLength` tokens (or ended),
   * then copies them.
   */
  waitFor: Active | undefined;
  waitLength: number;
  /** Drafted tokens in the current batch, after lastToken. */
  proposal: number[];
  /** Tokens drafted and accepted over the request. */
  drafted: number;
  accepted: number;
}

/** The empty proposal of a slot that drafts nothing this step (shared, never mutated). */
export const NO_DRAFT: number[] = [];

/** The result of a request that ended before it decoded anything (cancelled in the queue). */
export function emptyResult(reason: FinishReason, promptTokens: number): GenerationResult {
  return {
    finishReason: reason,
    text: "",
    droppedMessages: 0,
    metrics: {
      promptTokens,
      cachedTokens: 0,
      promptEvalTokens: 0,
      generatedTokens: 0,
      ttftMs: 0,
      promptMs: 0,
      genMs: 0,
      promptTokPerSec: 0,
      genTokPerSec: 0,
    },
  };
}
