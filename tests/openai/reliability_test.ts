/**
 * The scheduler-backed server over real HTTP keeps serving under patterns that once
 * wedged it for good (1-token requests one after another, or in bursts), and
 * `/health` tells a stalled scheduler from a healthy one.
 */
import { assert, assertEquals } from "../assert.ts";
import { loadModel } from "../../engine/model.ts";
import { createServingContext } from "../../engine/serving.ts";
import { ServingBackend } from "../../server/openai/serving_backend.ts";
import { startOpenAiServer } from "../../server/openai/server.ts";
import { notHung, randomBursts, sequential } from "../_request_load.ts";
import { STORIES_260K } from "../models.ts";

async function serve(stallAfterMs?: number) {
  const model = await loadModel(STORIES_260K);
  const options = { nParallel: 4, nCtxPerSlot: 256, nThreads: 1, queueLimit: 64 };
  const serving = await createServingContext(model, options);
  const server = startOpenAiServer(new ServingBackend("tiny", serving), {
    port: 0,
    stallAfterMs,
  });
  return {
    url: server.url,
    model,
    serving,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      serving.dispose();
      model.dispose();
    },
  };
}

/** One completion of `max_tokens` 1; checks that it generated its token. */
async function complete(url: string, prompt: string): Promise<void> {
  const response = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "tiny", prompt, max_tokens: 1 }),
  });
  const body = await response.json();
  assertEquals(response.status, 200, JSON.stringify(body));
  assertEquals(body.usage.completion_tokens, 1);
}

Deno.test("the server answers 500 sequential 1-token completions", async () => {
  await using s = await serve();
  await sequential(500, (i) => complete(s.url, `Once upon a time ${i % 7}`));
  assertEquals(s.serving.load(), { queued: 0, slotsBusy: 0, slotsTotal: 4 });
  assertEquals((await fetch(`${s.url}/health`)).status, 200);
});

Deno.test("the server answers 500 1-token completions sent in random bursts", async () => {
  await using s = await serve();
  await randomBursts(500, 26, 24, (i) => complete(s.url, `Lily went ${i % 5}`));
  assertEquals(s.serving.load(), { queued: 0, slotsBusy: 0, slotsTotal: 4 });
});

Deno.test("/health answers 503 while requests wait and the scheduler runs no step", async () => {
  await using s = await serve(1);
  const health = async () => {
    const response = await fetch(`${s.url}/health`);
    return { status: response.status, body: await response.json() };
  };
  assertEquals(await health(), { status: 200, body: { status: "ok" } });
  // A bench on another context holds the engine Worker: a request sent meanwhile waits,
  // and no step runs until the bench is done.
  using other = await s.model.createContext({ nCtx: 512, nThreads: 1 });
  let benchDone = false;
  const bench = other._bench({ nPrompt: 512, nGen: 0, repetitions: 8, warmup: false })
    .finally(() => benchDone = true);
  const answer = complete(s.url, "Once upon a time");
  let stalled: { status: number; body: { error: { code: string } } } | undefined;
  while (!benchDone && stalled === undefined) {
    const seen = await health();
    if (seen.status === 503) stalled = seen;
  }
  assert(stalled, "/health never reported the stall");
  assertEquals(stalled.body.error.code, "scheduler_stalled");
  await bench;
  await notHung(answer, "the request sent during the stall");
  assertEquals(await health(), { status: 200, body: { status: "ok" } });
});
