/**
 * A request leaves nothing behind once it ends: the listener the disconnect
 * middleware puts on the server-lifetime shutdown signal goes with it, so 20,000
 * requests (health checks, 4xx answers, streamed completions) keep the listener count
 * at zero and the heap flat. Real HTTP on 127.0.0.1; a fake backend stands in for the
 * model, whose part is not under test.
 */
import { getEventListeners } from "node:events";
import v8 from "node:v8";
import vm from "node:vm";
import { assert, assertEquals } from "../assert.ts";
import { Generation } from "../../engine/generation.ts";
import type { GenerationResult } from "../../engine/types.ts";
import { createOpenAiApp } from "../../server/openai/app.ts";
import type { CompletionBackend } from "../../server/openai/backend.ts";

// V8's gc() without --expose-gc on the command line, so heap figures hold live data only.
v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;

function heapMb(): number {
  collectGarbage();
  return Deno.memoryUsage().heapUsed / 2 ** 20;
}

const RESULT: GenerationResult = {
  finishReason: "length",
  text: "Hi",
  droppedMessages: 0,
  metrics: {
    promptTokens: 1,
    cachedTokens: 0,
    promptEvalTokens: 1,
    generatedTokens: 1,
    ttftMs: 0,
    promptMs: 0,
    genMs: 0,
    promptTokPerSec: 0,
    genTokPerSec: 0,
  },
};

/** Answers every completion with one piece, "Hi". */
const backend = {
  id: "leak-test",
  info: { nVocab: 100 },
  generate: () =>
    new Generation((push) => {
      push([{ token: 1, text: "Hi" }]);
      return Promise.resolve(RESULT);
    }),
} as unknown as CompletionBackend;

/** One of five requests: 200, 200, 400, 404, and a 200 stream. */
async function hit(base: string, i: number): Promise<void> {
  let response: Response;
  switch (i % 5) {
    case 0:
      response = await fetch(`${base}/health`);
      break;
    case 1:
      response = await fetch(`${base}/v1/models`);
      break;
    case 2:
      response = await fetch(`${base}/v1/chat/completions`, { method: "POST", body: "{not json" });
      break;
    case 3:
      response = await fetch(`${base}/v1/nope`);
      break;
    default: {
      const body = JSON.stringify({ model: "leak-test", prompt: "Hi", stream: true });
      response = await fetch(`${base}/v1/completions`, { method: "POST", body });
      assert((await response.text()).endsWith("data: [DONE]\n\n"), `request ${i}`);
    }
  }
  if (!response.bodyUsed) await response.body?.cancel();
  assertEquals(response.status, [200, 200, 400, 404, 200][i % 5], `request ${i}`);
}

/** Sends requests `from` to `to` over 8 connections at once. */
async function hitRange(base: string, from: number, to: number): Promise<void> {
  let next = from;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < to) await hit(base, next++);
  }));
}

Deno.test("the OpenAI app keeps no listener and no heap per finished request over 20,000", async () => {
  const closing = new AbortController();
  const shutdown = closing.signal;
  let hosts: string[] = [];
  const app = createOpenAiApp(backend, { hosts: () => hosts, shutdownSignal: shutdown });
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  hosts = [`127.0.0.1:${server.addr.port}`];
  const base = `http://${hosts[0]}`;
  const listeners = () => getEventListeners(shutdown, "abort").length;

  await hitRange(base, 0, 2_000);
  const warmMb = heapMb();
  await hitRange(base, 2_000, 20_000);
  // A response is out a moment before Deno calls the request complete: poll.
  for (let polls = 0; listeners() > 0 && polls < 1_000; polls++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assertEquals(listeners(), 0, "listeners left on the shutdown signal");
  const grownMb = heapMb() - warmMb;
  console.log(
    `heap after GC: ${warmMb.toFixed(1)} MB at 2,000 requests, +${grownMb.toFixed(1)} MB at 20,000`,
  );
  // Before the fix each request kept about 3-4 KB: over 60 MB for these 18,000.
  assert(grownMb < 8, `heap grew ${grownMb.toFixed(1)} MB over 18,000 requests`);
});
