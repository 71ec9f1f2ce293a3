/**
 * The message being typed: text and a cursor, changed by keys. Pure functions on plain
 * values, shared by the chat pane's input box and its tests.
 *
 * @module
 */

/** Text being typed and the cursor's offset in it (UTF-16 units). */
export interface Draft {
  text: string;
  cursor: number;
}

/** An empty draft. */
export const EMPTY_DRAFT: Draft = Object.freeze({ text: "", cursor: 0 });

/** A draft holding `text` with the cursor at its end. */
export function draftOf(text: string): Draft {
  return { text, cursor: text.length };
}

// Control characters but tab and newline: keys the panes did not take are not text.
// deno-lint-ignore no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** Inserts `input` at the cursor; a pasted `\r` becomes a newline, other controls go. */
export function insert(draft: Draft, input: string): Draft {
  const clean = input.replace(/\r\n?/g, "\n").replace(CONTROLS, "");
  const text = draft.text.slice(0, draft.cursor) + clean + draft.text.slice(draft.cursor);
  return { text, cursor: draft.cursor + clean.length };
}

/** Deletes the character before the cursor. */
export function backspace(draft: Draft): Draft {
  if (draft.cursor === 0) return draft;
  const at = draft.cursor - 1;
  return { text: draft.text.slice(0, at) + draft.text.slice(draft.cursor), cursor: at };
}

/** Moves the cursor by `step` characters, within the text. */
export function move(draft: Draft, step: number): Draft {
  return { ...draft, cursor: Math.max(0, Math.min(draft.text.length, draft.cursor + step)) };
}

/** Moves the cursor to the start (`-1`) or end (`1`) of its line. */
export function lineEdge(draft: Draft, side: -1 | 1): Draft {
  const { text, cursor } = draft;
  if (side < 0) return { text, cursor: text.lastIndexOf("\n", cursor - 1) + 1 };
  const end = text.indexOf("\n", cursor);
  return { text, cursor: end === -1 ? text.length : end };
}

/**
 * Splits a chunk of typed input into its text and whether it ended with Enter: keys sent
 * faster than they are read arrive together ("max tokens\r").
 */
export function splitEnter(input: string): { text: string; enter: boolean } {
  const enter = input.length > 1 && input.endsWith("\r");
  return { text: (enter ? input.slice(0, -1) : input).replace(CONTROLS, ""), enter };
}
