import { assert, assertEquals } from "../../tests/assert.ts";
import { createStores } from "./app.ts";
import { fakeApi, fakeChat, fakeMessage } from "./_fake_api.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** user u1 -> assistant a2 -> user u3 -> assistant a4, shown to a4. */
function conversationOf() {
  const messages = [
    fakeMessage("u1", null),
    fakeMessage("a2", "u1", { role: "assistant", finish_reason: "length" }),
    fakeMessage("u3", "a2"),
    fakeMessage("a4", "u3", { role: "assistant" }),
  ];
  const chat = fakeChat("c1", { title: "Plans", active_leaf_id: "a4" });
  return { messages, chat, ...fakeApi([chat], messages) };
}

Deno.test("editInPlace() replaces the text of a message without sending anything", async () => {
  const { api, calls, messages } = conversationOf();
  const { conversation } = createStores(api);
  await conversation.open("c1");
  assert(await conversation.editInPlace(messages[1], "A better reply"));
  assert(calls.includes("editMessage a2 A better reply"));
  assert(!calls.some((c) => c.startsWith("sendMessage") || c.startsWith("regenerate")));
  assertEquals(conversation.path.value.map((m) => m.content), ["u1", "A better reply", "u3", "a4"]);
  assert(!await conversation.editInPlace(messages[0], "  "), "blank text is not saved");
});

Deno.test("editInPlace() puts the old text back when the save fails", async () => {
  const { api, messages } = conversationOf();
  api.editMessage = () => Promise.reject(new Error("disk full"));
  const { conversation, toasts } = createStores(api);
  await conversation.open("c1");
  assert(!await conversation.editInPlace(messages[0], "Changed"));
  assertEquals(conversation.path.value[0].content, "u1");
  assertEquals(toasts.toasts.value.at(-1)?.text, "disk full");
  toasts.clear();
});

Deno.test("remove() drops the message and its replies, shows the parent's branch and offers Undo", async () => {
  const { api, calls } = conversationOf();
  const { conversation, toasts } = createStores(api);
  await conversation.open("c1");
  await conversation.remove(conversation.path.value[2]);
  assert(calls.includes("deleteMessage u3"));
  assertEquals(conversation.path.value.map((m) => m.id), ["u1", "a2"]);
  assertEquals([...conversation.messages.value.keys()], ["u1", "a2"]);
  const [toast] = toasts.toasts.value;
  assertEquals([toast.text, toast.action?.label], ["Deleted 2 messages", "Undo"]);
  toast.action!.run();
  await tick();
  await tick();
  assert(calls.includes("restoreMessages undo-u3"));
  assertEquals(calls.filter((c) => c === "getChat c1").length, 2, "the chat is read again");
  assertEquals(conversation.path.value.map((m) => m.id), ["u1", "a2", "u3", "a4"]);
  toasts.clear();
});

Deno.test("continueReply() follows the reply as it streams on from its text", async () => {
  const { api, calls, streams, messages } = conversationOf();
  const { conversation, generation } = createStores(api);
  await conversation.open("c1");
  await conversation.continueReply(messages[1]);
  assert(calls.includes("continueReply a2"));
  assert(conversation.busy.value);
  const stream = streams.get("a2")!;
  stream.snapshot("a2", false, 1);
  stream.delta(" and more", 2);
  assertEquals(generation.streams.value.get("a2")?.value, "a2 and more");
  stream.done({ ...messages[1], content: "a2 and more", finish_reason: "stop" });
  assertEquals(conversation.messages.value.get("a2")?.content, "a2 and more");
  assert(!conversation.busy.value);
});

Deno.test("fork() opens the new chat and lists it", async () => {
  const { api, calls, messages } = conversationOf();
  const { conversation, chats, toasts } = createStores(api);
  await conversation.open("c1");
  await conversation.fork(messages[1]);
  assert(calls.includes("forkChat a2"));
  assertEquals(conversation.chat.value?.id, "f1");
  assertEquals(chats.chats.value[0].title, "Plans (fork)");
  assertEquals(toasts.toasts.value[0].text, "Forked into “Plans (fork)”");
  toasts.clear();
});

Deno.test("a rename in the sidebar updates the open chat's header; a header rename the list", async () => {
  const { api } = conversationOf();
  const { conversation, chats } = createStores(api);
  await chats.refresh();
  await conversation.open("c1");
  await chats.rename("c1", "Holiday plans");
  assertEquals(conversation.chat.value?.title, "Holiday plans");
  await conversation.patch({ title: "Trip" });
  assertEquals(chats.chats.value[0].title, "Trip");
});
