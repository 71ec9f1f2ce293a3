/**
 * Where an admitted request's prompt starts in the KV cache: the longest prefix its own
 * sequence keeps, a longer one copied from another sequence (`llama_memory_seq_cp`),
 * or, when a slot still decoding its prompt will soon hold a longer one, nothing yet:
 * the request waits for that slot, then copies (a sheet's rows decode their shared
 * instructions once). Copies must save {@link MIN_COPY_TOKENS}; images are reused whole.
 *
 * @module
 */
import type { Active } from "./slot.ts";
import type { PromptImages } from "./serve_request.ts";

/**
 * Fewest prompt tokens a copy from another sequence (or waiting for one to decode
 * them) must save over what the target sequence already holds. Across KV streams a
 * copy moves the whole stream buffer (n_ctx_seq cells of every layer), so a copy of a
 * few tokens would cost more than decoding them.
 */
export const MIN_COPY_TOKENS = 16;

/** The length of the common prefix of two token lists. */
export function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/** A cached prefix length that does not end inside an image (images are reused whole). */
export function wholeImages(images: PromptImages | undefined, length: number): number {
  const span = images?.spans.find((span) => span.start < length && length < span.end);
  return span ? span.start : length;
}

/**
 * Where a prompt's reused prefix comes from: `length` tokens of sequence `source`
 * (the slot's own: keep them; another: copy them), or `wait` for the slot `leader`
 * to decode `length` tokens first.
 */
export type PrefixPlan =
  | { wait: false; source: number; length: number }
  | { wait: true; leader: Active; length: number };

/**
 * Plans where `slot`'s prompt starts. The last prompt token is always decoded (its
 * logits are needed), so at most `prompt.length - 1` tokens (and `nCtxSeq - 1`) are
 * reused. Without `sharing` only the slot's own sequence counts.
 *
 * @param cached the tokens each sequence holds (`Runner.cached`)
 * @param slots the scheduler's slots by sequence id, `slot` among them or not yet
 */
export function planPrefix(
  slot: Active,
  cached: readonly (readonly number[])[],
  nCtxSeq: number,
  slots: readonly (Active | undefined)[],
  sharing: boolean,
): PrefixPlan {
  const { prompt, seqId } = slot;
  // Images are reused whole: a kept or copied prefix never ends inside one.
  const whole = (n: number) => wholeImages(slot.job.request.images, n);
  const limit = Math.min(prompt.length - 1, nCtxSeq - 1);
  const own = whole(Math.min(commonPrefix(cached[seqId], prompt), limit));
  let source = seqId;
  let length = own;
  if (sharing) {
    let other = -1;
    let otherLength = 0;
    for (let s = 0; s < cached.length; s++) {
      if (s === seqId) continue;
      const n = whole(Math.min(commonPrefix(cached[s], prompt), limit));
      if (n > otherLength) [other, otherLength] = [s, n];
    }
    let leader: Active | undefined;
    let pending = 0;
    for (const active of slots) {
      if (!active || active === slot || active.waitFor) continue;
      if (active.position >= active.prompt.length) continue; // its prompt is cached
      const n = whole(Math.min(commonPrefix(active.prompt, prompt), limit));
      if (n > pending) [leader, pending] = [active, n];
    }
    if (otherLength >= own + MIN_COPY_TOKENS) [source, length] = [other, otherLength];
    if (leader && pending >= length + MIN_COPY_TOKENS) {
      return { wait: true, leader, length: pending };
    }
  }
  return { wait: false, source, length };
}
