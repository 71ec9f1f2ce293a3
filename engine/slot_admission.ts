/**
 * Which free slot an admitted request takes: the one whose cached tokens its prompt
 * reuses the most and discards the least, so a chat's next turn finds its own slot and
 * another chat takes an empty slot rather than evict it.
 *
 * @module
 */
import { commonPrefix } from "./prefix_sharing.ts";

/**
 * The free slot where `prompt` reuses the most and discards the least: the shared
 * prefix counts for, the cached tokens after it against (a chat's turns stay in its
 * slot; another chat sharing only the template's first tokens takes an empty slot
 * instead of evicting it). Ties go to the least recently used, so hot prefixes (system
 * prompts) stay cached. Sequences copied from in this step are left alone while
 * another slot is free.
 *
 * @param free the free sequence ids, at least one
 * @param copiedFrom sequences copied from in this step
 * @param cached the tokens each sequence holds (`Runner.cached`)
 * @param lastUsed each sequence's last admission tick (higher = more recent)
 */
export function pickSlot(
  free: readonly number[],
  copiedFrom: ReadonlySet<number>,
  cached: readonly (readonly number[])[],
  lastUsed: readonly number[],
  prompt: readonly number[],
): number {
  const untouched = free.filter((seqId) => !copiedFrom.has(seqId));
  const candidates = untouched.length > 0 ? untouched : free;
  let best = candidates[0];
  let bestScore = -Infinity;
  for (const seqId of candidates) {
    const held = cached[seqId];
    const length = commonPrefix(held, prompt);
    const score = length - (held.length - length);
    if (score > bestScore || (score === bestScore && lastUsed[seqId] < lastUsed[best])) {
      best = seqId;
      bestScore = score;
    }
  }
  return best;
}
