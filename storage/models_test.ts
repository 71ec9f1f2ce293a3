import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { TempDatabase } from "./_testing.ts";
import type { ModelRecord } from "./models.ts";

function record(path: string, patch: Partial<ModelRecord> = {}): ModelRecord {
  return {
    id: `id-${path.replace(/\W/g, "")}`,
    path,
    kind: "model",
    size_bytes: 1_185_376,
    mtime_ms: 1_700_000_000_123,
    sha256: null,
    architecture: "llama",
    name: "llama",
    n_params: 292_800,
    n_tensors: 48,
    quantization: "F32",
    n_ctx_train: 2048,
    n_layer: 5,
    n_embd: 64,
    n_head: 8,
    n_head_kv: 4,
    has_chat_template: false,
    license: null,
    base_model_name: null,
    base_model_repo_url: null,
    root_kind: "folder",
    root_path: "/models",
    hf_repo: null,
    hf_revision: null,
    split_count: null,
    broken_reason: null,
    hidden: false,
    indexed_at: 1_700_000_000_000,
    verified_at: null,
    ...patch,
  };
}

Deno.test("ModelStore.put() inserts, then replaces the row with the same path", () => {
  using temp = new TempDatabase();
  const { models } = temp.open();
  const first = record("/models/a.gguf");
  assertEquals(models.put(first), first);
  const changed = record("/models/a.gguf", { size_bytes: 10, has_chat_template: true });
  assertEquals(models.put(changed), changed);
  assertEquals(models.list(), [changed]);
  assertEquals(models.get(first.id), changed);
  assertEquals(models.getByPath("/models/a.gguf"), changed);
  assertEquals(models.get("nope"), null);
  assertEquals(models.getByPath("/nope"), null);
});

Deno.test("ModelStore keeps rows across reopening, sorted by path", () => {
  using temp = new TempDatabase();
  const first = temp.open();
  const sha = "ab".repeat(32);
  first.models.put(record("/m/z.gguf", { sha256: sha, hidden: true, split_count: 3 }));
  first.models.put(record("/m/a.gguf", { kind: "vocab-only", broken_reason: "bad magic" }));
  first.close();
  const rows = temp.open().models.list();
  assertEquals(rows.map((row) => row.path), ["/m/a.gguf", "/m/z.gguf"]);
  assertEquals([rows[0].kind, rows[0].broken_reason], ["vocab-only", "bad magic"]);
  assertEquals([rows[1].sha256, rows[1].hidden, rows[1].split_count], [sha, true, 3]);
});

Deno.test("ModelStore.put() refuses a malformed sha256 or an unknown kind", () => {
  using temp = new TempDatabase();
  const { models } = temp.open();
  assertThrows(() => models.put(record("/a.gguf", { sha256: "XYZ" })), Error, "CHECK");
  assertThrows(() => models.put(record("/a.gguf", { sha256: "AB".repeat(32) })), Error, "CHECK");
  const kind = "lora" as ModelRecord["kind"];
  assertThrows(() => models.put(record("/a.gguf", { kind })), Error, "CHECK");
  assertEquals(models.list(), []);
});

Deno.test("ModelStore.apply() writes and deletes in one transaction", () => {
  using temp = new TempDatabase();
  const { models } = temp.open();
  models.put(record("/a.gguf"));
  models.apply([record("/b.gguf")], [record("/a.gguf").id]);
  assertEquals(models.list().map((row) => row.path), ["/b.gguf"]);
  // The second row reuses the first's id: the UNIQUE failure rolls back both.
  const clash = record("/c.gguf", { id: record("/b.gguf").id });
  assertThrows(() => models.apply([record("/d.gguf"), clash]), Error, "UNIQUE");
  assertEquals(models.list().map((row) => row.path), ["/b.gguf"]);
  assert(models.delete(record("/b.gguf").id));
  assert(!models.delete(record("/b.gguf").id));
});

Deno.test("openDatabase() migrates a version 1 file to the models table", () => {
  using temp = new TempDatabase();
  temp.open().close();
  {
    using db = new DatabaseSync(temp.path);
    db.exec("DROP TABLE models; DROP TABLE downloads; PRAGMA user_version = 1");
  }
  const storage = temp.open();
  assertEquals(storage.models.list(), []);
  storage.models.put(record("/a.gguf"));
  assertEquals(storage.models.list().length, 1);
});
