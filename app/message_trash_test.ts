import { assertEquals } from "../tests/assert.ts";
import { MAX_UNDO, MessageTrash, UNDO_MS } from "./message_trash.ts";
import type { RemovedSubtree } from "../storage/mod.ts";

const removed = (chat: string): RemovedSubtree => ({
  chat_id: chat,
  messages: [],
  active_leaf_id: null,
  images: {},
});

Deno.test("MessageTrash gives a deletion back once, until it expires", () => {
  let now = 0;
  const trash = new MessageTrash(() => now);
  const a = trash.put(removed("a"));
  const b = trash.put(removed("b"));
  assertEquals(trash.take(a)?.chat_id, "a");
  assertEquals(trash.take(a), undefined, "taken already");
  now += UNDO_MS + 1;
  assertEquals(trash.take(b), undefined, "expired");
  assertEquals(trash.take("unknown"), undefined);
});

Deno.test("MessageTrash keeps the newest MAX_UNDO deletions", () => {
  const trash = new MessageTrash();
  const ids = Array.from({ length: MAX_UNDO + 1 }, (_, i) => trash.put(removed(`${i}`)));
  assertEquals(trash.take(ids[0]), undefined, "the oldest went");
  assertEquals(trash.take(ids[MAX_UNDO])?.chat_id, `${MAX_UNDO}`);
});
