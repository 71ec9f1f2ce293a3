/**
 * The shapes the model library hands out.
 *
 * @module
 */
import type { GgufFileInfo, GgufTensor } from "../engine/gguf_check.ts";
import type { ModelKind, ModelRootKind } from "../storage/models.ts";
import type { Root } from "./roots.ts";

export type { GgufFileInfo, GgufTensor, ModelKind, ModelRootKind };

/**
 * Validates one GGUF file and reads its header: `checkGgufFile` from
 * engine/gguf_check.ts, or a test's spy around it.
 *
 * @throws {ModelNotFoundError} If the file does not exist.
 * @throws {GgufError} If the file fails validation.
 */
export type GgufChecker = (path: string) => Promise<GgufFileInfo>;

/**
 * One model in the library. Metadata fields are null when the file does not carry them
 * or is broken. Only entries with `kind: "model"` and `broken: false` are chat models.
 */
export interface LibraryModel {
  /** Stable short id: the first 12 hex digits of the sha256 of `path`. */
  id: string;
  /** The file to load; for a split model its first part (llama.cpp finds the others). */
  path: string;
  /**
   * A runnable model, a tokenizer only ("vocab-only"), a vision projector ("mmproj"), or a
   * LoRA adapter ("adapter").
   */
  kind: ModelKind;
  /** What to show: `general.name` when it says more than the architecture, else the file name. */
  displayName: string;
  /** Size in bytes; for a split model the sum of the parts found. */
  sizeBytes: number;
  /** Last modification in ms since the epoch; for a split model its newest part's. */
  mtimeMs: number;
  /**
   * Lowercase hex sha256 when known: from the blob name in the Hugging Face cache, or
   * from {@link ModelLibrary.verify}. A split model's is of its parts concatenated.
   */
  sha256: string | null;
  /** When {@link ModelLibrary.verify} last hashed the file, ms since the epoch. */
  verifiedAtMs: number | null;
  /** `general.architecture`, e.g. "llama". */
  architecture: string | null;
  /** `general.name`. */
  name: string | null;
  /** Parameter count: `general.parameter_count`, else the summed tensor elements. */
  nParams: number | null;
  /** Tensor count (summed over a split model's parts); 0 for a tokenizer-only file. */
  nTensors: number | null;
  /** File type such as "Q4_K_M": `general.file_type`, the file name, or the main tensor type. */
  quantization: string | null;
  /** `<arch>.context_length`: the context the model was trained for, in tokens. */
  nCtxTrain: number | null;
  /** `<arch>.block_count`: transformer layers. */
  nLayer: number | null;
  /** `<arch>.embedding_length`. */
  nEmbd: number | null;
  /** `<arch>.attention.head_count`. */
  nHead: number | null;
  /** `<arch>.attention.head_count_kv` (fewer than `nHead` with grouped-query attention). */
  nHeadKv: number | null;
  /** Whether the file carries `tokenizer.chat_template`. */
  hasChatTemplate: boolean;
  /** `general.license`, e.g. "mit". */
  license: string | null;
  /** `general.base_model.0.*`: what the model was fine-tuned or quantized from. */
  baseModel: { name: string | null; repoUrl: string | null } | null;
  /** The root the file was found under. */
  root: Root;
  /** Repo id ("org/name") and revision (commit) for files in a Hugging Face cache. */
  hf: { repo: string; revision: string } | null;
  /** Number of parts of a split model; null for a single file. */
  splitCount: number | null;
  /** True when the file must not be handed to llama.cpp; `brokenReason` says why. */
  broken: boolean;
  /** Why the model is broken: a failed check, a missing part, a hash mismatch. */
  brokenReason: string | null;
  /** Hidden by {@link ModelLibrary.remove} without `deleteFile`; listed only on request. */
  hidden: boolean;
  /** When the file was last read, ms since the epoch. */
  indexedAtMs: number;
}

/** What {@link ModelLibrary.list} returns; every field narrows, all must match. */
export interface ListFilter {
  /** Only this kind, e.g. "model" for the chat model picker. */
  kind?: ModelKind;
  /** Only broken (true) or only loadable (false) entries. */
  broken?: boolean;
  /** Only entries found under this kind of root. */
  rootKind?: ModelRootKind;
  /** Only entries of this Hugging Face repo ("org/name"). */
  hfRepo?: string;
  /** Include hidden entries. @default {false} */
  includeHidden?: boolean;
}

/** What changed in the index; passed to `onChange` and part of every {@link ScanResult}. */
export interface LibraryChanges {
  /** Newly indexed models. */
  added: LibraryModel[];
  /** Models whose file or state changed, as they are now. */
  updated: LibraryModel[];
  /** Models no longer in the index, as they were. */
  removed: LibraryModel[];
}

/** What one {@link ModelLibrary.scan} did. */
export interface ScanResult extends LibraryChanges {
  /** Models whose size and mtime matched the index: not read again. */
  unchanged: number;
  /** Files whose headers were read (each part of a split model counts). */
  filesRead: number;
  /** Every configured root and whether it exists; absent roots are skipped. */
  roots: { root: Root; present: boolean }[];
  /** How long the scan took, in milliseconds. */
  durationMs: number;
}

/** Progress of {@link ModelLibrary.verify}. */
export interface VerifyProgress {
  /** Bytes hashed so far. */
  hashedBytes: number;
  /** Bytes to hash in all (every part of a split model). */
  totalBytes: number;
}

/** What {@link ModelLibrary.verify} found. */
export interface VerifyResult {
  /** False when the bytes do not match the known sha256 (the model is then marked broken). */
  ok: boolean;
  /** The sha256 of the bytes, lowercase hex (a split model's parts concatenated). */
  sha256: string;
  /** The sha256 the file was expected to have; null when none was known. */
  expectedSha256: string | null;
}

/** Options of {@link ModelLibrary.remove}. */
export interface RemoveOptions {
  /**
   * Delete the file (every part of a split model) instead of only hiding the entry. In
   * the Hugging Face cache this removes the snapshot link and, when no other snapshot
   * links to it, the blob. @default {false}
   */
  deleteFile?: boolean;
  /**
   * Allow deleting a file that lies outside every known root (its folder was removed from
   * the settings since it was indexed). @default {false}
   */
  allowOutsideRoots?: boolean;
}

/** Options of {@link ModelLibrary}. */
export interface ModelLibraryOptions {
  /** Called after every change to the index (scan, watch, remove, verify). */
  onChange?: (changes: LibraryChanges) => void;
  /** Called with errors of background work (scans started by the watcher). @default {console.error} */
  onError?: (error: unknown) => void;
  /**
   * How long the watcher waits after the last file event before rescanning, in
   * milliseconds: a download or copy fires many events. @default {500}
   */
  debounceMs?: number;
  /** Include `Storage.modelFolders` as "folder" roots at every scan. @default {true} */
  includeModelFolders?: boolean;
  /** Validates a file; tests pass a spy around `checkGgufFile`. @default {checkGgufFile} */
  checkGguf?: GgufChecker;
  /** The clock, ms since the epoch. @default {Date.now} */
  now?: () => number;
}
