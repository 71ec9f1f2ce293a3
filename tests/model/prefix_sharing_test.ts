/**
 * Cross-slot prompt prefix sharing (engine/scheduler.ts) on the real engine: requests
 * that share a prompt prefix copy it from the sequence that decoded it
 * (`llama_memory_seq_cp`) and give, token for token, the greedy output they give with
 * sharing off.
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { loadModel, type Model } from "../../engine/model.ts";
import { createServingContext, type ServingOptions } from "../../engine/serving.ts";
import { ContextOverflowError } from "../../engine/errors.ts";
import { commonPrefix, MIN_COPY_TOKENS } from "../../engine/prefix_sharing.ts";
import type { GenerationResult } from "../../engine/types.ts";
import { STORIES_260K } from "../models.ts";

const PREFIX = "Once upon a time, there was a little girl named Lily. She loved to play " +
  "outside in the park with her big red ball. One day, she saw a small bird sitting on a " +
  "tree. The bird was sad because it could not fly. Lily wanted to help the bird. ";
const ROWS = [
  "Tom said:",
  "Then her mom came and",
  "The bird looked at Lily and",
  "Lily ran home to get",
  "The sun was hot, so",
  "A big dog came to the park.",
];
const GENERATE = { temperature: 0, seed: 7, maxTokens: 24 } as const;

async function prompts(model: Model, rows: readonly string[]): Promise<number[][]> {
  return await Promise.all(rows.map((row) => model.tokenize(PREFIX + row)));
}

/** Runs every prompt at once on a fresh serving context; results in prompt order. */
async function serveAll(
  model: Model,
  tokens: readonly number[][],
  options: ServingOptions,
): Promise<GenerationResult[]> {
  using serving = await createServingContext(model, options);
  return await Promise.all(tokens.map((t) => serving.generate(t, GENERATE).result));
}

function sum(results: readonly GenerationResult[], key: "promptEvalTokens" | "cachedTokens") {
  return results.reduce((total, r) => total + r.metrics[key], 0);
}

for (const kvUnified of [false, true]) {
  Deno.test(`Prefix sharing gives the unshared greedy output and decodes the prefix once (kv_unified ${kvUnified})`, async () => {
    using model = await loadModel(STORIES_260K);
    const tokens = await prompts(model, ROWS);
    const shared = tokens.reduce((p, t) => p.slice(0, commonPrefix(p, t)));
    assert(shared.length >= 60, `shared prefix of ${shared.length} tokens`);
    // A slot each: with sharing off, no request finds its prefix in its own slot.
    const options = { nParallel: tokens.length, nCtxPerSlot: 256, kvUnified };
    const off = await serveAll(model, tokens, { ...options, prefixSharing: false });
    const on = await serveAll(model, tokens, options);
    assertEquals(on.map((r) => r.text), off.map((r) => r.text));
    for (const r of off) assertEquals(r.metrics.cachedTokens, 0);
    const total = tokens.reduce((n, t) => n + t.length, 0);
    assertEquals(sum(off, "promptEvalTokens"), total);
    // Every request but one copies the whole shared prefix: it is decoded once.
    const copied = on.filter((r) => r.metrics.cachedTokens > 0);
    assertEquals(copied.length, tokens.length - 1);
    for (const r of copied) assertEquals(r.metrics.cachedTokens, shared.length);
    assertEquals(sum(on, "promptEvalTokens"), total - (tokens.length - 1) * shared.length);
    for (const r of on) {
      assertEquals(r.metrics.promptEvalTokens + r.metrics.cachedTokens, r.metrics.promptTokens);
    }
  });
}

Deno.test("Prefix sharing of a whole prompt another slot holds decodes its last token again", async () => {
  using model = await loadModel(STORIES_260K);
  const [prompt] = await prompts(model, [ROWS[0]]);
  const tokens = [prompt, prompt, prompt];
  const options = { nParallel: 3, nCtxPerSlot: 256 };
  const off = await serveAll(model, tokens, { ...options, prefixSharing: false });
  const on = await serveAll(model, tokens, options);
  assertEquals(on.map((r) => r.text), off.map((r) => r.text));
  // The copy stops one token short: the last prompt token's logits are needed.
  assertEquals(on.map((r) => r.metrics.cachedTokens).sort(), [
    0,
    prompt.length - 1,
    prompt.length - 1,
  ]);
});

Deno.test("Prefix sharing refuses a prompt past n_ctx per slot and serves the others", async () => {
  using model = await loadModel(STORIES_260K);
  const tokens = await prompts(model, ROWS.slice(0, 2));
  const nCtxPerSlot = 256;
  using serving = await createServingContext(model, { nParallel: 3, nCtxPerSlot });
  const first = serving.generate(tokens[0], GENERATE);
  // Starts with the prefix the first holds, but the sequence cannot hold it all.
  const long = [...tokens[0], ...new Array(nCtxPerSlot).fill(tokens[0].at(-1))];
  const tooLong = serving.generate(long, GENERATE);
  const second = serving.generate(tokens[1], GENERATE);
  await assertRejects(() => tooLong.result, ContextOverflowError);
  const results = await Promise.all([first.result, second.result]);
  const off = await serveAll(model, tokens, { nParallel: 3, nCtxPerSlot, prefixSharing: false });
  assertEquals(results.map((r) => r.text), off.map((r) => r.text));
});

Deno.test("Prefix sharing gives the unshared output when the slot decoding the prefix is cancelled", async () => {
  using model = await loadModel(STORIES_260K);
  const tokens = await prompts(model, ROWS.slice(0, 4));
  assert(commonPrefix(tokens[1], tokens[2]) >= MIN_COPY_TOKENS);
  // n_batch 32: the prefix takes several steps, so the others wait for it to be decoded.
  const options = { nParallel: 4, nCtxPerSlot: 256, nBatch: 32, nUbatch: 32 };
  const off = await serveAll(model, tokens.slice(1), { ...options, prefixSharing: false });
  using serving = await createServingContext(model, options);
  const controller = new AbortController();
  // Cancelled as soon as it holds a slot: its prefix is decoded only in part, or not at all.
  const leader = serving.generate(tokens[0], {
    ...GENERATE,
    signal: controller.signal,
    onStart: () => controller.abort(),
  });
  const others = tokens.slice(1).map((t) => serving.generate(t, GENERATE));
  assertEquals((await leader.result).finishReason, "abort");
  const results = await Promise.all(others.map((g) => g.result));
  assertEquals(results.map((r) => r.text), off.map((r) => r.text));
});
