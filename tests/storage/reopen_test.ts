import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { DatabaseVersionError, MIGRATIONS, openDatabase } from "../../storage/mod.ts";
import { TempDatabase } from "../../storage/_testing.ts";

function pragma(path: string, name: string): unknown {
  using db = new DatabaseSync(path);
  return db.prepare(`PRAGMA ${name}`).get()?.[name];
}

Deno.test("openDatabase() creates the folder and a migrated WAL database", () => {
  using temp = new TempDatabase();
  temp.open().close();
  assertEquals(pragma(temp.path, "user_version"), MIGRATIONS.length);
  assertEquals(pragma(temp.path, "journal_mode"), "wal");
  assertEquals(Deno.statSync(`${temp.dir}/data`).mode! & 0o777, 0o700);
});

Deno.test("openDatabase() migrates an existing empty file", () => {
  using temp = new TempDatabase();
  Deno.mkdirSync(`${temp.dir}/data`);
  Deno.writeFileSync(temp.path, new Uint8Array());
  temp.open().close();
  assertEquals(pragma(temp.path, "user_version"), MIGRATIONS.length);
});

Deno.test("openDatabase() keeps data across reopening", () => {
  using temp = new TempDatabase();
  const first = temp.open();
  const chat = first.chats.create({ title: "Kept" });
  const hi = first.messages.add(chat.id, { parent_id: null, role: "user", content: "hello" });
  first.settings.patch({ theme: "dark" });
  first.close();

  const second = temp.open();
  assertEquals(second.chats.get(chat.id)?.title, "Kept");
  assertEquals(second.messages.get(hi.id)?.content, "hello");
  assertEquals(second.settings.get().theme, "dark");
  assertEquals(second.search("hello").map((c) => c.id), [chat.id]);
});

Deno.test("openDatabase() refuses a database from a newer version and leaves it unchanged", () => {
  using temp = new TempDatabase();
  Deno.mkdirSync(`${temp.dir}/data`);
  {
    using db = new DatabaseSync(temp.path);
    db.exec("CREATE TABLE future (x); INSERT INTO future VALUES (42)");
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
  }
  const before = Deno.readFileSync(temp.path);
  const error = assertThrows(() => temp.open(), DatabaseVersionError, "update Hearth");
  assertEquals(error.version, MIGRATIONS.length + 1);
  assertEquals(error.supportedVersion, MIGRATIONS.length);
  assertEquals(Deno.readFileSync(temp.path), before);
  assertEquals(pragma(temp.path, "journal_mode"), "delete");
  assertEquals(pragma(temp.path, "user_version"), MIGRATIONS.length + 1);
});

Deno.test("openDatabase() names the file when it is not a database", () => {
  using temp = new TempDatabase();
  Deno.mkdirSync(`${temp.dir}/data`);
  Deno.writeTextFileSync(
    temp.path,
    "this is not sqlite, just text long enough to be a header ".repeat(4),
  );
  const error = assertThrows(() => openDatabase(temp.path), Error, temp.path);
  assert(error.message.includes("not a database"), error.message);
});

Deno.test("Storage.close() is idempotent and using a closed storage throws", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  storage.close();
  storage.close();
  assert(storage.closed);
  assertThrows(() => storage.chats.list(), Error);
});
