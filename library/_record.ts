/**
 * Between the stored rows (storage/models.ts, SQL spelling) and the library's
 * {@link LibraryModel} (camelCase).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import type { ModelRecord } from "../storage/models.ts";
import type { ModelSource } from "./_group.ts";
import type { Inspection } from "./_inspect.ts";
import type { LibraryModel } from "./types.ts";

/** The stable id of a model path: the first 12 hex digits of its sha256. */
export function modelId(path: string): string {
  return createHash("sha256").update(path).digest("hex").slice(0, 12);
}

/**
 * True when the files look as they did when `record` was written: same size, mtime and
 * part count, and (in the HF cache) the same blob. Such a model is not read again.
 */
export function unchanged(record: ModelRecord, source: ModelSource): boolean {
  const blob = source.splitCount === null ? source.hf?.blobSha256 ?? null : null;
  return record.size_bytes === source.sizeBytes && record.mtime_ms === source.mtimeMs &&
    record.split_count === source.splitCount && (blob === null || record.sha256 === blob);
}

/** `record` with the root and HF fields of `source`; the same object when none differ. */
export function relocated(record: ModelRecord, source: ModelSource): ModelRecord {
  const fields = placement(source);
  const same = (Object.keys(fields) as (keyof typeof fields)[])
    .every((key) => record[key] === fields[key]);
  return same ? record : { ...record, ...fields };
}

function placement(source: ModelSource) {
  return {
    root_kind: source.root.kind,
    root_path: source.root.path,
    hf_repo: source.hf?.repo ?? null,
    hf_revision: source.hf?.revision ?? null,
  };
}

/** The row for a model just read. Keeps `hidden` from the previous row. */
export function toRecord(
  source: ModelSource,
  found: Inspection,
  previous: ModelRecord | undefined,
  now: number,
): ModelRecord {
  return {
    id: modelId(source.path),
    path: source.path,
    kind: found.kind,
    size_bytes: source.sizeBytes,
    mtime_ms: source.mtimeMs,
    // In the HF cache an LFS file's blob is named by its sha256; a split model's hash is
    // of all parts, which no blob name gives.
    sha256: source.splitCount === null ? source.hf?.blobSha256 ?? null : null,
    architecture: found.architecture,
    name: found.name,
    n_params: found.nParams,
    n_tensors: found.nTensors,
    quantization: found.quantization,
    n_ctx_train: found.nCtxTrain,
    n_layer: found.nLayer,
    n_embd: found.nEmbd,
    n_head: found.nHead,
    n_head_kv: found.nHeadKv,
    has_chat_template: found.hasChatTemplate,
    license: found.license,
    base_model_name: found.baseModelName,
    base_model_repo_url: found.baseModelRepoUrl,
    ...placement(source),
    split_count: source.splitCount,
    broken_reason: found.brokenReason,
    hidden: previous?.hidden ?? false,
    indexed_at: now,
    verified_at: null,
  };
}

/** The row as the library hands it out. */
export function toLibraryModel(record: ModelRecord): LibraryModel {
  const { hf_repo: repo, hf_revision: revision } = record;
  return {
    id: record.id,
    path: record.path,
    kind: record.kind,
    displayName: displayName(record),
    sizeBytes: record.size_bytes,
    mtimeMs: record.mtime_ms,
    sha256: record.sha256,
    verifiedAtMs: record.verified_at,
    architecture: record.architecture,
    name: record.name,
    nParams: record.n_params,
    nTensors: record.n_tensors,
    quantization: record.quantization,
    nCtxTrain: record.n_ctx_train,
    nLayer: record.n_layer,
    nEmbd: record.n_embd,
    nHead: record.n_head,
    nHeadKv: record.n_head_kv,
    hasChatTemplate: record.has_chat_template,
    license: record.license,
    baseModel: record.base_model_name === null && record.base_model_repo_url === null
      ? null
      : { name: record.base_model_name, repoUrl: record.base_model_repo_url },
    root: { kind: record.root_kind, path: record.root_path },
    hf: repo !== null && revision !== null ? { repo, revision } : null,
    splitCount: record.split_count,
    broken: record.broken_reason !== null,
    brokenReason: record.broken_reason,
    hidden: record.hidden,
    indexedAtMs: record.indexed_at,
  };
}

/**
 * `general.name` unless it only repeats the architecture (converters often write
 * "llama"), else the file name without `.gguf` and the split suffix.
 */
function displayName(record: ModelRecord): string {
  const name = record.name?.trim();
  if (name && name.toLowerCase() !== record.architecture?.toLowerCase()) return name;
  return basename(record.path).replace(/(-\d{5}-of-\d{5})?\.gguf$/i, "");
}
