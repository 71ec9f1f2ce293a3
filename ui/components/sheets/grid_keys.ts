/**
 * The grid's keys, as spreadsheets have them: arrows move the selected cell (Shift+↑/↓
 * grows the range in its column), Page Up/Down move a screen, Ctrl+Home/End go to the
 * first or last row, Esc clears the selection.
 *
 * @module
 */

/** What the keys act on. */
export type GridKeyActions = {
  /** Moves the selection; returns the row moved to, or null. */
  move(rows: number, columns: number, extend: boolean): number | null;
  clear(): void;
  /** Rows on one screen. */
  pageRows(): number;
  /** Brings a row into view. */
  reveal(row: number): void;
};

/** A keydown handler for the grid; keys it handles do not reach the page. */
export function gridKeyHandler(actions: GridKeyActions): (event: KeyboardEvent) => void {
  return (event) => {
    const far = Number.MAX_SAFE_INTEGER;
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
      PageUp: [-actions.pageRows(), 0],
      PageDown: [actions.pageRows(), 0],
      ...(event.ctrlKey || event.metaKey ? { Home: [-far, 0], End: [far, 0] } : {}),
    };
    if (event.key === "Escape") {
      actions.clear();
    } else if (moves[event.key]) {
      const [rows, columns] = moves[event.key];
      const row = actions.move(rows, columns, event.shiftKey && columns === 0);
      if (row !== null) actions.reveal(row);
    } else return;
    event.preventDefault();
    event.stopPropagation();
  };
}
