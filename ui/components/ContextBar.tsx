/**
 * How full the context is: the last reply's prompt + completion tokens out of the loaded
 * model's n_ctx (what the next turn starts from).
 *
 * @module
 */
import type { JSX } from "preact";
import { formatCount } from "../lib/format.ts";
import type { Stores } from "../stores/app.ts";

/** The context usage bar. */
export function ContextBar({ stores }: { stores: Stores }): JSX.Element | null {
  const metrics = stores.conversation.lastMetrics.value;
  const nCtx = stores.models.loaded.value?.n_ctx;
  if (!nCtx) return <p class="context-hint">Enter to send · Shift+Enter for a new line</p>;
  const used = metrics ? metrics.prompt_tokens + metrics.completion_tokens : 0;
  const ratio = Math.min(1, used / nCtx);
  const level = ratio > 0.9 ? "full" : ratio > 0.7 ? "high" : "ok";
  return (
    <div class="context" data-level={level}>
      <span class="context-label">Context</span>
      <div
        class="bar"
        role="meter"
        aria-label="Context used"
        aria-valuemin={0}
        aria-valuemax={nCtx}
        aria-valuenow={used}
      >
        <div class="bar-fill" style={{ width: `${ratio * 100}%` }} />
      </div>
      <span class="context-numbers">
        {formatCount(used)} / {formatCount(nCtx)} ({Math.round(ratio * 100)}%)
      </span>
    </div>
  );
}
