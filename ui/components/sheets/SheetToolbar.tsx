/**
 * The open sheet's toolbar: its name and size, add a column, generate the selection
 * (the selected AI column's rows, range or cell: empty cells, or all but approved and
 * edited ones), the sheet's parallelism (rows generated at once) and export.
 *
 * @module
 */
import type { JSX } from "preact";
import type { SheetColumnJson, SheetJson } from "../../../api/sheets.ts";
import type { SheetSelection } from "../../stores/sheets.ts";
import { formatCount } from "../../lib/format.ts";
import { Icon } from "../icons.tsx";

/** Props of {@link SheetToolbar}. */
export type SheetToolbarProps = {
  sheet: SheetJson;
  selection: SheetSelection | null;
  selectedColumn: SheetColumnJson | null;
  onAddColumn(): void;
  onGenerate(mode: "missing" | "all"): void;
  onExport(): void;
  onParallel(parallel: number): void;
};

/** What the selection covers, in words. */
function describe(selection: SheetSelection, rowCount: number): string {
  const n = selection.to - selection.from;
  if (n === 1) return `row ${selection.from + 1}`;
  if (selection.from === 0 && selection.to === rowCount) return `all ${formatCount(n)} rows`;
  return `rows ${selection.from + 1}–${selection.to}`;
}

/** The toolbar. */
export function SheetToolbar(props: SheetToolbarProps): JSX.Element {
  const { sheet, selection, selectedColumn } = props;
  const canGenerate = selection !== null && selectedColumn?.kind === "ai";
  return (
    <header class="chat-header sheet-toolbar">
      <h1 class="sheet-title">{sheet.name}</h1>
      <span class="muted">{formatCount(sheet.row_count)} rows</span>
      <span class="toolbar-gap" />
      {canGenerate && (
        <span class="sheet-selection muted">
          {selectedColumn!.name}: {describe(selection!, sheet.row_count)}
        </span>
      )}
      <button
        type="button"
        class="button primary"
        disabled={!canGenerate}
        title="Fill the selected AI cells that are empty"
        onClick={() => props.onGenerate("missing")}
      >
        Generate
      </button>
      <button
        type="button"
        class="button"
        disabled={!canGenerate}
        title="Generate the selected AI cells again (approved and edited ones stay)"
        onClick={() => props.onGenerate("all")}
      >
        Regenerate
      </button>
      <label class="sheet-parallel" title="Rows generated at once (the model's slots cap it too)">
        <span class="muted">Slots</span>
        <input
          type="number"
          min={1}
          max={256}
          step={1}
          aria-label="Rows generated at once"
          value={sheet.parallel}
          onChange={(e) => {
            const n = Number(e.currentTarget.value);
            if (Number.isInteger(n) && n >= 1 && n <= 256) props.onParallel(n);
            else e.currentTarget.value = String(sheet.parallel);
          }}
        />
      </label>
      <button type="button" class="button" onClick={props.onAddColumn}>
        <Icon name="plus" size={16} /> Column
      </button>
      <button type="button" class="button" onClick={props.onExport}>
        <Icon name="download" size={16} /> Export
      </button>
    </header>
  );
}
