import { assert } from "../assert.ts";
import { loadModel } from "../../engine/model.ts";
import { SYNTHETIC_135M } from "../models.ts";

Deno.test("the event loop keeps running while a long prompt decodes", async () => {
  using model = await loadModel(SYNTHETIC_135M);
  using ctx = await model.createContext({ nCtx: 2048, nBatch: 512 });
  const prompt = Array.from({ length: 1500 }, (_, i) => 100 + (i % 5000));
  const gaps: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 5);
  let result;
  try {
    result = await ctx.generate(prompt, { temperature: 0, maxTokens: 1 }).result;
  } finally {
    clearInterval(timer);
  }
  gaps.sort((a, b) => a - b);
  const p99 = gaps[Math.floor(gaps.length * 0.99)];
  // Decoding 1500 tokens of a 135M model takes seconds; a blocked loop would show
  // one gap that long. The bound leaves room for a busy shared machine.
  assert(result.metrics.promptMs > 200, `prompt took ${result.metrics.promptMs} ms`);
  assert(gaps.length >= 10, `timer fired ${gaps.length} times`);
  assert(gaps.at(-1)! < result.metrics.promptMs / 2, `largest gap ${gaps.at(-1)} ms`);
  assert(p99 < 100, `p99 gap ${p99} ms`);
});
