/**
 * One grid cell: a data value, or an AI cell with its state (queued, error, edited,
 * approved) shown by a class and a mark; the full text is in the cell details.
 *
 * @module
 */
import type { JSX } from "preact";
import type { SheetCellJson } from "../../../api/sheets.ts";

/** Props of {@link SheetCell}. */
export type SheetCellProps = {
  /** A data cell's value; undefined for an AI cell. */
  value?: string | number | boolean | null;
  /** An AI cell, or undefined when never generated (or a data cell). */
  cell?: SheetCellJson;
  ai: boolean;
  /** The text to show instead (a structured cell's field, in a sub-column). */
  text?: string;
  selected: boolean;
  onSelect(event: MouseEvent): void;
};

const MARKS: Partial<Record<SheetCellJson["state"], string>> = {
  approved: "👍",
  edited: "✎",
  error: "⚠",
};

/** The cell. */
export function SheetCell(props: SheetCellProps): JSX.Element {
  const state = props.ai ? props.cell?.state ?? "empty" : undefined;
  const field = props.text !== undefined;
  const text = field
    ? props.text
    : props.ai
    ? state === "error" ? props.cell?.error ?? "error" : props.cell?.value ?? ""
    : props.value === null || props.value === undefined
    ? ""
    : String(props.value);
  const mark = !field && state && MARKS[state];
  return (
    <div
      class="sheet-td"
      role="gridcell"
      data-state={state}
      data-field={field || undefined}
      aria-selected={props.selected}
      onMouseDown={(e) => {
        if (e.shiftKey) e.preventDefault(); // no text selection on shift-click
        props.onSelect(e);
      }}
    >
      {mark && <span class="sheet-mark" aria-label={state}>{mark}</span>}
      {state === "queued" && !field ? <span class="muted">…</span> : text}
    </div>
  );
}
