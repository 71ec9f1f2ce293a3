/**
 * Sheets, the app's service: create, import and export sheets, add and edit columns,
 * edit and approve cells, and generation jobs (through {@link SheetJobRunner}). No
 * HTTP: server/routes/sheets.ts maps these calls and their errors.
 *
 * @module
 */
import {
  MAX_SHEET_PARALLEL,
  type Sheet,
  type SheetCell,
  type SheetColumn,
  type SheetColumnType,
  type SheetJob,
  type SheetValue,
  type Storage,
} from "../../storage/mod.ts";
import type { TableFormat } from "../../tables/mod.ts";
import { SheetColumnError, SheetNotFoundError } from "./errors.ts";
import { type CellPrompt, renameTemplateColumn, templateColumns } from "./prompt.ts";
import { type AiColumnInput, aiSpec, columnType, columnValue } from "./column_spec.ts";
import { type ColumnProgress, type RunnerOptions, SheetJobRunner } from "./runner.ts";
import { type RunImportOptions, SheetImports, type SheetImportsOptions } from "./imports.ts";
import { exportSheet } from "./transfer.ts";

export { type AiColumnInput, DEFAULT_MAX_TOKENS } from "./column_spec.ts";

/** A window of rows with every column's value, as the grid shows it. */
export interface SheetRowsView {
  columns: SheetColumn[];
  rows: {
    idx: number;
    /** Data columns' values by column id. */
    data: Record<string, SheetValue>;
    /** AI cells by column id (absent: empty). */
    cells: Record<string, SheetCell>;
  }[];
}

/** The sheets of one app. */
export class SheetService {
  readonly #storage: Storage;
  /** The job runner (start, pause, resume, cancel, progress). */
  readonly jobs: SheetJobRunner;
  /** Imports in flight: their progress and cancel. */
  readonly imports: SheetImports;

  /** Makes the service; call {@link SheetService.resume} to continue earlier jobs. */
  constructor(storage: Storage, runner: RunnerOptions, imports: SheetImportsOptions = {}) {
    this.#storage = storage;
    // Sheets an import left half done when the process died.
    storage.sheets.deleteUnfinishedImports();
    this.jobs = new SheetJobRunner(storage, runner);
    this.imports = new SheetImports(storage, imports);
  }

  /** Continues jobs left running by an earlier process. */
  resume(): SheetJob[] {
    return this.jobs.resumeRunning();
  }

  /** Ready sheets, newest first. */
  list(): Sheet[] {
    return this.#storage.sheets.list();
  }

  /** A sheet. @throws {SheetNotFoundError} */
  get(id: string): Sheet {
    const sheet = this.#storage.sheets.get(id);
    if (!sheet || sheet.state !== "ready") throw new SheetNotFoundError("sheet", id);
    return sheet;
  }

  /** A new empty sheet with `rows` empty rows (default 0). */
  create(name: string, rows = 0): Sheet {
    checkName(name, "sheet");
    const sheet = this.#storage.sheets.create(name);
    if (rows > 0) {
      this.#storage.sheets.insertRows(
        sheet.id,
        0,
        Array.from({ length: rows }, () => ({ data: [] })),
      );
      this.#storage.sheets.finishImport(sheet.id, rows);
    }
    return this.get(sheet.id);
  }

  /**
   * Imports a CSV, TSV, JSONL or Parquet file as a new sheet ({@link SheetImports.run}).
   *
   * @throws {TableFormatError} for a malformed file, naming the line; nothing is kept.
   * @throws {SheetImportCancelledError} when cancelled; nothing is kept.
   */
  import(path: string, options?: RunImportOptions): Promise<Sheet> {
    return this.imports.run(path, options);
  }

  /** Exports a sheet to a file (format from the extension unless given). */
  async export(id: string, path: string, format?: TableFormat): Promise<void> {
    await exportSheet(this.#storage, this.get(id), path, { format });
  }

  /** Renames a sheet. */
  rename(id: string, name: string): Sheet {
    this.get(id);
    checkName(name, "sheet");
    this.#storage.sheets.rename(id, name);
    return this.get(id);
  }

  /**
   * Sets how many rows the sheet's jobs generate at once; a running job keeps its count
   * until it is resumed. The model's slots cap it too (Settings, parallel slots).
   *
   * @throws {RangeError} for a value that is not an integer in [1, {@link MAX_SHEET_PARALLEL}].
   */
  setParallel(id: string, parallel: number): Sheet {
    this.get(id);
    if (!Number.isInteger(parallel) || parallel < 1 || parallel > MAX_SHEET_PARALLEL) {
      throw new RangeError(
        `parallel must be an integer in [1, ${MAX_SHEET_PARALLEL}], got ${parallel}`,
      );
    }
    this.#storage.sheets.setParallel(id, parallel);
    return this.get(id);
  }

  /** Deletes a sheet, stopping its jobs first. */
  async delete(id: string): Promise<void> {
    this.get(id);
    for (const job of this.#storage.sheets.jobs({ states: ["running"], sheetId: id })) {
      await this.jobs.pause(job.id);
    }
    this.#storage.sheets.delete(id);
  }

  /** A sheet's columns in order. */
  columns(id: string): SheetColumn[] {
    this.get(id);
    return this.#storage.sheets.columns(id);
  }

  /**
   * Adds a data column or an AI column at the end.
   *
   * @throws {SheetColumnError} for a duplicate name, a template naming an unknown
   *   column, an unsupported JSON schema or a bad max_tokens.
   */
  addColumn(
    sheetId: string,
    input: { name: string; kind: "data"; type?: SheetColumnType } | {
      name: string;
      kind: "ai";
      ai: AiColumnInput;
    },
  ): SheetColumn {
    const columns = this.columns(sheetId);
    checkName(input.name, "column");
    if (columns.some((c) => c.name === input.name)) {
      throw new SheetColumnError(`The sheet has a column "${input.name}" already`);
    }
    if (input.kind === "data") {
      return this.#storage.sheets.addColumn(sheetId, {
        name: input.name,
        kind: "data",
        type: columnType(input.type, input.name),
      });
    }
    const ai = aiSpec(input.ai, input.name, columns);
    return this.#storage.sheets.addColumn(sheetId, { name: input.name, kind: "ai", ai });
  }

  /**
   * Changes a column's name or AI spec (fields not given stay). A rename rewrites the
   * `{{name}}` references to it in the sheet's AI templates. Renaming an imported CSV
   * column drops the file's raw header, so exports use the new name.
   */
  editColumn(
    columnId: string,
    patch: { name?: string; type?: SheetColumnType; ai?: Partial<AiColumnInput> },
  ): SheetColumn {
    const column = this.#column(columnId);
    const columns = this.#storage.sheets.columns(column.sheet_id);
    if (patch.name !== undefined && patch.name !== column.name) {
      checkName(patch.name, "column");
      if (columns.some((c) => c.name === patch.name)) {
        throw new SheetColumnError(`The sheet has a column "${patch.name}" already`);
      }
    }
    const ai = column.kind === "ai" && patch.ai
      ? aiSpec(
        { ...column.ai!, ...patch.ai },
        patch.name ?? column.name,
        columns.filter((c) => c.id !== column.id),
      )
      : undefined;
    return this.#storage.transaction(() => {
      if (patch.name !== undefined && patch.name !== column.name) {
        if (column.kind === "data") this.#dropRawHeader(column);
        this.#renameReferences(columns, column.name, patch.name);
      }
      return this.#storage.sheets.updateColumn(columnId, {
        name: patch.name,
        type: patch.type === undefined ? undefined : columnType(patch.type, column.name),
        ai,
      });
    });
  }

  /** Deletes a column (its cells and jobs too). */
  async deleteColumn(columnId: string): Promise<void> {
    const column = this.#column(columnId);
    for (const job of this.#storage.sheets.jobs({ states: ["running", "paused"] })) {
      if (job.column_id === columnId) await this.jobs.cancel(job.id);
    }
    this.#storage.transaction(() => {
      if (column.kind === "data") this.#dropRawHeader(column);
      this.#storage.sheets.deleteColumn(columnId);
    });
  }

  /** Rows [offset, offset + limit) with every column. */
  rows(sheetId: string, offset: number, limit: number): SheetRowsView {
    const columns = this.columns(sheetId);
    const to = offset + limit;
    const rows = this.#storage.sheets.rows(sheetId, offset, to);
    const cells = new Map(
      columns.filter((c) => c.kind === "ai").map((c) => [
        c.id,
        new Map(this.#storage.sheets.cells(c.id, offset, to).map((cell) => [cell.row_idx, cell])),
      ]),
    );
    return {
      columns,
      rows: rows.map((row) => {
        const data: Record<string, SheetValue> = {};
        const aiCells: Record<string, SheetCell> = {};
        for (const c of columns) {
          if (c.kind === "data") data[c.id] = row.data[c.slot!] ?? null;
          else {
            const cell = cells.get(c.id)!.get(row.idx);
            if (cell) aiCells[c.id] = cell;
          }
        }
        return { idx: row.idx, data, cells: aiCells };
      }),
    };
  }

  /**
   * Sets a cell by hand: a data cell's value, as its column's type holds it ("42" is 42
   * in a number column), or an AI cell's text (state "edited": it becomes a few-shot
   * example, and regeneration keeps it).
   *
   * @throws {SheetColumnError} For a value the data column's type cannot hold.
   */
  setCell(columnId: string, rowIdx: number, value: SheetValue): void {
    const column = this.#column(columnId);
    this.#requireRow(column, rowIdx);
    if (column.kind === "data") {
      const typed = columnValue(column, rowIdx, value);
      this.#storage.sheets.setData(column.sheet_id, rowIdx, column.slot!, typed);
      return;
    }
    this.#storage.sheets.putCell(columnId, rowIdx, {
      value: value === null ? null : String(value),
      state: value === null ? "empty" : "edited",
    });
  }

  /**
   * Approves an AI cell (thumbs-up: a few-shot example, kept by regeneration) or takes
   * the approval back (`approved` false: it is "done" again).
   *
   * @throws {SheetColumnError} for a cell with no value.
   */
  approveCell(columnId: string, rowIdx: number, approved = true): SheetCell {
    const column = this.#column(columnId);
    const cell = this.#storage.sheets.cell(columnId, rowIdx);
    if (column.kind !== "ai" || !cell || cell.value === null) {
      throw new SheetColumnError(
        `Row ${rowIdx} of "${column.name}" has no generated value to approve`,
      );
    }
    return this.#storage.sheets.putCell(columnId, rowIdx, {
      ...cell,
      state: approved ? "approved" : "done",
    });
  }

  /**
   * Generates an AI column's cells in rows [from, to) (default all): "missing" (the
   * default) fills empty cells, "all" regenerates all but approved and edited ones,
   * "failed" retries cells in error.
   */
  generate(
    columnId: string,
    options: { from?: number; to?: number; mode?: "missing" | "failed" | "all" } = {},
  ): SheetJob {
    return this.jobs.start(columnId, options);
  }

  /** Retries an AI column's failed cells. */
  retryFailed(columnId: string): SheetJob {
    return this.jobs.start(columnId, { mode: "failed" });
  }

  /** Progress of a column's newest job, or null. */
  progress(columnId: string): ColumnProgress | null {
    this.#column(columnId);
    return this.jobs.progressOf(columnId);
  }

  /** The prompt a cell gets now. */
  prompt(columnId: string, rowIdx: number): CellPrompt {
    return this.jobs.prompt(columnId, rowIdx);
  }

  /** Stops this process's jobs (to resume at the next start) and cancels its imports. */
  async close(): Promise<void> {
    await Promise.all([this.jobs.stopAll(), this.imports.cancelAll()]);
  }

  #column(columnId: string): SheetColumn {
    const column = this.#storage.sheets.column(columnId);
    if (!column) throw new SheetNotFoundError("column", columnId);
    return column;
  }

  #requireRow(column: SheetColumn, rowIdx: number): void {
    const sheet = this.get(column.sheet_id);
    if (!Number.isInteger(rowIdx) || rowIdx < 0 || rowIdx >= sheet.row_count) {
      throw new SheetNotFoundError("row", rowIdx);
    }
  }

  /** Rewrites `{{from}}` as `{{to}}` in the AI templates of `columns` that use it. */
  #renameReferences(columns: readonly SheetColumn[], from: string, to: string): void {
    for (const c of columns) {
      if (c.kind !== "ai" || !templateColumns(c.ai!.prompt).includes(from)) continue;
      const prompt = renameTemplateColumn(c.ai!.prompt, from, to);
      this.#storage.sheets.updateColumn(c.id, { ai: { ...c.ai!, prompt } });
    }
  }

  #dropRawHeader(column: SheetColumn): void {
    const sheet = this.#storage.sheets.get(column.sheet_id)!;
    const count = sheet.layout?.columnCount;
    if (sheet.layout && count !== undefined && column.slot !== null && column.slot < count) {
      this.#storage.sheets.setLayout(sheet.id, { ...sheet.layout, columnCount: undefined });
    }
  }
}

function checkName(name: unknown, what: string): void {
  if (typeof name !== "string" || name.trim() === "") {
    throw new SheetColumnError(`A ${what} needs a name`);
  }
}
