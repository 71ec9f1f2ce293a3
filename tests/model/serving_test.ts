import { assert, assertEquals, assertRejects } from "../assert.ts";
import { loadModel } from "../../engine/model.ts";
import { createServingContext } from "../../engine/serving.ts";
import { STORIES_260K } from "../models.ts";

Deno.test("ServingContext serves concurrent requests with the greedy text of a lone request", async () => {
  using model = await loadModel(STORIES_260K);
  using lone = await model.createContext({ nCtx: 512 });
  const prompts = ["Once upon a time", "The little dog", "One day, a girl", "Tom and Sue"];
  const expected: string[] = [];
  for (const prompt of prompts) {
    expected.push(await lone.generate(prompt, { temperature: 0, maxTokens: 24 }).text());
  }
  using serving = await createServingContext(model, { nParallel: 4, nCtxPerSlot: 256 });
  assertEquals(serving.context.info.nSeqMax, 4);
  const results = await Promise.all(
    prompts.flatMap((p) => [p, p]).map((prompt) =>
      serving.generate(prompt, { temperature: 0, maxTokens: 24 }).result
    ),
  );
  let same = 0;
  results.forEach((result, i) => {
    assertEquals(result.metrics.generatedTokens, 24);
    if (result.text === expected[Math.floor(i / 2)]) same++;
  });
  // Batched kernels may round differently from a lone decode; on this model they agree.
  assert(same >= 6, `${same} of 8 texts matched a lone request's`);
  assertEquals(serving.load(), { queued: 0, slotsBusy: 0, slotsTotal: 4 });
});

Deno.test("ServingContext reuses a slot's prefix and stops a request on abort", async () => {
  using model = await loadModel(STORIES_260K);
  using serving = await createServingContext(model, { nParallel: 2, nCtxPerSlot: 512 });
  const system = "Once upon a time, there was a little girl named Lily. She loved to play";
  const first = await serving.generate(`${system} outside.`, { temperature: 0, maxTokens: 4 })
    .result;
  assertEquals(first.metrics.cachedTokens, 0);
  const second = await serving.generate(`${system} with her dog.`, { temperature: 0, maxTokens: 4 })
    .result;
  assert(second.metrics.cachedTokens >= 15, `cached ${second.metrics.cachedTokens}`);
  const controller = new AbortController();
  const long = serving.generate("Once upon a time", { temperature: 0, signal: controller.signal });
  let pieces = 0;
  for await (const _ of long) if (++pieces === 3) controller.abort();
  assertEquals((await long.result).finishReason, "abort");
});

Deno.test("createServingContext() refuses more slots than n_batch, naming both", async () => {
  using model = await loadModel(STORIES_260K);
  await assertRejects(
    () => createServingContext(model, { nParallel: 8, nBatch: 4, nCtxPerSlot: 256 }),
    RangeError,
    "nParallel (8) must be at most nBatch (4)",
  );
  // At n_batch = n_parallel every slot still gets its token each step.
  using serving = await createServingContext(model, { nParallel: 4, nBatch: 4, nCtxPerSlot: 256 });
  const results = await Promise.all(
    ["Once upon a time", "The little dog", "One day, a girl", "Tom and Sue"].map((prompt) =>
      serving.generate(prompt, { temperature: 0, maxTokens: 8 }).result
    ),
  );
  for (const result of results) assertEquals(result.metrics.generatedTokens, 8);
});

Deno.test("ServingContext cancels a request within moments while other slots keep generating", async () => {
  using model = await loadModel(STORIES_260K);
  using serving = await createServingContext(model, { nParallel: 2, nCtxPerSlot: 2048 });
  // EOS banned: both run until cancelled.
  const options = { temperature: 0, maxTokens: 1900, logitBias: { [model.info.eos]: -Infinity } };
  const a = new AbortController();
  const b = new AbortController();
  const first = serving.generate("Once upon a time", { ...options, signal: a.signal });
  const second = serving.generate("The little dog", { ...options, signal: b.signal });
  let pieces = 0;
  let abortedAt = 0;
  for await (const _ of first) {
    if (++pieces === 20) {
      abortedAt = performance.now();
      a.abort();
    }
  }
  const result = await first.result;
  // A cancel is a message to the engine Worker, which must let it in between steps.
  const firstMs = performance.now() - abortedAt;
  assertEquals(result.finishReason, "abort");
  assert(firstMs < 1_000, `cancelled after ${firstMs.toFixed(0)} ms`);
  abortedAt = performance.now();
  b.abort();
  const other = await second.result;
  const secondMs = performance.now() - abortedAt;
  assertEquals(other.finishReason, "abort");
  assert(secondMs < 1_000, `cancelled after ${secondMs.toFixed(0)} ms`);
});

Deno.test("createServingContext() nCtx is the KV cache of all slots, split or shared as llama-server's -c", async () => {
  using model = await loadModel(STORIES_260K);
  using split = await createServingContext(model, { nParallel: 2, nCtx: 1024 });
  assertEquals([split.context.info.nCtx, split.context.info.nCtxSeq], [1024, 512]);
  using shared = await createServingContext(model, { nParallel: 2, nCtx: 1024, kvUnified: true });
  assertEquals([shared.context.info.nCtx, shared.context.info.nCtxSeq], [1024, 1024]);
  // Both slots decode in the one pool; a prompt may use more than half of it.
  const results = await Promise.all(
    ["Once upon a time", "Tom and Sue"].map((prompt) =>
      shared.generate(prompt, { temperature: 0, maxTokens: 8 }).result
    ),
  );
  assertEquals(results.map((r) => r.metrics.generatedTokens), [8, 8]);
});
