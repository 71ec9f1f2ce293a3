/**
 * Sheet import and export through tables/: rows stream from the file into SQLite in
 * batches, the sheet marked "importing" until the last row is in (a failure deletes
 * it, and a crash leaves it for the next open to delete: nothing is imported half).
 * Export streams rows out; a CSV/TSV sheet exported to its own format keeps each
 * unedited record's bytes as read, with the AI columns appended.
 *
 * @module
 */
import { basename } from "node:path";
import {
  createTableWriter,
  formatFromPath,
  openTable,
  type TableColumn,
  type TableFormat,
} from "../../tables/mod.ts";
import type { Sheet, SheetColumn, SheetValue, Storage } from "../../storage/mod.ts";

/** Rows per insert transaction, and per read when exporting. */
const BATCH_ROWS = 1000;
/**
 * Longest an import runs without giving the event loop a turn, in ms. The parser hands
 * out buffered rows as promise jobs, and its file reads never let the loop poll sockets:
 * without a turn, the UI server answered nothing (not even Cancel) and no progress event
 * reached the page until the import ended. A turn every 25 ms left rows/s as they were
 * (docs/benchmarks.md, "Sheet import progress").
 */
export const YIELD_EVERY_MS = 25;

/** Where an import is: what {@link ImportOptions.onProgress} gets. */
export interface ImportTick {
  /** The sheet being filled (state "importing": not listed until it is done). */
  sheet: Sheet;
  /** Rows stored so far. */
  rows: number;
  /** Bytes of the file read so far (tables/ `TableReader.bytesRead`). */
  bytesRead: number;
  /** The file's size in bytes. */
  bytesTotal: number;
}

/** Options of {@link importSheet}. */
export interface ImportOptions {
  /** The file's format; default from its extension. */
  format?: TableFormat;
  /** The sheet's name; default the file's name. */
  name?: string;
  /**
   * Called once the header is read and the sheet made (0 rows), then after each batch
   * of rows is stored (1,000 rows). Not throttled.
   */
  onProgress?: (tick: ImportTick) => void;
  /**
   * Stops the import at the next row: what was stored is deleted, and the import throws
   * `signal.reason`.
   */
  signal?: AbortSignal;
  /**
   * Longest the import runs without giving the event loop a turn, in ms; default
   * {@link YIELD_EVERY_MS}. `Infinity` never does (benchmarks compare).
   */
  yieldEveryMs?: number;
}

/**
 * Imports a table file as a new sheet of data columns.
 *
 * @throws {TableFormatError} for a malformed file (naming the line); nothing is kept.
 * @throws {RangeError} for an unknown extension without `format`.
 * @throws `options.signal.reason` when the signal aborts; nothing is kept.
 */
export async function importSheet(
  storage: Storage,
  path: string,
  options: ImportOptions = {},
): Promise<Sheet> {
  const format = options.format ?? formatFromPath(path);
  const yieldEveryMs = options.yieldEveryMs ?? YIELD_EVERY_MS;
  options.signal?.throwIfAborted();
  const reader = await openTable(path, format);
  const layout = reader.layout ? { ...reader.layout, columnCount: reader.columns.length } : null;
  const sheet = storage.sheets.create(options.name ?? basename(path), {
    state: "importing",
    source_format: format,
    layout,
  });
  try {
    let count = 0;
    let batch: { data: SheetValue[]; raw: string | null }[] = [];
    const tick = () =>
      options.onProgress?.({
        sheet,
        rows: count,
        bytesRead: reader.bytesRead(),
        bytesTotal: reader.sizeBytes,
      });
    let turn = performance.now();
    const flush = async () => {
      storage.sheets.insertRows(sheet.id, count - batch.length, batch);
      batch = [];
      tick();
      if (performance.now() - turn >= yieldEveryMs) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        turn = performance.now();
      }
    };
    tick();
    for await (const record of reader.rows) {
      // Checked per row (a property read): a cancel stops within one row, not one batch.
      options.signal?.throwIfAborted();
      batch.push({ data: record.values, raw: record.raw ?? null });
      count++;
      if (batch.length >= BATCH_ROWS) await flush();
    }
    if (batch.length > 0) await flush();
    storage.transaction(() => {
      for (const column of reader.columns) {
        storage.sheets.addColumn(sheet.id, { name: column.name, kind: "data", type: column.type });
      }
      storage.sheets.finishImport(sheet.id, count);
    });
    return storage.sheets.get(sheet.id)!;
  } catch (error) {
    storage.sheets.delete(sheet.id);
    throw error;
  }
}

/** Options of {@link exportSheet}. */
export interface ExportOptions {
  /** The file's format; default from its extension. */
  format?: TableFormat;
  /**
   * For a sheet imported from CSV/TSV exported to the same format: write each record
   * not edited since as it was read (byte for byte). Default true.
   */
  keepRaw?: boolean;
}

/**
 * How many leading columns are the imported ones, unchanged (so a record's raw text
 * stands for them), or 0.
 */
function rawPrefix(sheet: Sheet, columns: readonly SheetColumn[], format: TableFormat): number {
  const layout = sheet.layout;
  if (!layout || sheet.source_format !== format || layout.columnCount === undefined) return 0;
  const n = layout.columnCount;
  for (let i = 0; i < n; i++) {
    const column = columns[i];
    if (!column || column.kind !== "data" || column.slot !== i) return 0;
  }
  return n;
}

/**
 * Writes a sheet to a table file: every column in order, AI cells as their text
 * (empty when never generated). The file appears whole or not at all.
 *
 * @throws {RangeError} for an unknown extension without `format`.
 */
export async function exportSheet(
  storage: Storage,
  sheet: Sheet,
  path: string,
  options: ExportOptions = {},
): Promise<void> {
  const format = options.format ?? formatFromPath(path);
  const columns = storage.sheets.columns(sheet.id);
  const prefix = options.keepRaw === false ? 0 : rawPrefix(sheet, columns, format);
  const tableColumns: TableColumn[] = columns.map((c) => ({
    name: c.name,
    type: c.kind === "ai" ? (c.ai?.json_schema ? "json" : "string") : c.type,
  }));
  const writer = await createTableWriter(path, format, tableColumns, {
    layout: sheet.layout ?? undefined,
    rawPrefix: prefix,
  });
  try {
    const ai = columns.filter((c) => c.kind === "ai");
    for (let from = 0; from < sheet.row_count; from += BATCH_ROWS) {
      const to = Math.min(sheet.row_count, from + BATCH_ROWS);
      const rows = storage.sheets.rows(sheet.id, from, to);
      const cells = new Map(
        ai.map((c) => [
          c.id,
          new Map(storage.sheets.cells(c.id, from, to).map((cell) => [cell.row_idx, cell.value])),
        ]),
      );
      for (const row of rows) {
        const values: SheetValue[] = columns.map((c) =>
          c.kind === "data" ? row.data[c.slot!] ?? null : cells.get(c.id)!.get(row.idx) ?? null
        );
        if (prefix > 0 && row.raw !== null && writer.writeRaw) {
          await writer.writeRaw(row.raw, values.slice(prefix));
        } else {
          await writer.write(values);
        }
      }
    }
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
