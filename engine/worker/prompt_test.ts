import { assertEquals } from "../../tests/assert.ts";
import type { ChatMessage } from "../chat_template.ts";
import { chatTurns } from "./prompt.ts";

const m = (role: ChatMessage["role"]): ChatMessage => ({ role, content: role });

Deno.test("chatTurns() groups each user message with the replies up to the next one", () => {
  const messages = [
    m("system"),
    m("user"),
    m("assistant"),
    m("tool"),
    m("assistant"),
    m("user"),
    m("assistant"),
    m("user"),
  ];
  assertEquals(chatTurns(messages), [[1, 2, 3, 4], [5, 6], [7]]);
});

Deno.test("chatTurns() leaves system messages out, wherever they are", () => {
  const messages = [m("system"), m("user"), m("system"), m("assistant"), m("user")];
  assertEquals(chatTurns(messages), [[1, 3], [4]]);
});

Deno.test("chatTurns() makes one turn of the messages before the first user message", () => {
  assertEquals(chatTurns([m("system"), m("assistant"), m("user"), m("assistant")]), [[1], [2, 3]]);
  assertEquals(chatTurns([m("assistant"), m("assistant")]), [[0, 1]]);
  assertEquals(chatTurns([m("system")]), []);
});
