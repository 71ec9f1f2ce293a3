/**
 * The message operations over the app's HTTP API, on the real app, engine and model:
 * edit in place, delete with Undo, continue a reply, fork a branch, and the JSONL export
 * of the whole tree imported back.
 */
import { assert, assertEquals } from "../assert.ts";
import { type Json, withApp } from "./_app_api.ts";
import type { AppApi } from "./_app_api.ts";

/** A chat with a finished 8-token greedy reply to "Once upon a time". */
async function chatWithReply(api: AppApi) {
  const chat = await api.json("POST", "/api/chats", {
    sampling: { temperature: 0, max_tokens: 8 },
  });
  const sent = await api.json("POST", `/api/chats/${chat.id}/messages`, {
    content: "Once upon a time",
    parent_id: null,
  });
  const events = await api.events(`/api/messages/${sent.assistant.id}/stream`);
  const reply = (events.at(-1)!.data as Json).message;
  assertEquals(reply.state, "complete");
  return { chat, user: sent.user, reply };
}

Deno.test("app server: edit a reply and a user message in place, without a new branch", async () => {
  await withApp(async (_app, api) => {
    const { chat, user, reply } = await chatWithReply(api);
    const edited = await api.json("PATCH", `/api/messages/${reply.id}`, { content: "Fixed." });
    assertEquals({ ...edited, content: reply.content }, reply, "only the text changed");
    assertEquals(edited.content, "Fixed.");
    await api.json("PATCH", `/api/messages/${user.id}`, { content: "Once, long ago" });
    const stored = await api.json("GET", `/api/chats/${chat.id}`);
    assertEquals(stored.messages.map((m: Json) => m.content), ["Once, long ago", "Fixed."]);
    assertEquals(stored.chat.active_leaf_id, reply.id);
    const bad = await api.request("PATCH", `/api/messages/${reply.id}`, { content: " " });
    assertEquals(bad.status, 400);
    await bad.body?.cancel();
    const unknown = await api.request("PATCH", "/api/messages/nope", { content: "x" });
    assertEquals(unknown.status, 404);
    await unknown.body?.cancel();
  });
});

Deno.test("app server: delete a message and its replies, then Undo puts them back once", async () => {
  await withApp(async (_app, api) => {
    const { chat, user, reply } = await chatWithReply(api);
    const before = await api.json("GET", `/api/chats/${chat.id}`);
    const deleted = await api.json("DELETE", `/api/messages/${user.id}`);
    assertEquals(deleted.deleted, 2);
    assertEquals(deleted.chat.active_leaf_id, null);
    assertEquals((await api.json("GET", `/api/chats/${chat.id}`)).messages, []);
    const restored = await api.json("POST", "/api/messages/restore", {
      undo_id: deleted.undo_id,
    });
    assertEquals(restored.active_leaf_id, reply.id);
    assertEquals((await api.json("GET", `/api/chats/${chat.id}`)).messages, before.messages);
    const twice = await api.request("POST", "/api/messages/restore", {
      undo_id: deleted.undo_id,
    });
    assertEquals(twice.status, 410);
    assertEquals((await twice.json()).error.type, "gone");
  });
});

Deno.test("app server: continue appends to a reply with the model it was made with", async () => {
  await withApp(async (_app, api) => {
    const { chat, reply } = await chatWithReply(api);
    const started = await api.json("POST", `/api/messages/${reply.id}/continue`);
    assertEquals([started.assistant.id, started.assistant.state], [reply.id, "streaming"]);
    const events = await api.events(`/api/messages/${reply.id}/stream`);
    const done = (events.at(-1)!.data as Json).message;
    assertEquals(done.state, "complete");
    assert(done.content.startsWith(reply.content), JSON.stringify([reply.content, done.content]));
    assert(done.content.length > reply.content.length, "more text");
    assertEquals(done.metrics.completion_tokens, 8, "8 more tokens (max_tokens)");
    assertEquals(done.sampling, reply.sampling);
    const stored = await api.json("GET", `/api/chats/${chat.id}`);
    assertEquals(stored.messages.length, 2, "no new message");
    const user = await api.request("POST", `/api/messages/${stored.messages[0].id}/continue`);
    assertEquals(user.status, 400);
    await user.body?.cancel();
  });
});

Deno.test("app server: fork copies the branch into a new chat; JSONL carries every branch back", async () => {
  await withApp(async (_app, api) => {
    const { chat, user, reply } = await chatWithReply(api);
    const regenerated = await api.json("POST", `/api/messages/${reply.id}/regenerate`);
    const again = await api.events(`/api/messages/${regenerated.assistant.id}/stream`);
    const second = (again.at(-1)!.data as Json).message;

    const fork = await api.json("POST", `/api/messages/${reply.id}/fork`);
    assertEquals(fork.title, "Once upon a time (fork)");
    assertEquals(fork.sampling, chat.sampling);
    const forked = await api.json("GET", `/api/chats/${fork.id}`);
    assertEquals(forked.messages.map((m: Json) => m.content), [user.content, reply.content]);
    assertEquals(forked.chat.active_leaf_id, forked.messages[1].id);

    const response = await api.request("GET", `/api/chats/${chat.id}/export?format=jsonl`);
    const jsonl = await response.text();
    const lines = jsonl.trim().split("\n").map((line) => JSON.parse(line));
    assertEquals(lines.length, 4, "the chat, the question and both replies");
    assertEquals(lines[0].active_leaf_id, regenerated.assistant.id);
    assertEquals(lines.slice(2).map((l) => l.parent_id), [user.id, user.id]);
    const imported = await api.json("POST", "/api/import", jsonl);
    const copy = await api.json("GET", `/api/chats/${imported.id}`);
    assertEquals(copy.messages.length, 3);
    const roots = copy.messages.filter((m: Json) => m.parent_id === null);
    assertEquals(roots.length, 1);
    assertEquals(
      copy.messages.filter((m: Json) => m.parent_id === roots[0].id).length,
      2,
      "both versions of the reply",
    );
    const leaf = copy.messages.find((m: Json) => m.id === copy.chat.active_leaf_id);
    assertEquals([leaf.content, leaf.parent_id], [second.content, roots[0].id], "the branch shown");
  });
});

Deno.test("app server: a streaming reply cannot be edited, deleted or continued (409) until it stops", async () => {
  await withApp(async (_app, api) => {
    // Unbounded: it streams until stopped.
    const chat = await api.json("POST", "/api/chats", { sampling: { max_tokens: -1 } });
    const sent = await api.json("POST", `/api/chats/${chat.id}/messages`, {
      content: "Once upon a time",
      parent_id: null,
    });
    const id = sent.assistant.id;
    const refused = [
      await api.request("PATCH", `/api/messages/${id}`, { content: "x" }),
      await api.request("DELETE", `/api/messages/${sent.user.id}`),
      await api.request("POST", `/api/messages/${id}/continue`),
    ];
    for (const response of refused) {
      assertEquals(response.status, 409);
      assertEquals((await response.json()).error.type, "conflict");
    }
    const stream = api.events(`/api/messages/${id}/stream`);
    await api.json("POST", `/api/messages/${id}/stop`);
    await stream;
    const deleted = await api.json("DELETE", `/api/messages/${sent.user.id}`);
    assertEquals(deleted.deleted, 2);
  });
});
