import { assertEquals } from "../../tests/assert.ts";
import { createStores } from "./app.ts";
import { fakeApi, fakeChat, fakeMessage } from "./_fake_api.ts";

Deno.test("ConversationModel.reveal() shows the branch holding a search hit and marks it", async () => {
  const messages = [
    fakeMessage("u1", null),
    fakeMessage("a2", "u1", { role: "assistant" }),
    fakeMessage("u3", "a2"),
    fakeMessage("a4", "u1", { role: "assistant" }), // the version shown
  ];
  const { api, calls } = fakeApi([fakeChat("c1", { active_leaf_id: "a4" })], messages);
  const { conversation } = createStores(api);
  await conversation.open("c1");
  assertEquals(conversation.path.value.map((m) => m.id), ["u1", "a4"]);
  conversation.reveal("a2");
  // The hit's branch down to its newest message, saved as the chat's shown branch.
  assertEquals(conversation.path.value.map((m) => m.id), ["u1", "a2", "u3"]);
  assertEquals(conversation.highlighted.value, "a2");
  assertEquals(calls.at(-1), `patchChat c1 {"active_leaf_id":"u3"}`);
  conversation.reveal("gone");
  assertEquals(conversation.highlighted.value, "a2", "an unknown message changes nothing");
});
