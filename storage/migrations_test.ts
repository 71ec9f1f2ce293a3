import { DatabaseSync } from "node:sqlite";
import { assertEquals, assertThrows } from "../tests/assert.ts";
import { migrate, type Migration, MIGRATIONS, schemaVersion } from "./migrations.ts";

const tables = (db: DatabaseSync) =>
  db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all()
    .map((row) => row.name);

Deno.test("migrate() builds the schema on an empty database and sets user_version", () => {
  using db = new DatabaseSync(":memory:");
  assertEquals(migrate(db), MIGRATIONS.length);
  assertEquals(schemaVersion(db), MIGRATIONS.length);
  for (const name of ["chats", "messages", "settings", "model_folders", "messages_fts"]) {
    assertEquals(tables(db).includes(name), true, name);
  }
});

Deno.test("migrate() runs only the pending migrations of an old database", () => {
  using db = new DatabaseSync(":memory:");
  const one: Migration = (d) => d.exec("CREATE TABLE a (x)");
  const two: Migration = (d) => d.exec("ALTER TABLE a ADD COLUMN y");
  migrate(db, [one]);
  db.exec("INSERT INTO a VALUES (1)");
  assertEquals(migrate(db, [one, two]), 2);
  assertEquals(db.prepare("SELECT x, y FROM a").all().map((row) => ({ ...row })), [
    { x: 1, y: null },
  ]);
});

Deno.test("migrate() rolls back a failing migration and keeps the previous version", () => {
  using db = new DatabaseSync(":memory:");
  const one: Migration = (d) => d.exec("CREATE TABLE a (x)");
  const broken: Migration = function addB(d) {
    d.exec("CREATE TABLE b (x)");
    d.exec("INSERT INTO nowhere VALUES (1)");
  };
  assertThrows(() => migrate(db, [one, broken]), Error, "version 2 (addB)");
  assertEquals(schemaVersion(db), 1);
  assertEquals(tables(db), ["a"]);
});

/** SQLite before 3.45 (Debian 12 has 3.40) answers json_valid(NULL) with 0, not NULL. */
function useSqlite340JsonValid(db: DatabaseSync): void {
  db.function("json_valid", { deterministic: true }, (text) => {
    if (text === null) return 0;
    try {
      JSON.parse(String(text));
      return 1;
    } catch {
      return 0;
    }
  });
}

const messagesSql = (db: DatabaseSync) =>
  String(
    db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'messages'").get()
      ?.sql,
  );

const insertChat = (db: DatabaseSync) =>
  db.exec("INSERT INTO chats (id, title, created_at, updated_at) VALUES ('c', 'Chat', 1, 1)");

const insertMessage = (db: DatabaseSync, id: string, parent: string | null, content: string) =>
  db.prepare(
    "INSERT INTO messages (id, chat_id, parent_id, role, content, created_at) " +
      "VALUES (?, 'c', ?, 'user', ?, 1)",
  ).run(id, parent, content);

Deno.test("migrate() makes messages' nullable JSON CHECKs accept NULL on SQLite 3.40", () => {
  using db = new DatabaseSync(":memory:");
  db.exec("PRAGMA foreign_keys = ON");
  migrate(db);
  const sql = messagesSql(db);
  assertEquals(sql.includes("CHECK (sampling IS NULL OR json_valid(sampling))"), true, sql);
  assertEquals(sql.includes("CHECK (metrics IS NULL OR json_valid(metrics))"), true, sql);
  useSqlite340JsonValid(db);
  insertChat(db);
  insertMessage(db, "m1", null, "hello");
  assertThrows(
    () => db.exec("UPDATE messages SET metrics = '{bad' WHERE id = 'm1'"),
    Error,
    "CHECK constraint failed",
  );
});

Deno.test("migrate() from version 3 keeps messages, NULL JSON, links and the FTS index", () => {
  using db = new DatabaseSync(":memory:");
  db.exec("PRAGMA foreign_keys = ON");
  migrate(db, MIGRATIONS.slice(0, 3));
  insertChat(db);
  insertMessage(db, "m1", null, "hello lighthouse");
  insertMessage(db, "m2", "m1", "second reply");
  db.exec(`UPDATE messages SET sampling = '{"top_p":0.9}' WHERE id = 'm2'`);
  db.exec("UPDATE chats SET active_leaf_id = 'm2'");
  const before = db.prepare("SELECT * FROM messages ORDER BY seq").all().map((r) => ({ ...r }));

  // Version 4 is the rebuild; version 5 adds columns (tested below).
  assertEquals(migrate(db, MIGRATIONS.slice(0, 4)), 4);
  assertEquals(
    db.prepare("SELECT * FROM messages ORDER BY seq").all().map((r) => ({ ...r })),
    before,
  );
  assertEquals(db.prepare("SELECT active_leaf_id FROM chats").get()?.active_leaf_id, "m2");
  assertEquals(
    db.prepare("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'lighthouse'").all()
      .map((row) => row.rowid),
    [before[0].seq],
  );
  assertEquals(Number(db.prepare("PRAGMA foreign_keys").get()?.foreign_keys), 1);
  assertEquals(messagesSql(db).includes("sampling IS NULL OR json_valid(sampling)"), true);

  // The rebuilt table has its triggers, indexes and foreign keys back.
  useSqlite340JsonValid(db);
  insertMessage(db, "m3", "m2", "third lighthouse");
  assertEquals(
    db.prepare("SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH 'lighthouse'")
      .get()?.n,
    2,
  );
  assertThrows(() => insertMessage(db, "m4", "nowhere", "x"), Error, "FOREIGN KEY");
  const indexes = db.prepare(
    "SELECT name FROM sqlite_schema WHERE tbl_name = 'messages' AND type IN ('index', 'trigger') " +
      "AND sql IS NOT NULL ORDER BY name",
  ).all().map((row) => row.name);
  assertEquals(indexes, [
    "messages_fts_delete",
    "messages_fts_insert",
    "messages_fts_update",
    "messages_parent",
    "messages_streaming",
    "messages_tree",
  ]);
  assertEquals(db.prepare("PRAGMA integrity_check").get()?.integrity_check, "ok");
});

Deno.test("migrate() refuses a migration that leaves a dangling foreign key", () => {
  using db = new DatabaseSync(":memory:");
  db.exec("PRAGMA foreign_keys = ON");
  const one: Migration = (d) =>
    d.exec("CREATE TABLE p (id TEXT PRIMARY KEY); CREATE TABLE c (p TEXT REFERENCES p(id))");
  const dangling: Migration = function dangle(d) {
    d.exec("INSERT INTO c VALUES ('none')");
  };
  assertThrows(() => migrate(db, [one, dangling]), Error, "version 2 (dangle)");
  assertEquals(schemaVersion(db), 1);
  assertEquals(Number(db.prepare("PRAGMA foreign_keys").get()?.foreign_keys), 1);
});

Deno.test("migrate() to version 5 marks earlier replies local and takes remote provenance", () => {
  using db = new DatabaseSync(":memory:");
  migrate(db, MIGRATIONS.slice(0, 4));
  insertChat(db);
  insertMessage(db, "m1", null, "hi");
  insertMessage(db, "m2", "m1", "reply");
  db.exec("UPDATE messages SET role = 'assistant', model = '/m.gguf' WHERE id = 'm2'");
  assertEquals(migrate(db, MIGRATIONS.slice(0, 5)), 5);
  const rows = db.prepare("SELECT id, backend, provider FROM messages ORDER BY seq").all()
    .map((r) => ({ ...r }));
  assertEquals(rows, [
    { id: "m1", backend: null, provider: null },
    { id: "m2", backend: "local", provider: null },
  ]);
  db.exec("UPDATE messages SET backend = 'remote', provider = 'openrouter' WHERE id = 'm2'");
  assertThrows(() => db.exec("UPDATE messages SET backend = 'cloud'"), Error, "CHECK");
});

Deno.test("migrate() to version 6 keeps the model index and takes kind 'adapter'", () => {
  using db = new DatabaseSync(":memory:");
  migrate(db, MIGRATIONS.slice(0, 5));
  const insert = (id: string, kind: string) =>
    db.prepare(
      `INSERT INTO models (id, path, kind, size_bytes, mtime_ms, has_chat_template, root_kind,
        root_path, indexed_at, verified_at) VALUES (?, ?, ?, 1, 1, 0, 'folder', '/r', 1, 7)`,
    ).run(id, `/r/${id}.gguf`, kind);
  insert("a", "model");
  assertThrows(() => insert("b", "adapter"), Error, "CHECK");
  assertEquals(migrate(db, MIGRATIONS.slice(0, 6)), 6);
  insert("b", "adapter");
  const rows = db.prepare("SELECT id, kind, verified_at FROM models ORDER BY seq").all()
    .map((r) => ({ ...r }));
  assertEquals(rows, [
    { id: "a", kind: "model", verified_at: 7 },
    { id: "b", kind: "adapter", verified_at: 7 },
  ]);
  assertThrows(() => insert("c", "lora"), Error, "CHECK");
  const index = db.prepare("SELECT name FROM sqlite_master WHERE name = 'models_root'").get();
  assertEquals(index?.name, "models_root");
});

/** The migrations up to and including the one named `name` (never the final version). */
const through = (name: string) =>
  MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.name === name) + 1);

Deno.test("migrate() adds messages.error and makes 'truncate-oldest' the chats' default", () => {
  using db = new DatabaseSync(":memory:");
  db.exec("PRAGMA foreign_keys = ON");
  const before = through("addAdapterKind");
  migrate(db, before);
  insertChat(db);
  insertMessage(db, "m1", null, "dragon tale");
  db.exec("UPDATE chats SET active_leaf_id = 'm1', title = 'Dragons' WHERE id = 'c'");
  migrate(db, through("defaultOverflowTruncate"));
  // The old chat keeps its policy, its leaf, its messages and its search index.
  const chat = db.prepare("SELECT overflow, active_leaf_id FROM chats WHERE id = 'c'").get();
  assertEquals({ ...chat }, { overflow: "error", active_leaf_id: "m1" });
  const found = db.prepare("SELECT rowid FROM chats_fts WHERE chats_fts MATCH 'dragons'").all();
  assertEquals(found.length, 1);
  db.exec("INSERT INTO chats (id, title, created_at, updated_at) VALUES ('d', 'New', 2, 2)");
  const fresh = db.prepare("SELECT overflow FROM chats WHERE id = 'd'").get();
  assertEquals(fresh?.overflow, "truncate-oldest");
  assertEquals(
    db.prepare("SELECT count(*) AS n FROM chats_fts WHERE chats_fts MATCH 'new'").get()?.n,
    1,
  );
  db.exec("UPDATE messages SET state = 'error', error = 'It did not fit' WHERE id = 'm1'");
  assertEquals(db.prepare("SELECT error FROM messages").get()?.error, "It did not fit");
  // Deleting a chat still cascades to its messages (the foreign key points at the new table).
  db.exec("DELETE FROM chats WHERE id = 'c'");
  assertEquals(db.prepare("SELECT count(*) AS n FROM messages").get()?.n, 0);
  const indexes = db.prepare(
    "SELECT name FROM sqlite_master WHERE tbl_name = 'chats' AND type = 'index'",
  )
    .all().map((r) => r.name).sort();
  assertEquals(indexes.includes("chats_updated") && indexes.includes("chats_active_leaf"), true);
});

Deno.test("migrate() to version 13 adds bench_runs and the history's indexes, keeping replies", () => {
  using db = new DatabaseSync(":memory:");
  migrate(db, MIGRATIONS.slice(0, 12));
  db.exec(`
    INSERT INTO chats (id, title, created_at, updated_at) VALUES ('c', 'Chat', 1, 1);
    INSERT INTO messages (id, chat_id, role, content, created_at) VALUES ('m', 'c', 'assistant', 'Hi', 2);
  `);
  // Only up to 13: migrations appended later are not this test's.
  const upTo13 = MIGRATIONS.slice(0, 13);
  assertEquals(migrate(db, upTo13), 13);
  assertEquals(tables(db).includes("bench_runs"), true);
  const indexes = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index'").all()
    .map((row) => row.name);
  for (const name of ["messages_replies", "sheet_jobs_created", "bench_runs_model"]) {
    assertEquals(indexes.includes(name), true, name);
  }
  assertEquals(db.prepare("SELECT id FROM messages").all().map((row) => row.id), ["m"]);
  // Set back and run again (as tests do): IF NOT EXISTS makes it a no-op.
  db.exec("PRAGMA user_version = 12");
  assertEquals(migrate(db, upTo13), 13);
});
