/**
 * An AI column's prompt: a textarea that, after `{{`, lists the sheet's column names
 * matching what follows; ↑/↓ move, Enter or Tab inserts `name}}`, Esc closes the list.
 *
 * @module
 */
import type { JSX } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";

/** Props of {@link PromptEditor}. */
export type PromptEditorProps = {
  value: string;
  onInput(value: string): void;
  /** Column names the prompt may reference. */
  columns: readonly string[];
  id?: string;
};

/** The open `{{` before the caret and what was typed after it, or null. */
function openReference(text: string, caret: number): { start: number; typed: string } | null {
  const match = /\{\{([^{}\n]*)$/.exec(text.slice(0, caret));
  return match ? { start: match.index + 2, typed: match[1] } : null;
}

/** The prompt editor. */
export function PromptEditor(props: PromptEditorProps): JSX.Element {
  const area = useRef<HTMLTextAreaElement>(null);
  // Where the caret goes once the completed text is rendered. Set after that render, and only
  // while the textarea has the focus: a deferred focus() would pull the focus back from a field
  // the user went on to, and their typing with it.
  const caretAt = useRef<number | null>(null);
  useLayoutEffect(() => {
    const el = area.current;
    if (caretAt.current === null || !el) return;
    if (document.activeElement === el) el.setSelectionRange(caretAt.current, caretAt.current);
    caretAt.current = null;
  });
  const [ref, setRef] = useState<{ start: number; typed: string } | null>(null);
  const [active, setActive] = useState(0);
  const matches = ref
    ? props.columns.filter((c) => c.toLowerCase().startsWith(ref.typed.trim().toLowerCase()))
    : [];

  const track = (el: HTMLTextAreaElement) => {
    setRef(openReference(el.value, el.selectionStart));
    setActive(0);
  };
  const insert = (name: string) => {
    const el = area.current;
    if (!el || !ref) return;
    const caret = el.selectionStart;
    const next = `${el.value.slice(0, ref.start)}${name}}}${el.value.slice(caret)}`;
    props.onInput(next);
    caretAt.current = ref.start + name.length + 2;
    setRef(null);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (!ref || matches.length === 0) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((active + step + matches.length) % matches.length);
    } else if (e.key === "Enter" || e.key === "Tab") {
      e.preventDefault();
      insert(matches[active]);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      setRef(null);
    }
  };

  return (
    <div class="prompt-editor">
      <textarea
        id={props.id}
        ref={area}
        class="input prompt-input"
        rows={5}
        aria-label="Prompt"
        placeholder="Summarize in one sentence: {{text}}"
        value={props.value}
        onInput={(e) => {
          props.onInput(e.currentTarget.value);
          track(e.currentTarget);
        }}
        onKeyDown={onKeyDown}
        onClick={(e) => track(e.currentTarget)}
        onBlur={() => setTimeout(() => setRef(null), 150)}
      />
      {ref && matches.length > 0 && (
        <ul class="prompt-complete" role="listbox" aria-label="Columns">
          {matches.map((name, i) => (
            <li
              key={name}
              role="option"
              aria-selected={i === active}
              onMouseDown={(e) => {
                e.preventDefault(); // keep the textarea's focus and caret
                insert(name);
              }}
            >
              {name}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
