import { assert, assertEquals, assertRejects } from "../assert.ts";
import { loadModel, type Model } from "../../engine/model.ts";
import { DraftModelError } from "../../engine/errors.ts";
import { createServingContext } from "../../engine/serving.ts";
import type { GenerationResult } from "../../engine/types.ts";
import {
  STORIES_260K,
  STORIES_260K_CHATML,
  STORIES_260K_DRAFT2,
  STORIES_260K_DRAFT4,
  SYNTHETIC_135M,
  VOCAB_PHI3,
} from "../models.ts";

const PROMPT = "Once upon a time";
// One thread: the machine's cores are shared, and speed is not what these test.
const SIZES = { nCtx: 256, nThreads: 1 } as const;

/** Runs `fn` on a fresh context of `model`, with `draft` when given. */
async function on(
  model: Model,
  draft: Model | undefined,
  fn: (ctx: Awaited<ReturnType<Model["createContext"]>>) => Promise<GenerationResult>,
  pMin?: number,
): Promise<GenerationResult> {
  using ctx = await model.createContext({
    ...SIZES,
    ...(draft ? { draft: { model: draft, ...(pMin === undefined ? {} : { pMin }) } } : {}),
  });
  return await fn(ctx);
}

/** The draft counts hold together whatever the draft: accepted <= drafted, rate = ratio. */
function checkStats(result: GenerationResult): void {
  const { draftTokens, draftAcceptedTokens, draftAcceptanceRate } = result.metrics;
  assert(draftTokens !== undefined && draftAcceptedTokens !== undefined, "draft stats present");
  assert(draftAcceptedTokens >= 0 && draftAcceptedTokens <= draftTokens);
  assertEquals(draftAcceptanceRate, draftTokens > 0 ? draftAcceptedTokens / draftTokens : 0);
}

Deno.test("greedy output with any draft (4 layers, 2 layers, itself) is the output without one", async () => {
  using model = await loadModel(STORIES_260K);
  const engine = model.engine;
  using draft4 = await loadModel(STORIES_260K_DRAFT4, { engine });
  using draft2 = await loadModel(STORIES_260K_DRAFT2, { engine });
  using itself = await loadModel(STORIES_260K, { engine });
  const greedy = { temperature: 0, maxTokens: 96 } as const;
  const base = await on(model, undefined, (ctx) => ctx.generate(PROMPT, greedy).result);
  assertEquals(base.metrics.draftTokens, undefined);
  for (const draft of [draft4, draft2, itself]) {
    // pMin 0 drafts nMax tokens every step: the most rejections and rollbacks.
    for (const pMin of [undefined, 0]) {
      const result = await on(model, draft, (ctx) => ctx.generate(PROMPT, greedy).result, pMin);
      assertEquals(result.text, base.text, `${draft.info.path} pMin ${pMin}`);
      assertEquals(result.metrics.generatedTokens, base.metrics.generatedTokens);
      assertEquals(result.finishReason, base.finishReason);
      checkStats(result);
      if (pMin === 0) assert(result.metrics.draftTokens! > 0);
    }
  }
  // The same weights draft what the target samples: every drafted token is accepted
  // (allowing for batch-size rounding differences in the logits).
  const self = await on(model, itself, (ctx) => ctx.generate(PROMPT, greedy).result, 0);
  assert(
    self.metrics.draftAcceptanceRate! >= 0.9,
    `self-draft ${self.metrics.draftAcceptanceRate}`,
  );
});

Deno.test("a seeded sampler gives the same text with a draft for nearly every seed", async () => {
  using model = await loadModel(STORIES_260K);
  using draft = await loadModel(STORIES_260K_DRAFT4, { engine: model.engine });
  // Every emitted token is the target's own sample, one random draw per token, so a
  // seed gives the same text unless a draw lands within float rounding of a boundary:
  // verify batches run other CPU kernels than single tokens (seed 42 does, at token 40).
  let same = 0;
  for (let seed = 1; seed <= 8; seed++) {
    const sampled = { temperature: 0.8, seed, maxTokens: 96 } as const;
    const base = await on(model, undefined, (ctx) => ctx.generate(PROMPT, sampled).result);
    const result = await on(model, draft, (ctx) => ctx.generate(PROMPT, sampled).result);
    if (result.text === base.text) same++;
    checkStats(result);
  }
  assert(same >= 6, `${same} of 8 seeds gave the same text`);
});

Deno.test("with a draft, stop strings, maxTokens, a full context and the next chat turn end as without", async () => {
  using model = await loadModel(STORIES_260K_CHATML);
  using draft = await loadModel(STORIES_260K_DRAFT4, { engine: model.engine });
  const cases: [
    string,
    (ctx: Awaited<ReturnType<Model["createContext"]>>) => Promise<GenerationResult>,
  ][] = [
    [
      "stop",
      (ctx) => ctx.generate(PROMPT, { temperature: 0, maxTokens: 64, stop: ["Lily"] }).result,
    ],
    ["maxTokens 1", (ctx) => ctx.generate(PROMPT, { temperature: 0, maxTokens: 1 }).result],
    ["maxTokens 7", (ctx) => ctx.generate(PROMPT, { temperature: 0, maxTokens: 7 }).result],
    ["full context", (ctx) => ctx.generate(PROMPT, { temperature: 0, maxTokens: -1 }).result],
    ["chat, two turns", async (ctx) => {
      const first = await ctx.chat([{ role: "user", content: "Tell me a story." }], {
        temperature: 0,
        maxTokens: 24,
      }).result;
      const next = await ctx.chat([
        { role: "user", content: "Tell me a story." },
        { role: "assistant", content: first.text },
        { role: "user", content: "And then?" },
      ], { temperature: 0, maxTokens: 24 }).result;
      return { ...next, text: first.text + "|" + next.text };
    }],
  ];
  for (const [name, run] of cases) {
    const base = await on(model, undefined, run);
    const result = await on(model, draft, run, 0);
    assertEquals(
      [result.text, result.finishReason, result.stop, result.metrics.generatedTokens],
      [base.text, base.finishReason, base.stop, base.metrics.generatedTokens],
      name,
    );
    checkStats(result);
  }
});

Deno.test("a draft of another vocabulary, a vocab-only draft and one on another engine are refused", async () => {
  using model = await loadModel(STORIES_260K);
  using gpt2 = await loadModel(SYNTHETIC_135M, { engine: model.engine });
  const other = await assertRejects(
    () => model.createContext({ ...SIZES, draft: { model: gpt2 } }),
    DraftModelError,
  );
  assertEquals(
    other.message,
    `Cannot use "${SYNTHETIC_135M}" as the draft model: its vocabulary type is BPE, the target's SPM`,
  );
  using phi3 = await loadModel(VOCAB_PHI3, { engine: model.engine, vocabOnly: true });
  await assertRejects(
    () => model.createContext({ ...SIZES, draft: { model: phi3 } }),
    DraftModelError,
    "it was loaded vocabOnly",
  );
  using elsewhere = await loadModel(STORIES_260K_DRAFT4);
  await assertRejects(
    () => model.createContext({ ...SIZES, draft: { model: elsewhere } }),
    TypeError,
    "must be loaded on the target's engine",
  );
  using draft = await loadModel(STORIES_260K_DRAFT4, { engine: model.engine });
  for (
    const [options, text] of [
      [{ nMax: 0 }, "draft.nMax must be an integer in [1, 512], got 0"],
      [{ nMax: 4, nMin: 5 }, "draft.nMin must be an integer in [0, nMax = 4], got 5"],
      [{ pMin: 1.5 }, "draft.pMin must be a number in [0, 1], got 1.5"],
      [{ pMin: NaN }, "draft.pMin must be a number in [0, 1], got NaN"],
    ] as const
  ) {
    await assertRejects(
      () => model.createContext({ ...SIZES, draft: { model: draft, ...options } }),
      RangeError,
      text,
    );
  }
  // Nothing was kept: the model still makes contexts and generates.
  using ctx = await model.createContext({ ...SIZES, draft: { model: draft } });
  assertEquals(ctx.draft?.nMax, 16);
  assertEquals(ctx.draft?.pMin, 0.75);
  assert((await ctx.generate(PROMPT, { maxTokens: 4 }).result).metrics.draftTokens !== undefined);
});

Deno.test("the draft context is freed once: with its context, or when the draft model goes first", async () => {
  using model = await loadModel(STORIES_260K);
  const greedy = { temperature: 0, maxTokens: 32 } as const;
  const base = await on(model, undefined, (ctx) => ctx.generate(PROMPT, greedy).result);
  {
    // The draft model goes first: the context goes on alone.
    const draft = await loadModel(STORIES_260K_DRAFT4, { engine: model.engine });
    using ctx = await model.createContext({ ...SIZES, draft: { model: draft } });
    checkStats(await ctx.generate(PROMPT, greedy).result);
    draft.dispose();
    draft.dispose();
    assertEquals(ctx.draft, undefined);
    const alone = await ctx.generate(PROMPT, greedy).result;
    assertEquals(alone.text, base.text);
    assertEquals(alone.metrics.draftTokens, undefined);
    ctx.dispose();
    ctx.dispose();
  }
  {
    // The context goes first, then its draft model; twice each.
    const draft = await loadModel(STORIES_260K_DRAFT4, { engine: model.engine });
    const ctx = await model.createContext({ ...SIZES, draft: { model: draft } });
    const running = ctx.generate(PROMPT, { maxTokens: -1 });
    ctx.dispose();
    assertEquals((await running.result).finishReason, "abort");
    ctx.dispose();
    draft.dispose();
    draft.dispose();
  }
  // The engine is alive and answers after both orders.
  assertEquals(
    await on(model, undefined, (ctx) => ctx.generate(PROMPT, greedy).result).then((r) => r.text),
    base.text,
  );
});

Deno.test("serving slots decode speculatively: each request's greedy text is its lone run's", async () => {
  using model = await loadModel(STORIES_260K);
  using draft = await loadModel(STORIES_260K_DRAFT4, { engine: model.engine });
  const prompts = ["Once upon a time", "Lily went", "The cat", "One day"];
  const greedy = { temperature: 0, maxTokens: 48 } as const;
  const expected: string[] = [];
  for (const prompt of prompts) {
    expected.push(
      await on(model, undefined, (ctx) => ctx.generate(prompt, greedy).result).then((r) => r.text),
    );
  }
  for (const kvUnified of [false, true]) {
    using serving = await createServingContext(model, {
      nParallel: 3,
      nCtxPerSlot: 256,
      nThreads: 1,
      kvUnified,
      draft: { model: draft, pMin: 0 },
    });
    const results = await Promise.all(
      [...prompts, ...prompts].map((prompt) => serving.generate(prompt, greedy).result),
    );
    assertEquals(results.map((r) => r.text), [...expected, ...expected], `kvUnified ${kvUnified}`);
    for (const result of results) checkStats(result);
    assert(results.some((r) => r.metrics.draftAcceptedTokens! > 0));
  }
  // The draft model goes while the serving context lives: the slots go on alone.
  using serving = await createServingContext(model, {
    nParallel: 2,
    nCtxPerSlot: 256,
    nThreads: 1,
    draft: { model: draft },
  });
  draft.dispose();
  const alone = await serving.generate(prompts[0], greedy).result;
  assertEquals(alone.text, expected[0]);
});
