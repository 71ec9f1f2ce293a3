/**
 * The prompt an AI cell gets now, on demand: the system prompt, then the user message
 * split where the row's own part starts (the shared part — instructions and the approved
 * or edited examples — is decoded once for every row of a job).
 *
 * @module
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { SheetPromptJson } from "../../../api/sheets.ts";

/** Props of {@link PromptPreview}. */
export type PromptPreviewProps = {
  /** Fetches the cell's prompt. */
  load(): Promise<SheetPromptJson>;
};

/** A "Show prompt" toggle and the prompt. */
export function PromptPreview(props: PromptPreviewProps): JSX.Element {
  const [prompt, setPrompt] = useState<SheetPromptJson | null>(null);
  const [error, setError] = useState<string | null>(null);
  const toggle = async () => {
    if (prompt) return setPrompt(null);
    try {
      setError(null);
      setPrompt(await props.load());
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const system = prompt?.messages.find((m) => m.role === "system")?.content;
  return (
    <div class="prompt-preview">
      <button type="button" class="link" aria-expanded={prompt !== null} onClick={toggle}>
        {prompt ? "Hide prompt" : "Show prompt"}
      </button>
      {error && <p class="notice error">{error}</p>}
      {prompt && (
        <div class="prompt-parts" aria-label="Prompt">
          {typeof system === "string" && system && <pre class="prompt-system">{system}</pre>}
          <pre class="prompt-shared" title="Shared by every row">{prompt.shared}</pre>
          <pre class="prompt-row" title="This row's own part">{prompt.row}</pre>
        </div>
      )}
    </div>
  );
}
