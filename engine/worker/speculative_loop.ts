/**
 * Speculative decoding in the engine Worker, as llama.cpp's draft-simple does
 * (common/speculative.cpp, tools/server): the draft model proposes tokens greedily
 * until its top token's probability drops below `pMin` or `nMax` are proposed; the
 * target decodes its last sampled token and the draft in one batch, with logits for
 * each; its own sampler then samples position by position and keeps the draft up to
 * the first token it did not sample itself, plus that token (llama.cpp's
 * `common_sampler_sample_and_accept_n`). So every emitted token is one the target
 * sampled from its own logits, one draw per token: greedy output is the output without
 * a draft, and a seeded sampler's too. Rejected cells are dropped from both KV caches
 * (`llama_memory_seq_rm`).
 *
 * @module
 */
import { EngineError } from "../errors.ts";
import type { NativeContext } from "./native_context.ts";

/** A draft model's context and the limits of its drafts. */
export interface DraftRunner {
  /** A context on the draft model, of the target context's sizes. */
  ctx: NativeContext;
  /** Most tokens per draft. */
  nMax: number;
  /** Drafts shorter than this are dropped. */
  nMin: number;
  /** Least top-token probability to go on drafting. */
  pMin: number;
}

/**
 * Candidates the draft's probability is computed over: llama.cpp's draft sampler is
 * top_k 10 then a softmax (common/speculative.cpp, draft-simple).
 */
export const DRAFT_TOP_K = 10;

/**
 * Brings the draft's sequence `seqId` to `tokens`: keeps the common prefix of what it
 * holds, decodes the rest in batches; `last` (when given) is decoded after them, with
 * logits, for drafting from.
 *
 * @throws {EngineError} when the draft cannot decode.
 */
export function syncDraft(
  draft: NativeContext,
  seqId: number,
  tokens: readonly number[] | Int32Array,
  last?: number,
): void {
  const cache = draft.cached[seqId];
  let common = 0;
  const limit = Math.min(cache.length, tokens.length);
  while (common < limit && cache[common] === tokens[common]) common++;
  const kept = draft.truncate(seqId, common);
  const todo = [...tokens.slice(kept)];
  if (last !== undefined) todo.push(last);
  const batch = draft.batch;
  for (let i = 0; i < todo.length;) {
    batch.clear();
    const end = Math.min(todo.length, i + batch.capacity);
    for (let j = i; j < end; j++) {
      batch.add(todo[j], cache.length + j - i, seqId, last !== undefined && j === todo.length - 1);
    }
    draft.decode();
    for (let j = i; j < end; j++) cache.push(todo[j]);
    i = end;
  }
}

/**
 * Drafts up to `limit` tokens after `tokens` + `last` on the draft's sequence `seqId`
 * (synced first). Greedy: each is the draft's top token while its probability over the
 * top {@link DRAFT_TOP_K} is at least `pMin`. A draft shorter than `nMin` is dropped.
 */
export function makeDraft(
  runner: DraftRunner,
  seqId: number,
  tokens: readonly number[],
  last: number,
  limit: number,
): number[] {
  const { ctx } = runner;
  syncDraft(ctx, seqId, tokens, last);
  const out: number[] = [];
  const n = Math.min(limit, runner.nMax);
  const nVocab = ctx.model.info.nVocab;
  const { llama } = ctx.model.libs;
  const cache = ctx.cached[seqId];
  while (out.length < n) {
    const pointer = llama.llama_get_logits_ith(ctx.pointer, -1);
    if (pointer === null) throw new EngineError("Cannot draft: the draft context has no logits");
    const logits = new Float32Array(
      Deno.UnsafePointerView.getArrayBuffer(pointer, nVocab * Float32Array.BYTES_PER_ELEMENT),
    );
    const { token, p } = topProbability(logits, DRAFT_TOP_K);
    if (p < runner.pMin) break;
    out.push(token);
    if (out.length >= n) break;
    ctx.batch.clear();
    ctx.batch.add(token, cache.length, seqId, true);
    ctx.decode();
    cache.push(token);
  }
  return out.length < runner.nMin ? [] : out;
}

/**
 * The top token of `logits` and its probability under a softmax over the `k` largest
 * logits (ties: the lower id, as a stable sort keeps it).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { topProbability } from "./speculative_loop.ts";
 *
 * const { token, p } = topProbability(Float32Array.of(0, Math.log(3), -Infinity), 10);
 * strictEqual(token, 1);
 * strictEqual(Math.round(p * 100), 75); // 3 / (3 + 1)
 * ```
 */
export function topProbability(logits: Float32Array, k: number): { token: number; p: number } {
  // The k largest, kept sorted descending in a small array: one pass over the vocabulary.
  const top = new Float32Array(k).fill(-Infinity);
  let token = 0;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (!(v > top[k - 1])) continue;
    let j = k - 1;
    while (j > 0 && top[j - 1] < v) {
      top[j] = top[j - 1];
      j--;
    }
    top[j] = v;
    if (j === 0) token = i;
  }
  let sum = 0;
  for (let j = 0; j < k; j++) if (top[j] !== -Infinity) sum += Math.exp(top[j] - top[0]);
  return { token, p: sum > 0 ? 1 / sum : 0 };
}
