/**
 * The serve loop keeps serving under patterns that once wedged it for good: requests
 * so short that a step ends them all before the loop ever yields, one after another or
 * in bursts; and a queued request whose client leaves is dropped at once.
 */
import { assertEquals } from "../assert.ts";
import { loadModel } from "../../engine/model.ts";
import { createServingContext } from "../../engine/serving.ts";
import { notHung, randomBursts, sequential } from "../_request_load.ts";
import { STORIES_260K } from "../models.ts";

Deno.test("ServingContext answers 500 sequential 1-token requests", async () => {
  using model = await loadModel(STORIES_260K);
  using serving = await createServingContext(model, {
    nParallel: 4,
    nCtxPerSlot: 256,
    nThreads: 1,
  });
  await sequential(500, async (i) => {
    const result = await serving.generate(`Once upon a time ${i % 7}`, { maxTokens: 1 }).result;
    assertEquals(result.metrics.generatedTokens, 1);
  });
  assertEquals(serving.load(), { queued: 0, slotsBusy: 0, slotsTotal: 4 });
});

Deno.test("ServingContext answers 500 requests submitted in random bursts", async () => {
  using model = await loadModel(STORIES_260K);
  const options = { nParallel: 4, nCtxPerSlot: 256, nThreads: 1, queueLimit: 64 };
  using serving = await createServingContext(model, options);
  await randomBursts(500, 14, 24, async (i) => {
    const result = await serving.generate(`Lily went ${i % 5}`, { maxTokens: 1 }).result;
    assertEquals(result.metrics.generatedTokens, 1);
  });
  assertEquals(serving.load(), { queued: 0, slotsBusy: 0, slotsTotal: 4 });
});

Deno.test("ServingContext drops a queued request at once when its signal aborts", async () => {
  using model = await loadModel(STORIES_260K);
  using serving = await createServingContext(model, {
    nParallel: 1,
    nCtxPerSlot: 2048,
    nThreads: 1,
  });
  // EOS banned: the first holds the only slot until it is cancelled.
  const endless = { maxTokens: 2000, logitBias: { [model.info.eos]: -Infinity } };
  const holder = new AbortController();
  const first = serving.generate("Once upon a time", { ...endless, signal: holder.signal });
  for await (const _ of first) break;
  const waiter = new AbortController();
  const queued = serving.generate("Lily went", { maxTokens: 4, signal: waiter.signal });
  assertEquals(serving.load().queued, 1);
  waiter.abort();
  const result = await notHung(queued.result, "the cancelled queued request");
  assertEquals(result.finishReason, "abort");
  assertEquals(result.metrics.generatedTokens, 0);
  assertEquals(serving.load(), { queued: 0, slotsBusy: 1, slotsTotal: 1 });
  holder.abort();
  assertEquals((await first.result).finishReason, "abort");
});
