/**
 * The sheets part of the UI API: wire types (what `/api/sheets` answers, and what the
 * `sheets` event carries) and the mappers that make them from the app's values, typed
 * so the server and the UI cannot drift apart.
 *
 * @module
 */
import type {
  CellPrompt,
  ColumnProgress,
  SheetImportProgress,
  SheetRowsView,
} from "../app/sheets/mod.ts";
import type { Sheet, SheetCell, SheetColumn, SheetJob } from "../storage/mod.ts";

/** A sheet in lists and headers. */
export interface SheetJson {
  id: string;
  name: string;
  /** ms since the epoch. */
  created_at: number;
  /** ms since the epoch. */
  updated_at: number;
  row_count: number;
  /** "csv", "tsv", "jsonl", "parquet", or null for a sheet made empty. */
  source_format: string | null;
  /** Rows its jobs generate at once at most (the model's slots cap it too); default 8. */
  parallel: number;
}

/** An AI column's generation settings. */
export interface SheetAiJson {
  /** Instructions with `{{column}}` references. */
  prompt: string;
  /** Model path or `provider:model`; null = the loaded model. */
  model: string | null;
  /** Sampling options (engine names). */
  sampling: Record<string, number>;
  max_tokens: number;
  system_prompt: string;
  /** JSON schema of the output, or null. */
  json_schema: unknown;
}

/** A column. */
export interface SheetColumnJson {
  id: string;
  name: string;
  kind: "data" | "ai";
  /** A data column's type. */
  type: "string" | "number" | "boolean" | "json";
  position: number;
  /** Null for data columns. */
  ai: SheetAiJson | null;
}

/** An AI cell; a cell never generated is absent. */
export interface SheetCellJson {
  value: string | null;
  state: "empty" | "queued" | "done" | "error" | "edited" | "approved";
  error: string | null;
  /** Tokens generated. */
  tokens: number | null;
  /** Milliseconds to generate. */
  ms: number | null;
  model: string | null;
}

/** A window of rows: `data` by data column id, `cells` by AI column id. */
export interface SheetRowsJson {
  columns: SheetColumnJson[];
  rows: {
    idx: number;
    data: Record<string, string | number | boolean | null>;
    cells: Record<string, SheetCellJson>;
  }[];
}

/** A generation job over rows [row_start, row_end) of one AI column. */
export interface SheetJobJson {
  id: string;
  sheet_id: string;
  column_id: string;
  state: "running" | "paused" | "cancelled" | "done" | "failed";
  row_start: number;
  row_end: number;
  error: string | null;
}

/** A column job's progress (also the data of the `sheets` event). */
export type SheetProgressJson = ColumnProgress;

/**
 * An import's progress (also the data of the `sheet_import` event): rows stored, bytes
 * read of the file's size, rows/s, seconds left; state "importing" until it is "done",
 * "failed" (with `error`) or "cancelled".
 */
export type SheetImportJson = SheetImportProgress;

/** The prompt a cell gets: the chat messages, and the user message split at the row. */
export type SheetPromptJson = CellPrompt;

/** A sheet as the UI API shows it. */
export function sheetJson(sheet: Sheet): SheetJson {
  return {
    id: sheet.id,
    name: sheet.name,
    created_at: sheet.created_at,
    updated_at: sheet.updated_at,
    row_count: sheet.row_count,
    source_format: sheet.source_format,
    parallel: sheet.parallel,
  };
}

/** A column as the UI API shows it. */
export function sheetColumnJson(column: SheetColumn): SheetColumnJson {
  return {
    id: column.id,
    name: column.name,
    kind: column.kind,
    type: column.type,
    position: column.position,
    ai: column.ai,
  };
}

/** An AI cell as the UI API shows it. */
export function sheetCellJson(cell: SheetCell): SheetCellJson {
  return {
    value: cell.value,
    state: cell.state,
    error: cell.error,
    tokens: cell.tokens,
    ms: cell.ms,
    model: cell.model,
  };
}

/** A window of rows as the UI API shows it. */
export function sheetRowsJson(view: SheetRowsView): SheetRowsJson {
  return {
    columns: view.columns.map(sheetColumnJson),
    rows: view.rows.map((row) => ({
      idx: row.idx,
      data: row.data,
      cells: Object.fromEntries(
        Object.entries(row.cells).map(([id, cell]) => [id, sheetCellJson(cell)]),
      ),
    })),
  };
}

/** A job as the UI API shows it. */
export function sheetJobJson(job: SheetJob): SheetJobJson {
  return {
    id: job.id,
    sheet_id: job.sheet_id,
    column_id: job.column_id,
    state: job.state,
    row_start: job.row_start,
    row_end: job.row_end,
    error: job.error,
  };
}
