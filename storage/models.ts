/**
 * The model library's index: one row per GGUF model found in place on disk. The
 * library (library/) decides what goes in; this store only keeps the rows.
 *
 * @module
 */
import type { StoreContext } from "./_context.ts";
import type { Row } from "./_sql.ts";
import { transaction } from "./transaction.ts";

/** What a GGUF file holds: a runnable model, a tokenizer only, or a vision projector. */
export type ModelKind = "model" | "vocab-only" | "mmproj" | "adapter";

/** Where a model was found: a user folder, the Hugging Face cache, LM Studio or llama.cpp. */
export type ModelRootKind = "folder" | "hf-cache" | "lmstudio" | "llama.cpp";

/**
 * One indexed model, as stored. Metadata columns are null when the file does not say
 * (or is broken). Sizes are bytes, times ms since the epoch.
 */
export interface ModelRecord {
  /** Stable short id derived from `path`. */
  id: string;
  /** The file (a split model's first part); unique. */
  path: string;
  /** What the file holds. */
  kind: ModelKind;
  /** Size in bytes; a split model's is the sum of the parts found. */
  size_bytes: number;
  /** Last modification, ms since the epoch; a split model's is its newest part's. */
  mtime_ms: number;
  /** Lowercase hex sha256 of the file, when known. */
  sha256: string | null;
  /** `general.architecture`. */
  architecture: string | null;
  /** `general.name`. */
  name: string | null;
  /** Parameter count: `general.parameter_count` or summed tensor elements. */
  n_params: number | null;
  /** Tensor count, summed over a split model's parts; 0 for a tokenizer-only file. */
  n_tensors: number | null;
  /** File type such as "Q4_K_M" or "F16". */
  quantization: string | null;
  /** `<arch>.context_length`: the trained context, in tokens. */
  n_ctx_train: number | null;
  /** `<arch>.block_count`. */
  n_layer: number | null;
  /** `<arch>.embedding_length`. */
  n_embd: number | null;
  /** `<arch>.attention.head_count`. */
  n_head: number | null;
  /** `<arch>.attention.head_count_kv`. */
  n_head_kv: number | null;
  /** Whether `tokenizer.chat_template` is present. */
  has_chat_template: boolean;
  /** `general.license`. */
  license: string | null;
  /** `general.base_model.0.name`. */
  base_model_name: string | null;
  /** `general.base_model.0.repo_url`. */
  base_model_repo_url: string | null;
  /** The kind of root the file was found under. */
  root_kind: ModelRootKind;
  /** The root folder the file was found under. */
  root_path: string;
  /** Hugging Face repo id ("org/name") for files in the HF cache. */
  hf_repo: string | null;
  /** Hugging Face revision (the snapshot's commit) for files in the HF cache. */
  hf_revision: string | null;
  /** Number of parts of a split model; null for a single file. */
  split_count: number | null;
  /** Why the model cannot be loaded; null when it passed validation. */
  broken_reason: string | null;
  /** Hidden from listings by the user; the file stays indexed. */
  hidden: boolean;
  /** When the file was last read, ms since the epoch. */
  indexed_at: number;
  /** When `sha256` was last checked against the bytes, ms since the epoch. */
  verified_at: number | null;
}

const COLUMNS = [
  "id",
  "path",
  "kind",
  "size_bytes",
  "mtime_ms",
  "sha256",
  "architecture",
  "name",
  "n_params",
  "n_tensors",
  "quantization",
  "n_ctx_train",
  "n_layer",
  "n_embd",
  "n_head",
  "n_head_kv",
  "has_chat_template",
  "license",
  "base_model_name",
  "base_model_repo_url",
  "root_kind",
  "root_path",
  "hf_repo",
  "hf_revision",
  "split_count",
  "broken_reason",
  "hidden",
  "indexed_at",
  "verified_at",
] as const satisfies readonly (keyof ModelRecord)[];

const BOOLEAN_COLUMNS = new Set<string>(["has_chat_template", "hidden"]);

const SELECT = `SELECT ${COLUMNS.join(", ")} FROM models`;
const UPSERT = `INSERT INTO models (${COLUMNS.join(", ")}) VALUES (${
  COLUMNS.map(() => "?").join(", ")
}) ON CONFLICT (path) DO UPDATE SET ${
  COLUMNS.filter((c) => c !== "path").map((c) => `${c} = excluded.${c}`).join(", ")
}`;

function rowToRecord(row: Row): ModelRecord {
  const record: Record<string, unknown> = {};
  for (const column of COLUMNS) {
    const value = row[column];
    record[column] = BOOLEAN_COLUMNS.has(column) ? value === 1 : value;
  }
  return record as unknown as ModelRecord;
}

/** The model index of one database. Get it from `Storage.models`. */
export class ModelStore {
  readonly #ctx: StoreContext;

  /** @internal Use `Storage.models`. */
  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Lists every indexed model, hidden and broken ones included, sorted by path.
   *
   * @returns The rows.
   */
  list(): ModelRecord[] {
    return this.#ctx.sql.get(`${SELECT} ORDER BY path`).all().map(rowToRecord);
  }

  /**
   * Looks a model up by id.
   *
   * @param id The model's id.
   * @returns The row, or null if no model has that id.
   */
  get(id: string): ModelRecord | null {
    const row = this.#ctx.sql.get(`${SELECT} WHERE id = ?`).get(id);
    return row ? rowToRecord(row) : null;
  }

  /**
   * Looks a model up by path.
   *
   * @param path The model's path (a split model's first part).
   * @returns The row, or null if no model has that path.
   */
  getByPath(path: string): ModelRecord | null {
    const row = this.#ctx.sql.get(`${SELECT} WHERE path = ?`).get(path);
    return row ? rowToRecord(row) : null;
  }

  /**
   * Inserts a model, or replaces every column of the row with the same path.
   *
   * @param record The full row.
   * @returns The stored row.
   * @throws {Error} If a value breaks a constraint (an unknown kind, a malformed sha256,
   *   an id already used by another path).
   */
  put(record: ModelRecord): ModelRecord {
    const values = COLUMNS.map((column) => {
      const value = record[column];
      return typeof value === "boolean" ? (value ? 1 : 0) : value;
    });
    this.#ctx.sql.get(UPSERT).run(...values);
    return this.getByPath(record.path)!;
  }

  /**
   * Writes several rows in one transaction: all or none.
   *
   * @param records Full rows to insert or replace.
   * @param deleteIds Ids of rows to delete.
   */
  apply(records: readonly ModelRecord[], deleteIds: readonly string[] = []): void {
    transaction(this.#ctx.db, () => {
      for (const id of deleteIds) this.delete(id);
      for (const record of records) this.put(record);
    });
  }

  /**
   * Deletes a model's row (the file is untouched).
   *
   * @param id The model's id.
   * @returns True if there was such a row.
   */
  delete(id: string): boolean {
    return this.#ctx.sql.get("DELETE FROM models WHERE id = ?").run(id).changes > 0;
  }
}
