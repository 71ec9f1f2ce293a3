import { assert, assertEquals, assertRejects } from "../assert.ts";
import { loadModel } from "../../engine/model.ts";
import { ContextOverflowError } from "../../engine/errors.ts";
import { STORIES_260K } from "../models.ts";

const LILY = ", there was a little girl named Lily. She loved to play outside in the park.";

Deno.test("Context.generate() continues stories260K greedily", async () => {
  using model = await loadModel(STORIES_260K);
  using ctx = await model.createContext({ nCtx: 256 });
  // K and V in f16 for 5 layers x 256 cells x 4 KV heads x 8 dims; llama.cpp reports
  // MiB with two decimals.
  assert(
    Math.abs(ctx.info.kvCacheBytes - 2 * 2 * 5 * 256 * 4 * 8) <= 5243,
    `${ctx.info.kvCacheBytes}`,
  );
  const generation = ctx.generate("Once upon a time", { temperature: 0, maxTokens: 24 });
  let streamed = "";
  for await (const piece of generation) streamed += piece.text;
  const result = await generation.result;
  assert(streamed.startsWith(", there was a little girl named Lily."), streamed);
  assert(LILY.startsWith(streamed) || streamed.startsWith(LILY), streamed);
  assertEquals(result.text, streamed);
  assertEquals(result.finishReason, "length");
  assertEquals(result.metrics.generatedTokens, 24);
  assertEquals(result.metrics.promptTokens, 5);
  assert(result.metrics.ttftMs > 0 && result.metrics.genTokPerSec > 0);
});

Deno.test("Context.generate() stops on a stop string that spans tokens, without emitting it", async () => {
  using model = await loadModel(STORIES_260K);
  using ctx = await model.createContext({ nCtx: 256 });
  const tokens = await model.tokenize(" little girl", { addSpecial: false });
  assert(tokens.length >= 2, "the stop string must span tokens");
  const result = await ctx.generate("Once upon a time", {
    temperature: 0,
    maxTokens: 40,
    stop: ["little girl"],
  }).result;
  assertEquals(result.finishReason, "stop");
  assertEquals(result.stop, "little girl");
  assertEquals(result.text, ", there was a ");
});

Deno.test("Context.generate() ends on an end-of-generation token", async () => {
  using model = await loadModel(STORIES_260K);
  using ctx = await model.createContext({ nCtx: 256 });
  // A large bias makes EOS (</s>) the greedy choice at once.
  const result = await ctx.generate("Once upon a time", {
    temperature: 0,
    maxTokens: 10,
    logitBias: { [model.info.eos]: 100 },
  }).result;
  assertEquals(result.finishReason, "stop");
  assertEquals(result.stop, undefined);
  assertEquals(result.text, "");
  assertEquals(result.metrics.generatedTokens, 1);
});

Deno.test("Context.generate() stops on abort with the text so far", async () => {
  using model = await loadModel(STORIES_260K);
  using ctx = await model.createContext({ nCtx: 2048 });
  const controller = new AbortController();
  const generation = ctx.generate("Once upon a time", {
    temperature: 0,
    signal: controller.signal,
  });
  let pieces = 0;
  for await (const _ of generation) {
    if (++pieces === 5) controller.abort();
  }
  const result = await generation.result;
  assertEquals(result.finishReason, "abort");
  assert(result.metrics.generatedTokens < 2000, `${result.metrics.generatedTokens} tokens`);
  // The context is usable afterwards.
  const next = await ctx.generate("Once upon a time", { temperature: 0, maxTokens: 4 }).result;
  assertEquals(next.finishReason, "length");
});

Deno.test("Context.generate() with maxTokens 0 only caches the prompt and ends with length", async () => {
  using model = await loadModel(STORIES_260K);
  using ctx = await model.createContext({ nCtx: 256 });
  const prompt = await model.tokenize("Once upon a time", { addSpecial: true });
  const pieces: string[] = [];
  const generation = ctx.generate("Once upon a time", { temperature: 0, maxTokens: 0 });
  for await (const piece of generation) pieces.push(piece.text);
  const result = await generation.result;
  assertEquals(pieces, []);
  assertEquals(result.text, "");
  assertEquals(result.finishReason, "length");
  assertEquals(result.metrics.generatedTokens, 0);
  assertEquals(result.metrics.promptTokens, prompt.length);
  // The prompt is in the KV cache, nothing after it: the next call reuses it.
  assertEquals(await ctx.sequenceTokens(), prompt);
  const next = await ctx.generate("Once upon a time", { temperature: 0, maxTokens: 8 }).result;
  assertEquals(next.metrics.cachedTokens, prompt.length - 1);
  assert(next.text.startsWith(", there was a little girl"), next.text);
});

Deno.test("Context.generate() resets a reused Sampler at each call: same seed, same text", async () => {
  using model = await loadModel(STORIES_260K);
  using ctx = await model.createContext({ nCtx: 256 });
  // Wide sampling, so the random pick decides nearly every token.
  const options = { temperature: 1.5, topK: 0, topP: 1, minP: 0, seed: 1234 };
  using sampler = await model.createSampler(options);
  const run = (s = sampler) =>
    ctx.generate("Once upon a time", { sampler: s, maxTokens: 32 }).text();
  const first = await run();
  const second = await run();
  // Were the RNG not reseeded, the second call would continue its stream.
  assertEquals(second, first);
  using fresh = await model.createSampler(options);
  assertEquals(await run(fresh), first);
  using other = await model.createSampler({ ...options, seed: 99 });
  assert(await run(other) !== first, "another seed must give another text");
});

Deno.test("Context.generate() with an aborted signal ends before decoding", async () => {
  using model = await loadModel(STORIES_260K);
  using ctx = await model.createContext({ nCtx: 256 });
  const result = await ctx.generate("Once upon a time", {
    maxTokens: 8,
    signal: AbortSignal.abort(),
  }).result;
  assertEquals(result.finishReason, "abort");
  assertEquals(result.metrics.generatedTokens, 0);
});

Deno.test("Context.generate() rejects a prompt longer than n_ctx", async () => {
  using model = await loadModel(STORIES_260K);
  using ctx = await model.createContext({ nCtx: 256 });
  const error = await assertRejects(
    () => ctx.generate("Once upon a time ".repeat(100), { maxTokens: 4 }).result,
    ContextOverflowError,
    "n_ctx 256",
  );
  assertEquals(error.nCtx, 256);
  assert(error.nPromptTokens > 256);
});

Deno.test("Context.generate() follows a GBNF grammar", async () => {
  using model = await loadModel(STORIES_260K);
  using ctx = await model.createContext({ nCtx: 256 });
  const result = await ctx.generate("Once upon a time", {
    temperature: 0,
    maxTokens: 32,
    grammar: 'root ::= " yes" | " no"',
  }).result;
  assert(result.text === " yes" || result.text === " no", result.text);
  assertEquals(result.finishReason, "stop");
});
