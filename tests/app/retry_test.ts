/** Backoff and Retry-After parsing of provider retries (app/providers/retry.ts). */
import { assert, assertEquals } from "../assert.ts";
import { retryAfterMs, retryDelayMs } from "../../app/providers/retry.ts";

Deno.test("retryDelayMs() doubles per attempt, caps at maxMs, and jitters within [0.5, 1)", () => {
  for (let attempt = 0; attempt < 8; attempt++) {
    const ceiling = Math.min(10_000, 500 * 2 ** attempt);
    for (let i = 0; i < 50; i++) {
      const wait = retryDelayMs(attempt, 500, 10_000);
      assert(wait >= ceiling / 2 && wait <= ceiling, `attempt ${attempt}: ${wait}`);
    }
  }
});

Deno.test("retryAfterMs() reads retry-after-ms, seconds and HTTP dates", () => {
  const now = Date.UTC(2026, 0, 1);
  assertEquals(retryAfterMs(new Headers({ "retry-after-ms": "1500" }), now), 1500);
  assertEquals(retryAfterMs(new Headers({ "retry-after": "3" }), now), 3000);
  const date = new Date(now + 7000).toUTCString();
  assertEquals(retryAfterMs(new Headers({ "retry-after": date }), now), 7000);
  assertEquals(retryAfterMs(new Headers({ "retry-after": "soon" }), now), undefined);
  assertEquals(retryAfterMs(new Headers(), now), undefined);
  assertEquals(retryAfterMs(undefined, now), undefined);
});
