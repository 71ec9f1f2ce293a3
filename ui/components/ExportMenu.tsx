/**
 * Export the chat (Markdown, JSONL, OpenAI JSON: plain download links to the export route) and
 * import one (a file picker whose text is posted to `/api/import`).
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { Stores } from "../stores/app.ts";
import type { ExportFormat } from "../../api/types.ts";
import { Icon } from "./icons.tsx";
import { exportFileName } from "../../api/export_name.ts";

const FORMATS: [ExportFormat, string][] = [
  ["md", "Markdown (.md)"],
  ["jsonl", "JSONL (.jsonl)"],
  ["openai", "OpenAI JSON (.json)"],
];

/** The export/import menu. */
export function ExportMenu({ stores }: { stores: Stores }): JSX.Element {
  const details = useRef<HTMLDetailsElement>(null);
  const file = useRef<HTMLInputElement>(null);
  const chat = stores.conversation.chat.value;
  const close = () => details.current?.removeAttribute("open");
  // <details> stays open on outside clicks; a menu should not.
  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (!details.current?.contains(e.target as Node)) close();
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, []);
  const onFile = async (input: HTMLInputElement) => {
    const picked = input.files?.[0];
    input.value = "";
    close();
    if (!picked) return;
    // The server tells the format from the content: a file's name may say nothing.
    await stores.chats.importFile(undefined, await picked.text(), stores.conversation.open);
  };
  return (
    <details class="menu" ref={details}>
      <summary class="icon-button" aria-label="Export or import" title="Export or import">
        <Icon name="download" />
      </summary>
      <div class="menu-list" role="menu">
        {FORMATS.map(([format, label]) =>
          chat
            ? (
              <a
                key={format}
                role="menuitem"
                href={stores.chats.exportUrl(chat.id, format)}
                download={exportFileName(chat.title, format)}
                onClick={close}
              >
                Export as {label}
              </a>
            )
            : (
              <span key={format} class="menu-disabled" role="menuitem" aria-disabled="true">
                Export as {label}
              </span>
            )
        )}
        <hr />
        <button type="button" role="menuitem" onClick={() => file.current?.click()}>
          <Icon name="upload" size={16} /> Import chat…
        </button>
        <input
          ref={file}
          type="file"
          accept=".jsonl,.json,application/json"
          hidden
          onChange={(e) => onFile(e.currentTarget)}
        />
      </div>
    </details>
  );
}
