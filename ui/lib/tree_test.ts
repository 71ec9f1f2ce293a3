import { assertEquals } from "../../tests/assert.ts";
import type { Message } from "../../api/types.ts";
import { activePath, deepestLeaf, indexChildren, siblingPosition } from "./tree.ts";

function node(id: string, parent: string | null, at: number): Message {
  return {
    id,
    chat_id: "c",
    parent_id: parent,
    role: parent === null || id.startsWith("u") ? "user" : "assistant",
    content: id,
    model: null,
    sampling: null,
    metrics: null,
    created_at: at,
    state: "complete",
    finish_reason: null,
  };
}

// u1 → a1, a1b (regenerated) ; a1 → u2 → a2 ; u1b (edited sibling of u1)
const messages = [
  node("u1", null, 1),
  node("a1", "u1", 2),
  node("u2", "a1", 3),
  node("a2", "u2", 4),
  node("a1b", "u1", 5),
  node("u1b", null, 6),
];
const byId = new Map(messages.map((m) => [m.id, m]));
const children = indexChildren(messages);
const ids = (list: Message[]) => list.map((m) => m.id);

Deno.test("activePath() walks from the root to the active leaf", () => {
  assertEquals(ids(activePath(byId, children, "a2")), ["u1", "a1", "u2", "a2"]);
  assertEquals(ids(activePath(byId, children, "a1b")), ["u1", "a1b"]);
});

Deno.test("activePath() without a known leaf follows the newest branch", () => {
  assertEquals(ids(activePath(byId, children, null)), ["u1b"]);
  assertEquals(ids(activePath(byId, children, "gone")), ["u1b"]);
  assertEquals(activePath(new Map(), indexChildren([]), null), []);
});

Deno.test("deepestLeaf() takes the newest child at each level", () => {
  assertEquals(deepestLeaf(children, "u1"), "a1b");
  assertEquals(deepestLeaf(children, "a1"), "a2");
  assertEquals(deepestLeaf(children, "a2"), "a2");
});

Deno.test("siblingPosition() counts siblings oldest first", () => {
  const { index, count } = siblingPosition(children, byId.get("a1b")!);
  assertEquals([index, count], [1, 2]);
  assertEquals(siblingPosition(children, byId.get("u2")!).count, 1);
  assertEquals(siblingPosition(children, byId.get("u1b")!).index, 1);
});
