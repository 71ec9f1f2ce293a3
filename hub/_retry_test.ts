import { assert, assertEquals, assertRejects } from "../tests/assert.ts";
import { delay, parseRetryAfter, retryDelayMs } from "./_retry.ts";

Deno.test("parseRetryAfter() reads seconds and HTTP dates", () => {
  assertEquals(parseRetryAfter("3"), 3000);
  assertEquals(parseRetryAfter("0"), 0);
  const now = Date.parse("2026-01-01T00:00:00Z");
  assertEquals(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", now), 5000);
  assertEquals(parseRetryAfter("Thu, 01 Jan 2025 00:00:05 GMT", now), 0);
  assertEquals(parseRetryAfter(null), undefined);
  assertEquals(parseRetryAfter("soon"), undefined);
});

Deno.test("retryDelayMs() doubles from the initial delay, prefers Retry-After, caps both", () => {
  const policy = { maxRetries: 5, initialDelayMs: 100, maxDelayMs: 1000 };
  assertEquals([1, 2, 3, 4, 5].map((n) => retryDelayMs(policy, n)), [100, 200, 400, 800, 1000]);
  assertEquals(retryDelayMs(policy, 1, 700), 700);
  assertEquals(retryDelayMs(policy, 1, 60_000), 1000);
});

Deno.test("delay() rejects with the signal's reason when aborted", async () => {
  const controller = new AbortController();
  const reason = new Error("stop");
  const started = performance.now();
  const waiting = delay(60_000, controller.signal);
  controller.abort(reason);
  assertEquals(await waiting.catch((e) => e), reason);
  assert(performance.now() - started < 1000);
  await assertRejects(() => delay(1, AbortSignal.abort(new RangeError("x"))), RangeError);
});
