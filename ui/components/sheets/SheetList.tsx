/**
 * The sidebar's sheets: "New sheet", "Import…" (an open dialog over the workspace
 * folders: CSV, TSV, JSONL, Parquet), the imports in flight with their progress and
 * Cancel, and the list with open, rename and delete.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Stores } from "../../stores/app.ts";
import { Icon } from "../icons.tsx";
import { FileDialog } from "./FileDialog.tsx";
import { NewSheetDialog } from "./NewSheetDialog.tsx";
import { SheetImportItem } from "./SheetImportItem.tsx";
import { SheetListItem } from "./SheetListItem.tsx";
import { SHEET_FILE_FORMATS } from "../../sheets_api.ts";

/** The sheet list with its two buttons and dialogs. */
export function SheetList({ stores }: { stores: Stores }): JSX.Element {
  const { sheets, sheetImports, view } = stores;
  const [dialog, setDialog] = useState<"new" | "import" | null>(null);
  const currentId = sheets.current.value?.sheet.id ?? null;
  // Fetched when the list is shown, not at start: a chats-only session never asks.
  useEffect(() => void Promise.all([sheets.refresh(), sheetImports.refresh()]), []);
  const importing = sheetImports.imports.value;
  return (
    <>
      <div class="sheet-list-actions">
        <button type="button" class="new-chat" onClick={() => setDialog("new")}>
          <Icon name="plus" /> New sheet
        </button>
        <button type="button" class="button" onClick={() => setDialog("import")}>
          <Icon name="upload" size={16} /> Import…
        </button>
      </div>
      <div class="chat-list-scroll">
        <ul class="chat-list sheet-list" aria-label="Sheets">
          {importing.map((p) => (
            <SheetImportItem key={p.sheet_id} progress={p} onCancel={sheetImports.cancel} />
          ))}
          {sheets.sheets.value.map((sheet) => (
            <SheetListItem
              key={sheet.id}
              sheet={sheet}
              current={sheet.id === currentId}
              onOpen={sheets.open}
              onRename={sheets.rename}
              onDelete={(s) =>
                view.confirm({
                  title: `Delete sheet “${s.name}”?`,
                  message: `Its ${s.row_count} rows and generated cells go with it.`,
                  action: "Delete",
                  run: () => void sheets.remove(s.id),
                })}
            />
          ))}
          {sheets.sheets.value.length === 0 && importing.length === 0 && (
            <li class="list-empty">No sheets yet</li>
          )}
        </ul>
      </div>
      {dialog === "new" && (
        <NewSheetDialog
          onCreate={sheets.create}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === "import" && (
        <FileDialog
          mode="open"
          title="Import a table"
          files={stores.files}
          extensions={SHEET_FILE_FORMATS}
          onPick={sheetImports.start}
          onClose={() => setDialog(null)}
        />
      )}
    </>
  );
}
