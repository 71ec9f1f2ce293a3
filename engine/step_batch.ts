/**
 * Building one scheduler step's batch, at most n_batch tokens within the KV pool's room:
 * first the next token of every generating slot (with its drafted tokens when there is
 * a draft model), so prompts never starve generation, then prompt chunks of admitted
 * requests, with each image decoded whole in its own decodes before the shared batch.
 *
 * @module
 */
import type { Runner } from "./serve_runner.ts";
import { type Active, NO_DRAFT } from "./slot.ts";
import type { FinishReason } from "./types.ts";

/** How batch building ends a slot's request (the scheduler's finish and fail). */
export interface SlotEnds {
  /** Ends the request with a result. */
  finish(slot: Active, reason: FinishReason): void;
  /** Ends the request with an error. */
  fail(slot: Active, error: unknown): void;
}

/** What a batch holds so far: `size` tokens, with `room` KV cells left to fill. */
export interface BatchFill {
  size: number;
  room: number;
}

/** Whether `slot` has decoded its prompt and sampled a token (its next step generates). */
function generating(slot: Active | undefined): slot is Active {
  return slot !== undefined && slot.position >= slot.prompt.length && slot.output.generated > 0;
}

/**
 * Resets every slot's output index and proposal, and adds each generating slot's last
 * token (and the tokens its draft proposes, all with logits) to the runner's batch. A
 * slot the pool has no room for ends with "length"; one whose draft fails ends with
 * the error.
 *
 * @param room KV cells the step may fill (`poolRoom`)
 */
export function batchGenerating(
  runner: Runner,
  slots: readonly (Active | undefined)[],
  room: number,
  ends: SlotEnds,
): BatchFill {
  let size = 0;
  let waiting = slots.filter(generating).length;
  for (const slot of slots) {
    if (!slot) continue;
    slot.outputIndex = -1;
    slot.proposal = NO_DRAFT;
    if (generating(slot)) {
      waiting--;
      // A full shared pool ends a generation as a full sequence would.
      if (room <= 0) {
        ends.finish(slot, "length");
        continue;
      }
      room--;
      const cache = runner.cached[slot.seqId];
      if (runner.draft) {
        // Room for one token of every slot after this one; positions within the
        // sequence; no more than maxTokens can use (the last token is the target's).
        const { maxTokens } = slot.job.request;
        let limit = Math.min(
          runner.nBatch - size - 1 - waiting,
          runner.nCtxSeq - 2 - cache.length,
          room,
        );
        if (maxTokens >= 0) limit = Math.min(limit, maxTokens - slot.output.generated - 1);
        if (limit > 0) {
          try {
            slot.proposal = runner.draft(slot.seqId, slot.lastToken, limit);
          } catch (error) {
            ends.fail(slot, error);
            continue;
          }
        }
      }
      slot.outputIndex = runner.addToBatch(slot.lastToken, cache.length, slot.seqId, true);
      slot.proposal.forEach((token, i) =>
        runner.addToBatch(token, cache.length + 1 + i, slot.seqId, true)
      );
      room -= slot.proposal.length;
      size += 1 + slot.proposal.length;
    }
  }
  return { size, room };
}

/**
 * Adds prompt chunks of slots still decoding their prompts (in slot order, not waiting
 * for a prefix) to the batch after `fill`, and decodes images that start at a slot's
 * position, each whole. Only the prompt's last token gets logits. A slot whose image
 * fails ends with the error.
 *
 * @returns the batch's fill and how many images were decoded
 */
export function batchPrompts(
  runner: Runner,
  slots: readonly (Active | undefined)[],
  fill: BatchFill,
  ends: SlotEnds,
): BatchFill & { images: number } {
  let { size, room } = fill;
  let images = 0;
  for (const slot of slots) {
    if (!slot || slot.waitFor || slot.position >= slot.prompt.length) continue;
    const spans = slot.job.request.images?.spans ?? [];
    const image = spans.findIndex((span) => slot.position < span.end);
    const span = spans[image];
    if (span?.start === slot.position) {
      // An image goes in whole, in its own decodes, before this step's shared batch.
      if (span.end - span.start > room) break;
      try {
        slot.job.request.images!.decode(slot.seqId, image);
      } catch (error) {
        ends.fail(slot, error);
        continue;
      }
      room -= span.end - span.start;
      slot.position = span.end;
      images++;
      continue;
    }
    const end = span?.start ?? slot.prompt.length;
    const n = Math.min(runner.nBatch - size, end - slot.position, room);
    if (n <= 0) break;
    room -= n;
    for (let i = 0; i < n; i++) {
      const at = slot.position + i;
      const last = at === slot.prompt.length - 1;
      const index = runner.addToBatch(slot.prompt[at], at, slot.seqId, last);
      if (last) slot.outputIndex = index;
    }
    slot.position += n;
    size += n;
  }
  return { size, room, images };
}
