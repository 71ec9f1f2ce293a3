/**
 * Adds a column, or edits an AI column: a data column needs a name; an AI column has a
 * prompt (with `{{column}}` completion), a model (the loaded one, a library model or a
 * provider's `name:model`), sampling, max tokens, a system prompt and an optional JSON
 * schema for structured output. The server checks the spec and names what is wrong.
 *
 * @module
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { SheetAiJson, SheetColumnJson } from "../../../api/sheets.ts";
import type { LibraryEntry } from "../../../api/types.ts";
import type { NewSheetColumn } from "../../sheets_api.ts";
import { Dialog } from "../Dialog.tsx";
import { Field, NumberField } from "../fields.tsx";
import { PromptEditor } from "./PromptEditor.tsx";

/** Sampling fields offered, with the engine's names (engine/sampling.ts). */
const SAMPLING: { key: string; label: string; min: number; max?: number; step: number }[] = [
  { key: "temperature", label: "Temperature", min: 0, max: 5, step: 0.05 },
  { key: "topP", label: "Top P", min: 0, max: 1, step: 0.01 },
  { key: "topK", label: "Top K", min: 0, step: 1 },
  { key: "minP", label: "Min P", min: 0, max: 1, step: 0.01 },
  { key: "seed", label: "Seed", min: 0, step: 1 },
];

/** Props of {@link ColumnDialog}. */
export type ColumnDialogProps = {
  /** The AI column to edit; absent: a new column. */
  column?: SheetColumnJson;
  /** Names of the sheet's other columns, for `{{` completion. */
  columnNames: readonly string[];
  /** Models of the library, offered in the model field. */
  models: readonly LibraryEntry[];
  onSave(column: NewSheetColumn): Promise<unknown>;
  onClose(): void;
};

/** The column dialog. */
export function ColumnDialog(props: ColumnDialogProps): JSX.Element {
  const ai: Partial<SheetAiJson> = props.column?.ai ?? {};
  const [kind, setKind] = useState<"ai" | "data">(props.column?.kind ?? "ai");
  const [name, setName] = useState(props.column?.name ?? "");
  const [prompt, setPrompt] = useState(ai.prompt ?? "");
  const [model, setModel] = useState(ai.model ?? "");
  const [sampling, setSampling] = useState<Record<string, number>>(ai.sampling ?? {});
  const [maxTokens, setMaxTokens] = useState<number | undefined>(ai.max_tokens ?? 64);
  const [system, setSystem] = useState(ai.system_prompt ?? "");
  const [schema, setSchema] = useState(
    ai.json_schema ? JSON.stringify(ai.json_schema, null, 2) : "",
  );
  const [error, setError] = useState<string | null>(null);
  const editing = props.column !== undefined;

  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    let jsonSchema: unknown = null;
    if (schema.trim()) {
      try {
        jsonSchema = JSON.parse(schema);
      } catch (cause) {
        return setError(`The JSON schema is not JSON: ${(cause as Error).message}`);
      }
    }
    const column: NewSheetColumn = kind === "data" ? { name, kind } : {
      name,
      kind,
      ai: {
        prompt,
        model: model.trim() || null,
        sampling,
        max_tokens: maxTokens,
        system_prompt: system,
        json_schema: jsonSchema,
      },
    };
    try {
      await props.onSave(column);
      props.onClose();
    } catch (cause) {
      setError((cause as Error).message);
    }
  };

  return (
    <Dialog
      escapeCloses
      title={editing ? `Edit “${props.column!.name}”` : "Add column"}
      onClose={props.onClose}
    >
      <form class="column-form" onSubmit={save}>
        {!editing && (
          <div class="segmented" role="radiogroup" aria-label="Column kind">
            {(["ai", "data"] as const).map((k) => (
              <button
                key={k}
                type="button"
                role="radio"
                aria-checked={kind === k}
                onClick={() => setKind(k)}
              >
                {k === "ai" ? "AI column" : "Data column"}
              </button>
            ))}
          </div>
        )}
        <Field label="Name">
          <input
            class="input"
            aria-label="Column name"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Field>
        {kind === "ai" && (
          <>
            <Field label="Prompt (type {{ for a column)">
              <PromptEditor value={prompt} onInput={setPrompt} columns={props.columnNames} />
            </Field>
            <Field label="Model">
              <input
                class="input"
                aria-label="Model"
                list="sheet-models"
                placeholder="The loaded model"
                value={model}
                onInput={(e) => setModel(e.currentTarget.value)}
              />
              <datalist id="sheet-models">
                {props.models.filter((m) => m.kind === "model").map((m) => (
                  <option key={m.id} value={m.path}>{m.name}</option>
                ))}
              </datalist>
            </Field>
            <div class="field-grid">
              <NumberField
                label="Max tokens"
                value={maxTokens}
                min={1}
                max={32768}
                step={1}
                onCommit={setMaxTokens}
              />
              {SAMPLING.map((s) => (
                <NumberField
                  key={s.key}
                  label={s.label}
                  value={sampling[s.key]}
                  min={s.min}
                  max={s.max}
                  step={s.step}
                  placeholder="default"
                  onCommit={(v) => {
                    const next = { ...sampling };
                    if (v === undefined) delete next[s.key];
                    else next[s.key] = v;
                    setSampling(next);
                  }}
                />
              ))}
            </div>
            <Field label="System prompt">
              <textarea
                class="input"
                rows={2}
                aria-label="System prompt"
                value={system}
                onInput={(e) => setSystem(e.currentTarget.value)}
              />
            </Field>
            <Field label="JSON schema (optional: structured output)">
              <textarea
                class="input mono"
                rows={3}
                aria-label="JSON schema"
                placeholder='{"type": "object", "properties": {...}}'
                value={schema}
                onInput={(e) => setSchema(e.currentTarget.value)}
              />
            </Field>
          </>
        )}
        {error && <p class="notice error" role="alert">{error}</p>}
        <div class="dialog-actions">
          <button type="button" class="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" class="button primary" disabled={!name.trim()}>
            {editing ? "Save" : "Add column"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
