/**
 * The loaded model's load options, saved with its file (LM Studio's per-model settings):
 * n_ctx, GPU offload, threads, flash attention, KV cache types, memory mapping and a draft
 * model for speculative decoding and the device (prebuilt variant: CPU, Vulkan, CUDA, Metal;
 * only the detected ones can be chosen), in llama.cpp's names. Empty fields use the defaults. Changes apply at the next load; Reload
 * applies them now.
 *
 * @module
 */
import type { JSX } from "preact";
import type { ModelLoadOptions } from "../../api/types.ts";
import type { ModelOptionsStore } from "../stores/model_options.ts";
import { Field, NumberField } from "./fields.tsx";

const DEVICE_LABELS = { cpu: "CPU", vulkan: "Vulkan", cuda: "CUDA", metal: "Metal" } as const;
const CACHE_TYPES = ["f16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1", "bf16", "f32"];

/** The load options form. */
export function LoadOptions({ store }: { store: ModelOptionsStore }): JSX.Element | null {
  const value = store.options.value;
  if (!value) return null;
  const set = (patch: Partial<ModelLoadOptions>) => store.update(patch);
  const pending = store.loadedWith.value !== JSON.stringify(value);
  const select = (
    label: string,
    key: "flash_attn" | "cache_type_k" | "cache_type_v",
    choices: string[],
    hint: string,
  ) => (
    <Field label={label}>
      <select
        title={hint}
        value={value[key] ?? ""}
        onChange={(e) => set({ [key]: e.currentTarget.value || undefined })}
      >
        <option value="">Default</option>
        {choices.map((c) => <option key={c} value={c}>{c}</option>)}
      </select>
    </Field>
  );
  return (
    <details class="load-options" open={pending}>
      <summary>Load options for this model</summary>
      <div class="field-grid">
        <Field label="Device">
          <select
            title="variant: the prebuilt llama.cpp package to load on; Auto is the one Hearth picks for this machine"
            value={value.variant ?? ""}
            onChange={(e) =>
              set({
                variant: (e.currentTarget.value || undefined) as ModelLoadOptions["variant"],
              })}
          >
            <option value="">Auto</option>
            {store.devices.value.map((d) => (
              <option
                key={d.device}
                value={d.device}
                // A saved choice stays selectable so the form shows it, even when undetected.
                disabled={!d.detected && value.variant !== d.device}
                title={d.reason + (d.detected && !d.cached ? " (downloaded at first load)" : "")}
              >
                {DEVICE_LABELS[d.device]}
              </option>
            ))}
          </select>
        </Field>
        <NumberField
          label="Context length"
          value={value.n_ctx}
          placeholder="Settings"
          min={256}
          step={256}
          hint="n_ctx in tokens per slot; a chat's own context length wins"
          onCommit={(n) => set({ n_ctx: n })}
        />
        <NumberField
          label="GPU layers"
          value={value.n_gpu_layers}
          placeholder="All"
          min={-1}
          step={1}
          hint="n_gpu_layers: -1 all, 0 CPU only"
          onCommit={(n) => set({ n_gpu_layers: n })}
        />
        <NumberField
          label="Threads"
          value={value.n_threads}
          placeholder="All cores"
          min={1}
          step={1}
          hint="n_threads: CPU threads"
          onCommit={(n) => set({ n_threads: n })}
        />
        {select("Flash attention", "flash_attn", ["auto", "on", "off"], "flash_attn")}
        {select("K cache type", "cache_type_k", CACHE_TYPES, "cache_type_k (-ctk)")}
        {select(
          "V cache type",
          "cache_type_v",
          CACHE_TYPES,
          "cache_type_v (-ctv); quantized V needs flash attention",
        )}
        <label class="field checkbox-field">
          <input
            type="checkbox"
            checked={value.use_mmap ?? true}
            onChange={(e) => set({ use_mmap: e.currentTarget.checked ? undefined : false })}
          />
          <span class="field-label" title="use_mmap">Memory-map the file</span>
        </label>
        <label class="field checkbox-field">
          <input
            type="checkbox"
            checked={value.use_mlock ?? false}
            onChange={(e) => set({ use_mlock: e.currentTarget.checked || undefined })}
          />
          <span class="field-label" title="use_mlock (--mlock): never swapped out">
            Lock the weights in RAM
          </span>
        </label>
        <Field label="Draft model">
          <select
            title="draft_model (-md): a small model with the same vocabulary proposes tokens this model verifies (speculative decoding)"
            value={value.draft_model ?? ""}
            onChange={(e) => set({ draft_model: e.currentTarget.value || undefined })}
          >
            <option value="">None</option>
            {value.draft_model &&
              !store.draftCandidates.value.some((m) => m.path === value.draft_model) && (
              <option value={value.draft_model}>{value.draft_model}</option>
            )}
            {store.draftCandidates.value.map((m) => (
              <option key={m.path} value={m.path}>{m.name}</option>
            ))}
          </select>
        </Field>
        <NumberField
          label="Draft tokens"
          value={value.draft_max}
          placeholder="16"
          min={1}
          max={512}
          step={1}
          hint="draft_max (--draft-max): most tokens drafted per step"
          onCommit={(n) => set({ draft_max: n })}
        />
        <NumberField
          label="Draft min probability"
          value={value.draft_p_min}
          placeholder="0.75"
          min={0}
          max={1}
          step={0.05}
          hint="draft_p_min (--draft-p-min): drafting stops below this top-token probability"
          onCommit={(n) => set({ draft_p_min: n })}
        />
      </div>
      {pending && (
        <p class="load-options-pending">
          Changed: applies at the next load.{" "}
          <button type="button" class="button primary" onClick={() => store.reload()}>
            Reload now
          </button>
        </p>
      )}
    </details>
  );
}
