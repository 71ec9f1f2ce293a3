/**
 * One sheet in the sidebar: opens on click, renames inline (double-click or the pencil;
 * Enter saves, Esc cancels), deletes after a confirmation.
 *
 * @module
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { SheetJson } from "../../../api/sheets.ts";
import { IconButton } from "../IconButton.tsx";

/** Props of {@link SheetListItem}. */
export type SheetListItemProps = {
  sheet: SheetJson;
  current: boolean;
  onOpen(id: string): void;
  onRename(id: string, name: string): void;
  onDelete(sheet: SheetJson): void;
};

/** A sheet row with rename and delete. */
export function SheetListItem(props: SheetListItemProps): JSX.Element {
  const { sheet } = props;
  const [editing, setEditing] = useState(false);
  if (editing) {
    const finish = (value: string | null) => {
      setEditing(false);
      if (value !== null && value.trim() && value !== sheet.name) props.onRename(sheet.id, value);
    };
    return (
      <li class="chat-item editing">
        <input
          class="rename"
          aria-label="Sheet name"
          value={sheet.name}
          ref={(el) => el?.focus()}
          onKeyDown={(e) => {
            if (e.key === "Enter") finish(e.currentTarget.value);
            if (e.key === "Escape") {
              e.preventDefault();
              finish(null);
            }
          }}
          onBlur={(e) => finish(e.currentTarget.value)}
        />
      </li>
    );
  }
  return (
    <li class="chat-item sheet-item" aria-current={props.current ? "page" : undefined}>
      <button
        type="button"
        class="chat-open"
        title={`${sheet.name} · ${sheet.row_count} rows`}
        onClick={() => props.onOpen(sheet.id)}
        onDblClick={() => setEditing(true)}
      >
        {sheet.name}
        <span class="muted sheet-rows">{sheet.row_count.toLocaleString("en-US")}</span>
      </button>
      <span class="chat-actions">
        <IconButton icon="edit" label={`Rename “${sheet.name}”`} onClick={() => setEditing(true)} />
        <IconButton
          icon="trash"
          label={`Delete “${sheet.name}”`}
          onClick={() => props.onDelete(sheet)}
        />
      </span>
    </li>
  );
}
