/**
 * The Sheets workbench's main area: the toolbar, the jobs' progress, the virtualized
 * grid and, for one selected cell, its details; the column and export dialogs.
 *
 * @module
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { SheetColumnJson } from "../../../api/sheets.ts";
import { SHEET_FILE_FORMATS } from "../../sheets_api.ts";
import type { Stores } from "../../stores/app.ts";
import { CellDetails } from "./CellDetails.tsx";
import { ColumnDialog } from "./ColumnDialog.tsx";
import { FileDialog } from "./FileDialog.tsx";
import { JobProgress } from "./JobProgress.tsx";
import { SheetGrid } from "./SheetGrid.tsx";
import { SheetToolbar } from "./SheetToolbar.tsx";

type Open = { kind: "column"; column?: SheetColumnJson } | { kind: "export" } | null;

/** The workbench's main area. */
export function SheetsView({ stores }: { stores: Stores }): JSX.Element {
  const { sheets } = stores;
  const [dialog, setDialog] = useState<Open>(null);
  const open = sheets.current.value;
  if (!open) {
    return (
      <main class="chat sheets-main" aria-label="Sheets">
        <div class="sheets-empty muted">
          Create a sheet or import a CSV, TSV, JSONL or Parquet file from the list.
        </div>
      </main>
    );
  }
  const selection = sheets.selection.value;
  const column = sheets.selectedColumn.value;
  const single = selection && column && selection.to - selection.from === 1 ? selection : null;
  const row = single ? open.rows.row(single.from) : undefined;
  const progress = open.columns.filter((c) => sheets.progress.value[c.id]);
  const deleteColumn = (c: SheetColumnJson) =>
    stores.view.confirm({
      title: `Delete column “${c.name}”?`,
      message: c.kind === "ai" ? "Its generated cells go with it." : "Its values go with it.",
      action: "Delete",
      run: () => void sheets.removeColumn(c.id),
    });

  return (
    <main class="chat sheets-main" aria-label="Sheet">
      <SheetToolbar
        sheet={open.sheet}
        selection={selection}
        selectedColumn={column}
        onAddColumn={() => setDialog({ kind: "column" })}
        onGenerate={(mode) => void sheets.generate(mode)}
        onExport={() => setDialog({ kind: "export" })}
        onParallel={(n) => void sheets.setParallel(n)}
      />
      {progress.length > 0 && (
        <div class="job-list">
          {progress.map((c) => (
            <JobProgress
              key={c.id}
              columnName={c.name}
              progress={sheets.progress.value[c.id]}
              onControl={(action) => void sheets.control(c.id, action)}
              onRetryFailed={() => void sheets.retryFailed(c.id)}
            />
          ))}
        </div>
      )}
      <div class="sheet-work">
        <SheetGrid
          open={open}
          selection={selection}
          onSelectColumn={sheets.selectColumn}
          onSelectCell={sheets.selectCell}
          onMoveSelection={sheets.moveSelection}
          onClearSelection={sheets.clearSelection}
          onEditColumn={(c) => setDialog({ kind: "column", column: c })}
          onDeleteColumn={deleteColumn}
        />
        {single && column && (
          <CellDetails
            key={`${column.id}:${single.from}`}
            column={column}
            row={single.from}
            value={row?.data[column.id]}
            cell={row?.cells[column.id]}
            onSave={(value) => void sheets.setCell(column.id, single.from, value)}
            onApprove={(approved) => void sheets.approve(column.id, single.from, approved)}
            onRegenerate={() => void sheets.generate("all")}
            loadPrompt={() => sheets.prompt(column.id, single.from)}
            onClose={sheets.clearSelection}
          />
        )}
      </div>
      {dialog?.kind === "column" && (
        <ColumnDialog
          column={dialog.column}
          columnNames={open.columns.filter((c) => c.id !== dialog.column?.id).map((c) => c.name)}
          models={stores.models.list.value}
          onSave={(c) =>
            dialog.column
              ? sheets.editColumn(dialog.column.id, {
                name: c.name,
                ai: c.kind === "ai" ? c.ai : undefined,
              })
              : sheets.addColumn(c)}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog?.kind === "export" && (
        <FileDialog
          mode="save"
          title={`Export “${open.sheet.name}”`}
          files={stores.files}
          extensions={SHEET_FILE_FORMATS}
          suggestedName={`${open.sheet.name.replace(/\.[a-z]+$/i, "")}.csv`}
          onPick={(workspace, path) => sheets.exportFile(workspace, path)}
          onClose={() => setDialog(null)}
        />
      )}
    </main>
  );
}
