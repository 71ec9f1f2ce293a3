import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { TempDatabase } from "./_testing.ts";
import { DEFAULT_OVERFLOW, DEFAULT_TITLE } from "./chats.ts";
import { NotFoundError } from "./errors.ts";

Deno.test("ChatStore.create() fills defaults and get() reads the chat back", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const chat = storage.chats.create();
  assertEquals(chat, {
    id: chat.id,
    title: DEFAULT_TITLE,
    created_at: temp.clock.time,
    updated_at: temp.clock.time,
    model: null,
    system_prompt: "",
    sampling: {},
    n_ctx: null,
    overflow: "truncate-oldest",
    active_leaf_id: null,
  });
  assert(/^[0-9a-f-]{36}$/.test(chat.id));
  assertEquals(storage.chats.get(chat.id), chat);
  assertEquals(storage.chats.get("nope"), null);
});

Deno.test("ChatStore.create() and the chats table's SQL default both use DEFAULT_OVERFLOW", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  assertEquals(storage.chats.create().overflow, DEFAULT_OVERFLOW);
  // An INSERT that leaves the column out gets the SQL default of migration 1.
  {
    using raw = new DatabaseSync(temp.path);
    raw.prepare("INSERT INTO chats (id, title, created_at, updated_at) VALUES (?, ?, 1, 1)")
      .run("raw", "Raw");
  }
  assertEquals(storage.chats.require("raw").overflow, DEFAULT_OVERFLOW);
});

Deno.test("ChatStore.create() validates fields", () => {
  using temp = new TempDatabase();
  const { chats } = temp.open();
  assertThrows(() => chats.create({ title: 3 as unknown as string }), TypeError, '"title"');
  assertThrows(() => chats.create({ sampling: { top_p: 2 } }), RangeError, '"sampling.top_p"');
  assertThrows(() => chats.create({ n_ctx: 0 }), RangeError, '"n_ctx"');
  assertThrows(() => chats.create({ oops: 1 } as never), TypeError, '"oops": unknown field');
  assertThrows(() => chats.create({ overflow: "drop" as never }), TypeError, '"overflow"');
  assertEquals(chats.list(), []);
});

Deno.test("ChatStore.list() returns newest first, without soft-deleted chats", () => {
  using temp = new TempDatabase();
  const { chats } = temp.open();
  const a = chats.create({ title: "a" });
  temp.clock.advance();
  const b = chats.create({ title: "b" });
  temp.clock.advance();
  const c = chats.create({ title: "c" });
  assertEquals(chats.list().map((chat) => chat.title), ["c", "b", "a"]);
  temp.clock.advance();
  chats.update(a.id, { title: "a2" });
  assertEquals(chats.list().map((chat) => chat.title), ["a2", "c", "b"]);
  assert(chats.softDelete(c.id));
  assertEquals(chats.list().map((chat) => chat.id), [a.id, b.id]);
  assertEquals(chats.list({ limit: 1, offset: 1 }).map((chat) => chat.id), [b.id]);
});

Deno.test("ChatStore.update() changes fields and bumps updated_at", () => {
  using temp = new TempDatabase();
  const { chats } = temp.open();
  const chat = chats.create({ sampling: { temperature: 0.2, seed: 7 } });
  temp.clock.advance(5);
  const updated = chats.update(chat.id, {
    title: "Renamed",
    model: "/m/a.gguf",
    system_prompt: "Be brief.",
    sampling: { top_k: 10 },
    n_ctx: 4096,
    overflow: "truncate-oldest",
  });
  assertEquals(updated, {
    ...chat,
    title: "Renamed",
    model: "/m/a.gguf",
    system_prompt: "Be brief.",
    sampling: { top_k: 10 },
    n_ctx: 4096,
    overflow: "truncate-oldest",
    updated_at: chat.updated_at + 5,
  });
  assertEquals(chats.update(chat.id, { n_ctx: null, model: null }).n_ctx, null);
  assertThrows(() => chats.update("missing", { title: "x" }), NotFoundError, '"missing"');
});

Deno.test("ChatStore.update() of active_leaf_id checks the chat and keeps updated_at", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const chat = storage.chats.create();
  const other = storage.chats.create();
  const first = storage.messages.add(chat.id, { parent_id: null, role: "user", content: "1" });
  const second = storage.messages.add(chat.id, { parent_id: null, role: "user", content: "2" });
  const foreign = storage.messages.add(other.id, { parent_id: null, role: "user", content: "x" });
  const before = storage.chats.require(chat.id);
  temp.clock.advance(10);
  assertEquals(storage.chats.update(chat.id, { active_leaf_id: first.id }), {
    ...before,
    active_leaf_id: first.id,
  });
  assertThrows(
    () => storage.chats.update(chat.id, { active_leaf_id: foreign.id }),
    NotFoundError,
    foreign.id,
  );
  assertEquals(storage.chats.require(chat.id).active_leaf_id, first.id);
  assertEquals(second.parent_id, null);
});

Deno.test("ChatStore.softDelete() hides a chat until restore()", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const chat = storage.chats.create({ title: "Undo me" });
  storage.messages.add(chat.id, { parent_id: null, role: "user", content: "kept text" });
  assert(storage.chats.softDelete(chat.id));
  assert(!storage.chats.softDelete(chat.id));
  assertEquals(storage.chats.get(chat.id), null);
  assertEquals(storage.chats.list(), []);
  assertEquals(storage.search("kept"), []);
  assertThrows(() => storage.chats.update(chat.id, { title: "x" }), NotFoundError);
  assertThrows(
    () => storage.messages.add(chat.id, { parent_id: null, role: "user" }),
    NotFoundError,
  );

  assert(storage.chats.restore(chat.id));
  assert(!storage.chats.restore(chat.id));
  assertEquals(storage.chats.get(chat.id)?.title, "Undo me");
  assertEquals(storage.search("kept").map((c) => c.id), [chat.id]);
  assertEquals(storage.messages.list(chat.id).length, 1);
});

Deno.test("ChatStore.purgeDeleted() removes deleted chats and their messages for good", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const old = storage.chats.create();
  const recent = storage.chats.create();
  const live = storage.chats.create();
  // A chain deeper than SQLite's trigger recursion limit (1000): no cascade on parent_id.
  let parent: string | null = null;
  storage.transaction(() => {
    for (let i = 0; i < 1200; i++) {
      parent = storage.messages.add(old.id, { parent_id: parent, role: "user", content: `m${i}` })
        .id;
    }
  });
  storage.messages.add(recent.id, { parent_id: null, role: "user", content: "r" });
  storage.chats.softDelete(old.id);
  temp.clock.advance(1000);
  storage.chats.softDelete(recent.id);

  assertEquals(storage.chats.purgeDeleted(temp.clock.time - 500), 1);
  assertEquals(storage.messages.list(old.id), []);
  assert(!storage.chats.restore(old.id));
  assertEquals(storage.chats.purgeDeleted(), 1);
  assertEquals(storage.messages.list(recent.id), []);
  assertEquals(storage.chats.list().map((c) => c.id), [live.id]);
  assertEquals(storage.search("m5"), []);
});
