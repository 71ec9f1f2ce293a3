/**
 * A reply's numbers, as LM Studio shows them: tokens, time to first token, prompt and
 * generation speed, and a draft model's acceptance when one ran.
 *
 * @module
 */
import type { JSX } from "preact";
import { formatCount, formatMs, formatRate } from "../lib/format.ts";
import type { Metrics } from "../../api/types.ts";

/**
 * "draft: A of D accepted (R %)": tokens a draft model proposed (D) and the model accepted (A).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(draftLine(20, 15), "draft: 15 of 20 accepted (75 %)");
 * strictEqual(draftLine(0, 0), "draft: 0 of 0 accepted");
 * ```
 */
export function draftLine(drafted: number, accepted: number): string {
  const rate = drafted > 0 ? ` (${Math.round((accepted / drafted) * 100)} %)` : "";
  return `draft: ${formatCount(accepted)} of ${formatCount(drafted)} accepted${rate}`;
}

/** The metrics line under a reply. */
export function MessageStats({ metrics }: { metrics: Metrics }): JSX.Element {
  const cached = metrics.cached_tokens ? ` (${formatCount(metrics.cached_tokens)} cached)` : "";
  return (
    <span class="stats" aria-label="Reply statistics">
      <span title={`Prompt: ${formatCount(metrics.prompt_tokens)} tokens${cached}`}>
        {formatCount(metrics.completion_tokens)} tokens
      </span>
      <span title="Time to first token">TTFT {formatMs(metrics.ttft_ms)}</span>
      <span title="Prompt processing speed">prompt {formatRate(metrics.prompt_tok_per_sec)}</span>
      <span title="Generation speed">gen {formatRate(metrics.gen_tok_per_sec)}</span>
      {metrics.draft_n !== undefined && (
        <span title="Speculative decoding: draft tokens the model accepted">
          {draftLine(metrics.draft_n, metrics.draft_n_accepted ?? 0)}
        </span>
      )}
    </span>
  );
}
