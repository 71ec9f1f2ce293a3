/**
 * Sheets: rows of data columns, AI columns whose cells a model fills, and the jobs
 * that fill them (schema: migration 7 in migrations.ts). Storage checks shapes only;
 * the app (app/sheets/) owns the rules: which cells a job queues, prompts, models.
 *
 * @module
 */
import type { StoreContext } from "./_context.ts";
import { parseJson, type Row, toJson } from "./_sql.ts";
import { transaction } from "./transaction.ts";

/** A cell value of a data column: text, number, boolean or null. */
export type SheetValue = string | number | boolean | null;

/** A data column's type ("json": an object or array kept as its JSON text). */
export type SheetColumnType = "string" | "number" | "boolean" | "json";

/** The state of an AI cell: no row in the table is "empty". */
export type SheetCellState = "empty" | "queued" | "done" | "error" | "edited" | "approved";

/** Every {@link SheetCellState}. */
export const SHEET_CELL_STATES: readonly SheetCellState[] = [
  "empty",
  "queued",
  "done",
  "error",
  "edited",
  "approved",
];

/** The state of a generation job. */
export type SheetJobState = "running" | "paused" | "cancelled" | "done" | "failed";

/** A sheet's header row. */
export interface Sheet {
  id: string;
  name: string;
  /** ms since the epoch. */
  created_at: number;
  /** ms since the epoch. */
  updated_at: number;
  /** "importing" while rows stream in; such sheets are not listed. */
  state: "importing" | "ready";
  /** The format it was imported from, or null for a sheet made empty. */
  source_format: "csv" | "tsv" | "jsonl" | "parquet" | null;
  /**
   * CSV/TSV: BOM, line ending and header text as read (tables/ `TextLayout`), and how
   * many columns that header has (the rows' raw text stands for those).
   */
  layout: { bom: boolean; eol: "\n" | "\r\n"; headerRaw: string; columnCount?: number } | null;
  row_count: number;
  /** Rows its jobs generate at once at most, 1..{@link MAX_SHEET_PARALLEL} (default 8). */
  parallel: number;
}

/** Most rows a sheet's jobs may generate at once (the column's CHECK). */
export const MAX_SHEET_PARALLEL = 256;

/** What an AI column generates with. */
export interface SheetAiSpec {
  /** The instructions, with `{{column}}` for another column's value in the row. */
  prompt: string;
  /** A model file path or `provider:model`; null = the app's loaded model. */
  model: string | null;
  /** Sampling options as the engine names them (temperature, top_k, ...), camelCase. */
  sampling: Record<string, number>;
  /** Most tokens per cell. */
  max_tokens: number;
  /** Text before the instructions; "" = none. */
  system_prompt: string;
  /** A JSON schema the output must match (through a grammar), or null. */
  json_schema: unknown;
}

/** A column of a sheet. */
export interface SheetColumn {
  id: string;
  sheet_id: string;
  /** Order in the sheet, 0-based. */
  position: number;
  name: string;
  kind: "data" | "ai";
  type: SheetColumnType;
  /** A data column's index in each row's data array; null for AI columns. */
  slot: number | null;
  /** An AI column's spec; null for data columns. */
  ai: SheetAiSpec | null;
}

/** A row: its index (0-based, file order) and its data values by slot. */
export interface SheetRow {
  idx: number;
  data: SheetValue[];
  /** The CSV/TSV record as read, or null (another format, or edited since). */
  raw: string | null;
}

/** An AI cell. */
export interface SheetCell {
  column_id: string;
  row_idx: number;
  /** The text (for a JSON-schema column, the JSON text); null when never generated. */
  value: string | null;
  state: SheetCellState;
  /** Why it failed, for "error". */
  error: string | null;
  /** Tokens generated. */
  tokens: number | null;
  /** Time to generate, milliseconds. */
  ms: number | null;
  /** The model that generated it. */
  model: string | null;
  /** ms since the epoch. */
  updated_at: number;
}

/** A generation job over rows [row_start, row_end) of one AI column. */
export interface SheetJob {
  id: string;
  sheet_id: string;
  column_id: string;
  state: SheetJobState;
  row_start: number;
  row_end: number;
  created_at: number;
  updated_at: number;
  error: string | null;
}

/** Which cells {@link SheetStore.queueCells} queues. */
export type QueueMode =
  /** Cells without a value (empty, or left queued). */
  | "missing"
  /** Cells in "error". */
  | "failed"
  /** Every cell but approved and hand-edited ones (regenerate). */
  | "all";

function toSheet(row: Row): Sheet {
  return {
    id: row.id as string,
    name: row.name as string,
    created_at: row.created_at as number,
    updated_at: row.updated_at as number,
    state: row.state as Sheet["state"],
    source_format: row.source_format as Sheet["source_format"],
    layout: parseJson(row.layout),
    row_count: row.row_count as number,
    parallel: row.parallel as number,
  };
}

function toColumn(row: Row): SheetColumn {
  return {
    id: row.id as string,
    sheet_id: row.sheet_id as string,
    position: row.position as number,
    name: row.name as string,
    kind: row.kind as SheetColumn["kind"],
    type: row.type as SheetColumnType,
    slot: row.slot as number | null,
    ai: parseJson(row.ai),
  };
}

function toCell(row: Row): SheetCell {
  return {
    column_id: row.column_id as string,
    row_idx: row.row_idx as number,
    value: row.value as string | null,
    state: row.state as SheetCellState,
    error: row.error as string | null,
    tokens: row.tokens as number | null,
    ms: row.ms as number | null,
    model: row.model as string | null,
    updated_at: row.updated_at as number,
  };
}

function toJob(row: Row): SheetJob {
  return { ...(row as unknown as SheetJob) };
}

const SHEET_FIELDS =
  "id, name, created_at, updated_at, state, source_format, layout, row_count, parallel";
const COLUMN_FIELDS = "id, sheet_id, position, name, kind, type, slot, ai";
const CELL_FIELDS = "column_id, row_idx, value, state, error, tokens, ms, model, updated_at";
const JOB_FIELDS =
  "id, sheet_id, column_id, state, row_start, row_end, created_at, updated_at, error";

/** The sheets of one database. Get it from `Storage.sheets`. */
export class SheetStore {
  readonly #ctx: StoreContext;

  /** @internal Use `Storage.sheets`. */
  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Makes a sheet. Give `state: "importing"` while rows stream in, then
   * {@link SheetStore.finishImport}.
   */
  create(
    name: string,
    options: {
      state?: Sheet["state"];
      source_format?: Sheet["source_format"];
      layout?: Sheet["layout"];
    } = {},
  ): Sheet {
    const now = this.#ctx.now();
    const id = this.#ctx.newId();
    this.#ctx.sql.get(
      `INSERT INTO sheets (id, name, created_at, updated_at, state, source_format, layout)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      name,
      now,
      now,
      options.state ?? "ready",
      options.source_format ?? null,
      toJson(options.layout),
    );
    return this.get(id)!;
  }

  /** The sheet, or undefined. */
  get(id: string): Sheet | undefined {
    const row = this.#ctx.sql.get(`SELECT ${SHEET_FIELDS} FROM sheets WHERE id = ?`).get(id);
    return row ? toSheet(row) : undefined;
  }

  /** Ready sheets, newest first. */
  list(): Sheet[] {
    return this.#ctx.sql.get(
      `SELECT ${SHEET_FIELDS} FROM sheets WHERE state = 'ready' ORDER BY updated_at DESC, id`,
    ).all().map(toSheet);
  }

  /** Renames a sheet. */
  rename(id: string, name: string): void {
    this.#ctx.sql.get("UPDATE sheets SET name = ?, updated_at = ? WHERE id = ?")
      .run(name, this.#ctx.now(), id);
  }

  /** Sets how many rows a sheet's jobs generate at once (1..{@link MAX_SHEET_PARALLEL}). */
  setParallel(id: string, parallel: number): void {
    this.#ctx.sql.get("UPDATE sheets SET parallel = ?, updated_at = ? WHERE id = ?")
      .run(parallel, this.#ctx.now(), id);
  }

  /** Replaces a sheet's layout (null: none). */
  setLayout(id: string, layout: Sheet["layout"]): void {
    this.#ctx.sql.get("UPDATE sheets SET layout = ?, updated_at = ? WHERE id = ?")
      .run(toJson(layout), this.#ctx.now(), id);
  }

  /** Marks an import done with its row count. */
  finishImport(id: string, rowCount: number): void {
    this.#ctx.sql.get(
      "UPDATE sheets SET state = 'ready', row_count = ?, updated_at = ? WHERE id = ?",
    ).run(rowCount, this.#ctx.now(), id);
  }

  /** Deletes a sheet with its columns, rows, cells and jobs. */
  delete(id: string): void {
    transaction(this.#ctx.db, () => {
      // Cells hang off columns: delete them in one statement rather than by cascade.
      this.#ctx.sql.get(
        "DELETE FROM sheet_cells WHERE column_id IN (SELECT id FROM sheet_columns WHERE sheet_id = ?)",
      ).run(id);
      this.#ctx.sql.get("DELETE FROM sheet_jobs WHERE sheet_id = ?").run(id);
      this.#ctx.sql.get("DELETE FROM sheet_rows WHERE sheet_id = ?").run(id);
      this.#ctx.sql.get("DELETE FROM sheet_columns WHERE sheet_id = ?").run(id);
      this.#ctx.sql.get("DELETE FROM sheets WHERE id = ?").run(id);
    });
  }

  /** Deletes sheets left "importing" by a process that died; returns how many. */
  deleteUnfinishedImports(): number {
    const ids = this.#ctx.sql.get("SELECT id FROM sheets WHERE state = 'importing'").all();
    for (const { id } of ids) this.delete(id as string);
    return ids.length;
  }

  /** The sheet's columns in order. */
  columns(sheetId: string): SheetColumn[] {
    return this.#ctx.sql.get(
      `SELECT ${COLUMN_FIELDS} FROM sheet_columns WHERE sheet_id = ? ORDER BY position`,
    ).all(sheetId).map(toColumn);
  }

  /** A column, or undefined. */
  column(id: string): SheetColumn | undefined {
    const row = this.#ctx.sql.get(`SELECT ${COLUMN_FIELDS} FROM sheet_columns WHERE id = ?`)
      .get(id);
    return row ? toColumn(row) : undefined;
  }

  /**
   * Adds a column at the end. A data column gets the next free slot (existing rows
   * read null there).
   */
  addColumn(
    sheetId: string,
    column: { name: string; kind: "data" | "ai"; type?: SheetColumnType; ai?: SheetAiSpec },
  ): SheetColumn {
    const id = this.#ctx.newId();
    transaction(this.#ctx.db, () => {
      const next = this.#ctx.sql.get(
        `SELECT COALESCE(MAX(position) + 1, 0) AS position, COALESCE(MAX(slot) + 1, 0) AS slot
         FROM sheet_columns WHERE sheet_id = ?`,
      ).get(sheetId)!;
      this.#ctx.sql.get(
        `INSERT INTO sheet_columns (id, sheet_id, position, name, kind, type, slot, ai)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        sheetId,
        next.position as number,
        column.name,
        column.kind,
        column.type ?? "string",
        column.kind === "data" ? next.slot as number : null,
        column.kind === "ai" ? toJson(column.ai) : null,
      );
      this.#touch(sheetId);
    });
    return this.column(id)!;
  }

  /** Changes a column's name, type or AI spec. */
  updateColumn(
    id: string,
    patch: { name?: string; type?: SheetColumnType; ai?: SheetAiSpec },
  ): SheetColumn {
    const column = this.column(id);
    if (!column) throw new RangeError(`no column "${id}"`);
    this.#ctx.sql.get("UPDATE sheet_columns SET name = ?, type = ?, ai = ? WHERE id = ?").run(
      patch.name ?? column.name,
      patch.type ?? column.type,
      column.kind === "ai" ? toJson(patch.ai ?? column.ai) : null,
      id,
    );
    this.#touch(column.sheet_id);
    return this.column(id)!;
  }

  /** Deletes a column with its cells and jobs (a data column's values stay unread). */
  deleteColumn(id: string): void {
    transaction(this.#ctx.db, () => {
      this.#ctx.sql.get("DELETE FROM sheet_cells WHERE column_id = ?").run(id);
      this.#ctx.sql.get("DELETE FROM sheet_jobs WHERE column_id = ?").run(id);
      this.#ctx.sql.get("DELETE FROM sheet_columns WHERE id = ?").run(id);
    });
  }

  /**
   * Appends rows at `startIdx`, `startIdx + 1`, ... in one transaction (a savepoint
   * inside a caller's).
   */
  insertRows(
    sheetId: string,
    startIdx: number,
    rows: readonly { data: readonly SheetValue[]; raw?: string | null }[],
  ): void {
    transaction(this.#ctx.db, () => {
      const insert = this.#ctx.sql.get(
        "INSERT INTO sheet_rows (sheet_id, idx, data, raw) VALUES (?, ?, ?, ?)",
      );
      rows.forEach((row, i) =>
        insert.run(sheetId, startIdx + i, JSON.stringify(row.data), row.raw ?? null)
      );
    });
  }

  /** Rows [from, to) in order. */
  rows(sheetId: string, from: number, to: number): SheetRow[] {
    return this.#ctx.sql.get(
      "SELECT idx, data, raw FROM sheet_rows WHERE sheet_id = ? AND idx >= ? AND idx < ? ORDER BY idx",
    ).all(sheetId, from, to).map((row) => ({
      idx: row.idx as number,
      data: JSON.parse(row.data as string),
      raw: row.raw as string | null,
    }));
  }

  /** Sets one data cell (slot `slot` of row `idx`); the row's raw text is dropped. */
  setData(sheetId: string, idx: number, slot: number, value: SheetValue): void {
    const [row] = this.rows(sheetId, idx, idx + 1);
    if (!row) throw new RangeError(`no row ${idx}`);
    const data = [...row.data];
    while (data.length <= slot) data.push(null);
    data[slot] = value;
    this.#ctx.sql.get("UPDATE sheet_rows SET data = ?, raw = NULL WHERE sheet_id = ? AND idx = ?")
      .run(JSON.stringify(data), sheetId, idx);
    this.#touch(sheetId);
  }

  /** AI cells of a column in rows [from, to) that have a row (others are empty). */
  cells(columnId: string, from: number, to: number): SheetCell[] {
    return this.#ctx.sql.get(
      `SELECT ${CELL_FIELDS} FROM sheet_cells
       WHERE column_id = ? AND row_idx >= ? AND row_idx < ? ORDER BY row_idx`,
    ).all(columnId, from, to).map(toCell);
  }

  /** One AI cell, or undefined when empty. */
  cell(columnId: string, rowIdx: number): SheetCell | undefined {
    const row = this.#ctx.sql.get(
      `SELECT ${CELL_FIELDS} FROM sheet_cells WHERE column_id = ? AND row_idx = ?`,
    ).get(columnId, rowIdx);
    return row ? toCell(row) : undefined;
  }

  /** Writes one AI cell (its own transaction: a finished cell is never lost). */
  putCell(
    columnId: string,
    rowIdx: number,
    cell: Partial<Omit<SheetCell, "column_id" | "row_idx" | "updated_at">> & {
      state: SheetCellState;
    },
  ): SheetCell {
    this.#ctx.sql.get(
      `INSERT INTO sheet_cells (column_id, row_idx, value, state, error, tokens, ms, model, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (column_id, row_idx) DO UPDATE SET value = excluded.value,
         state = excluded.state, error = excluded.error, tokens = excluded.tokens,
         ms = excluded.ms, model = excluded.model, updated_at = excluded.updated_at`,
    ).run(
      columnId,
      rowIdx,
      cell.value ?? null,
      cell.state,
      cell.error ?? null,
      cell.tokens ?? null,
      cell.ms ?? null,
      cell.model ?? null,
      this.#ctx.now(),
    );
    return this.cell(columnId, rowIdx)!;
  }

  /**
   * Finishes a queued cell: writes it only if it is still queued (a cell edited or
   * approved while generating keeps the user's value). Returns whether it wrote.
   */
  finishCell(
    columnId: string,
    rowIdx: number,
    cell: Omit<SheetCell, "column_id" | "row_idx" | "updated_at">,
  ): boolean {
    const result = this.#ctx.sql.get(
      `UPDATE sheet_cells SET value = ?, state = ?, error = ?, tokens = ?, ms = ?, model = ?,
         updated_at = ? WHERE column_id = ? AND row_idx = ? AND state = 'queued'`,
    ).run(
      cell.value,
      cell.state,
      cell.error,
      cell.tokens,
      cell.ms,
      cell.model,
      this.#ctx.now(),
      columnId,
      rowIdx,
    );
    return Number(result.changes) > 0;
  }

  /**
   * Queues the cells of rows [from, to) that `mode` selects, in one transaction.
   * Returns how many cells are queued in the range afterwards.
   */
  queueCells(columnId: string, sheetId: string, from: number, to: number, mode: QueueMode): number {
    const now = this.#ctx.now();
    return transaction(this.#ctx.db, () => {
      if (mode === "missing" || mode === "all") {
        // Rows without a cell yet: a row of their own, queued.
        this.#ctx.sql.get(
          `INSERT INTO sheet_cells (column_id, row_idx, state, updated_at)
           SELECT ?, idx, 'queued', ? FROM sheet_rows
           WHERE sheet_id = ? AND idx >= ? AND idx < ?
           ON CONFLICT (column_id, row_idx) DO NOTHING`,
        ).run(columnId, now, sheetId, from, to);
      }
      const states = mode === "missing"
        ? "('empty')"
        : mode === "failed"
        ? "('error')"
        : "('empty', 'done', 'error')";
      this.#ctx.sql.get(
        `UPDATE sheet_cells SET state = 'queued', updated_at = ?
         WHERE column_id = ? AND row_idx >= ? AND row_idx < ? AND state IN ${states}`,
      ).run(now, columnId, from, to);
      return this.#ctx.sql.get(
        `SELECT COUNT(*) AS n FROM sheet_cells
         WHERE column_id = ? AND row_idx >= ? AND row_idx < ? AND state = 'queued'`,
      ).get(columnId, from, to)!.n as number;
    });
  }

  /** Up to `limit` queued rows of a column in [from, to) after `after`, in order. */
  queued(columnId: string, from: number, to: number, after: number, limit: number): number[] {
    return this.#ctx.sql.get(
      `SELECT row_idx FROM sheet_cells WHERE column_id = ? AND state = 'queued'
       AND row_idx >= ? AND row_idx < ? AND row_idx > ? ORDER BY row_idx LIMIT ?`,
    ).all(columnId, from, to, after, limit).map((row) => row.row_idx as number);
  }

  /**
   * Puts queued cells of rows [from, to) back: to "done" if they have a value, else
   * they are removed (empty). For a cancelled job.
   */
  unqueue(columnId: string, from: number, to: number): void {
    transaction(this.#ctx.db, () => {
      this.#ctx.sql.get(
        `DELETE FROM sheet_cells WHERE column_id = ? AND row_idx >= ? AND row_idx < ?
         AND state = 'queued' AND value IS NULL`,
      ).run(columnId, from, to);
      this.#ctx.sql.get(
        `UPDATE sheet_cells SET state = 'done' WHERE column_id = ? AND row_idx >= ?
         AND row_idx < ? AND state = 'queued'`,
      ).run(columnId, from, to);
    });
  }

  /** Approved and hand-edited cells of a column, by row, at most `limit`: the examples. */
  examples(columnId: string, limit: number): SheetCell[] {
    return this.#ctx.sql.get(
      `SELECT ${CELL_FIELDS} FROM sheet_cells WHERE column_id = ?
       AND state IN ('approved', 'edited') AND value IS NOT NULL ORDER BY row_idx LIMIT ?`,
    ).all(columnId, limit).map(toCell);
  }

  /** How many cells of a column in rows [from, to) are in each state (empty included). */
  counts(columnId: string, from: number, to: number): Record<SheetCellState, number> {
    const counts = Object.fromEntries(SHEET_CELL_STATES.map((s) => [s, 0])) as Record<
      SheetCellState,
      number
    >;
    let stored = 0;
    for (
      const row of this.#ctx.sql.get(
        `SELECT state, COUNT(*) AS n FROM sheet_cells WHERE column_id = ? AND row_idx >= ?
         AND row_idx < ? GROUP BY state`,
      ).all(columnId, from, to)
    ) {
      counts[row.state as SheetCellState] += row.n as number;
      stored += row.n as number;
    }
    counts.empty += Math.max(0, to - from - stored);
    return counts;
  }

  /** Makes a running job. */
  createJob(sheetId: string, columnId: string, from: number, to: number): SheetJob {
    const id = this.#ctx.newId();
    const now = this.#ctx.now();
    this.#ctx.sql.get(
      `INSERT INTO sheet_jobs (id, sheet_id, column_id, state, row_start, row_end, created_at,
         updated_at) VALUES (?, ?, ?, 'running', ?, ?, ?, ?)`,
    ).run(id, sheetId, columnId, from, to, now, now);
    return this.job(id)!;
  }

  /** A job, or undefined. */
  job(id: string): SheetJob | undefined {
    const row = this.#ctx.sql.get(`SELECT ${JOB_FIELDS} FROM sheet_jobs WHERE id = ?`).get(id);
    return row ? toJob(row) : undefined;
  }

  /** Jobs in `states` (all when omitted), oldest first; of one sheet when given. */
  jobs(options: { states?: readonly SheetJobState[]; sheetId?: string } = {}): SheetJob[] {
    const states = options.states ?? ["running", "paused", "cancelled", "done", "failed"];
    return this.#ctx.sql.get(
      `SELECT ${JOB_FIELDS} FROM sheet_jobs WHERE state IN (SELECT value FROM json_each(?))
       AND (? IS NULL OR sheet_id = ?) ORDER BY created_at, id`,
    ).all(JSON.stringify(states), options.sheetId ?? null, options.sheetId ?? null).map(toJob);
  }

  /** Sets a job's state (and error). */
  setJobState(id: string, state: SheetJobState, error: string | null = null): void {
    this.#ctx.sql.get("UPDATE sheet_jobs SET state = ?, error = ?, updated_at = ? WHERE id = ?")
      .run(state, error, this.#ctx.now(), id);
  }

  #touch(sheetId: string): void {
    this.#ctx.sql.get("UPDATE sheets SET updated_at = ? WHERE id = ?").run(
      this.#ctx.now(),
      sheetId,
    );
  }
}
