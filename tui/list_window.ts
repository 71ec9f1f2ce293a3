/**
 * Which rows of a long list fit a pane: a window of `rows` items that keeps the selected
 * one visible.
 *
 * @module
 */

/** The items to draw and the index of the first one. */
export function windowAround<T>(
  items: readonly T[],
  selected: number,
  rows: number,
): { start: number; items: T[] } {
  const size = Math.max(1, rows);
  const start = Math.max(0, Math.min(selected - Math.floor(size / 2), items.length - size));
  return { start, items: items.slice(start, start + size) };
}
