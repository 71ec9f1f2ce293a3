/**
 * The hub's and downloads' UI API shapes, made from the layers' own values: the mappers
 * are typed with api/types.ts, so the server and the UI cannot drift apart.
 *
 * @module
 */
import type { DownloadStatus } from "../hub/mod.ts";
import type { HubFileMetadata as AppHubFileMetadata } from "../app/hub_file_metadata.ts";
import type { Download, HubFileMetadata } from "./types.ts";

/** A hub file's facts as the UI API shows it (docs/ui-api.md, `HubFileMetadata`). */
export function hubFileMetadataJson(m: AppHubFileMetadata): HubFileMetadata {
  return {
    repo: m.repo,
    file: m.file,
    parts: m.parts,
    architecture: m.architecture,
    name: m.name,
    n_params: m.nParams,
    quantization: m.quantization,
    context_length: m.nCtxTrain,
    n_layer: m.nLayer,
    n_embd: m.nEmbd,
    n_head: m.nHead,
    n_head_kv: m.nHeadKv,
    has_chat_template: m.hasChatTemplate,
    license: m.license,
    base_model: m.baseModelName ?? m.baseModelRepoUrl,
    base_model_repo_url: m.baseModelRepoUrl,
  };
}

/** A download as the UI API shows it. */
export function downloadJson(status: DownloadStatus): Download {
  const p = status.progress;
  return {
    id: status.id,
    repo: status.request.repo,
    file: status.request.file,
    state: status.state === "failed" ? "error" : status.state,
    downloaded_bytes: p?.downloadedBytes ?? 0,
    total_bytes: p?.totalBytes ?? null,
    bytes_per_second: p?.bytesPerSecond ?? 0,
    eta_seconds: p?.etaSeconds ?? null,
    ...(status.error ? { error: status.error.message } : {}),
    ...(status.result ? { path: status.result.path } : {}),
  };
}
