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
