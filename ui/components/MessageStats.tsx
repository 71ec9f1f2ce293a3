/**
 * A reply's numbers, as LM Studio shows them: tokens, time to first token, prompt and
 * generation speed.
 *
 * @module
 */
import type { JSX } from "preact";
import { formatCount, formatMs, formatRate } from "../lib/format.ts";
import type { Metrics } from "../../api/types.ts";

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
    </span>
  );
}
