/**
 * The app server end to end over real HTTP on 127.0.0.1: real storage in a temp
 * folder, the real engine and the bundled model.
 */
import { assert, assertEquals } from "../assert.ts";
import { withApp } from "./_app_api.ts";
import { BUNDLED_MODEL } from "../../config/config.ts";
import { DEFAULT_SETTINGS } from "../../storage/mod.ts";
import { rawStatus } from "./_raw_http.ts";

Deno.test("app server: a chat turn streams, is stored with metrics, and is found by search", async () => {
  await withApp(async (_app, api) => {
    const chat = await api.json("POST", "/api/chats", {
      sampling: { temperature: 0, max_tokens: 24 },
    });
    const sent = await api.json("POST", `/api/chats/${chat.id}/messages`, {
      content: "Once upon a time",
      parent_id: null,
    });
    assertEquals(sent.assistant.state, "streaming");
    const events = await api.events(`/api/messages/${sent.assistant.id}/stream`);
    assertEquals(events[0].event, "snapshot");
    const done = events.at(-1)!;
    assertEquals(done.event, "done");
    // deno-lint-ignore no-explicit-any
    const message = (done.data as any).message;
    assertEquals(message.state, "complete");
    assertEquals(message.metrics.completion_tokens, 24);
    assert(message.content.length > 0);
    const streamed = events.filter((e) => e.event === "delta")
      // deno-lint-ignore no-explicit-any
      .map((e) => (e.data as any).text).join("");
    assert(
      message.content.endsWith(streamed),
      `deltas ${JSON.stringify(streamed)} vs ${JSON.stringify(message.content)}`,
    );

    const stored = await api.json("GET", `/api/chats/${chat.id}`);
    assertEquals(stored.chat.title, "Once upon a time");
    assertEquals(stored.messages.length, 2);
    const found = await api.json("GET", "/api/chats?q=upon");
    assertEquals(found.chats[0].id, chat.id);
    assert(found.chats[0].snippet.includes("<mark>"));
    const markdown = await (await api.request("GET", `/api/chats/${chat.id}/export?format=md`))
      .text();
    assert(markdown.includes("Once upon a time") && markdown.includes(message.content.trim()));
  });
});

Deno.test("app server: stop ends a long reply as incomplete; edit makes a second branch", async () => {
  await withApp(async (_app, api) => {
    const chat = await api.json("POST", "/api/chats", { sampling: { temperature: 0 } });
    const first = await api.json("POST", `/api/chats/${chat.id}/messages`, {
      content: "Once upon a time",
      parent_id: null,
    });
    const stream = api.events(`/api/messages/${first.assistant.id}/stream`);
    await api.json("POST", `/api/messages/${first.assistant.id}/stop`);
    const events = await stream;
    // deno-lint-ignore no-explicit-any
    const stopped = (events.at(-1)!.data as any).message;
    assertEquals(stopped.state, "incomplete");
    assertEquals(stopped.finish_reason, "abort");

    // The edit's reply runs to its end: bounded, or greedy stories260K fills the context,
    // which takes minutes on a busy machine.
    await api.json("PATCH", `/api/chats/${chat.id}`, {
      sampling: { temperature: 0, max_tokens: 8 },
    });
    const edit = await api.json("POST", `/api/chats/${chat.id}/messages`, {
      content: "There was a cat",
      parent_id: null,
    });
    await api.events(`/api/messages/${edit.assistant.id}/stream`);
    const { messages } = await api.json("GET", `/api/chats/${chat.id}`);
    // deno-lint-ignore no-explicit-any
    const roots = messages.filter((m: any) => m.parent_id === null);
    assertEquals(roots.length, 2);
  });
});

Deno.test("app server: a reply records its model and the sampling it was generated with", async () => {
  await withApp(async (_app, api) => {
    await api.json("PATCH", "/api/settings", { sampling: { top_k: 7 } });
    const chat = await api.json("POST", "/api/chats", {
      sampling: { temperature: 0, max_tokens: 4 },
    });
    const sent = await api.json("POST", `/api/chats/${chat.id}/messages`, {
      content: "Once upon a time",
      parent_id: null,
    });
    // Every field, from the chat or else the settings; the default seed -1 is drawn.
    const { seed: _, ...expected } = {
      ...DEFAULT_SETTINGS.sampling,
      top_k: 7,
      temperature: 0,
      max_tokens: 4,
    };
    const { seed, ...sampling } = sent.assistant.sampling;
    assertEquals(sampling, expected);
    assert(Number.isInteger(seed) && seed >= 0 && seed < 0xFFFFFFFF, `seed ${seed} is drawn`);
    assertEquals(sent.assistant.model, BUNDLED_MODEL);
    const done = await api.events(`/api/messages/${sent.assistant.id}/stream`);
    // deno-lint-ignore no-explicit-any
    const finished = (done.at(-1)!.data as any).message;
    assertEquals(finished.state, "complete");
    assertEquals(finished.model, BUNDLED_MODEL);
    assertEquals(finished.sampling, sent.assistant.sampling);

    // A regenerated reply records its own; a seed the chat sets is kept as it is.
    await api.json("PATCH", `/api/chats/${chat.id}`, {
      sampling: { temperature: 0, max_tokens: 4, seed: 7 },
    });
    const again = await api.json("POST", `/api/messages/${sent.assistant.id}/regenerate`);
    await api.events(`/api/messages/${again.assistant.id}/stream`);
    const { messages } = await api.json("GET", `/api/chats/${chat.id}`);
    // deno-lint-ignore no-explicit-any
    const stored = messages.find((m: any) => m.id === again.assistant.id);
    assertEquals(stored.model, BUNDLED_MODEL);
    assertEquals(stored.sampling, {
      ...DEFAULT_SETTINGS.sampling,
      top_k: 7,
      temperature: 0,
      max_tokens: 4,
      seed: 7,
    });
  });
});

Deno.test("app server: a chat without its own system prompt uses the settings' one", async () => {
  await withApp(async (_app, api) => {
    const system = "Tell a short, happy story about a little cat and her friend the dog.";
    const promptTokens = async (chatFields: Record<string, unknown>) => {
      const chat = await api.json("POST", "/api/chats", {
        ...chatFields,
        sampling: { temperature: 0, max_tokens: 1 },
      });
      const sent = await api.json("POST", `/api/chats/${chat.id}/messages`, {
        content: "Once upon a time",
        parent_id: null,
      });
      const events = await api.events(`/api/messages/${sent.assistant.id}/stream`);
      // deno-lint-ignore no-explicit-any
      const message = (events.at(-1)!.data as any).message;
      assertEquals(message.state, "complete");
      return message.metrics.prompt_tokens as number;
    };
    const bare = await promptTokens({});
    const own = await promptTokens({ system_prompt: system });
    assert(own > bare, `a system prompt adds tokens: ${own} vs ${bare}`);
    await api.json("PATCH", "/api/settings", { system_prompt: system });
    assertEquals(await promptTokens({}), own, "the settings' system prompt is sent");
    assertEquals(await promptTokens({ system_prompt: "Hi." }) < own, true, "the chat's wins");
  });
});

Deno.test("app server: the secret and Host are required; bad bodies get 400", async () => {
  await withApp(async (app, api) => {
    assertEquals((await fetch(`${app.origin}/api/state`).then(drain)).status, 401);
    const wrong = await fetch(`${app.origin}/api/state`, {
      headers: { authorization: "Bearer nope" },
    }).then(drain);
    assertEquals(wrong.status, 401);
    const launch = await fetch(app.launchUrl, { redirect: "manual" }).then(drain);
    assertEquals(launch.status, 303);
    const cookie = launch.headers.get("set-cookie")!;
    assert(/HttpOnly/i.test(cookie) && /SameSite=Strict/i.test(cookie), cookie);
    const withCookie = await fetch(`${app.origin}/api/state`, {
      headers: { cookie: cookie.split(";")[0] },
    }).then(drain);
    assertEquals(withCookie.status, 200);
    const port = Number(new URL(app.origin).port);
    const auth = `Bearer ${app.secret}`;
    assertEquals(
      await rawStatus(port, "/api/state", { host: `127.0.0.1:${port}`, authorization: auth }),
      200,
    );
    // DNS rebinding: a page of evil.example resolved to 127.0.0.1 sends its own Host.
    assertEquals(
      await rawStatus(port, "/api/state", { host: "evil.example", authorization: auth }),
      403,
    );

    const bad = await api.request("POST", "/api/chats", "{not json");
    assertEquals(bad.status, 400);
    assertEquals((await bad.json()).error.type, "invalid_request");
    const chats = (await api.json("GET", "/api/chats")).chats.length;
    const badImport = await api.request(
      "POST",
      "/api/import?format=jsonl",
      '{"type":"chat"}\n{oops',
    );
    assertEquals(badImport.status, 400);
    await badImport.body?.cancel();
    assertEquals((await api.json("GET", "/api/chats")).chats.length, chats);
    // Without a format, the server tells it from the content (a file's name may lie).
    const jsonl =
      '{"type":"chat","title":"From JSONL"}\n{"type":"message","role":"user","content":"hi"}\n';
    const auto = await api.request("POST", "/api/import", jsonl);
    assertEquals(auto.status, 201);
    assertEquals((await auto.json()).title, "From JSONL");
  });
});

async function drain(response: Response): Promise<Response> {
  await response.body?.cancel();
  return response;
}
