/**
 * Sampling one slot's outputs of a decoded step: one token, or with a draft model
 * (speculative decoding) the target's tokens up to the first that differs from the
 * draft, inclusive, with the rejected cells dropped from the KV cache as llama-server's
 * slots do. Emitted tokens are the target's samples, so greedy output is the same with
 * or without the draft.
 *
 * @module
 */
import type { Runner } from "./serve_runner.ts";
import type { Active } from "./slot.ts";
import type { FinishReason } from "./types.ts";

/**
 * Samples the slot's outputs of this step: one token, or with a draft the target's
 * tokens up to the first that differs from the draft (inclusive). Rejected cells go
 * from the cache; the last emitted token is decoded in the next step (`lastToken`).
 *
 * @returns why the request ends now, or undefined when it goes on
 * @throws what the sampler throws
 */
export function sampleSlot(
  runner: Pick<Runner, "cached" | "truncate" | "isEog" | "tokenBytes" | "nCtxSeq">,
  slot: Active,
): FinishReason | undefined {
  const { output, proposal } = slot;
  if (output.generated === 0) output.promptDone();
  const { maxTokens } = slot.job.request;
  // Checked after each token below; maxTokens 0 must sample none.
  if (maxTokens === 0) return "length";
  const cache = runner.cached[slot.seqId];
  // The cache's length without the draft: what it holds before token i is start + i.
  const start = cache.length - proposal.length;
  slot.drafted += proposal.length;
  for (let i = 0; i <= proposal.length; i++) {
    const token = slot.sampler.sample(slot.outputIndex + i);
    const matched = i < proposal.length && token === proposal[i];
    if (matched) slot.accepted++;
    // Cells after the tokens emitted so far (whatever else the draft proposed) go.
    const cut = () => proposal.length > 0 && runner.truncate(slot.seqId, start + i);
    if (runner.isEog(token)) {
      output.push(token);
      cut();
      return "stop";
    }
    if (output.push(token, runner.tokenBytes(token, slot.job.request.special))) {
      cut();
      return "stop";
    }
    if ((maxTokens >= 0 && output.generated >= maxTokens) || start + i + 1 >= runner.nCtxSeq) {
      cut();
      return "length";
    }
    slot.lastToken = token;
    if (!matched) {
      cut();
      return undefined;
    }
  }
  return undefined;
}
