/**
 * A column's header cell: its name and kind; a click selects the whole column, the
 * pencil edits an AI column's prompt and settings (renames a data column), the bin
 * deletes the column.
 *
 * @module
 */
import type { JSX } from "preact";
import type { SheetColumnJson } from "../../../api/sheets.ts";
import { IconButton } from "../IconButton.tsx";

/** Props of {@link ColumnHeader}. */
export type ColumnHeaderProps = {
  column: SheetColumnJson;
  selected: boolean;
  onSelect(): void;
  onEdit(): void;
  onDelete(): void;
};

/** The header cell. */
export function ColumnHeader(props: ColumnHeaderProps): JSX.Element {
  const { column } = props;
  return (
    <div
      class="sheet-th"
      role="columnheader"
      data-kind={column.kind}
      aria-selected={props.selected}
      title={column.ai?.prompt ?? column.type}
    >
      <button type="button" class="sheet-th-name" onClick={props.onSelect}>
        {column.kind === "ai" && <span class="sheet-ai-mark" aria-label="AI column">✦</span>}
        {column.name}
      </button>
      <IconButton
        icon="edit"
        label={column.kind === "ai" ? `Edit “${column.name}”` : `Rename “${column.name}”`}
        onClick={props.onEdit}
      />
      <IconButton icon="trash" label={`Delete “${column.name}”`} onClick={props.onDelete} />
    </div>
  );
}
