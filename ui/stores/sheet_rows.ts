/**
 * The open sheet's rows as the grid needs them: fetched in pages of
 * {@link ROWS_PER_PAGE} around what is on screen, kept in a small cache (a 100,000-row
 * sheet is never loaded whole), and fetched again when a job changes cells on screen.
 *
 * @module
 */
import { signal } from "@preact/signals";
import type { SheetRowsJson } from "../../api/sheets.ts";

/** Rows per `GET /rows` request. */
export const ROWS_PER_PAGE = 100;
/** Pages kept; the ones farthest from the screen go first. */
const MAX_PAGES = 40;

/** One row as the grid shows it. */
export type SheetRow = SheetRowsJson["rows"][number];

/** Fetches rows [offset, offset + limit). */
export type FetchRows = (offset: number, limit: number) => Promise<SheetRowsJson>;

/** The row cache of one open sheet. */
export type RowCache = ReturnType<typeof createRowCache>;

/**
 * Creates the cache.
 *
 * @param fetchRows the page fetcher (the sheet's `GET /rows`)
 * @param onError called with a failed fetch (the page is retried at the next call)
 */
export function createRowCache(fetchRows: FetchRows, onError: (error: unknown) => void) {
  /** Pages by index; a new Map on every change, so readers re-render. */
  const pages = signal<ReadonlyMap<number, readonly SheetRow[]>>(new Map());
  const inFlight = new Set<number>();
  /** Pages asked for again while in flight: fetched once more when that fetch ends. */
  const stale = new Set<number>();
  /** The rows on screen, [from, to). */
  let view = { from: 0, to: 0 };

  const load = async (page: number) => {
    if (inFlight.has(page)) {
      stale.add(page);
      return;
    }
    inFlight.add(page);
    try {
      const { rows } = await fetchRows(page * ROWS_PER_PAGE, ROWS_PER_PAGE);
      const next = new Map(pages.value);
      next.set(page, rows);
      // Keep the pages nearest the screen.
      const centre = Math.floor(view.from / ROWS_PER_PAGE);
      const order = [...next.keys()].sort((a, b) => Math.abs(a - centre) - Math.abs(b - centre));
      for (const far of order.slice(MAX_PAGES)) next.delete(far);
      pages.value = next;
    } catch (error) {
      onError(error);
    } finally {
      inFlight.delete(page);
      if (stale.delete(page)) void load(page);
    }
  };
  const pagesOf = (from: number, to: number) => {
    const list: number[] = [];
    for (let p = Math.floor(from / ROWS_PER_PAGE); p * ROWS_PER_PAGE < to; p++) list.push(p);
    return list;
  };

  return {
    pages,
    /** Row `idx` if its page is here, else undefined. */
    row(idx: number): SheetRow | undefined {
      return pages.value.get(Math.floor(idx / ROWS_PER_PAGE))?.[idx % ROWS_PER_PAGE];
    },
    /** Says which rows are on screen and fetches the pages that are missing. */
    show(from: number, to: number): void {
      view = { from, to };
      for (const page of pagesOf(from, to)) {
        if (!pages.value.has(page) && !inFlight.has(page)) void load(page);
      }
    },
    /** Fetches the pages on screen again (cells changed); the others are dropped. */
    async reload(): Promise<void> {
      const visible = pagesOf(view.from, view.to);
      const kept = new Map([...pages.value].filter(([page]) => visible.includes(page)));
      pages.value = kept;
      await Promise.all(visible.map(load));
    },
  };
}
