import { assert, assertEquals, assertRejects, assertThrows } from "../assert.ts";
import { loadModel } from "../../engine/model.ts";
import { DisposedError } from "../../engine/errors.ts";
import { STORIES_260K } from "../models.ts";

Deno.test("Model.dispose() twice is harmless; use after dispose throws DisposedError", async () => {
  const model = await loadModel(STORIES_260K);
  model.dispose();
  model.dispose();
  assert(model.disposed);
  await assertRejects(() => model.tokenize("Hi"), DisposedError, "Model");
  await assertRejects(() => model.createContext(), DisposedError);
});

Deno.test("disposing a model disposes its live contexts and samplers", async () => {
  const model = await loadModel(STORIES_260K);
  const ctx = await model.createContext({ nCtx: 256 });
  const sampler = await model.createSampler({ temperature: 0 });
  model.dispose();
  assert(ctx.disposed);
  assert(sampler.disposed);
  assertThrows(() => ctx.generate("Hi"), DisposedError, "Context");
  ctx.dispose();
  sampler.dispose();
});

Deno.test("Context.dispose() during a generation stops it; the model stays usable", async () => {
  using model = await loadModel(STORIES_260K);
  const ctx = await model.createContext({ nCtx: 2048 });
  const generation = ctx.generate("Once upon a time", { temperature: 0 });
  for await (const _ of generation) {
    ctx.dispose();
    ctx.dispose();
  }
  assertEquals((await generation.result).finishReason, "abort");
  using next = await model.createContext({ nCtx: 256 });
  const result = await next.generate("Once upon a time", { temperature: 0, maxTokens: 2 }).result;
  assertEquals(result.metrics.generatedTokens, 2);
});

Deno.test("a Sampler keeps its chain across calls and frees once", async () => {
  using model = await loadModel(STORIES_260K);
  using ctx = await model.createContext({ nCtx: 256 });
  using sampler = await model.createSampler({ temperature: 0 });
  const a = await ctx.generate("Once upon a time", { sampler, maxTokens: 8 }).result;
  const b = await ctx.generate("Once upon a time", { sampler, maxTokens: 8 }).result;
  assertEquals(a.text, b.text);
  assertThrows(() => ctx.generate("Hi", { sampler, temperature: 1 }), TypeError, "sampler");
  sampler.dispose();
  assertThrows(() => ctx.generate("Hi", { sampler }), DisposedError, "Sampler");
});
