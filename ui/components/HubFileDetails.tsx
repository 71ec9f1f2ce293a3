/**
 * What a hub file's GGUF header says, shown under its row before it is downloaded:
 * architecture, name, parameters, quantization, context length, layers, embedding size,
 * attention heads, chat template, license and base model. The server reads the header with
 * HTTP ranges (a few MB at most), the same facts the library shows for a local file.
 *
 * @module
 */
import type { JSX } from "preact";
import { formatCount, formatParams } from "../lib/format.ts";
import type { MetadataState } from "../stores/hub.ts";
import type { HubFileMetadata } from "../../api/types.ts";

/** The details of one file; `state` undefined means not asked yet. */
export function HubFileDetails({ state }: { state: MetadataState | undefined }): JSX.Element {
  if (!state || state.status === "loading") {
    return <p class="muted" role="status">Reading the file's header…</p>;
  }
  if (state.status === "error") {
    return <p class="notice error" role="alert">{state.error.message}</p>;
  }
  return (
    <dl class="file-metadata">
      {metadataRows(state.metadata).map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value ?? "–"}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Label and shown value of each fact; null where the header does not say. */
export function metadataRows(m: HubFileMetadata): [string, string | null][] {
  const count = (n: number | null) => (n === null ? null : formatCount(n));
  const kvHeads = m.n_head_kv !== null && m.n_head_kv !== m.n_head ? `, ${m.n_head_kv} KV` : "";
  return [
    ["Architecture", m.architecture],
    ["Name", m.name],
    ["Parameters", m.n_params ? formatParams(m.n_params) : null],
    ["Quantization", m.quantization],
    ["Context length", m.context_length === null ? null : `${count(m.context_length)} tokens`],
    ["Layers", count(m.n_layer)],
    ["Embedding size", count(m.n_embd)],
    ["Attention heads", m.n_head === null ? null : `${m.n_head}${kvHeads}`],
    ["Chat template", m.has_chat_template ? "Yes" : "No"],
    ["License", m.license],
    ["Base model", m.base_model],
  ];
}
