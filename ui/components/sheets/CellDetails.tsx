/**
 * The selected cell in full: its text (editable: saving makes an AI cell "edited", a
 * few-shot example of later prompts), and for an AI cell its state, tokens, time, model
 * and error, with approve (thumbs-up), regenerate and the prompt it gets.
 *
 * @module
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { SheetCellJson, SheetColumnJson, SheetPromptJson } from "../../../api/sheets.ts";
import { formatMs } from "../../lib/format.ts";
import { IconButton } from "../IconButton.tsx";
import { PromptPreview } from "./PromptPreview.tsx";

/** Props of {@link CellDetails}. */
export type CellDetailsProps = {
  column: SheetColumnJson;
  row: number;
  /** A data cell's value. */
  value?: string | number | boolean | null;
  /** An AI cell (absent: never generated). */
  cell?: SheetCellJson;
  onSave(value: string | null): void;
  onApprove(approved: boolean): void;
  onRegenerate(): void;
  /** Fetches the prompt this AI cell gets now. */
  loadPrompt(): Promise<SheetPromptJson>;
  onClose(): void;
};

/** The details panel. */
export function CellDetails(props: CellDetailsProps): JSX.Element {
  const { column, cell } = props;
  const ai = column.kind === "ai";
  const shown = ai ? cell?.value ?? "" : props.value == null ? "" : String(props.value);
  // What the user typed, or null while they have not: the cell's own text shows then, and
  // follows it (regenerated, or its rows' page arrived after the panel opened). No effect
  // syncs the two: Preact runs effects after paint, and one that ran late wiped what had
  // been typed meanwhile. Another cell is another instance (the caller keys it by cell).
  const [typed, setTyped] = useState<string | null>(null);
  const text = typed ?? shown;
  const approved = cell?.state === "approved";
  return (
    <aside class="cell-details" aria-label="Cell details">
      <div class="cell-details-head">
        <h3>{column.name} · row {props.row + 1}</h3>
        <IconButton icon="close" label="Close details" onClick={props.onClose} />
      </div>
      {ai && (
        <dl class="cell-facts">
          <dt>State</dt>
          <dd data-state={cell?.state ?? "empty"}>{cell?.state ?? "empty"}</dd>
          <dt>Tokens</dt>
          <dd>{cell?.tokens ?? "–"}</dd>
          <dt>Time</dt>
          <dd>{cell?.ms == null ? "–" : formatMs(cell.ms)}</dd>
          <dt>Model</dt>
          <dd class="cell-model" title={cell?.model ?? ""}>
            {cell?.model?.split("/").pop() ?? "–"}
          </dd>
        </dl>
      )}
      {cell?.error && <p class="notice error" role="alert">{cell.error}</p>}
      {ai && <PromptPreview key={`${column.id}:${props.row}`} load={props.loadPrompt} />}
      <textarea
        class="input cell-text"
        aria-label="Cell text"
        value={text}
        onInput={(e) => setTyped(e.currentTarget.value)}
      />
      <div class="cell-actions">
        <button
          type="button"
          class="button primary"
          disabled={text === shown}
          onClick={() => props.onSave(text === "" ? null : text)}
        >
          Save edit
        </button>
        {ai && (
          <>
            <IconButton
              icon="thumbsUp"
              label={approved ? "Remove approval" : "Approve"}
              pressed={approved}
              disabled={!cell || cell.value === null}
              onClick={() => props.onApprove(!approved)}
            />
            <IconButton icon="refresh" label="Regenerate" onClick={props.onRegenerate} />
          </>
        )}
      </div>
    </aside>
  );
}
