/**
 * The context a chat takes, over the real app server and engine: `POST /api/context` counts
 * a branch (an imported one too) and a draft with the loaded model, a streamed reply's deltas
 * carry their token counts, and an overflow fails in the UI's words, stored with the reply.
 */
import { assert, assertEquals } from "../assert.ts";
import { type Json, withApp } from "./_app_api.ts";

Deno.test("app server: /api/context counts the branch, a draft and an imported chat", async () => {
  await withApp(async (_app, api) => {
    const state = await api.json("GET", "/api/state");
    const chat = await api.json("POST", "/api/chats", {
      sampling: { temperature: 0, max_tokens: 16 },
    });
    const empty = await api.json("POST", "/api/context", { chat_id: chat.id });
    assertEquals(empty.n_ctx, state.loaded.n_ctx);
    assertEquals(empty.overflow, "truncate-oldest"); // the new default

    const sent = await api.json("POST", `/api/chats/${chat.id}/messages`, {
      content: "Once upon a time",
      parent_id: null,
    });
    const events = await api.events(`/api/messages/${sent.assistant.id}/stream`);
    const done = events.at(-1)!.data as Json;
    // Each delta says how many tokens it carries; together they are the completion.
    const streamed = events.filter((e) => e.event === "delta")
      .reduce((sum, e) => sum + (e.data as Json).tokens, 0);
    assertEquals(streamed, done.message.metrics.completion_tokens);

    // The resource panel: the process's own CPU from its CPU time, histories, reply TTFT.
    const resources = await api.json("GET", "/api/resources");
    assert(resources.cpu_cores >= 1 && resources.cpu_process_percent >= 0, resources);
    assertEquals(resources.replies.at(-1).ttft_ms, done.message.metrics.ttft_ms);
    await api.waitFor(async () =>
      (await api.json("GET", "/api/resources")).rss_history_bytes.length > 0
    );
    const usage = await api.json("POST", "/api/context", { chat_id: chat.id });
    const { prompt_tokens, completion_tokens } = done.message.metrics;
    // The next prompt holds this turn's prompt and reply, and opens the next reply.
    assert(
      usage.prompt_tokens >= prompt_tokens + completion_tokens - 1,
      `${usage.prompt_tokens} < ${prompt_tokens} + ${completion_tokens}`,
    );
    const prompt = await api.json("POST", "/api/context", {
      chat_id: chat.id,
      leaf_id: sent.user.id,
    });
    assertEquals(prompt.prompt_tokens, prompt_tokens, "the prompt the reply was generated from");

    const drafted = await api.json("POST", "/api/context", {
      chat_id: chat.id,
      draft: "Lily went to the park",
    });
    assert(drafted.prompt_tokens > usage.prompt_tokens);
    assert(drafted.min_prompt_tokens < drafted.prompt_tokens, "the last turn alone is shorter");
    const newChat = await api.json("POST", "/api/context", {
      chat_id: null,
      draft: "Lily went to the park",
      overflow: "error",
    });
    assertEquals(newChat.overflow, "error");
    assertEquals(newChat.prompt_tokens, newChat.min_prompt_tokens);

    // An imported chat has no metrics; it is counted all the same.
    const jsonl = [
      { type: "chat", title: "Imported" },
      { type: "message", role: "user", content: "Tell me about the sea" },
      { type: "message", role: "assistant", content: "The sea is big and blue. ".repeat(8) },
    ].map((line) => JSON.stringify(line)).join("\n");
    const imported = await api.json("POST", "/api/import?format=jsonl", jsonl);
    const counted = await api.json("POST", "/api/context", { chat_id: imported.id });
    assert(counted.prompt_tokens > 40, `imported chat counted ${counted.prompt_tokens} tokens`);

    const bad = await api.request("POST", "/api/context", { chat_id: 7 });
    assertEquals(bad.status, 400);
    await bad.body?.cancel();
    const missing = await api.request("POST", "/api/context", { chat_id: "nope" });
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
  });
});

Deno.test("app server: a prompt that cannot fit fails in the UI's words, kept with the reply", async () => {
  await withApp(async (_app, api) => {
    const { loaded } = await api.json("GET", "/api/state");
    const long = "Once upon a time there was a big dog. ".repeat(Math.ceil(loaded.n_ctx / 6));
    for (
      const [overflow, words] of [
        ["error", '"Drop the oldest messages"'],
        ["truncate-oldest", "The system prompt and the last message need"],
      ]
    ) {
      const chat = await api.json("POST", "/api/chats", { sampling: { max_tokens: 4 } });
      await api.json("PATCH", `/api/chats/${chat.id}`, { overflow });
      const sent = await api.json("POST", `/api/chats/${chat.id}/messages`, {
        content: long,
        parent_id: null,
      });
      // A reply that fails before its stream is opened ends it with the stored message.
      const events = await api.events(`/api/messages/${sent.assistant.id}/stream`);
      const last = events.at(-1)!;
      const reply = last.event === "error"
        ? (await api.json("GET", `/api/chats/${chat.id}`)).messages
          .find((m: Json) => m.id === sent.assistant.id)
        : (last.data as Json).message;
      if (last.event === "error") {
        assertEquals((last.data as Json).type, "exceed_context_size");
        assertEquals((last.data as Json).message, reply.error);
      }
      assertEquals(reply.state, "error");
      const message: string = reply.error;
      assert(message.includes(words), message);
      assert(!message.includes("n_ctx") && !message.includes("truncate-oldest"), message);
      if (overflow === "truncate-oldest") assert(!message.includes("Drop the oldest"), message);
    }
  });
});
