import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { Generation } from "../../engine/generation.ts";
import type { GenerationMetrics, GenerationResult, Piece } from "../../engine/types.ts";
import { limitPredictTime } from "./predict_time_limit.ts";

const METRICS: GenerationMetrics = {
  promptTokens: 3,
  cachedTokens: 0,
  promptEvalTokens: 3,
  generatedTokens: 0,
  ttftMs: 1,
  promptMs: 1,
  genMs: 1,
  promptTokPerSec: 1,
  genTokPerSec: 1,
};

/** A hand-driven generation: the test pushes pieces and ends it; an abort ends it too. */
function fakeGeneration() {
  let push!: (pieces: Piece[]) => void;
  let end!: (reason: "stop" | "length") => void;
  let signal!: AbortSignal;
  const emitted: Piece[] = [];
  const start = (s: AbortSignal) => {
    signal = s;
    return new Generation((p) => {
      push = (pieces) => {
        emitted.push(...pieces);
        p(pieces);
      };
      return new Promise<GenerationResult>((resolve) => {
        const result = (finishReason: GenerationResult["finishReason"]) => ({
          finishReason,
          text: emitted.map((piece) => piece.text).join(""),
          metrics: { ...METRICS, generatedTokens: emitted.length },
          droppedMessages: 0,
        });
        end = (reason) => resolve(result(reason));
        s.addEventListener("abort", () => resolve(result("abort")));
      });
    });
  };
  return {
    start,
    push: (p: Piece[]) => push(p),
    end: (r: "stop" | "length") => end(r),
    signal: () => signal,
  };
}

/** Resolves once `condition()` holds, checking after each macrotask. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 0));
}

Deno.test("limitPredictTime() ends at the first piece after a newline past the limit, as length", async () => {
  const fake = fakeGeneration();
  const request = new AbortController();
  let clock = 0;
  const generation = limitPredictTime(fake.start, request.signal, 5, () => clock);
  const pieces: Piece[] = [];
  const reading = (async () => {
    for await (const piece of generation) pieces.push(piece);
  })();
  fake.push([{ token: 1, text: "a" }, { token: 2, text: "b\n" }]);
  await until(() => pieces.length === 2);
  clock = 5; // not past the limit yet
  fake.push([{ token: 3, text: "c" }]);
  await until(() => pieces.length === 3);
  clock = 5.5;
  fake.push([{ token: 4, text: "d" }, { token: 5, text: "e" }]);
  const result = await generation.result;
  await reading;
  ok(fake.signal().aborted, "the backend's generation was stopped");
  strictEqual(result.finishReason, "length");
  strictEqual(result.text, "ab\ncd");
  strictEqual(result.metrics.generatedTokens, 4);
  deepStrictEqual(pieces.map((p) => p.text), ["a", "b\n", "c", "d"]);
});

Deno.test("limitPredictTime() waits for a newline, and leaves a client abort and a natural end alone", async () => {
  const noNewline = fakeGeneration();
  let clock = 0;
  const generation = limitPredictTime(
    noNewline.start,
    new AbortController().signal,
    1,
    () => clock,
  );
  const seen: Piece[] = [];
  const reading = (async () => {
    for await (const piece of generation) seen.push(piece);
  })();
  noNewline.push([{ token: 1, text: "a" }]);
  await until(() => seen.length === 1);
  clock = 100;
  noNewline.push([{ token: 2, text: "b" }]);
  noNewline.end("stop");
  await reading;
  deepStrictEqual([(await generation.result).finishReason, await generation.text()], [
    "stop",
    "ab",
  ]);
  ok(!noNewline.signal().aborted);

  const client = fakeGeneration();
  const request = new AbortController();
  const aborted = limitPredictTime(client.start, request.signal, 1, () => 0);
  client.push([{ token: 1, text: "a\n" }]);
  request.abort();
  strictEqual((await aborted.result).finishReason, "abort");

  const plain = fakeGeneration();
  const signal = new AbortController().signal;
  let given: AbortSignal | undefined;
  limitPredictTime(
    (s) => {
      given = s;
      return plain.start(s);
    },
    signal,
    undefined,
  );
  strictEqual(given, signal);
});
