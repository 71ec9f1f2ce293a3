/**
 * An import in flight, at the top of the sheet list: its name, a bar of the bytes read
 * of the file's size, a line of rows, percent, rows/s and time left, and Cancel (what it
 * stored is deleted: nothing of the file is kept).
 *
 * @module
 */
import type { JSX } from "preact";
import type { SheetImportJson } from "../../../api/sheets.ts";
import { formatCount, formatEta } from "../../lib/format.ts";
import { ProgressBar } from "../ProgressBar.tsx";

/** Props of {@link SheetImportItem}. */
export type SheetImportItemProps = {
  progress: SheetImportJson;
  onCancel(sheetId: string): void;
};

/** The percent of the file read, whole: "41%" (never 100% before the import is done). */
export function importPercent(p: SheetImportJson): number {
  if (p.bytes_total === 0) return 0;
  return Math.min(99, Math.floor((p.bytes_read / p.bytes_total) * 100));
}

/** One importing sheet. */
export function SheetImportItem({ progress: p, onCancel }: SheetImportItemProps): JSX.Element {
  const percent = importPercent(p);
  const line = `${formatCount(p.rows_done)} rows · ${percent}% · ` +
    `${formatCount(p.rows_per_s)} rows/s · ETA ${formatEta(p.eta_s)}`;
  return (
    <li class="chat-item sheet-import" aria-label={`Importing ${p.name}`}>
      <div class="sheet-import-body">
        <span class="sheet-import-name" title={p.name}>{p.name}</span>
        <ProgressBar label={`Import of ${p.name}`} ratio={percent / 100} />
        <span class="sheet-import-line muted" role="status">{line}</span>
      </div>
      <button
        type="button"
        class="button sheet-import-cancel"
        aria-label={`Cancel import of ${p.name}`}
        onClick={() => onCancel(p.sheet_id)}
      >
        Cancel
      </button>
    </li>
  );
}
