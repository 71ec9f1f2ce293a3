/**
 * Chats on the scheduler's slots, over the real app server and engine: each chat keeps
 * its KV cache in a slot, a reply waits (and says so) when every slot is busy, and the
 * app's OpenAI server generates on the same slots as the chats.
 */
import OpenAI from "openai";
import { assert, assertEquals } from "../assert.ts";
import { type AppApi, type Json, waitFor, withApp } from "./_app_api.ts";

/** An SSE stream read event by event. */
class EventReader {
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";

  constructor(response: Response) {
    this.#reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next event, or null at the end of the stream. */
  async next(): Promise<{ event: string; data: Json } | null> {
    for (;;) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event) return { event, data: data === undefined ? null : JSON.parse(data) };
        continue;
      }
      const { value, done } = await this.#reader.read();
      if (done) return null;
      this.#buffer += value;
    }
  }

  /** Reads until an event named `name`; returns it and the names of those before it. */
  async until(name: string): Promise<{ data: Json; before: string[] }> {
    const before: string[] = [];
    for (;;) {
      const event = await this.next();
      assert(event, `the stream ended before "${name}"; got ${before.join(", ")}`);
      if (event.event === name) return { data: event.data, before };
      before.push(event.event);
    }
  }

  async close(): Promise<void> {
    await this.#reader.cancel();
  }
}

async function stream(api: AppApi, messageId: string): Promise<EventReader> {
  const response = await api.request("GET", `/api/messages/${messageId}/stream`);
  assert(response.ok, `stream ${messageId}: ${response.status}`);
  return new EventReader(response);
}

/** Sends `content` in chat `chatId` after `parentId`; returns the reply's message id. */
async function send(
  api: AppApi,
  chatId: string,
  content: string,
  parentId: string | null = null,
): Promise<string> {
  const sent = await api.json("POST", `/api/chats/${chatId}/messages`, {
    content,
    parent_id: parentId,
  });
  return sent.assistant.id;
}

/** Sends and waits for the stored reply. */
async function turn(api: AppApi, chatId: string, content: string, parentId: string | null) {
  const id = await send(api, chatId, content, parentId);
  const events = await api.events(`/api/messages/${id}/stream`);
  const last = events.at(-1)!;
  assertEquals(last.event, "done", JSON.stringify(last));
  return (last.data as Json).message;
}

Deno.test("app server: a chat keeps its slot, so its next turn decodes only the new tokens", async () => {
  await withApp(async (_app, api) => {
    const sampling = { temperature: 0, max_tokens: 12 };
    const a = await api.json("POST", "/api/chats", { sampling });
    const b = await api.json("POST", "/api/chats", { sampling });
    const a1 = await turn(api, a.id, "Once upon a time", null);
    // Another chat between A's turns: with one shared cache it would evict A's.
    await turn(api, b.id, "Tom had a red ball", null);
    const a2 = await turn(api, a.id, "Lily went to the park", a1.id);
    const first = a1.metrics.prompt_tokens + a1.metrics.completion_tokens;
    // Turn 1's last sampled token was never decoded; the rest of the prompt and reply was.
    assert(
      a2.metrics.cached_tokens >= first - 1,
      `turn 2 reused ${a2.metrics.cached_tokens} of turn 1's ${first} tokens`,
    );
    assert(a2.metrics.prompt_tokens > a2.metrics.cached_tokens);
  });
});

Deno.test("app server: with one slot, a second chat's reply waits, says so, and starts when the slot frees", async () => {
  await withApp(async (_app, api) => {
    await api.json("PATCH", "/api/settings", { n_parallel: 1 });
    const long = await api.json("POST", "/api/chats", { sampling: { max_tokens: -1 } });
    const short = await api.json("POST", "/api/chats", { sampling: { max_tokens: 4 } });
    const longId = await send(api, long.id, "Once upon a time");
    const longStream = await stream(api, longId);
    await longStream.until("delta"); // it holds the only slot now
    assertEquals((await api.json("GET", "/api/state")).loaded.n_parallel, 1);

    const shortStream = await stream(api, await send(api, short.id, "Tom had a ball"));
    const snapshot = await shortStream.next();
    assertEquals(snapshot?.event, "snapshot");
    assertEquals(snapshot?.data, { content: "", waiting: true, tokens: 0 });
    await api.json("POST", `/api/messages/${longId}/stop`);
    const started = await shortStream.until("started");
    assertEquals(started.before, []);
    const done = await shortStream.until("done");
    assert(done.before.includes("delta"), done.before.join(", "));
    assertEquals(done.data.message.state, "complete");
    await longStream.close();
  });
});

Deno.test("app server: the app's OpenAI server and a chat generate at once on the shared slots", async () => {
  await withApp(async (app, api) => {
    await api.json("PATCH", "/api/settings", { openai_server: { enabled: true, port: 0 } });
    const status = await waitFor("the OpenAI server", async () => {
      const status = await api.json("GET", "/api/openai-server");
      return status.state === "running" && status;
    });
    const chat = await api.json("POST", "/api/chats", { sampling: { max_tokens: -1 } });
    const replyId = await send(api, chat.id, "Once upon a time");
    const reply = await stream(api, replyId);
    await reply.until("delta");

    const client = new OpenAI({ baseURL: status.url, apiKey: "unused", maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: status.model,
      messages: [{ role: "user", content: "Lily went" }],
      max_tokens: 32,
      stream: true,
    });
    let busy = 0;
    for await (const chunk of completion) {
      if (chunk.choices[0]?.delta?.content) {
        busy = Math.max(busy, app.host.serving().load().slotsBusy);
      }
    }
    // Both in the chats' serving context at once: the request and the chat reply.
    assertEquals(busy, 2);
    const { messages } = await api.json("GET", `/api/chats/${chat.id}`);
    assertEquals(messages.find((m: Json) => m.id === replyId).state, "streaming");
    await api.json("POST", `/api/messages/${replyId}/stop`);
    await reply.until("done");
  });
});
