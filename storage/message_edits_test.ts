import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { TempDatabase } from "./_testing.ts";
import { MessageStateError, NotFoundError } from "./errors.ts";
import type { Storage } from "./db.ts";

/** user q -> assistant a -> user q2 -> assistant a2, plus a regenerated sibling b of a. */
function chatWithTree(temp: TempDatabase, storage: Storage) {
  const chat = storage.chats.create({ title: "Dragons", system_prompt: "Be kind", n_ctx: 512 });
  const add = (parent_id: string | null, role: "user" | "assistant", content: string) => {
    temp.clock.advance();
    return storage.messages.add(chat.id, { parent_id, role, content, finish_reason: null });
  };
  const q = add(null, "user", "q");
  const b = add(q.id, "assistant", "b");
  const a = add(q.id, "assistant", "a");
  const q2 = add(a.id, "user", "q2");
  const a2 = add(q2.id, "assistant", "a2");
  return { chat: storage.chats.require(chat.id), q, a, b, q2, a2 };
}

Deno.test("MessageEdits.setContent() edits a finished message in place, not a streaming one", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const { chat, a, a2 } = chatWithTree(temp, storage);
  temp.clock.advance(5);
  const edited = storage.edits.setContent(a.id, "a, edited");
  assertEquals(edited, { ...a, content: "a, edited" }, "same id, parent and fields");
  assertEquals(storage.chats.require(chat.id).active_leaf_id, a2.id, "no new branch");
  assertEquals(storage.chats.require(chat.id).updated_at, temp.clock.time);
  assertEquals(storage.search("edited").length, 1, "the search index follows");
  const streaming = storage.messages.add(chat.id, {
    parent_id: a2.id,
    role: "assistant",
    state: "streaming",
  });
  assertThrows(() => storage.edits.setContent(streaming.id, "x"), MessageStateError, "finished");
  assertThrows(() => storage.edits.setContent("nope", "x"), NotFoundError);
  assertThrows(() => storage.edits.setContent(a.id, 1 as never), TypeError);
});

Deno.test("MessageEdits.reopen() makes a reply streaming again with its text, for assistant replies only", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const { q, a2 } = chatWithTree(temp, storage);
  storage.messages.add(a2.chat_id, { parent_id: q.id, role: "assistant", content: "x" });
  const reopened = storage.edits.reopen(a2.id);
  assertEquals([reopened.state, reopened.finish_reason, reopened.content], [
    "streaming",
    null,
    "a2",
  ]);
  storage.messages.append(a2.id, " more");
  assertEquals(storage.messages.finish(a2.id, { state: "complete" }).content, "a2 more");
  assertThrows(() => storage.edits.reopen(q.id), TypeError, "assistant");
  storage.edits.reopen(a2.id);
  assertThrows(() => storage.edits.reopen(a2.id), MessageStateError, "streaming");
});

Deno.test("MessageEdits.remove() and restore() take a subtree out and put it back as it was", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const { chat, a, q, a2 } = chatWithTree(temp, storage);
  const png = { mime_type: "image/png", data: new Uint8Array([137, 80, 78, 71]) };
  storage.images.set(a2.id, [png]);
  const before = storage.messages.list(chat.id);
  const removed = storage.edits.remove(a.id);
  assertEquals(storage.images.list(a2.id), [], "the images went with the message");
  assertEquals(removed.messages.map((m) => m.content), ["a", "q2", "a2"], "parents first");
  assertEquals(removed.active_leaf_id, a2.id);
  assertEquals(storage.messages.list(chat.id).map((m) => m.content), ["q", "b"]);
  assertEquals(storage.chats.require(chat.id).active_leaf_id, q.id, "the parent is shown");
  assertEquals(storage.search("q2").length, 0);

  storage.edits.restore(removed);
  assertEquals(storage.messages.list(chat.id), before, "same ids, times and fields");
  assertEquals(storage.chats.require(chat.id).active_leaf_id, a2.id);
  assertEquals(storage.images.list(a2.id), [png], "and came back with it");
  assertEquals(storage.search("q2").length, 1, "searchable again");
  assertThrows(() => storage.edits.restore(removed), TypeError, "exists already");
  assertEquals(storage.messages.list(chat.id).length, before.length, "nothing half-restored");

  // The parent went meanwhile: nothing comes back.
  const again = storage.edits.remove(q2Of(storage, chat.id));
  storage.messages.delete(a.id);
  assertThrows(() => storage.edits.restore(again), NotFoundError);
  assertThrows(() => storage.edits.remove("nope"), NotFoundError);
});

function q2Of(storage: Storage, chatId: string): string {
  return storage.messages.list(chatId).find((m) => m.content === "q2")!.id;
}

Deno.test("MessageEdits.fork() copies the branch up to a message into a new chat", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const { chat, a, q } = chatWithTree(temp, storage);
  temp.clock.advance(10);
  const fork = storage.edits.fork(a.id, "Dragons (fork)");
  assert(fork.id !== chat.id);
  assertEquals(fork.title, "Dragons (fork)");
  assertEquals(
    [fork.system_prompt, fork.n_ctx, fork.overflow],
    [chat.system_prompt, chat.n_ctx, chat.overflow],
  );
  const copied = storage.messages.activeBranch(fork.id);
  assertEquals(copied.map((m) => m.content), ["q", "a"]);
  assertEquals(copied.map((m) => m.created_at), [q.created_at, a.created_at]);
  assertEquals(storage.messages.list(fork.id).length, 2, "only the path, not the siblings");
  assert(copied.every((m) => m.id !== q.id && m.id !== a.id), "new ids");
  assertEquals(storage.chats.list()[0].id, fork.id, "the newest chat");
  assertEquals(storage.messages.list(chat.id).length, 5, "the source is unchanged");
  assertThrows(() => storage.edits.fork("nope", "x"), NotFoundError);
});
