/**
 * The model in memory: what it is, what it costs (weights and KV cache) and Unload. It is
 * named by its library entry (the GGUF's name) or its file name, with the library's facts
 * (architecture, quantization): llama.cpp's own description is a guess for many files
 * ("llama ?B (guessed) all F32").
 *
 * @module
 */
import type { JSX } from "preact";
import { formatBytes, formatCount, formatParams } from "../lib/format.ts";
import type { LibraryEntry, LoadedModel } from "../../api/types.ts";
import { LoraList, type LoraListProps } from "./LoraList.tsx";
import { LoadOptions } from "./LoadOptions.tsx";
import type { ModelOptionsStore } from "../stores/model_options.ts";

/**
 * The loaded model card, with its LoRA adapters when `lora` is given and its load options when
 * `options` is.
 */
export function LoadedModelCard(
  { model, entry, onUnload, lora, options }: {
    model: LoadedModel;
    /** The model's library entry, when the library lists its file. */
    entry?: LibraryEntry;
    onUnload(): void;
    lora?: Omit<LoraListProps, "loras">;
    options?: ModelOptionsStore;
  },
): JSX.Element {
  const file = model.path.split(/[\\/]/).pop() ?? model.path;
  const facts = [entry?.architecture, entry?.quantization].filter(Boolean).join(" · ");
  return (
    <section class="loaded-card" aria-label="Loaded model">
      <div class="loaded-head">
        <div>
          <span class="eyebrow">Loaded</span>
          <strong class="loaded-name" title={model.path}>{entry?.name ?? file}</strong>
          {entry?.name && entry.name !== file && <span class="loaded-file muted">{file}</span>}
          {facts && <span class="loaded-facts muted">{facts}</span>}
        </div>
        <button type="button" class="button" onClick={onUnload}>Unload</button>
      </div>
      <dl class="stat-grid">
        <dt>Parameters</dt>
        <dd>{formatParams(model.n_params)}</dd>
        <dt>Weights</dt>
        <dd>{formatBytes(model.size_bytes)}</dd>
        <dt>KV cache</dt>
        <dd>{formatBytes(model.kv_cache_bytes)}</dd>
        <dt>Context</dt>
        <dd>{formatCount(model.n_ctx)} of {formatCount(model.n_ctx_train)} trained</dd>
        <dt>GPU layers</dt>
        <dd>{model.n_layers_offloaded}</dd>
        {model.devices?.length > 0 && (
          <>
            <dt>Devices</dt>
            <dd title={`Prebuilt package: ${model.variant}`}>{model.devices.join(", ")}</dd>
          </>
        )}
        {model.draft_model && (
          <>
            <dt>Draft model</dt>
            <dd title={model.draft_model}>{model.draft_model.split(/[\\/]/).pop()}</dd>
          </>
        )}
      </dl>
      {model.draft_error && <p class="notice" role="note">{model.draft_error}</p>}
      {lora && <LoraList loras={model.loras ?? []} {...lora} />}
      {options && <LoadOptions store={options} />}
    </section>
  );
}
