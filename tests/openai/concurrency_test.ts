/**
 * Many clients at once on the scheduler-backed server (continuous batching over
 * slots), through the official `openai` SDK over real HTTP.
 */
import { assert, assertEquals } from "../assert.ts";
import OpenAI from "openai";
import { loadModel } from "../../engine/model.ts";
import { createServingContext, type ServingContext } from "../../engine/serving.ts";
import type { ChatOptions } from "../../engine/generate_options.ts";
import type { GenerationResult } from "../../engine/types.ts";
import { ServingBackend } from "../../server/openai/serving_backend.ts";
import { startOpenAiServer } from "../../server/openai/server.ts";
import { STORIES_260K_CHATML } from "../models.ts";

/** How one chat generation ended, with the maxTokens it was given. */
interface Finished {
  maxTokens: number | undefined;
  result: GenerationResult;
}

async function serve(nParallel: number, queueLimit = 64, nCtxPerSlot = 512) {
  const model = await loadModel(STORIES_260K_CHATML);
  const serving = await createServingContext(model, { nParallel, nCtxPerSlot, queueLimit });
  const backend = new ServingBackend("stories", serving);
  // Records how each generation ended, which the HTTP side of a disconnect never sees.
  const finished: Finished[] = [];
  const chat = backend.chat.bind(backend);
  backend.chat = (messages, options: ChatOptions) => {
    const generation = chat(messages, options);
    generation.result.then(
      (result) => finished.push({ maxTokens: options.maxTokens, result }),
      () => {},
    );
    return generation;
  };
  const server = startOpenAiServer(backend, { port: 0 });
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
  return {
    url: server.url,
    client,
    serving,
    finished,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      serving.dispose();
      model.dispose();
    },
  };
}

/**
 * Longest a poll may wait, in ms: a deadline for a hang, not a speed bound (a loaded 2-core
 * machine has run the bundled model at under 15 tok/s).
 */
const WAIT_MS = 60_000;

/** Polls `check` every 10 ms until it holds; fails naming `what` after {@link WAIT_MS}. */
async function until(what: () => string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    assert(Date.now() < deadline, `timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function waitIdle(serving: ServingContext): Promise<void> {
  await until(
    () => `idle slots and queue: ${JSON.stringify(serving.load())}`,
    () => serving.load().slotsBusy === 0 && serving.load().queued === 0,
  );
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
  const lonePromptTokens: number[] = [];
  for (const prompt of PROMPTS) {
    const answer = await s.client.chat.completions.create(ask(prompt));
    lone.push(answer.choices[0].message.content ?? "");
    lonePromptTokens.push(answer.usage!.prompt_tokens);
    // The real count: the prompt as the chat template renders and the model tokenizes it.
    const model = s.serving.model;
    const text = await model.applyChatTemplate([{ role: "user", content: prompt }]);
    const tokens = await model.tokenize(text, { addSpecial: true, parseSpecial: true });
    assertEquals(answer.usage!.prompt_tokens, tokens.length, prompt);
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
    assertEquals(usage!.prompt_tokens, lonePromptTokens[i % 4]);
    assertEquals(usage!.total_tokens, usage!.prompt_tokens + 32);
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

Deno.test("a system prompt another slot holds is copied, and cached_tokens counts it", async () => {
  await using s = await serve(2);
  const system = "You are a storyteller who writes about a little girl named Lily and her dog.";
  const messages = (content: string) => [
    { role: "system" as const, content: system },
    { role: "user" as const, content },
  ];
  // The first stays in its slot (EOS banned, long max_tokens) while the second runs.
  const controller = new AbortController();
  const busy = await s.client.chat.completions.create({
    model: "stories",
    messages: messages("Once upon a time"),
    temperature: 0,
    max_tokens: 400,
    logit_bias: { [String(s.serving.model.info.eos)]: -100 },
    stream: true,
  }, { signal: controller.signal });
  const iterator = busy[Symbol.asyncIterator]();
  await iterator.next(); // its prompt is decoded: its slot holds the system prompt
  const second = await s.client.chat.completions.create({
    model: "stories",
    messages: messages("The dog ran"),
    temperature: 0,
    max_tokens: 4,
  });
  assert(
    (second.usage?.prompt_tokens_details?.cached_tokens ?? 0) > 20,
    JSON.stringify(second.usage),
  );
  assertEquals(s.serving.load().slotsBusy, 1); // the first still ran: a copy, not its slot
  controller.abort();
  await waitIdle(s.serving);
});

Deno.test("clients that disconnect abort their generations and free their slots; a full queue answers 503", async () => {
  await using s = await serve(2, 1, 2048);
  // EOS banned and a long max_tokens: only the disconnect can end these streams early.
  const endless = {
    model: "stories",
    messages: [{ role: "user" as const, content: "Once upon a time" }],
    temperature: 0,
    max_tokens: 2000,
    logit_bias: { [String(s.serving.model.info.eos)]: -100 },
    stream: true as const,
  };
  const controllers = Array.from({ length: 2 }, () => new AbortController());
  const streams = await Promise.all(
    controllers.map((controller) =>
      s.client.chat.completions.create(endless, { signal: controller.signal })
    ),
  );
  // Both slots busy and one request queued: the next one is refused.
  const queued = s.client.chat.completions.create({
    model: "stories",
    messages: [{ role: "user", content: "Hi" }],
    max_tokens: 2,
  });
  await until(() => "the third request to queue", () => s.serving.load().queued >= 1);
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
  // The queued request gets a freed slot and runs to its own end.
  assertEquals((await queued).choices[0].finish_reason, "length");
  // Both endless generations end, and the disconnects ended them: with EOS banned, nothing
  // else could have before 2,000 tokens. No clock: how soon is a speed, for bench/.
  const ended = () => s.finished.filter((f) => f.maxTokens === 2000);
  await until(
    () => `the two endless generations to end (${ended().length} did)`,
    () => ended().length === 2,
  );
  assertEquals(ended().map((f) => f.result.finishReason), ["abort", "abort"]);
  for (const { result } of ended()) {
    assert(result.metrics.generatedTokens < 2000, `${result.metrics.generatedTokens} tokens`);
  }
  // And their slots are free again.
  await waitIdle(s.serving);
});
