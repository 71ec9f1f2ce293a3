/**
 * The tokenize/decode/sample loop, in the engine Worker. It reuses the longest
 * cached prefix of the sequence, decodes the rest of the prompt in n_batch chunks,
 * then samples and decodes one token at a time until an end-of-generation token, a
 * stop string, maxTokens, a full context or an abort.
 *
 * Pieces reach the main thread in coalesced messages: the first piece at once (for
 * TTFT), then at most one message per {@link FLUSH_INTERVAL_MS}, because a message
 * per token costs more than a decode on small models.
 *
 * @module
 */
import { ContextOverflowError } from "../errors.ts";
import { StopMatcher } from "../stop_strings.ts";
import type { FinishReason, GenerationResult, Piece } from "../types.ts";
import type { NativeContext } from "./native_context.ts";
import type { NativeSampler } from "./native_sampler.ts";

/**
 * How often, at most, pieces are posted to the main thread, in milliseconds: about 30
 * updates a second, as the scheduler posts (engine/scheduler.ts `flushIntervalMs`).
 * Each post wakes the main thread, which then competes with the ggml threads for the
 * cores.
 */
export const FLUSH_INTERVAL_MS = 33;

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
  const kept = ctx.truncate(seqId, common);
  // Every call starts afresh, a reused Sampler too (as llama-server per request):
  // penalties see this call's tokens only and the seed gives the same stream.
  sampler.reset();

  let finish: FinishReason | undefined;
  ctx.setAbortable(true);
  for (let i = kept; i < prompt.length && !finish;) {
    batch.clear();
    const end = Math.min(prompt.length, i + batch.capacity);
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
  const promptDone = performance.now();
  // One token at a time from here: stop between tokens, not inside them.
  ctx.setAbortable(false);
  // The loop checks maxTokens after each token; 0 must sample none.
  if (!finish && job.maxTokens === 0) finish = "length";

  const matcher = new StopMatcher(job.stop);
  const decoder = new TextDecoder("utf-8");
  const scratch = new Uint8Array(256);
  let text = "";
  let pending: Piece[] = [];
  let lastFlush = 0;
  let generated = 0;
  let firstToken = promptDone;
  let stop: string | undefined;
  const flush = (force: boolean) => {
    const now = performance.now();
    if (pending.length > 0 && (force || generated === 1 || now - lastFlush >= FLUSH_INTERVAL_MS)) {
      emit(pending);
      pending = [];
      lastFlush = now;
    }
  };

  while (!finish) {
    // -1: the last output of the last decode (llama.h, llama_get_logits_ith).
    const token = sampler.sample(ctx.pointer, -1);
    generated++;
    if (generated === 1) firstToken = performance.now();
    if (llama.llama_vocab_is_eog(vocab, token)) {
      finish = "stop";
      break;
    }
    const bytes = ctx.model.tokenBytes(token, job.special, scratch);
    const pushed = matcher.push(decoder.decode(bytes, { stream: true }));
    text += pushed.text;
    pending.push({ token, text: pushed.text });
    if (pushed.stopped) {
      finish = "stop";
      stop = pushed.stop;
      break;
    }
    flush(false);
    if (job.maxTokens >= 0 && generated >= job.maxTokens) finish = "length";
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
  if (!stop) {
    const tail = matcher.flush() + decoder.decode();
    if (tail) {
      text += tail;
      // Held-back text belongs to no new token: it rides on the last piece.
      const last = pending.at(-1);
      if (last) last.text += tail;
      else pending.push({ token: -1, text: tail });
    }
  }
  flush(true);

  const end = performance.now();
  const promptMs = promptDone - start;
  const genMs = generated > 0 ? end - firstToken : 0;
  const promptEvalTokens = prompt.length - kept;
  return {
    finishReason: finish ?? "stop",
    ...(stop === undefined ? {} : { stop }),
    text,
    droppedMessages: 0,
    metrics: {
      promptTokens: prompt.length,
      cachedTokens: kept,
      promptEvalTokens,
      generatedTokens: generated,
      ttftMs: generated > 0 ? firstToken - start : 0,
      promptMs,
      genMs,
      promptTokPerSec: promptMs > 0 ? (promptEvalTokens * 1000) / promptMs : 0,
      genTokPerSec: genMs > 0 && generated > 1 ? ((generated - 1) * 1000) / genMs : 0,
    },
  };
}
