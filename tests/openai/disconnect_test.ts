/**
 * A client that goes away aborts its generation: the slot frees long before the
 * generation could have filled the context, and the server keeps serving.
 */
import { assert, assertEquals } from "../assert.ts";
import type { CompletionBackend } from "../../server/openai/backend.ts";
import type { FinishReason } from "../../engine/types.ts";
import { MODEL_ID, startTestServer, type TestServer } from "./_server.ts";

/** Records how each generation ended. */
function recording(finished: FinishReason[]) {
  return (backend: CompletionBackend): CompletionBackend =>
    new Proxy(backend, {
      get(target, key) {
        if (key === "chat") {
          return (...args: Parameters<CompletionBackend["chat"]>) => {
            const generation = target.chat(...args);
            generation.result.then((r) => finished.push(r.finishReason), () => {});
            return generation;
          };
        }
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
}

// Banning EOS (token 2) makes the story run until the 2048-token context is full.
const ENDLESS = {
  model: MODEL_ID,
  messages: [{ role: "user", content: "Once upon a time" }],
  logit_bias: { "2": -100 },
};

async function waitIdle(server: TestServer): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (server.backend.load().slotsBusy !== 0) {
    assert(Date.now() < deadline, "the generation kept its slot after the client left");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("a streaming client that disconnects aborts its generation", async () => {
  const finished: FinishReason[] = [];
  await using server = await startTestServer({ wrap: recording(finished) });
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    body: JSON.stringify({ ...ENDLESS, stream: true }),
  });
  assertEquals(response.status, 200);
  const reader = response.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  assert(first.startsWith("data: {"), first);
  assertEquals(server.backend.load().slotsBusy, 1);
  await reader.cancel();
  await waitIdle(server);
  assertEquals(finished, ["abort"]);
  assertEquals((await fetch(`${server.url}/health`)).status, 200);
  const next = await server.client().chat.completions.create(
    { ...ENDLESS, max_tokens: 4 } as never,
  );
  assertEquals(next.choices[0].finish_reason, "length");
});

Deno.test("a client that disconnects before a whole answer aborts its generation", async () => {
  const finished: FinishReason[] = [];
  await using server = await startTestServer({ wrap: recording(finished) });
  const controller = new AbortController();
  const request = fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    body: JSON.stringify(ENDLESS),
    signal: controller.signal,
  }).catch((error) => error);
  const deadline = Date.now() + 10_000;
  while (server.backend.load().slotsBusy === 0) {
    assert(Date.now() < deadline, "the generation never started");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  controller.abort();
  assert((await request) instanceof DOMException);
  await waitIdle(server);
  assertEquals(finished, ["abort"]);
});

Deno.test("shutdown stops running generations instead of waiting for them", async () => {
  const finished: FinishReason[] = [];
  const server = await startTestServer({ wrap: recording(finished) });
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    body: JSON.stringify({ ...ENDLESS, stream: true }),
  });
  const reading = response.text();
  const started = performance.now();
  await server[Symbol.asyncDispose]();
  assert(performance.now() - started < 5_000);
  assertEquals(finished, ["abort"]);
  assert((await reading).endsWith("data: [DONE]\n\n"));
});
