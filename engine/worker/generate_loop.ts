/**
 * The tokenize/decode/sample loop, in the engine Worker. It reuses the longest
 * cached prefix of the sequence, decodes the rest of the prompt in n_batch chunks,
 * then samples and decodes one token at a time until an end-of-generation token, a
 * stop string, maxTokens, a full context or an abort. With a draft model it verifies
 * drafted tokens in batches instead (engine/worker/speculative_loop.ts); the tokens
 * emitted are the same.
 *
 * Pieces reach the main thread in coalesced messages ({@link OutputStream}): the first
 * piece at once (for TTFT), then at most one message per 33 ms, because a message per
 * token costs more than a decode on small models.
 *
 * @module
 */
import { ContextOverflowError, EngineError } from "../errors.ts";
import { OutputStream } from "../output_stream.ts";
import type { FinishReason, GenerationResult, Piece } from "../types.ts";
import type { NativeContext } from "./native_context.ts";
import type { NativeSampler } from "./native_sampler.ts";
import { type DraftRunner, makeDraft, syncDraft } from "./speculative_loop.ts";
import { imageAt, keepWholeImages, type MediaSpan, type MtmdPrompt } from "./native_mtmd.ts";

/** One generation call on one sequence. */
export interface GenerationJob {
  seqId: number;
  prompt: Int32Array<ArrayBuffer>;
  sampler: NativeSampler;
  /**
   * Tokens to generate at most; -1 = until the sequence's context is full; 0 = decode
   * (cache) the prompt only.
   */
  maxTokens: number;
  stop: readonly string[];
  /** Serial the main thread writes to the abort flag to stop this job. */
  serial: number;
  /** Render special tokens (e.g. `<|im_end|>`) into the text. */
  special: boolean;
  /** A draft model's context: decode speculatively (engine/worker/speculative_loop.ts). */
  draft?: DraftRunner;
  /** The prompt's image chunks (`prompt` then holds one key per position). */
  media?: MtmdPrompt;
}

/**
 * Runs a job to its end; `emit` receives batches of pieces.
 *
 * @throws {ContextOverflowError} when the prompt does not fit one sequence.
 * @throws {EngineError} when llama.cpp fails to decode.
 */
export function runGeneration(
  ctx: NativeContext,
  job: GenerationJob,
  emit: (pieces: Piece[]) => void,
): GenerationResult {
  const start = performance.now();
  const { prompt } = job;
  const { nCtxSeq } = ctx.info;
  if (prompt.length >= nCtxSeq) throw new ContextOverflowError(prompt.length, nCtxSeq);
  ctx.armAbort(job.serial);
  try {
    return generate(ctx, job, emit, start);
  } finally {
    ctx.armAbort(0);
  }
}

/** Decodes one image span; on failure its cells are dropped before the error goes on. */
function evalImage(ctx: NativeContext, media: MtmdPrompt, span: MediaSpan, seqId: number) {
  try {
    return media.evalSpan(ctx, span, seqId);
  } catch (error) {
    ctx.truncate(seqId, span.start);
    throw error;
  }
}

function generate(
  ctx: NativeContext,
  job: GenerationJob,
  emit: (pieces: Piece[]) => void,
  start: number,
): GenerationResult {
  const { prompt, seqId, sampler } = job;
  const { llama } = ctx.model.libs;
  const vocab = ctx.model.vocab;
  const cache = ctx.cached[seqId];
  const batch = ctx.batch;

  // At least the last prompt token is decoded again: its logits are needed.
  let common = 0;
  const limit = Math.min(cache.length, prompt.length - 1);
  while (common < limit && cache[common] === prompt[common]) common++;
  const kept = ctx.truncate(seqId, keepWholeImages(job.media, common));
  // Every call starts afresh, a reused Sampler too (as llama-server per request):
  // penalties see this call's tokens only and the seed gives the same stream.
  sampler.reset();

  let finish: FinishReason | undefined;
  ctx.setAbortable(true);
  for (let i = kept; i < prompt.length && !finish;) {
    const image = imageAt(job.media, i);
    if (image?.start === i) {
      // An image decodes in its own batches (libmtmd's); it is never the last position.
      if (ctx.abortRequested() || !evalImage(ctx, job.media!, image, seqId)) {
        finish = "abort";
        ctx.truncate(seqId, i);
        break;
      }
      for (let j = i; j < image.end; j++) cache.push(prompt[j]);
      i = image.end;
      continue;
    }
    batch.clear();
    const end = Math.min(image?.start ?? prompt.length, i + batch.capacity);
    for (let j = i; j < end; j++) batch.add(prompt[j], j, seqId, j === prompt.length - 1);
    if (ctx.abortRequested() || ctx.decode() === "aborted") {
      finish = "abort";
      // A partly decoded chunk leaves unknown cells: forget them.
      ctx.truncate(seqId, i);
      break;
    }
    for (let j = i; j < end; j++) cache.push(prompt[j]);
    i = end;
  }
  const out = new OutputStream({
    stop: job.stop,
    promptTokens: prompt.length,
    cachedTokens: kept,
    startedAt: start,
    now: () => performance.now(),
    onPieces: emit,
  });
  // One token at a time from here: stop between tokens, not inside them.
  ctx.setAbortable(false);
  // The loop checks maxTokens after each token; 0 must sample none.
  if (!finish && job.maxTokens === 0) finish = "length";
  const scratch = new Uint8Array(256);
  const { nCtxSeq } = ctx.info;

  /** Emits a sampled token (not yet decoded); returns why generation ends, if it does. */
  const take = (token: number): FinishReason | undefined => {
    if (llama.llama_vocab_is_eog(vocab, token)) {
      out.push(token);
      return "stop";
    }
    if (out.push(token, ctx.model.tokenBytes(token, job.special, scratch))) return "stop";
    if (job.maxTokens >= 0 && out.generated >= job.maxTokens) return "length";
    if (cache.length >= nCtxSeq) return "length";
    if (ctx.abortRequested()) return "abort";
    return undefined;
  };

  if (job.draft && !finish) {
    // The draft reads the prompt as part of prompt processing.
    syncDraft(job.draft.ctx, seqId, cache);
    out.promptDone();
    return speculate(ctx, job, job.draft, out, take);
  }
  out.promptDone();
  while (!finish) {
    // -1: the last output of the last decode (llama.h, llama_get_logits_ith).
    const token = sampler.sample(ctx.pointer, -1);
    finish = take(token);
    if (finish) break;
    let outcome;
    if (seqId === 0 && ctx.info.nSeqMax === 1) outcome = ctx.decode(token);
    else {
      batch.clear();
      batch.add(token, cache.length, seqId, true);
      outcome = ctx.decode();
    }
    if (outcome === "aborted") {
      finish = "abort";
      ctx.truncate(seqId, cache.length);
      break;
    }
    cache.push(token);
  }
  if (job.draft) out.recordDraft(0, 0);
  return out.finish(finish ?? "stop");
}

/**
 * The generation loop with a draft: each step drafts after the last sampled token,
 * decodes that token and the draft on the target in one batch, and emits the target's
 * samples up to the first that differs from the draft (inclusive).
 */
function speculate(
  ctx: NativeContext,
  job: GenerationJob,
  draft: DraftRunner,
  out: OutputStream,
  take: (token: number) => FinishReason | undefined,
): GenerationResult {
  const { seqId, sampler } = job;
  const cache = ctx.cached[seqId];
  const batch = ctx.batch;
  const nCtxSeq = Math.min(ctx.info.nCtxSeq, draft.ctx.info.nCtxSeq);
  let drafted = 0;
  let accepted = 0;
  let token = sampler.sample(ctx.pointer, -1);
  let finish = take(token);
  while (!finish) {
    const n = cache.length;
    // The verify batch holds token and draft at positions n .. n + k: all must fit the
    // batch and the sequence, and more than maxTokens would be wasted (the last
    // emitted token of a step is the target's own).
    let limit = Math.min(draft.nMax, batch.capacity - 1, nCtxSeq - 1 - n);
    if (job.maxTokens >= 0) limit = Math.min(limit, job.maxTokens - out.generated - 1);
    const proposal = limit >= Math.max(1, draft.nMin)
      ? makeDraft(draft, seqId, cache, token, limit)
      : [];
    batch.clear();
    batch.add(token, n, seqId, true);
    proposal.forEach((t, i) => batch.add(t, n + 1 + i, seqId, true));
    ctx.decode();
    cache.push(token);
    drafted += proposal.length;
    for (let i = 0; i <= proposal.length; i++) {
      const sampled = sampler.sample(ctx.pointer, i);
      finish = take(sampled);
      const matched = i < proposal.length && sampled === proposal[i];
      if (matched) accepted++;
      token = sampled;
      if (finish || !matched) break;
      cache.push(sampled);
    }
    // Cells past the emitted tokens (rejected or unused drafts) go; the last emitted
    // token is decoded with the next step, as without a draft.
    const keep = cache.length;
    if (proposal.length > 0 && ctx.truncate(seqId, keep) < keep) {
      throw new EngineError(
        "Cannot decode speculatively: this model's memory cannot drop rejected tokens",
      );
    }
  }
  out.recordDraft(drafted, accepted);
  return out.finish(finish);
}
