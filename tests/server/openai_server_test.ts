/**
 * The app's OpenAI server toggle end to end: the real app server with the bundled
 * model, switched on through the UI API (`PATCH /api/settings`), then called with the
 * official `openai` SDK at the URL `GET /api/openai-server` reports.
 */
import OpenAI from "openai";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { type AppApi, type Json, withApp } from "./_app_api.ts";
import { STORIES_260K_CHATML } from "../models.ts";

/** Changes the OpenAI server settings; returns the settings the server answers with. */
function configure(api: AppApi, patch: Record<string, unknown>): Promise<Json> {
  return api.json("PATCH", "/api/settings", { openai_server: patch });
}

/** The OpenAI server's status as the UI reads it. */
function serverStatus(api: AppApi): Promise<Json> {
  return api.json("GET", "/api/openai-server");
}

/** Whether anything accepts TCP connections on 127.0.0.1:`port`. */
async function answers(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.ConnectionRefused) return false;
    throw error;
  }
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** A port nothing listens on right now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

async function chatOnce(client: OpenAI, model: string): Promise<void> {
  const completion = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: "Once upon a time" }],
    temperature: 0,
    max_tokens: 8,
  });
  assertEquals(completion.model, model);
  assert(completion.usage!.completion_tokens > 0, JSON.stringify(completion.usage));
  assert(["stop", "length"].includes(completion.choices[0].finish_reason));
}

Deno.test("app OpenAI server: the toggle serves the loaded model, follows a model switch, stops", async () => {
  await withApp(async (_app, api) => {
    assertEquals(await serverStatus(api), {
      state: "stopped",
      url: null,
      model: null,
      message: "Turned off",
    });
    const settings = await configure(api, { enabled: true, port: 0 });
    assertEquals(settings.openai_server.enabled, true);
    const running = await serverStatus(api);
    assertEquals([running.state, running.model, running.message], ["running", "stories260K", null]);
    assert(/^http:\/\/127\.0\.0\.1:\d+\/v1$/.test(running.url), running.url);

    const client = new OpenAI({ baseURL: running.url, apiKey: "unused", maxRetries: 0 });
    const models = await client.models.list();
    assertEquals(models.data.map((m) => m.id), ["stories260K"]);
    await chatOnce(client, "stories260K");

    // Another model: the server restarts on it, and the old one is gone.
    await api.json("POST", "/api/models/load", { path: STORIES_260K_CHATML });
    await api.waitFor(async () => (await serverStatus(api)).model === "stories260K-chatml-derived");
    const switched = await serverStatus(api);
    assertEquals(switched.state, "running");
    assertEquals(await answers(portOf(running.url)), false);
    const next = new OpenAI({ baseURL: switched.url, apiKey: "unused", maxRetries: 0 });
    assertEquals((await next.models.list()).data.map((m) => m.id), ["stories260K-chatml-derived"]);
    await chatOnce(next, "stories260K-chatml-derived");

    // Turned off: the status says so (also as an event) and the port no longer answers.
    const event = api.nextEvent("openai_server", (status) => status.message === "Turned off");
    await configure(api, { enabled: false });
    assertEquals(await event, { state: "stopped", url: null, model: null, message: "Turned off" });
    assertEquals((await serverStatus(api)).state, "stopped");
    assertEquals(await answers(portOf(switched.url)), false);
  });
});

Deno.test("app OpenAI server: unloading the model stops it; loading one starts it again", async () => {
  await withApp(async (_app, api) => {
    await configure(api, { enabled: true, port: 0 });
    const running = await serverStatus(api);
    assertEquals(running.state, "running");
    await api.json("POST", "/api/models/unload");
    // "Stopped" first, then this message once the HTTP server has finished closing.
    await api.waitFor(async () =>
      (await serverStatus(api)).message === "Starts when a model is loaded"
    );
    assertEquals((await serverStatus(api)).state, "stopped");
    assertEquals(await answers(portOf(running.url)), false);
    await api.json("POST", "/api/models/load", { path: STORIES_260K_CHATML });
    await api.waitFor(async () => (await serverStatus(api)).state === "running");
  });
});

Deno.test("app OpenAI server: all interfaces without an API key is an error and does not start", async () => {
  let port = 0;
  await withApp(async (_app, api) => {
    port = freePort();
    await configure(api, { enabled: true, all_interfaces: true, port });
    const status = await serverStatus(api);
    assertEquals([status.state, status.url, status.model], ["error", null, null]);
    assert(status.message.includes("without an API key"), status.message);
    assertEquals(await answers(port), false);

    // With a key it starts, and it wants the key; the key never comes back to the UI.
    const key = "hearth-test-key-5d41402a";
    const settings = await configure(api, { api_key: key });
    assertEquals(settings.openai_server.api_key_set, true);
    const running = await serverStatus(api);
    assertEquals([running.state, running.url], ["running", `http://127.0.0.1:${port}/v1`]);
    for (const path of ["/api/settings", "/api/state", "/api/openai-server"]) {
      const text = await (await api.request("GET", path)).text();
      assertEquals(text.includes(key), false, path);
    }
    const wrong = new OpenAI({ baseURL: running.url, apiKey: "nope", maxRetries: 0 });
    await assertRejects(() => wrong.models.list(), OpenAI.AuthenticationError);
    const client = new OpenAI({ baseURL: running.url, apiKey: key, maxRetries: 0 });
    assertEquals((await client.models.list()).data.map((m) => m.id), ["stories260K"]);
  });
  // Closing the app shut it down.
  assertEquals(await answers(port), false);
});
