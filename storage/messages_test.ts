import { assertEquals, assertThrows } from "../tests/assert.ts";
import { TempDatabase } from "./_testing.ts";
import { MessageStateError, NotFoundError } from "./errors.ts";
import type { Storage } from "./db.ts";
import type { Metrics } from "./types.ts";

const METRICS: Metrics = {
  prompt_tokens: 12,
  cached_tokens: 3,
  completion_tokens: 34,
  ttft_ms: 120.5,
  prompt_tok_per_sec: 100,
  gen_tok_per_sec: 35.25,
};

/** A chat: user "q" -> assistant "a1"; then an edited user "q2" sibling of "q", and a
 * regenerated "a2" sibling of "a1". The clock moves 1 ms between messages. */
function tree(temp: TempDatabase, storage: Storage) {
  const chat = storage.chats.create();
  const add = (parent_id: string | null, role: "user" | "assistant", content: string) => {
    temp.clock.advance();
    return storage.messages.add(chat.id, { parent_id, role, content });
  };
  const q = add(null, "user", "q");
  const a1 = add(q.id, "assistant", "a1");
  const a2 = add(q.id, "assistant", "a2");
  const q2 = add(null, "user", "q2");
  const a3 = add(q2.id, "assistant", "a3");
  return { chat, q, a1, a2, q2, a3 };
}

Deno.test("MessageStore.add() stores a message and makes it the active leaf", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const chat = storage.chats.create();
  temp.clock.advance(7);
  const message = storage.messages.add(chat.id, {
    parent_id: null,
    role: "assistant",
    content: "Hi",
    model: "/m/a.gguf",
    sampling: { temperature: 0 },
    metrics: METRICS,
    finish_reason: "stop",
    dropped_messages: 2,
  });
  assertEquals(message, {
    id: message.id,
    chat_id: chat.id,
    parent_id: null,
    role: "assistant",
    content: "Hi",
    model: "/m/a.gguf",
    sampling: { temperature: 0 },
    metrics: METRICS,
    created_at: temp.clock.time,
    state: "complete",
    finish_reason: "stop",
    dropped_messages: 2,
  });
  const after = storage.chats.require(chat.id);
  assertEquals(after.active_leaf_id, message.id);
  assertEquals(after.updated_at, temp.clock.time);
  const quiet = storage.messages.add(chat.id, { parent_id: message.id, role: "user" }, {
    activate: false,
  });
  assertEquals(quiet.content, "");
  assertEquals("dropped_messages" in quiet, false);
  assertEquals(storage.chats.require(chat.id).active_leaf_id, message.id);
});

Deno.test("MessageStore.add() checks the chat, the parent and the fields", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const chat = storage.chats.create();
  const other = storage.chats.create();
  const foreign = storage.messages.add(other.id, { parent_id: null, role: "user" });
  const add = (message: unknown) => () => storage.messages.add(chat.id, message as never);
  assertThrows(
    () => storage.messages.add("nochat", { parent_id: null, role: "user" }),
    NotFoundError,
    'chat "nochat"',
  );
  assertThrows(add({ parent_id: foreign.id, role: "user" }), NotFoundError, foreign.id);
  assertThrows(add({ parent_id: "gone", role: "user" }), NotFoundError, '"gone"');
  assertThrows(add({ parent_id: null, role: "tool" }), TypeError, '"role"');
  assertThrows(add({ role: "user" }), TypeError, '"parent_id"');
  assertThrows(add({ parent_id: null, role: "user", content: 5 }), TypeError, '"content"');
  assertThrows(add({ parent_id: null, role: "user", metrics: { ttft_ms: 1 } }), TypeError);
  assertThrows(add({ parent_id: null, role: "user", state: "done" }), TypeError, '"state"');
  assertEquals(storage.messages.list(chat.id), []);
});

Deno.test("MessageStore.path() walks from a leaf to the root, root first", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const { chat, q, a1, a2, q2, a3 } = tree(temp, storage);
  assertEquals(storage.messages.path(a1.id).map((m) => m.content), ["q", "a1"]);
  assertEquals(storage.messages.path(a2.id).map((m) => m.content), ["q", "a2"]);
  assertEquals(storage.messages.path(a3.id).map((m) => m.id), [q2.id, a3.id]);
  assertEquals(storage.messages.path(q.id).map((m) => m.id), [q.id]);
  assertEquals(storage.messages.path("nope"), []);
  assertEquals(storage.messages.activeBranch(chat.id).map((m) => m.content), ["q2", "a3"]);
  storage.chats.update(chat.id, { active_leaf_id: a1.id });
  assertEquals(storage.messages.activeBranch(chat.id).map((m) => m.content), ["q", "a1"]);
  storage.chats.update(chat.id, { active_leaf_id: null });
  assertEquals(storage.messages.activeBranch(chat.id), []);
  assertEquals(storage.messages.list(chat.id).length, 5);
});

Deno.test("MessageStore.siblings() lists the versions of a message by created_at", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const { chat, q, a1, a2, q2, a3 } = tree(temp, storage);
  const ids = (id: string) => storage.messages.siblings(id).map((m) => m.id);
  assertEquals(ids(a2.id), [a1.id, a2.id]);
  assertEquals(ids(a1.id), [a1.id, a2.id]);
  assertEquals(ids(q.id), [q.id, q2.id], "roots are siblings within their chat only");
  assertEquals(ids(a3.id), [a3.id]);
  assertEquals(ids("nope"), []);
  // Equal timestamps fall back to insertion order.
  const b = storage.messages.add(chat.id, { parent_id: q2.id, role: "assistant" });
  const c = storage.messages.add(chat.id, { parent_id: q2.id, role: "assistant" });
  assertEquals(ids(a3.id), [a3.id, b.id, c.id]);
  // Another chat's roots are not siblings.
  const other = storage.chats.create();
  storage.messages.add(other.id, { parent_id: null, role: "user" });
  assertEquals(ids(q.id), [q.id, q2.id]);
});

Deno.test("MessageStore.newestLeaf() follows the newest child down", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const { q, a2, q2, a3 } = tree(temp, storage);
  assertEquals(storage.messages.newestLeaf(q.id), a2.id);
  assertEquals(storage.messages.newestLeaf(q2.id), a3.id);
  assertEquals(storage.messages.newestLeaf(a3.id), a3.id);
  assertThrows(() => storage.messages.newestLeaf("nope"), NotFoundError);
});

Deno.test("MessageStore.delete() removes a subtree and moves the active leaf to its parent", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const { chat, q, a1, q2, a3 } = tree(temp, storage);
  storage.messages.add(chat.id, { parent_id: a3.id, role: "user", content: "deep" });
  assertEquals(storage.messages.delete(a1.id), 1);
  assertEquals(storage.messages.siblings(q.id).length, 2);
  assertEquals(storage.messages.delete(q2.id), 3);
  assertEquals(storage.chats.require(chat.id).active_leaf_id, null);
  assertEquals(storage.messages.list(chat.id).map((m) => m.content), ["q", "a2"]);
  assertThrows(() => storage.messages.delete(q2.id), NotFoundError);
});

Deno.test("MessageStore.append() grows a streaming reply and finish() ends it", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const chat = storage.chats.create();
  const reply = storage.messages.add(chat.id, {
    parent_id: null,
    role: "assistant",
    state: "streaming",
  });
  assertEquals(reply.finish_reason, null);
  storage.messages.append(reply.id, "Once");
  storage.messages.append(reply.id, " upon 🦀");
  assertEquals(storage.messages.get(reply.id)?.content, "Once upon 🦀");
  storage.messages.updateContent(reply.id, "Once upon a time");
  assertEquals(storage.messages.get(reply.id)?.state, "streaming");
  temp.clock.advance(50);
  const done = storage.messages.finish(reply.id, {
    state: "complete",
    finish_reason: "length",
    metrics: METRICS,
  });
  assertEquals(done.content, "Once upon a time");
  assertEquals(done.state, "complete");
  assertEquals(done.finish_reason, "length");
  assertEquals(done.metrics, METRICS);
  assertEquals(storage.chats.require(chat.id).updated_at, temp.clock.time);

  // Speculative decoding's counts are kept in the metrics JSON when a draft ran.
  const drafted = { ...METRICS, draft_n: 12, draft_n_accepted: 9 };
  const second = storage.messages.add(chat.id, {
    parent_id: done.id,
    role: "assistant",
    state: "streaming",
  });
  assertEquals(
    storage.messages.finish(second.id, { state: "complete", metrics: drafted }).metrics,
    drafted,
  );
  assertEquals(storage.messages.get(second.id)?.metrics, drafted);
  const third = storage.messages.add(chat.id, {
    parent_id: done.id,
    role: "assistant",
    state: "streaming",
  });
  assertThrows(
    () =>
      storage.messages.finish(third.id, {
        state: "complete",
        metrics: { ...METRICS, draft_n: -1 },
      }),
    RangeError,
  );
  assertThrows(() => storage.messages.append(reply.id, "more"), MessageStateError, '"complete"');
  assertThrows(() => storage.messages.updateContent(reply.id, "x"), MessageStateError);
  assertThrows(
    () => storage.messages.finish(reply.id, { state: "incomplete" }),
    MessageStateError,
  );
  assertThrows(() => storage.messages.append("nope", "x"), NotFoundError);
  assertEquals(storage.messages.get(reply.id)?.content, "Once upon a time");
});

Deno.test("MessageStore.finish() can set the final text, and refuses state streaming", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const chat = storage.chats.create();
  const reply = storage.messages.add(chat.id, {
    parent_id: null,
    role: "assistant",
    state: "streaming",
  });
  assertThrows(
    () => storage.messages.finish(reply.id, { state: "streaming" as never }),
    TypeError,
    '"state"',
  );
  const stopped = storage.messages.finish(reply.id, {
    state: "incomplete",
    finish_reason: "abort",
    content: "partial",
    dropped_messages: 4,
  });
  assertEquals([stopped.state, stopped.finish_reason, stopped.content], [
    "incomplete",
    "abort",
    "partial",
  ]);
  assertEquals(stopped.dropped_messages, 4);
  assertEquals(stopped.metrics, null);
});

Deno.test("Storage.recoverInterrupted() marks streaming messages incomplete", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const chat = storage.chats.create();
  const add = () =>
    storage.messages.add(chat.id, { parent_id: null, role: "assistant", state: "streaming" });
  const [a, b] = [add(), add()];
  storage.messages.finish(b.id, { state: "complete", finish_reason: "stop" });
  add();
  assertEquals(storage.recoverInterrupted(), 2);
  assertEquals(storage.recoverInterrupted(), 0);
  assertEquals(storage.messages.get(a.id)?.state, "incomplete");
  assertEquals(storage.messages.get(b.id)?.state, "complete");
  storage.close();

  const streaming = temp.open().messages.add(chat.id, {
    parent_id: null,
    role: "assistant",
    state: "streaming",
  });
  const kept = temp.open({ recoverInterrupted: false });
  assertEquals(kept.recoveredOnOpen, 0);
  assertEquals(kept.messages.get(streaming.id)?.state, "streaming");
  const reopened = temp.open();
  assertEquals(reopened.recoveredOnOpen, 1);
  assertEquals(reopened.messages.get(streaming.id)?.state, "incomplete");
});

Deno.test("MessageStore.finish() keeps why a reply failed", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const chat = storage.chats.create();
  const reply = storage.messages.add(chat.id, {
    parent_id: null,
    role: "assistant",
    state: "streaming",
  });
  const failed = storage.messages.finish(reply.id, { state: "error", error: "It did not fit" });
  assertEquals([failed.state, failed.error], ["error", "It did not fit"]);
  assertEquals(storage.messages.get(reply.id)?.error, "It did not fit");
  assertThrows(
    () => storage.messages.finish(reply.id, { state: "error", error: 3 as never }),
    TypeError,
  );
  const ok = storage.messages.add(chat.id, { parent_id: null, role: "user", content: "hi" });
  assertEquals("error" in storage.messages.get(ok.id)!, false);
});
