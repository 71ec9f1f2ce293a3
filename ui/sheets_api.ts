/**
 * The UI's client of the sheets routes (`/api/sheets`, docs/ui-api.md "Sheets"): one
 * method per route, resolving with the wire shapes of api/sheets.ts and rejecting with
 * {@link ApiError}. Files are named as workspace files (`{workspace, path}`): the page
 * never names a path on disk.
 *
 * @module
 */
import type {
  SheetAiJson,
  SheetCellJson,
  SheetColumnJson,
  SheetImportJson,
  SheetJobJson,
  SheetJson,
  SheetProgressJson,
  SheetPromptJson,
  SheetRowsJson,
} from "../api/sheets.ts";
import { ApiError, errorOf } from "./api.ts";

/** The table formats import and export know (tables/), as file extensions. */
export const SHEET_FILE_FORMATS = ["csv", "tsv", "jsonl", "parquet"] as const;

/** One of {@link SHEET_FILE_FORMATS}. */
export type SheetFileFormat = typeof SHEET_FILE_FORMATS[number];

/** Which cells a job fills: empty ones, failed ones, or all but approved and edited. */
export type GenerateMode = "missing" | "failed" | "all";

/** A new column: a data column, or an AI column with its spec (omitted fields: defaults). */
export type NewSheetColumn =
  | { name: string; kind: "data"; type?: SheetColumnJson["type"] }
  | { name: string; kind: "ai"; ai: Partial<SheetAiJson> & { prompt: string } };

/** The client. */
export type SheetsApi = ReturnType<typeof createSheetsApi>;

/**
 * Creates the client.
 *
 * @param base URL prefix of the server, "" for the page's own origin.
 * @param headers Extra headers of every request (tests: `authorization: Bearer SECRET`).
 */
export function createSheetsApi(base = "", headers: Record<string, string> = {}) {
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(base + "/api/sheets" + path, {
        method,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
      });
    } catch (cause) {
      throw new ApiError(0, "network", `Cannot reach the Hearth server: ${String(cause)}`);
    }
    const text = await response.text();
    if (!response.ok) throw errorOf(response.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const id = encodeURIComponent;
  return {
    /** Ready sheets, newest first. */
    list: async () => (await json<{ sheets: SheetJson[] }>("GET", "")).sheets,
    /** A new empty sheet with `rows` empty rows. */
    create: (name: string, rows = 0) => json<SheetJson>("POST", "", { name, rows }),
    /**
     * Imports a workspace file (format from its extension unless given; the sheet's name
     * the file's unless given). Resolves when the import ends; its progress comes as
     * `sheet_import` events, and a cancelled one rejects with type `import_cancelled`.
     */
    importFile: (workspace: string, path: string, format?: SheetFileFormat, name?: string) =>
      json<SheetJson>("POST", "/import", { workspace, path, format, name }),
    /** Imports in flight (as their `sheet_import` events last said). */
    imports: async () => (await json<{ imports: SheetImportJson[] }>("GET", "/imports")).imports,
    /** Stops an import (named by its sheet's id); resolves once nothing of it is kept. */
    cancelImport: (sheetId: string) =>
      json<SheetImportJson>("POST", `/imports/${id(sheetId)}/cancel`),
    /** A sheet and its columns in order. */
    get: (sheetId: string) =>
      json<{ sheet: SheetJson; columns: SheetColumnJson[] }>("GET", `/${id(sheetId)}`),
    rename: (sheetId: string, name: string) =>
      json<SheetJson>("PATCH", `/${id(sheetId)}`, { name }),
    /** Sets how many rows the sheet's jobs generate at once (1..256). */
    setParallel: (sheetId: string, parallel: number) =>
      json<SheetJson>("PATCH", `/${id(sheetId)}`, { parallel }),
    remove: (sheetId: string) => json<void>("DELETE", `/${id(sheetId)}`),
    /** Writes the sheet to a workspace file (format from its extension unless given). */
    exportFile: (sheetId: string, workspace: string, path: string, format?: SheetFileFormat) =>
      json<void>("POST", `/${id(sheetId)}/export`, { workspace, path, format }),
    /** Rows [offset, offset + limit), at most 1000. */
    rows: (sheetId: string, offset: number, limit: number) =>
      json<SheetRowsJson>("GET", `/${id(sheetId)}/rows?offset=${offset}&limit=${limit}`),
    addColumn: (sheetId: string, column: NewSheetColumn) =>
      json<SheetColumnJson>("POST", `/${id(sheetId)}/columns`, column),
    editColumn: (
      columnId: string,
      patch: { name?: string; ai?: Partial<SheetAiJson> },
    ) => json<SheetColumnJson>("PATCH", `/columns/${id(columnId)}`, patch),
    removeColumn: (columnId: string) => json<void>("DELETE", `/columns/${id(columnId)}`),
    /** Sets a cell by hand (an AI cell becomes "edited"). */
    setCell: (columnId: string, row: number, value: string | number | boolean | null) =>
      json<void>("PUT", `/columns/${id(columnId)}/cells/${row}`, { value }),
    approve: (columnId: string, row: number, approved = true) =>
      json<SheetCellJson>("POST", `/columns/${id(columnId)}/cells/${row}/approve`, { approved }),
    prompt: (columnId: string, row: number) =>
      json<SheetPromptJson>("GET", `/columns/${id(columnId)}/cells/${row}/prompt`),
    /** Starts a job over rows [from, to) of an AI column. */
    generate: (columnId: string, from?: number, to?: number, mode: GenerateMode = "missing") =>
      json<SheetJobJson>("POST", `/columns/${id(columnId)}/generate`, { from, to, mode }),
    retryFailed: (columnId: string) =>
      json<SheetJobJson>("POST", `/columns/${id(columnId)}/retry-failed`),
    progress: async (columnId: string) =>
      (await json<{ progress: SheetProgressJson | null }>(
        "GET",
        `/columns/${id(columnId)}/progress`,
      )).progress,
    pause: (jobId: string) => json<SheetJobJson>("POST", `/jobs/${id(jobId)}/pause`),
    resume: (jobId: string) => json<SheetJobJson>("POST", `/jobs/${id(jobId)}/resume`),
    cancel: (jobId: string) => json<SheetJobJson>("POST", `/jobs/${id(jobId)}/cancel`),
  };
}
