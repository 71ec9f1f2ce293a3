/**
 * `deno task bench -m MODEL --http`: generation speed streamed over HTTP to one
 * client (the OpenAI API, SSE) against the engine's own `generate()` on the same
 * model, interleaved, `-n` tokens each, greedy, with end-of-generation banned.
 *
 * @module
 */
import type { Model } from "../engine/model.ts";
import { createServingContext } from "../engine/serving.ts";
import { ServingBackend } from "../server/openai/serving_backend.ts";
import { startOpenAiServer } from "../server/openai/server.ts";

/** Tokens per second of both paths, one sample per repetition. */
export interface HttpBenchResult {
  engineTokPerSec: number[];
  httpTokPerSec: number[];
}

/** Runs `repetitions` rounds of engine then HTTP. */
export async function benchHttp(
  model: Model,
  nGen: number,
  repetitions: number,
): Promise<HttpBenchResult> {
  using serving = await createServingContext(model, { nParallel: 1, nCtxPerSlot: nGen + 256 });
  const server = startOpenAiServer(new ServingBackend("bench", serving), { port: 0 });
  const ban = model.info.eos >= 0 ? { [model.info.eos]: -Infinity } : {};
  const result: HttpBenchResult = { engineTokPerSec: [], httpTokPerSec: [] };
  try {
    for (let r = 0; r <= repetitions; r++) {
      // Both paths sample alike: the OpenAI API's defaults (temperature 1, no top_k)
      // differ from the engine's, and a full-vocabulary softmax costs per token.
      const engine = await serving.generate("Once upon a time", {
        temperature: 0,
        maxTokens: nGen,
        seed: r,
        logitBias: ban,
      }).result;
      const start = performance.now();
      let first = 0;
      let chunks = 0;
      const response = await fetch(`${server.url}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          model: "bench",
          prompt: "Once upon a time",
          max_tokens: nGen,
          temperature: 0,
          seed: r,
          stream: true,
          logit_bias: Object.fromEntries(Object.entries(ban).map(([k]) => [k, -100])),
        }),
      });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!first && value.includes('"text"')) first = performance.now();
        chunks += value.split("\n\n").filter((e) => e.includes('"text"')).length;
      }
      const end = performance.now();
      if (r === 0) continue; // warm-up
      result.engineTokPerSec.push(engine.metrics.genTokPerSec);
      // Tokens after the first over the time after the first, as the engine counts.
      result.httpTokPerSec.push(((nGen - 1) * 1000) / (end - (first || start)));
      void chunks;
    }
  } finally {
    await server.shutdown();
  }
  return result;
}
