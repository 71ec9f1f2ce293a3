/**
 * Remote providers through the app over real HTTP on 127.0.0.1, against the fake
 * OpenAI-compatible provider: the provider routes (keys write-only, stored 0600 outside
 * the database), chat replies on `provider:model` with provenance, retries, a dropped
 * stream kept as an incomplete reply, and a refused key that shows up nowhere.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { startApp } from "../../cli/app.ts";
import { AppApi, type Json } from "./_app_api.ts";
import { type FakeProvider, startFakeProvider } from "../fakes/fake_provider.ts";
import { KEYS_FILE } from "../../app/providers/key_store.ts";
import { PROVIDERS_FILE } from "../../app/providers/registry.ts";

const KEY = "sk-fake-key-31415926";

async function withProviderApp(
  fn: (api: AppApi, fake: FakeProvider, dataDir: string) => Promise<void>,
): Promise<void> {
  const dataDir = await Deno.makeTempDir();
  const fake = startFakeProvider({ keys: [KEY] });
  // No model: remote replies need none.
  const app = await startApp({
    dataDir,
    libraryRoots: [],
    loadDefaultModel: false,
    providers: { backend: { retryBaseMs: 1 } },
  });
  try {
    await fn(new AppApi(app), fake, dataDir);
  } finally {
    await app.close();
    await fake.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** Sends `content` in a new chat on `model`; returns the stream's events and the stored reply. */
async function turn(api: AppApi, model: string) {
  const chat = await api.json("POST", "/api/chats", { model });
  const sent = await api.json("POST", `/api/chats/${chat.id}/messages`, {
    content: "Hi there",
    parent_id: null,
  });
  const events = await api.events(`/api/messages/${sent.assistant.id}/stream`);
  const { messages } = await api.json("GET", `/api/chats/${chat.id}`);
  const reply = messages.find((m: Json) => m.id === sent.assistant.id);
  return { chat, events, reply };
}

Deno.test("providers API: add, list and test a provider; the key is write-only and 0600", async () => {
  await withProviderApp(async (api, fake, dataDir) => {
    const added = await api.json("POST", "/api/providers", {
      name: "fake",
      base_url: fake.baseUrl,
      api_key: KEY,
    });
    assertEquals([added.name, added.preset, added.key_source], ["fake", "custom", "file"]);
    const listed = await api.request("GET", "/api/providers");
    const text = await listed.text();
    assert(!text.includes(KEY), "GET /api/providers must not show the key");
    assertEquals(JSON.parse(text).providers.length, 1);
    const tested = await api.json("POST", "/api/providers/fake/test");
    assertEquals(tested.model_count, 2);
    assert(tested.rtt_ms >= 0);
    if (Deno.build.os !== "windows") {
      assertEquals((await Deno.stat(join(dataDir, KEYS_FILE))).mode! & 0o777, 0o600);
    }
    assert(!(await Deno.readTextFile(join(dataDir, PROVIDERS_FILE))).includes(KEY));
    const db = await Deno.readFile(join(dataDir, "hearth.db"));
    assert(!new TextDecoder().decode(db).includes(KEY), "the key must not be in the database");
    const duplicate = await api.request("POST", "/api/providers", {
      name: "fake",
      base_url: fake.baseUrl,
    });
    assertEquals(duplicate.status, 400);
    await duplicate.body?.cancel();
    await api.json("DELETE", "/api/providers/fake");
    assertEquals((await api.json("GET", "/api/providers")).providers, []);
  });
});

Deno.test("chat on provider:model streams through 429 and 500 retries and records provenance", async () => {
  await withProviderApp(async (api, fake) => {
    await api.json("POST", "/api/providers", {
      name: "fake",
      base_url: fake.baseUrl,
      api_key: KEY,
    });
    fake.faults.push({ kind: "status", status: 429, retryAfter: "0" }, {
      kind: "status",
      status: 500,
    });
    const { events, reply } = await turn(api, "fake:fake-small");
    assertEquals(events.at(-1)!.event, "done");
    assertEquals(reply.content, fake.reply("fake-small"));
    assertEquals([reply.state, reply.finish_reason], ["complete", "stop"]);
    assertEquals([reply.backend, reply.provider, reply.model], ["remote", "fake", "fake-small"]);
    assertEquals(reply.metrics.completion_tokens, 3);
    // The History shows how long it took, retries and network included.
    assert(reply.metrics.duration_ms > 0, JSON.stringify(reply.metrics));
    assertEquals(fake.requests.map((r) => r.status), [429, 500, 200]);
    assertEquals(fake.requests[2].body.messages, [{ role: "user", content: "Hi there" }]);
  });
});

Deno.test("chat on a provider: a stream dropped mid-reply keeps the partial reply, incomplete", async () => {
  await withProviderApp(async (api, fake) => {
    await api.json("POST", "/api/providers", {
      name: "fake",
      base_url: fake.baseUrl,
      api_key: KEY,
    });
    fake.faults.push({ kind: "drop", pieces: 2 });
    const { reply } = await turn(api, "fake:fake-small");
    assertEquals([reply.state, reply.content], ["incomplete", "Hello from "]);
    assertEquals(fake.requests.length, 1, "a stream that showed text is not repeated");
  });
});

Deno.test("chat on a provider: a refused key is in no error, log or export", async () => {
  const logged: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args.map(String).join(" "));
  try {
    await withProviderApp(async (api, fake) => {
      const wrong = "sk-wrong-27182818";
      await api.json("POST", "/api/providers", {
        name: "fake",
        base_url: fake.baseUrl,
        api_key: wrong,
      });
      // The provider answers once the stream is followed, so the error event is seen live.
      const release = Promise.withResolvers<void>();
      fake.faults.push({ kind: "hold", until: release.promise });
      const chat = await api.json("POST", "/api/chats", { model: "fake:fake-small" });
      const sent = await api.json("POST", `/api/chats/${chat.id}/messages`, {
        content: "Hi there",
        parent_id: null,
      });
      const stream = await api.request("GET", `/api/messages/${sent.assistant.id}/stream`);
      release.resolve();
      const events = await stream.text();
      assert(events.includes("event: error"), events);
      assert(events.includes("refused the API key"), events);
      const { messages } = await api.json("GET", `/api/chats/${chat.id}`);
      assertEquals(messages.find((m: Json) => m.id === sent.assistant.id).state, "error");
      assertEquals(fake.requests.length, 1, "a refused key is not retried");
      assert(fake.requests[0].authorization?.includes(wrong), "the key was sent");
      const exported: string[] = [];
      for (const format of ["md", "jsonl", "openai"]) {
        const response = await api.request("GET", `/api/chats/${chat.id}/export?format=${format}`);
        exported.push(await response.text());
      }
      const everything = events + exported.join("\n") + logged.join("\n");
      assert(!everything.includes(wrong), "the key leaked");
    });
  } finally {
    console.error = original;
  }
});
