import { assert, assertEquals } from "../tests/assert.ts";
import { BufferPool } from "./buffer_pool.ts";

Deno.test("BufferPool.take() reuses a given-back buffer large enough, else allocates", () => {
  const pool = new BufferPool(1, 1 << 20);
  const first = pool.take(1000);
  assertEquals(first.length, 1000);
  pool.give(first);
  const again = pool.take(600);
  assertEquals(again.length, 600);
  assert(again.buffer === first.buffer, "the given-back buffer was not reused");
  const other = pool.take(600); // the pool is empty: a fresh one
  assert(other.buffer !== first.buffer);
  pool.give(again);
  pool.give(other); // over maxFree: the oldest is dropped
  assert(pool.take(10).buffer === other.buffer);
  pool.give(new Uint8Array(2 << 20)); // over maxBytes: never pooled
  assertEquals(pool.take(2 << 20).buffer.byteLength, 2 << 20);
});
