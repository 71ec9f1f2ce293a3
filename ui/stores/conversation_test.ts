import { assert, assertEquals } from "../../tests/assert.ts";
import { createStores } from "./app.ts";
import { fakeApi, fakeChat, fakeMessage } from "./_fake_api.ts";
import type { Chat } from "../../api/types.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("ConversationModel.send() creates the chat on the first message and streams the reply", async () => {
  const { api, calls, streams } = fakeApi();
  const stores = createStores(api);
  const { conversation, generation } = stores;
  await conversation.patch({ system_prompt: "Be brief", overflow: "error" });
  assertEquals(calls, [], "a draft is not saved before its first message");
  await conversation.send("Hello there\nsecond line");
  assertEquals(calls.slice(0, 3), [
    `createChat {"title":"Hello there","system_prompt":"Be brief"}`,
    `patchChat c1 {"overflow":"error"}`,
    "sendMessage c1 null",
  ]);
  assertEquals(stores.chats.chats.value.map((c) => c.id), ["c1"]);
  const reply = conversation.path.value.at(-1)!;
  assert(conversation.busy.value);
  const stream = streams.get(reply.id)!;
  stream.snapshot("", false, 0);
  stream.delta("Hi", 1);
  stream.delta("!", 1);
  assertEquals(generation.streams.value.get(reply.id)?.value, "Hi!");
  stream.done({ ...reply, content: "Hi!", state: "complete" });
  assertEquals(generation.streams.value.size, 0);
  assertEquals(conversation.path.value.at(-1)?.content, "Hi!");
  assert(!conversation.busy.value);
  stores.toasts.clear();
});

Deno.test("ConversationModel.editAndResend() sends a sibling and switchBranch() moves between them", async () => {
  const messages = [
    fakeMessage("u1", null),
    fakeMessage("a2", "u1", { role: "assistant" }),
  ];
  const { api, calls } = fakeApi([fakeChat("c1", { active_leaf_id: "a2" })], messages);
  const { conversation, generation } = createStores(api);
  await conversation.open("c1");
  await conversation.editAndResend(messages[0], "Edited");
  assert(calls.includes("sendMessage c1 null"), "the edit has the original's parent");
  const [first, second] = conversation.children.value.get(null)!;
  assertEquals(conversation.path.value[0].id, second.id);
  conversation.switchBranch(second, -1);
  assertEquals(conversation.path.value.map((m) => m.id), ["u1", "a2"]);
  assertEquals(conversation.path.value[0], first);
  assert(calls.includes(`patchChat c1 {"active_leaf_id":"a2"}`), "the branch shown is saved");
  generation.detachAll();
});

Deno.test("ConversationModel.open() follows a reply still streaming; stop() stops it", async () => {
  const messages = [
    fakeMessage("u1", null),
    fakeMessage("a2", "u1", { role: "assistant", state: "streaming" }),
  ];
  const { api, calls, streams } = fakeApi([fakeChat("c1")], messages);
  const { conversation, generation } = createStores(api);
  await conversation.open("c1");
  assert(streams.has("a2"));
  await conversation.stop();
  assert(calls.includes("stop a2"));
  generation.detachAll();
  assertEquals(streams.size, 0);
});

Deno.test("ChatListModel.remove() deletes, closes the open chat and offers Undo", async () => {
  const { api, calls } = fakeApi([fakeChat("c1", { title: "Plans" })], []);
  const { chats, conversation, toasts } = createStores(api);
  await chats.refresh();
  await conversation.open("c1");
  await chats.remove("c1");
  assertEquals(chats.chats.value, []);
  assertEquals(conversation.chat.value, null);
  const [toast] = toasts.toasts.value;
  assertEquals(toast.text, "Deleted “Plans”");
  toast.action?.run();
  await tick();
  assert(calls.includes("restoreChat c1"));
  toasts.clear();
});

Deno.test("ConversationModel.patch(): an older save answering last does not undo a newer change", async () => {
  const { api } = fakeApi([fakeChat("c1")]);
  const answers: Array<() => void> = [];
  api.patchChat = (id: string, patch: Partial<Chat>) =>
    new Promise((resolve) => answers.push(() => resolve(fakeChat(id, patch))));
  const { conversation } = createStores(api);
  await conversation.open("c1");
  const first = conversation.patch({ n_ctx: 2048 });
  const second = conversation.patch({ system_prompt: "Be brief" });
  answers[1]();
  await second;
  answers[0]();
  await first;
  assertEquals(conversation.chat.value?.system_prompt, "Be brief");
});
