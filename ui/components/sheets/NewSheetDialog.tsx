/**
 * Creates an empty sheet: a name and how many empty rows to start with (data columns
 * are added from the grid's toolbar).
 *
 * @module
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { Dialog } from "../Dialog.tsx";
import { Field } from "../fields.tsx";

/** Rows a new sheet starts with unless the user says otherwise. */
const DEFAULT_ROWS = 10;

/** Props of {@link NewSheetDialog}. */
export type NewSheetDialogProps = {
  onCreate(name: string, rows: number): Promise<unknown>;
  onClose(): void;
};

/** The dialog. */
export function NewSheetDialog(props: NewSheetDialogProps): JSX.Element {
  const [name, setName] = useState("Untitled sheet");
  const [rows, setRows] = useState(String(DEFAULT_ROWS));
  const count = Number(rows);
  const ok = name.trim() !== "" && Number.isInteger(count) && count >= 0;
  return (
    <Dialog escapeCloses title="New sheet" onClose={props.onClose}>
      <form
        class="column-form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!ok) return;
          await props.onCreate(name.trim(), count);
          props.onClose();
        }}
      >
        <Field label="Name">
          <input
            class="input"
            aria-label="Sheet name"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        <Field label="Empty rows">
          <input
            class="input"
            type="number"
            min={0}
            step={1}
            aria-label="Empty rows"
            value={rows}
            onInput={(e) => setRows(e.currentTarget.value)}
          />
        </Field>
        <div class="dialog-actions">
          <button type="button" class="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" class="button primary" disabled={!ok}>Create</button>
        </div>
      </form>
    </Dialog>
  );
}
