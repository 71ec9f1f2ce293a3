/**
 * What the `Scheduler` asks of a context: the {@link Runner} interface (one batch,
 * per-sequence KV caches, sampler chains, LoRA sets, drafts) and the adapter-set key
 * requests are grouped by. The engine Worker implements it over a llama_context
 * (`worker/serve_loop.ts`); tests implement it with a fake.
 *
 * @module
 */
import type { ResolvedSampling } from "./sampling.ts";

/** A sampler chain owned by one running request. */
export interface SlotSampler {
  /** Samples (and accepts) the token at batch output `index`. */
  sample(index: number): number;
  /** Frees the chain. */
  free(): void;
}

/** What the scheduler needs of a context. */
export interface Runner {
  /** Most tokens one decode takes. */
  readonly nBatch: number;
  /** Sequences (slots). */
  readonly nSeqMax: number;
  /** Tokens one sequence holds. */
  readonly nCtxSeq: number;
  /** Tokens each sequence holds in the KV cache, kept in step by `decode` and `truncate`. */
  readonly cached: number[][];
  /** Starts a new batch. */
  clearBatch(): void;
  /** Adds a token; returns its index in the batch. */
  addToBatch(token: number, position: number, seqId: number, output: boolean): number;
  /** Decodes the batch. @throws on failure. */
  decode(): void;
  /** Drops the KV cache of `seqId` from `from` on; returns the tokens kept. */
  truncate(seqId: number, from: number): number;
  /**
   * Whether {@link Runner.copy} can work on this context's memory; absent or false, no
   * prefix is shared between sequences.
   */
  readonly canCopy?: boolean;
  /**
   * Makes `dst` hold the first `length` tokens of `src`'s cache (same positions),
   * dropping what `dst` held, with `cached` kept in step. Returns the tokens `dst` now
   * holds: `length`, or 0 when the memory could not copy (the prompt is then decoded).
   * The copy reflects `src` as it is at the call, whatever later steps decode into it.
   */
  copy?(src: number, dst: number, length: number): number;
  /** Makes a sampler chain. @throws for a grammar that does not parse. */
  createSampler(sampling: ResolvedSampling): SlotSampler;
  /** Whether `token` ends a generation. */
  isEog(token: number): boolean;
  /** The bytes of a token's text. */
  tokenBytes(token: number, special: boolean): Uint8Array;
  /**
   * Applies a LoRA adapter set to the whole context. A changed set empties every
   * sequence's cache (`cached` too): it was computed with other weights.
   * @throws for an adapter that is gone.
   */
  setLoras(loras: readonly LoraScale[]): void;
  /**
   * Drafts up to `limit` tokens to follow what `seqId` holds plus `last` (speculative
   * decoding), within the draft's own nMax, nMin and pMin. Absent without a draft model.
   * @throws when the draft cannot decode.
   */
  draft?(seqId: number, last: number, limit: number): number[];
}

/** An adapter (by the runner's id) and its scale; scale 0 = off. */
export interface LoraScale {
  loraId: number;
  scale: number;
}

/**
 * A canonical key of an adapter set: entries with a non-zero scale (as float32, which
 * llama.cpp stores), sorted; "" for none. Sets with one key give the same outputs.
 */
export function loraKey(loras: readonly LoraScale[] | undefined): string {
  if (!loras) return "";
  return loras
    .filter((l) => Math.fround(l.scale) !== 0)
    .map((l) => `${l.loraId}:${Math.fround(l.scale)}`)
    .sort()
    .join(",");
}
