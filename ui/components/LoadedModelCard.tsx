/**
 * The model in memory: what it is, what it costs (weights and KV cache) and Unload.
 *
 * @module
 */
import type { JSX } from "preact";
import { formatBytes, formatCount, formatParams } from "../lib/format.ts";
import type { LoadedModel } from "../../api/types.ts";
import { LoraList, type LoraListProps } from "./LoraList.tsx";
import { LoadOptions } from "./LoadOptions.tsx";
import type { ModelOptionsStore } from "../stores/model_options.ts";

/**
 * The loaded model card, with its LoRA adapters when `lora` is given and its load options when
 * `options` is.
 */
export function LoadedModelCard(
  { model, onUnload, lora, options }: {
    model: LoadedModel;
    onUnload(): void;
    lora?: Omit<LoraListProps, "loras">;
    options?: ModelOptionsStore;
  },
): JSX.Element {
  return (
    <section class="loaded-card" aria-label="Loaded model">
      <div class="loaded-head">
        <div>
          <span class="eyebrow">Loaded</span>
          <strong class="loaded-name">{model.description}</strong>
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
