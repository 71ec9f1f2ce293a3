/**
 * The app's OpenAI server at a glance: running, stopped or failed (with why), the model id
 * clients send, and the base URL with a Copy button.
 *
 * @module
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { copyText } from "../lib/clipboard.ts";
import type { OpenAiServerStatus as Status } from "../../api/types.ts";

const LABELS: Record<Status["state"], string> = {
  stopped: "Stopped",
  starting: "Starting…",
  running: "Running",
  error: "Not running",
};

/** The status line of the OpenAI server; "…" until the first status arrives. */
export function OpenAiServerStatus({ status }: { status: Status | null }): JSX.Element {
  if (!status) return <p class="server-status muted">…</p>;
  return (
    <div class="server-status" data-state={status.state} role="status">
      <p>
        <span class="status-dot" aria-hidden="true" />
        <strong>{LABELS[status.state]}</strong>
        {status.model && <span class="muted">model id "{status.model}"</span>}
      </p>
      {status.message && <p class="status-message">{status.message}</p>}
      {status.url && <CopyUrl url={status.url} />}
    </div>
  );
}

function CopyUrl({ url }: { url: string }): JSX.Element {
  const [copied, setCopied] = useState(false);
  return (
    <div class="server-url">
      <code title={url}>{url}</code>
      <button
        type="button"
        class="button"
        aria-label="Copy the API URL"
        onClick={async () => {
          setCopied(await copyText(url));
          setTimeout(() => setCopied(false), 1500);
        }}
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}
