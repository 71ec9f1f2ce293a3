/**
 * Accounting of a KV pool that every sequence shares (llama.cpp's kv_unified): how many
 * cells a scheduler step may still fill, after idle slots give back their cached
 * prompts when the active ones need the room.
 *
 * @module
 */
import type { Runner } from "./serve_runner.ts";
import type { Active } from "./slot.ts";

/**
 * KV cells this step may still fill: Infinity for separate pools (`kvCells` Infinity);
 * for a shared one, what the sequences leave free after idle slots give back their
 * cached prompts when the active ones need the room (as llama-server clears idle slots
 * with a unified KV). Truncates those idle sequences through `runner`.
 *
 * @param kvCells cells of the shared pool, or Infinity
 * @param slots the scheduler's slots by sequence id
 */
export function poolRoom(
  kvCells: number,
  runner: Pick<Runner, "cached" | "truncate">,
  slots: readonly (Active | undefined)[],
): number {
  if (kvCells === Infinity) return Infinity;
  const { cached } = runner;
  let used = 0;
  let need = 0;
  for (let seqId = 0; seqId < cached.length; seqId++) {
    used += cached[seqId].length;
    const slot = slots[seqId];
    if (slot) need += Math.max(1, slot.prompt.length - slot.position);
  }
  if (kvCells - used >= need) return kvCells - used;
  for (let seqId = 0; seqId < cached.length; seqId++) {
    if (slots[seqId] || cached[seqId].length === 0) continue;
    used -= cached[seqId].length;
    used += runner.truncate(seqId, 0);
  }
  return kvCells - used;
}
