/**
 * The loaded model's LoRA adapters: one row each with a scale slider (0 = off) and
 * Remove, and a field to add one by path, with the library's files offered. A change
 * applies to the next reply; the model is not reloaded.
 *
 * @module
 */
import type { JSX } from "preact";
import { useSignal } from "@preact/signals";
import type { LoadedLora } from "../../api/types.ts";

/** Highest scale the slider offers (llama.cpp takes any number; past 2 text degrades). */
const MAX_SCALE = 2;

/** Props of {@link LoraList}. */
export interface LoraListProps {
  loras: readonly LoadedLora[];
  /** Paths to offer when adding (the library's files). */
  suggestions: readonly string[];
  onAdd(path: string): Promise<boolean>;
  onScale(id: number, scale: number): void;
  onRemove(id: number): void;
}

/** The adapter list of the loaded model card. */
export function LoraList(props: LoraListProps): JSX.Element {
  const path = useSignal("");
  const adding = useSignal(false);
  const add = async (event: Event) => {
    event.preventDefault();
    const value = path.value.trim();
    if (!value || adding.value) return;
    adding.value = true;
    if (await props.onAdd(value)) path.value = "";
    adding.value = false;
  };
  return (
    <section class="lora-list" aria-label="LoRA adapters">
      <span class="eyebrow">LoRA adapters</span>
      {props.loras.length === 0 && <p class="muted">None. Add a LoRA GGUF made for this model.</p>}
      <ul>
        {props.loras.map((lora) => (
          <LoraRow key={lora.id} lora={lora} onScale={props.onScale} onRemove={props.onRemove} />
        ))}
      </ul>
      <form class="lora-add" onSubmit={add}>
        <input
          class="input"
          type="text"
          list="lora-suggestions"
          placeholder="/path/to/adapter.gguf"
          aria-label="LoRA adapter file"
          value={path.value}
          onInput={(e) => path.value = (e.currentTarget as HTMLInputElement).value}
        />
        <datalist id="lora-suggestions">
          {props.suggestions.map((p) => <option key={p} value={p} />)}
        </datalist>
        <button type="submit" class="button" disabled={adding.value || !path.value.trim()}>
          {adding.value ? "Adding…" : "Add"}
        </button>
      </form>
    </section>
  );
}

function LoraRow(
  { lora, onScale, onRemove }: {
    lora: LoadedLora;
    onScale(id: number, scale: number): void;
    onRemove(id: number): void;
  },
): JSX.Element {
  // The slider moves freely; the scale is sent when it is let go.
  const shown = useSignal<number | null>(null);
  const value = shown.value ?? lora.scale;
  return (
    <li class="lora-row">
      <span class="lora-name" title={lora.path}>{lora.name}</span>
      <input
        type="range"
        min={0}
        max={MAX_SCALE}
        step={0.05}
        value={value}
        aria-label={`Scale of ${lora.name}`}
        onInput={(e) => shown.value = Number((e.currentTarget as HTMLInputElement).value)}
        onChange={(e) => {
          shown.value = null;
          onScale(lora.id, Number((e.currentTarget as HTMLInputElement).value));
        }}
      />
      <output class="lora-scale">{value === 0 ? "off" : value.toFixed(2)}</output>
      <button
        type="button"
        class="button"
        aria-label={`Remove ${lora.name}`}
        onClick={() => onRemove(lora.id)}
      >
        Remove
      </button>
    </li>
  );
}
