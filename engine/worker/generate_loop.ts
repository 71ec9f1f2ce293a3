/**
 * The tokenize/decode/sample loop, in the engine Worker. It reuses the longest
 * cached prefix of the sequence, decodes the rest of the prompt in n_batch chunks,
 * then samples and decodes one token at a time until an end-of-generation token, a
 * stop string, maxTokens, a full context or an abort.
 *
 * Pieces reach the main thread in coalesced messages ({@link OutputStream}): the first
 * piece at once (for TTFT), then at most one message per 33 ms, because a message per
 * token costs more than a decode on small models.
 *
 * @module
 */
import { ContextOverflowError } from "../errors.ts";
import { OutputStream } from "../output_stream.ts";
import type { FinishReason, GenerationResult, Piece } from "../types.ts";
import type { NativeContext } from "./native_context.ts";
import type { NativeSampler } from "./native_sampler.ts";
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
  out.promptDone();
  // One token at a time from here: stop between tokens, not inside them.
  ctx.setAbortable(false);
  // The loop checks maxTokens after each token; 0 must sample none.
  if (!finish && job.maxTokens === 0) finish = "length";
  const scratch = new Uint8Array(256);

  while (!finish) {
    // -1: the last output of the last decode (llama.h, llama_get_logits_ith).
    const token = sampler.sample(ctx.pointer, -1);
    if (llama.llama_vocab_is_eog(vocab, token)) {
      out.push(token);
      finish = "stop";
      break;
    }
    if (out.push(token, ctx.model.tokenBytes(token, job.special, scratch))) {
      finish = "stop";
      break;
    }
    if (job.maxTokens >= 0 && out.generated >= job.maxTokens) finish = "length";
    else if (cache.length >= ctx.info.nCtxSeq) finish = "length";
    else if (ctx.abortRequested()) finish = "abort";
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
  return out.finish(finish ?? "stop");
}
