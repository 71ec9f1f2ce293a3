/**
 * A request to the `Scheduler` and what submitting it returns: the prompt (with
 * its image spans), sampling, limits, adapters and callbacks ({@link ServeRequest}),
 * and the handle with its result and cancellation ({@link ServeHandle}).
 *
 * @module
 */
import type { ResolvedSampling } from "./sampling.ts";
import type { LoraScale } from "./serve_runner.ts";
import type { GenerationResult, Piece } from "./types.ts";

/** One request to serve. */
export interface ServeRequest {
  prompt: Int32Array | readonly number[];
  sampling: ResolvedSampling;
  /** Tokens to generate at most; -1 = until the sequence's context is full; 0 = prompt only. */
  maxTokens: number;
  stop: readonly string[];
  special: boolean;
  /** The LoRA adapters to run with. Default none. */
  loras?: readonly LoraScale[];
  /** Receives coalesced pieces. */
  onPieces(pieces: Piece[]): void;
  /** Called once when the request gets a slot, before any of its tokens is decoded. */
  onStart?(): void;
  /** The prompt's images: position spans the runner decodes itself (libmtmd). */
  images?: PromptImages;
}

/**
 * Images in a prompt: `prompt` holds one key per position, and each span of positions
 * is an image that `decode` puts into the KV cache of a sequence in one go (its own
 * batches), adding the span's keys to `cached`. A span is never the last position.
 */
export interface PromptImages {
  /** `[start, end)` position spans, in order. */
  readonly spans: readonly { start: number; end: number }[];
  /** Decodes span `index` into sequence `seqId` at its positions. */
  decode(seqId: number, index: number): void;
}

/** A request's handle: its result, and cancellation. */
export interface ServeHandle {
  readonly result: Promise<GenerationResult>;
  /**
   * Ends the request with finish_reason "abort": at once while it waits for a slot, at
   * the next step once it holds one.
   */
  cancel(): void;
}
