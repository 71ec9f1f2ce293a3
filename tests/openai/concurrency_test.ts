/**
 * Many clients at once on the scheduler-backed server (continuous batching over
 * slots), through the official `openai` SDK over real HTTP.
 */
import { assert, assertEquals } from "../assert.ts";
import OpenAI from "openai";
import { loadModel } from "../../engine/model.ts";
import { createServingContext, type ServingContext } from "../../engine/serving.ts";
import { ServingBackend } from "../../server/openai/serving_backend.ts";
import { startOpenAiServer } from "../../server/openai/server.ts";
import { STORIES_260K_CHATML } from "../models.ts";

async function serve(nParallel: number, queueLimit = 64) {
  const model = await loadModel(STORIES_260K_CHATML);
  const serving = await createServingContext(model, { nParallel, nCtxPerSlot: 512, queueLimit });
  const server = startOpenAiServer(new ServingBackend("stories", serving), { port: 0 });
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
  return {
    url: server.url,
    client,
    serving,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      serving.dispose();
      model.dispose();
    },
  };
}

async function waitIdle(serving: ServingContext): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (serving.load().slotsBusy > 0 || serving.load().queued > 0) {
    assert(Date.now() < deadline, `still busy: ${JSON.stringify(serving.load())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const PROMPTS = ["Once upon a time", "The dog ran", "Lily saw a bird", "Tom had a red ball"];

Deno.test("16 concurrent streaming clients all complete with their own usage and the lone texts", async () => {
  await using s = await serve(16);
  const ask = (content: string) => ({
    model: "stories",
    messages: [{ role: "user" as const, content }],
    temperature: 0,
    max_tokens: 32,
  });
  const lone: string[] = [];
  for (const prompt of PROMPTS) {
    lone.push(
      (await s.client.chat.completions.create(ask(prompt))).choices[0].message.content ?? "",
    );
  }
  const streams = await Promise.all(Array.from({ length: 16 }, async (_, i) => {
    const stream = await s.client.chat.completions.create({
      ...ask(PROMPTS[i % 4]),
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    return { i, text, usage, finish };
  }));
  let same = 0;
  for (const { i, text, usage, finish } of streams) {
    assertEquals(finish, "length");
    assertEquals(usage?.completion_tokens, 32);
    assert(usage!.prompt_tokens > 0 && usage!.total_tokens === usage!.prompt_tokens + 32);
    if (text === lone[i % 4]) same++;
  }
  console.log(`${same} of 16 batched greedy texts equal the lone request's`);
  // Batched kernels may round differently; on this model they agree.
  assert(same >= 14, `${same} of 16 matched`);
  await waitIdle(s.serving);
});

Deno.test("a repeated system prompt is served from a slot's cache", async () => {
  await using s = await serve(2);
  const system = "You are a storyteller who writes about a little girl named Lily and her dog.";
  const ask = (content: string) =>
    s.client.chat.completions.create({
      model: "stories",
      messages: [{ role: "system", content: system }, { role: "user", content }],
      temperature: 0,
      max_tokens: 4,
    });
  const first = await ask("Once upon a time");
  assertEquals(first.usage?.prompt_tokens_details?.cached_tokens ?? 0, 0);
  const second = await ask("The dog ran");
  assert(
    (second.usage?.prompt_tokens_details?.cached_tokens ?? 0) > 20,
    JSON.stringify(second.usage),
  );
});

Deno.test("clients that disconnect free their slots; a full queue answers 503", async () => {
  await using s = await serve(2, 1);
  const controllers = Array.from({ length: 2 }, () => new AbortController());
  const streams = await Promise.all(
    controllers.map((controller) =>
      s.client.chat.completions.create({
        model: "stories",
        messages: [{ role: "user", content: "Once upon a time" }],
        temperature: 0,
        stream: true,
      }, { signal: controller.signal })
    ),
  );
  // Both slots busy and one request queued: the next one is refused.
  const queued = s.client.chat.completions.create({
    model: "stories",
    messages: [{ role: "user", content: "Hi" }],
    max_tokens: 2,
  });
  const deadline = Date.now() + 20_000;
  while (s.serving.load().queued < 1) {
    assert(Date.now() < deadline, "the third request never queued");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const refused = await fetch(`${s.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "stories", messages: [{ role: "user", content: "Hi" }] }),
  });
  assertEquals(refused.status, 503);
  assert(refused.headers.get("retry-after"));
  assertEquals((await refused.json()).error.type !== undefined, true);
  for (const [i, stream] of streams.entries()) {
    for await (const _ of stream) {
      controllers[i].abort();
      break;
    }
  }
  await queued;
  await waitIdle(s.serving);
});
