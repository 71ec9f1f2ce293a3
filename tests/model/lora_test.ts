import { notDeepStrictEqual as assertNotEquals } from "node:assert/strict";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { loadModel } from "../../engine/model.ts";
import { LoraAdapterError } from "../../engine/errors.ts";
import { createServingContext } from "../../engine/serving.ts";
import { STORIES_260K, STORIES_260K_LORA_RANDOM, STORIES_260K_LORA_ZERO } from "../models.ts";

const greedy = { temperature: 0, maxTokens: 32 } as const;
const PROMPT = "Once upon a time";

Deno.test("Context.setLoras() changes greedy text only with a non-zero adapter", async () => {
  using model = await loadModel(STORIES_260K);
  using ctx = await model.createContext({ nCtx: 256 });
  const base = await ctx.generate(PROMPT, greedy).text();
  using zero = await model.loadLora(STORIES_260K_LORA_ZERO);
  using random = await model.loadLora(STORIES_260K_LORA_RANDOM);
  assertEquals([random.info.alpha, random.info.rank, random.info.tensorCount], [4, 4, 15]);
  assertEquals(random.effectiveScale(0.5), 0.5);

  await ctx.setLoras([{ adapter: zero, scale: 1 }]);
  assertEquals(await ctx.generate(PROMPT, greedy).text(), base);
  await ctx.setLoras([{ adapter: random, scale: 0 }]);
  assertEquals(await ctx.generate(PROMPT, greedy).text(), base);
  await ctx.setLoras([{ adapter: random, scale: 1 }]);
  const changed = await ctx.generate(PROMPT, greedy).text();
  assertNotEquals(changed, base);
  // The cache of the base run was emptied with the switch: the whole prompt decoded again.
  await ctx.setLoras([]);
  const again = await ctx.generate(PROMPT, greedy).result;
  assertEquals(again.text, base);
  assertEquals(again.metrics.cachedTokens, 0);
  // Freeing an adapter in use takes it off the context first.
  await ctx.setLoras([{ adapter: random, scale: 1 }]);
  random.dispose();
  assertEquals(await ctx.generate(PROMPT, greedy).text(), base);
  assertEquals(model.loras, [zero]);
});

Deno.test("Model.loadLora() refuses a model file, another architecture and unknown tensors", async () => {
  using model = await loadModel(STORIES_260K);
  const notAdapter = await assertRejects(() => model.loadLora(STORIES_260K), LoraAdapterError);
  assert(notAdapter.message.includes('general.type is null, not "adapter"'), notAdapter.message);

  const bytes = await Deno.readFile(STORIES_260K_LORA_RANDOM);
  const patched = async (from: string, to: string) => {
    const path = await Deno.makeTempFile({ suffix: ".gguf" });
    const text = new TextDecoder("latin1").decode(bytes);
    assert(text.includes(from) && from.length === to.length);
    const copy = bytes.slice();
    for (let at = text.indexOf(from); at >= 0; at = text.indexOf(from, at + 1)) {
      copy.set(new TextEncoder().encode(to), at);
    }
    await Deno.writeFile(path, copy);
    return path;
  };
  // "qwen2" has as many bytes as "llama", so the header stays valid.
  const qwen = await patched(
    "\x05\x00\x00\x00\x00\x00\x00\x00llama",
    "\x05\x00\x00\x00\x00\x00\x00\x00qwen2",
  );
  const wrongArch = await assertRejects(() => model.loadLora(qwen), LoraAdapterError);
  assertEquals(
    wrongArch.message,
    `Cannot load LoRA adapter "${qwen}": it is for architecture "qwen2" but the model is "llama"`,
  );
  // stories260K has blocks 0 to 4.
  const blk9 = await patched("blk.0.attn_q.weight.lora_", "blk.9.attn_q.weight.lora_");
  const unknown = await assertRejects(() => model.loadLora(blk9), LoraAdapterError);
  assert(unknown.message.includes('"blk.9.attn_q.weight" does not exist in the model'));
  await Deno.remove(qwen);
  await Deno.remove(blk9);
  // The model still works, and no adapter was kept.
  assertEquals(model.loras, []);
});

Deno.test("ServingContext runs requests with different adapter sets at once, each as alone", async () => {
  using model = await loadModel(STORIES_260K);
  using random = await model.loadLora(STORIES_260K_LORA_RANDOM);
  using lone = await model.createContext({ nCtx: 256 });
  const sets = [[], [{ adapter: random, scale: 1 }], [{ adapter: random, scale: 2 }]];
  const expected: string[] = [];
  for (const loras of sets) {
    await lone.setLoras(loras);
    expected.push(await lone.generate(PROMPT, greedy).text());
  }
  assertEquals(new Set(expected).size, 3);
  using serving = await createServingContext(model, { nParallel: 3, nCtxPerSlot: 256 });
  const texts = await Promise.all(
    [...sets, ...sets].map((loras) => serving.generate(PROMPT, { ...greedy, loras }).text()),
  );
  assertEquals(texts, [...expected, ...expected]);
});
