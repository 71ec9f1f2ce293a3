/**
 * The Sheets workbench's state: the sheet list, the open sheet (its columns and a row
 * cache), the selection (a column, a range of its rows or one cell), and each AI column's
 * job progress from the `sheets` events. Talks to the server through {@link SheetsApi}.
 *
 * @module
 */
import { computed, createModel, signal } from "@preact/signals";
import type { SheetColumnJson, SheetJson, SheetProgressJson } from "../../api/sheets.ts";
import type { GenerateMode, NewSheetColumn, SheetFileFormat, SheetsApi } from "../sheets_api.ts";
import { createRowCache, type RowCache } from "./sheet_rows.ts";
import type { Toasts } from "./toasts.ts";

/** Rows [from, to) of one column; a single cell when to = from + 1. */
export type SheetSelection = { columnId: string; from: number; to: number };

/** Wait between row reloads while a job runs, in ms (cells finish faster than that). */
const RELOAD_MS = 300;

/** The open sheet. */
export type OpenSheet = { sheet: SheetJson; columns: readonly SheetColumnJson[]; rows: RowCache };

/** The sheets store. */
export const SheetsModel = createModel((api: SheetsApi, toasts: Toasts) => {
  const sheets = signal<readonly SheetJson[]>([]);
  const current = signal<OpenSheet | null>(null);
  const selection = signal<SheetSelection | null>(null);
  /** The newest job's progress of each AI column, by column id. */
  const progress = signal<Readonly<Record<string, SheetProgressJson>>>({});
  let reloadTimer: ReturnType<typeof setTimeout> | undefined;
  /** The row a shift-click extends from: the last plainly clicked cell. */
  let anchor = 0;
  /** The row the keyboard moves from (the range's moving end). */
  let focus = 0;

  const guard = async <T>(run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      toasts.error(error);
      return undefined;
    }
  };
  const refresh = () => guard(async () => void (sheets.value = await api.list()));
  const setProgress = (p: SheetProgressJson) => {
    progress.value = { ...progress.value, [p.column_id]: p };
  };
  // A `sheets` event that arrives while a progress GET is on its way is newer than the GET's
  // answer: a fast job's "done" event can overtake it, and the answer ("running") would then
  // stay on screen for good. So a fetched progress applies only if no event came meanwhile.
  const eventsSeen = new Map<string, number>();
  const fetchProgress = async (columnId: string) => {
    const seen = eventsSeen.get(columnId) ?? 0;
    const p = await api.progress(columnId);
    if (p && (eventsSeen.get(columnId) ?? 0) === seen) setProgress(p);
  };

  const open = (id: string) =>
    guard(async () => {
      const { sheet, columns } = await api.get(id);
      const rows = createRowCache((o, n) => api.rows(id, o, n), toasts.error);
      current.value = { sheet, columns, rows };
      selection.value = null;
      progress.value = {};
      await Promise.all(columns.filter((c) => c.kind === "ai").map((c) => fetchProgress(c.id)));
    });
  /** Columns and the sheet's header again (after a column change). */
  const reloadColumns = async () => {
    const open = current.value;
    if (!open) return;
    const { sheet, columns } = await api.get(open.sheet.id);
    current.value = { ...open, sheet, columns };
    await open.rows.reload();
  };
  const scheduleReload = () => {
    if (reloadTimer !== undefined) return;
    reloadTimer = setTimeout(() => {
      reloadTimer = undefined;
      void current.value?.rows.reload();
    }, RELOAD_MS);
  };
  const selectedColumn = computed(() =>
    current.value?.columns.find((c) => c.id === selection.value?.columnId) ?? null
  );

  return {
    sheets,
    current,
    selection,
    progress,
    /** The selected column, or null. */
    selectedColumn,
    refresh,
    open,
    /** Creates an empty sheet with `rows` rows and opens it. */
    create: (name: string, rows: number) =>
      guard(async () => {
        const sheet = await api.create(name, rows);
        await refresh();
        await open(sheet.id);
      }),
    /** Writes the open sheet to a workspace file; rejects with the reason. */
    exportFile: async (workspace: string, path: string, format?: SheetFileFormat) => {
      const sheet = current.value?.sheet;
      if (!sheet) return;
      await api.exportFile(sheet.id, workspace, path, format);
      toasts.show({ text: `Exported to ${path}`, kind: "info" });
    },
    rename: (id: string, name: string) =>
      guard(async () => {
        const sheet = await api.rename(id, name);
        await refresh();
        if (current.value?.sheet.id === id) current.value = { ...current.value, sheet };
      }),
    /** Sets the open sheet's rows generated at once. */
    setParallel: (parallel: number) =>
      guard(async () => {
        const open = current.value;
        if (!open) return;
        const sheet = await api.setParallel(open.sheet.id, parallel);
        if (current.value?.sheet.id === sheet.id) current.value = { ...current.value, sheet };
      }),
    remove: (id: string) =>
      guard(async () => {
        await api.remove(id);
        if (current.value?.sheet.id === id) current.value = null;
        await refresh();
      }),
    /** Adds a column; rejects with the server's reason (the dialog shows it). */
    addColumn: async (column: NewSheetColumn) => {
      const open = current.value;
      if (!open) return;
      await api.addColumn(open.sheet.id, column);
      await reloadColumns();
    },
    /** Edits a column; rejects with the server's reason. */
    editColumn: async (columnId: string, patch: Parameters<SheetsApi["editColumn"]>[1]) => {
      await api.editColumn(columnId, patch);
      await reloadColumns();
    },
    removeColumn: (columnId: string) =>
      guard(async () => {
        await api.removeColumn(columnId);
        if (selection.value?.columnId === columnId) selection.value = null;
        await reloadColumns();
      }),
    /** Selects a whole column. */
    selectColumn(columnId: string) {
      const rows = current.value?.sheet.row_count ?? 0;
      selection.value = { columnId, from: 0, to: rows };
    },
    /** Selects one cell, or with `extend` the rows from the selected cell to this one. */
    selectCell(columnId: string, row: number, extend = false) {
      const old = selection.value;
      if (extend && old && old.columnId === columnId) {
        selection.value = { columnId, from: Math.min(anchor, row), to: Math.max(anchor, row) + 1 };
      } else {
        anchor = row;
        selection.value = { columnId, from: row, to: row + 1 };
      }
      focus = row;
    },
    clearSelection: () => void (selection.value = null),
    /**
     * Moves the selected cell by `rows` and `columns` (clamped to the sheet); `extend`
     * grows the range in its column instead. Selects the first cell when none is.
     *
     * @returns the row moved to (for the grid to scroll to), or null without a sheet.
     */
    moveSelection(rows: number, columns: number, extend = false): number | null {
      const open = current.value;
      if (!open || open.columns.length === 0 || open.sheet.row_count === 0) return null;
      const old = selection.value;
      const index = open.columns.findIndex((c) => c.id === old?.columnId);
      if (!old || index < 0) {
        anchor = focus = 0;
        selection.value = { columnId: open.columns[0].id, from: 0, to: 1 };
        return 0;
      }
      const row = Math.max(0, Math.min(open.sheet.row_count - 1, focus + rows));
      const column = open.columns[Math.max(0, Math.min(open.columns.length - 1, index + columns))];
      if (extend && column.id === old.columnId) {
        selection.value = {
          columnId: column.id,
          from: Math.min(anchor, row),
          to: Math.max(anchor, row) + 1,
        };
      } else {
        anchor = row;
        selection.value = { columnId: column.id, from: row, to: row + 1 };
      }
      focus = row;
      return row;
    },
    /** Generates the selected rows of the selected AI column. */
    generate: (mode: GenerateMode = "missing") =>
      guard(async () => {
        const sel = selection.value;
        if (!sel) return;
        await api.generate(sel.columnId, sel.from, sel.to, mode);
        await fetchProgress(sel.columnId);
        await current.value?.rows.reload();
      }),
    retryFailed: (columnId: string) =>
      guard(async () => {
        await api.retryFailed(columnId);
        await fetchProgress(columnId);
      }),
    /** Pauses, resumes or cancels a column's job. */
    control: (columnId: string, action: "pause" | "resume" | "cancel") =>
      guard(async () => {
        const jobId = progress.value[columnId]?.job_id;
        if (!jobId) return;
        await api[action](jobId);
        await fetchProgress(columnId);
        await current.value?.rows.reload();
      }),
    /** Sets a cell by hand. */
    setCell: (columnId: string, row: number, value: string | null) =>
      guard(async () => {
        await api.setCell(columnId, row, value);
        await current.value?.rows.reload();
      }),
    /** Approves an AI cell, or takes the approval back. */
    approve: (columnId: string, row: number, approved: boolean) =>
      guard(async () => {
        await api.approve(columnId, row, approved);
        await current.value?.rows.reload();
      }),
    /** The prompt an AI cell gets now; rejects with the server's reason. */
    prompt: (columnId: string, row: number) => api.prompt(columnId, row),
    /** A `sheets` event: a job of the open sheet progressed. */
    onProgress(p: SheetProgressJson) {
      eventsSeen.set(p.column_id, (eventsSeen.get(p.column_id) ?? 0) + 1);
      if (p.sheet_id !== current.value?.sheet.id) return;
      setProgress(p);
      scheduleReload();
    },
  };
});

/** An instance of {@link SheetsModel}. */
export type SheetsStore = InstanceType<typeof SheetsModel>;
