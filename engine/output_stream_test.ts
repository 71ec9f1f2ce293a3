import { assertEquals } from "../tests/assert.ts";
import { OutputStream, type OutputStreamOptions } from "./output_stream.ts";
import type { Piece } from "./types.ts";

/** An OutputStream on a fake clock that moves only when the test sets `clock.ms`. */
function stream(options: Partial<OutputStreamOptions> = {}) {
  const clock = { ms: 1000 };
  const posts: Piece[][] = [];
  const out = new OutputStream({
    stop: [],
    promptTokens: 10,
    cachedTokens: 0,
    startedAt: 1000,
    now: () => clock.ms,
    onPieces: (pieces) => posts.push(pieces),
    ...options,
  });
  return { out, clock, posts };
}

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("OutputStream.push() decodes a character split across tokens with one decoder", () => {
  const { out, posts } = stream();
  const emoji = bytes("😀"); // 4 bytes, one token each
  out.push(1, bytes("a"));
  for (let i = 0; i < 4; i++) out.push(10 + i, emoji.subarray(i, i + 1));
  out.push(2, bytes("b"));
  const result = out.finish("length");
  assertEquals(result.text, "a😀b");
  assertEquals(posts.flat(), [
    { token: 1, text: "a" },
    { token: 10, text: "" },
    { token: 11, text: "" },
    { token: 12, text: "" },
    { token: 13, text: "😀" },
    { token: 2, text: "b" },
  ]);
});

Deno.test("OutputStream.finish() puts an incomplete character's replacement on the last piece", () => {
  const { out, posts } = stream();
  out.push(1, bytes("a"));
  out.push(2, bytes("é").subarray(0, 1));
  assertEquals(out.finish("length").text, "a\uFFFD");
  assertEquals(posts.flat().at(-1), { token: 2, text: "\uFFFD" });
});

Deno.test("OutputStream.push() matches a stop string split across tokens and drops it", () => {
  const { out, posts } = stream({ stop: ["</s>"] });
  assertEquals(out.push(1, bytes("Hi <")), false);
  assertEquals(out.push(2, bytes("/")), false);
  assertEquals(out.push(3, bytes("s> more")), true);
  const result = out.finish("stop");
  assertEquals(result.stop, "</s>");
  assertEquals(result.text, "Hi ");
  assertEquals(posts.flat().map((p) => p.text).join(""), "Hi ");
  assertEquals(result.metrics.generatedTokens, 3);
});

Deno.test("OutputStream.finish() drops what follows a stop string, an incomplete character too", () => {
  const { out, posts } = stream({ stop: ["!"] });
  assertEquals(out.push(1, new Uint8Array([...bytes("a!"), ...bytes("é").subarray(0, 1)])), true);
  assertEquals(out.finish("stop").text, "a");
  assertEquals(posts.flat(), [{ token: 1, text: "a" }]);
});

Deno.test("OutputStream.finish() releases a held-back partial stop string on the last piece", () => {
  const { out, posts } = stream({ stop: ["</s>"] });
  out.push(1, bytes("Hi"));
  out.push(2, bytes(" </"));
  const result = out.finish("length");
  assertEquals(result.stop, undefined);
  assertEquals(result.text, "Hi </");
  assertEquals(posts, [[{ token: 1, text: "Hi" }], [{ token: 2, text: " </" }]]);
});

Deno.test("OutputStream.finish() posts a tail with no piece to ride on as token -1", () => {
  const { out, posts } = stream();
  out.push(1, bytes("é").subarray(0, 1));
  // The first piece ("") went out at once; the tail follows on its own.
  assertEquals(out.finish("length").text, "\uFFFD");
  assertEquals(posts, [[{ token: 1, text: "" }], [{ token: -1, text: "\uFFFD" }]]);
});

Deno.test("OutputStream.push() posts the first piece at once, then at most once per interval", () => {
  const { out, clock, posts } = stream({ flushIntervalMs: 33 });
  out.push(1, bytes("a"));
  assertEquals(posts.length, 1, "first piece at once");
  clock.ms += 10;
  out.push(2, bytes("b"));
  clock.ms += 22;
  out.push(3, bytes("c"));
  assertEquals(posts.length, 1, "32 ms after the last post: held");
  clock.ms += 1;
  out.push(4, bytes("d"));
  assertEquals(posts.length, 2, "33 ms after: posted");
  assertEquals(posts[1].map((p) => p.text), ["b", "c", "d"]);
  clock.ms += 5;
  out.push(5, bytes("e"));
  assertEquals(posts.length, 2);
  out.finish("length");
  assertEquals(posts.length, 3, "finish posts what is pending");
  assertEquals(posts[2], [{ token: 5, text: "e" }]);
});

Deno.test("OutputStream.finish() posts nothing when nothing is pending", () => {
  const { out, posts } = stream();
  out.push(1, bytes("a"));
  out.push(2); // end of generation: counted, no text
  out.finish("stop");
  assertEquals(posts, [[{ token: 1, text: "a" }]]);
});

Deno.test("OutputStream.finish() computes TTFT, prompt and generation speeds from the clock", () => {
  const { out, clock } = stream({ promptTokens: 120, cachedTokens: 20, startedAt: 1000 });
  clock.ms = 1200; // 100 prompt tokens decoded in 200 ms
  out.promptDone();
  clock.ms = 1250; // first token 250 ms after the start
  out.push(1, bytes("a"));
  clock.ms = 1350;
  out.push(2, bytes("b"));
  clock.ms = 1450;
  out.push(3); // end of generation counts as a token
  clock.ms = 1650;
  const { metrics, finishReason } = out.finish("stop");
  assertEquals(finishReason, "stop");
  assertEquals(metrics, {
    promptTokens: 120,
    cachedTokens: 20,
    promptEvalTokens: 100,
    generatedTokens: 3,
    ttftMs: 250,
    promptMs: 200,
    genMs: 400,
    promptTokPerSec: 500,
    // Two tokens after the first, over 400 ms.
    genTokPerSec: 5,
  });
});

Deno.test("OutputStream.finish() gives zeros for no tokens and counts an unfinished prompt to the end", () => {
  const { out, clock } = stream({ promptTokens: 8, cachedTokens: 8, startedAt: 1000 });
  clock.ms = 1040;
  const { metrics, text } = out.finish("abort");
  assertEquals(text, "");
  assertEquals(metrics, {
    promptTokens: 8,
    cachedTokens: 8,
    promptEvalTokens: 0,
    generatedTokens: 0,
    ttftMs: 0,
    promptMs: 40,
    genMs: 0,
    promptTokPerSec: 0,
    genTokPerSec: 0,
  });
});

Deno.test("OutputStream.finish() gives no generation speed for a single token", () => {
  const { out, clock } = stream();
  out.promptDone();
  clock.ms += 5;
  out.push(1, bytes("a"));
  clock.ms += 5;
  const { metrics } = out.finish("length");
  assertEquals([metrics.generatedTokens, metrics.genMs, metrics.genTokPerSec], [1, 5, 0]);
});
