/**
 * App-wide shortcuts (Ctrl/⌘+N new chat, Ctrl/⌘+K search, Esc stop). Enter and Shift+Enter
 * belong to the composer, which handles them itself.
 *
 * @module
 */

/** What the shortcuts trigger. */
export type ShortcutActions = {
  newChat(): void;
  focusSearch(): void;
  /** Esc: close a dialog, else stop the reply being generated, else close a panel. */
  escape(): void;
};

/**
 * Listens for the shortcuts on `target`.
 *
 * @param actions what each shortcut does
 * @param target where to listen
 * @returns a function that removes the listener
 */
export function installShortcuts(actions: ShortcutActions, target: Window = window): () => void {
  const onKey = (event: KeyboardEvent) => {
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (mod && !event.shiftKey && !event.altKey && key === "n") {
      event.preventDefault();
      actions.newChat();
    } else if (mod && !event.shiftKey && !event.altKey && key === "k") {
      event.preventDefault();
      actions.focusSearch();
    } else if (key === "escape" && !event.defaultPrevented) {
      actions.escape();
    }
  };
  target.addEventListener("keydown", onKey);
  return () => target.removeEventListener("keydown", onKey);
}
