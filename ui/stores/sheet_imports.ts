/**
 * Sheet imports in flight, for the sheet list: each one's progress from the
 * `sheet_import` events (rows, bytes read of the file's size, rows/s, time left) and its
 * Cancel. An import runs in the app, which streams the file itself; the page only starts
 * it, watches it and may stop it.
 *
 * @module
 */
import { createModel, signal } from "@preact/signals";
import type { SheetImportJson } from "../../api/sheets.ts";
import { ApiError } from "../api.ts";
import type { SheetsApi } from "../sheets_api.ts";
import type { SheetsStore } from "./sheets.ts";
import type { Toasts } from "./toasts.ts";

/** The sheet imports store. */
export const SheetImportsModel = createModel(
  (api: SheetsApi, toasts: Toasts, sheets: SheetsStore) => {
    /** Imports in flight, oldest first. */
    const imports = signal<readonly SheetImportJson[]>([]);
    /** Who waits for an import of a sheet name to show (the open dialog, to close). */
    const waiting = new Map<string, Set<() => void>>();

    const wait = (name: string, shown: () => void) => {
      const set = waiting.get(name) ?? new Set();
      waiting.set(name, set.add(shown));
      return () => void (set.delete(shown), set.size === 0 && waiting.delete(name));
    };
    const drop = (sheetId: string) => {
      if (imports.value.some((p) => p.sheet_id === sheetId)) {
        imports.value = imports.value.filter((p) => p.sheet_id !== sheetId);
      }
    };

    return {
      imports,
      /** The imports in flight now (after a reload, or when the list first shows). */
      refresh: async () => {
        try {
          imports.value = await api.imports();
        } catch (error) {
          toasts.error(error);
        }
      },
      /**
       * Imports a workspace file as a new sheet. Resolves as soon as the import shows in
       * the list (its first event: the file opened and its header read) or ends; rejects
       * when it fails before that (a path outside the workspaces, no such file, not a
       * table), so the open dialog can say why. After that its end is a toast, and a
       * finished import opens its sheet.
       */
      start: (workspace: string, path: string) =>
        new Promise<void>((resolve, reject) => {
          const name = path.split("/").pop() ?? path;
          let shown = false;
          const unwait = wait(name, () => {
            shown = true;
            resolve();
          });
          api.importFile(workspace, path, undefined, name).then(async (sheet) => {
            unwait();
            resolve();
            drop(sheet.id);
            await sheets.refresh();
            await sheets.open(sheet.id);
            toasts.show({
              text: `Imported ${sheet.row_count.toLocaleString("en-US")} rows from ${path}`,
              kind: "info",
            });
          }, (error) => {
            unwait();
            if (!shown) return reject(error);
            if (error instanceof ApiError && error.type === "import_cancelled") {
              toasts.show({ text: error.message, kind: "info" });
            } else toasts.error(error);
          });
        }),
      /** Stops an import; what it stored is deleted. */
      cancel: async (sheetId: string) => {
        try {
          await api.cancelImport(sheetId);
        } catch (error) {
          // 404: it ended first (its own event says how).
          if (!(error instanceof ApiError && error.status === 404)) toasts.error(error);
        }
        drop(sheetId);
      },
      /** A `sheet_import` event. */
      onEvent(p: SheetImportJson) {
        if (p.state !== "importing") {
          drop(p.sheet_id);
          // One started elsewhere (another window, a reload) is listed now too.
          if (p.state === "done") void sheets.refresh();
          return;
        }
        const at = imports.value.findIndex((q) => q.sheet_id === p.sheet_id);
        imports.value = at < 0
          ? [...imports.value, p]
          : imports.value.map((q, i) => (i === at ? p : q));
        for (const shown of waiting.get(p.name) ?? []) shown();
      },
    };
  },
);

/** An instance of {@link SheetImportsModel}. */
export type SheetImportsStore = InstanceType<typeof SheetImportsModel>;
