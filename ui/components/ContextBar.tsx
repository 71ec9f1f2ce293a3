/**
 * How full the context is: the open branch's next prompt, counted by the server with the
 * loaded model, plus the tokens of a reply as it streams, out of n_ctx; then what the message
 * being typed adds, and a warning when it cannot fit.
 *
 * @module
 */
import type { JSX } from "preact";
import { formatCount } from "../lib/format.ts";
import type { Stores } from "../stores/app.ts";

/** The context usage bar and the composer's notice. */
export function ContextBar({ stores }: { stores: Stores }): JSX.Element | null {
  const { context } = stores;
  const nCtx = context.nCtx.value;
  const used = context.used.value;
  const notice = context.notice.value;
  const adds = context.draftTokens.value;
  if (!nCtx || used === null) {
    return <p class="context-hint">Enter to send · Shift+Enter for a new line</p>;
  }
  const ratio = Math.min(1, used / nCtx);
  const level = ratio > 0.9 ? "full" : ratio > 0.7 ? "high" : "ok";
  return (
    <div class="context-area">
      {notice && <p class="context-notice" data-level={notice.level} role="status">{notice.text}
      </p>}
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
          {adds !== null && <span class="context-draft">· message +{formatCount(adds)}</span>}
        </span>
      </div>
    </div>
  );
}
