import { assert, assertEquals, assertRejects, assertThrows } from "../tests/assert.ts";
import { QueueFullError } from "./errors.ts";
import { resolveSampling } from "./sampling.ts";
import { loraKey, type LoraScale, type Runner, Scheduler, type ServeRequest } from "./scheduler.ts";
import type { Piece } from "./types.ts";

/**
 * A runner whose "model" answers each token t with t + 1 (mod 100) and whose token 0
 * ends generation; it records every batch.
 */
class FakeRunner implements Runner {
  readonly cached: number[][];
  readonly batches: { token: number; position: number; seqId: number; output: boolean }[][] = [];
  #batch: { token: number; position: number; seqId: number; output: boolean }[] = [];
  samplersFreed = 0;
  /** The adapter set's key at each decode, and each set applied. */
  readonly batchLoras: string[] = [];
  readonly loraSets: string[] = [];
  #lora = "";

  constructor(readonly nBatch: number, readonly nSeqMax: number, readonly nCtxSeq = 1000) {
    this.cached = Array.from({ length: nSeqMax }, () => []);
  }

  clearBatch(): void {
    this.#batch = [];
  }

  addToBatch(token: number, position: number, seqId: number, output: boolean): number {
    assert(this.#batch.length < this.nBatch, "batch over n_batch");
    assertEquals(
      position,
      this.cached[seqId].length + this.#batch.filter((e) => e.seqId === seqId).length,
    );
    this.#batch.push({ token, position, seqId, output });
    return this.#batch.length - 1;
  }

  setLoras(loras: readonly LoraScale[]): void {
    const key = loraKey(loras);
    if (key === this.#lora) return;
    this.#lora = key;
    this.loraSets.push(key);
    for (const cache of this.cached) cache.length = 0;
  }

  decode(): void {
    this.batchLoras.push(this.#lora);
    this.batches.push(this.#batch);
    for (const entry of this.#batch) this.cached[entry.seqId].push(entry.token);
  }

  truncate(seqId: number, from: number): number {
    this.cached[seqId].length = Math.min(this.cached[seqId].length, from);
    return this.cached[seqId].length;
  }

  createSampler() {
    return {
      sample: (index: number) => (this.batches.at(-1)![index].token + 1) % 100,
      free: () => void this.samplersFreed++,
    };
  }

  isEog(token: number): boolean {
    return token === 0;
  }

  tokenBytes(token: number): Uint8Array {
    return new TextEncoder().encode(`${token} `);
  }
}

function request(
  prompt: number[],
  maxTokens: number,
  out: Piece[] = [],
  stop: string[] = [],
): ServeRequest {
  return {
    prompt,
    sampling: resolveSampling({ temperature: 0 }, 100),
    maxTokens,
    stop,
    special: false,
    onPieces: (pieces) => out.push(...pieces),
  };
}

function drain(scheduler: Scheduler): number {
  let steps = 0;
  while (scheduler.step()) steps++;
  return steps;
}

Deno.test("Scheduler.step() batches every generating slot's next token with prompt chunks", async () => {
  const runner = new FakeRunner(8, 2);
  const scheduler = new Scheduler(runner);
  const a = scheduler.submit(request([10, 11, 12], 5));
  scheduler.step(); // a's whole prompt
  const b = scheduler.submit(request([50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61], 3));
  scheduler.step();
  // a's next token rides with the first 7 of b's 12 prompt tokens: n_batch 8 holds both.
  const second = runner.batches[1];
  assertEquals(second.length, 8);
  assertEquals(second[0], { token: 13, position: 3, seqId: 0, output: true });
  assertEquals(second.slice(1).map((e) => e.seqId), [1, 1, 1, 1, 1, 1, 1]);
  drain(scheduler);
  const [ra, rb] = await Promise.all([a.result, b.result]);
  assertEquals(ra.text, "13 14 15 16 17 ");
  assertEquals(ra.finishReason, "length");
  assertEquals(rb.text, "62 63 64 ");
  assert(runner.batches.every((batch) => batch.length <= 8));
  assertEquals(runner.samplersFreed, 2);
});

Deno.test("Scheduler reuses the slot whose cache shares the longest prefix", async () => {
  const runner = new FakeRunner(64, 2);
  const scheduler = new Scheduler(runner);
  const system = [1, 2, 3, 4, 5, 6];
  const first = scheduler.submit(request([...system, 20], 2));
  drain(scheduler);
  assertEquals((await first.result).metrics.cachedTokens, 0);
  const other = scheduler.submit(request([90, 91], 1));
  const second = scheduler.submit(request([...system, 30, 31], 2));
  drain(scheduler);
  const [o, s] = await Promise.all([other.result, second.result]);
  assertEquals(o.metrics.cachedTokens, 0);
  assertEquals(s.metrics.cachedTokens, system.length);
  assertEquals(s.metrics.promptEvalTokens, 2);
});

Deno.test("Scheduler.submit() refuses past the queue limit; cancel frees the slot", async () => {
  const runner = new FakeRunner(16, 1);
  const scheduler = new Scheduler(runner, { queueLimit: 1 });
  const running = scheduler.submit(request([5], -1));
  scheduler.step();
  const waiting = scheduler.submit(request([40], 2));
  assertThrows(() => scheduler.submit(request([41], 2)), QueueFullError);
  running.cancel();
  drain(scheduler);
  assertEquals((await running.result).finishReason, "abort");
  assertEquals((await waiting.result).text, "41 42 ");
  assertEquals(scheduler.load(), { queued: 0, slotsBusy: 0, slotsTotal: 1 });
});

Deno.test("ServeHandle.cancel() drops a queued request at once, before any step", async () => {
  const runner = new FakeRunner(16, 1);
  const scheduler = new Scheduler(runner, { queueLimit: 1 });
  scheduler.submit(request([5], -1));
  scheduler.step();
  const waiting = scheduler.submit(request([40], 2));
  assertEquals(scheduler.load().queued, 1);
  // Its client left: the place in the queue frees now, not when a step next runs.
  waiting.cancel();
  assertEquals(scheduler.load(), { queued: 0, slotsBusy: 1, slotsTotal: 1 });
  const result = await waiting.result;
  assertEquals([result.finishReason, result.metrics.generatedTokens], ["abort", 0]);
  scheduler.submit(request([41], 2)); // the queue limit counts it no more
  assertEquals(runner.batches.length, 1);
});

Deno.test("Scheduler.submit() does not count requests that free slots will take", async () => {
  const runner = new FakeRunner(16, 2);
  const scheduler = new Scheduler(runner, { queueLimit: 0 });
  const first = scheduler.submit(request([5], 2));
  const second = scheduler.submit(request([7], 2));
  assertThrows(() => scheduler.submit(request([9], 2)), QueueFullError);
  drain(scheduler);
  assertEquals((await first.result).text, "6 7 ");
  assertEquals((await second.result).text, "8 9 ");
});

Deno.test("Scheduler ends on EOG and on stop strings across tokens", async () => {
  const runner = new FakeRunner(16, 2);
  const scheduler = new Scheduler(runner);
  const eog = scheduler.submit(request([97], 10));
  const pieces: Piece[] = [];
  const stop = scheduler.submit(request([20], 10, pieces, ["22 2"]));
  drain(scheduler);
  const [e, s] = await Promise.all([eog.result, stop.result]);
  assertEquals(e.text, "98 99 ");
  assertEquals(e.finishReason, "stop");
  assertEquals(s.text, "21 ");
  assertEquals(s.stop, "22 2");
  assertEquals(pieces.map((p) => p.text).join(""), "21 ");
});

Deno.test("Scheduler with maxTokens 0 decodes the prompt and samples nothing", async () => {
  const runner = new FakeRunner(16, 2);
  const scheduler = new Scheduler(runner);
  const pieces: Piece[] = [];
  const none = scheduler.submit(request([10, 11, 12], 0, pieces));
  const one = scheduler.submit(request([20], 1));
  drain(scheduler);
  const [n, o] = await Promise.all([none.result, one.result]);
  assertEquals(n.finishReason, "length");
  assertEquals(n.text, "");
  assertEquals(n.metrics.generatedTokens, 0);
  assertEquals(pieces, []);
  assertEquals(runner.cached[0], [10, 11, 12]);
  assertEquals(o.text, "21 ");
  assertEquals(o.metrics.generatedTokens, 1);
  assertEquals(runner.samplersFreed, 2);
});

Deno.test("new Scheduler() refuses more slots than n_batch, naming both", () => {
  assertThrows(
    () => new Scheduler(new FakeRunner(2, 3)),
    RangeError,
    "3 slots (n_parallel) on n_batch 2",
  );
  new Scheduler(new FakeRunner(3, 3));
});

/** A FakeRunner whose next batch, or sampling of one slot, throws. */
class FailingRunner extends FakeRunner {
  failAdd = false;
  failSampleOnSeq = -1;

  override addToBatch(token: number, position: number, seqId: number, output: boolean): number {
    if (this.failAdd) {
      this.failAdd = false;
      // What llama_batch's wrapper throws past its capacity.
      throw new RangeError("Cannot add token: batch is full at 16");
    }
    return super.addToBatch(token, position, seqId, output);
  }

  override createSampler() {
    const inner = super.createSampler();
    return {
      sample: (index: number) => {
        const seqId = this.batches.at(-1)![index].seqId;
        if (seqId === this.failSampleOnSeq) throw new Error(`cannot sample seq ${seqId}`);
        return inner.sample(index);
      },
      free: inner.free,
    };
  }
}

Deno.test("Scheduler.step() fails the requests in slots when a step throws, and goes on", async () => {
  const runner = new FailingRunner(16, 2);
  const scheduler = new Scheduler(runner);
  const a = scheduler.submit(request([10, 11], -1));
  const b = scheduler.submit(request([20], -1));
  const queued = scheduler.submit(request([30], 2));
  scheduler.step();
  const failed = Promise.all(
    [a, b].map((h) => assertRejects(() => h.result, RangeError, "batch is full")),
  );
  runner.failAdd = true;
  assertEquals(scheduler.step(), true); // no throw out of step()
  await failed;
  assertEquals(runner.samplersFreed, 2);
  // Their caches are forgotten; the queued request is served afterwards.
  assertEquals(runner.cached[0].length + runner.cached[1].length, 0);
  drain(scheduler);
  assertEquals((await queued.result).text, "31 32 ");
  assertEquals(scheduler.load(), { queued: 0, slotsBusy: 0, slotsTotal: 2 });
});

Deno.test("Scheduler.step() fails only the slot whose sampling throws", async () => {
  const runner = new FailingRunner(16, 2);
  const scheduler = new Scheduler(runner);
  runner.failSampleOnSeq = 1;
  const ok = scheduler.submit(request([10], 3));
  const bad = scheduler.submit(request([20], 3));
  const failed = assertRejects(() => bad.result, Error, "cannot sample seq 1");
  drain(scheduler);
  await failed;
  assertEquals((await ok.result).text, "11 12 13 ");
  assertEquals(runner.samplersFreed, 2);
});

Deno.test("Scheduler.failAll() ends queued and running requests with the error", async () => {
  const runner = new FakeRunner(16, 1);
  const scheduler = new Scheduler(runner);
  const running = scheduler.submit(request([5], -1));
  scheduler.step();
  const waiting = scheduler.submit(request([6], 2));
  const failed = Promise.all(
    [running, waiting].map((h) => assertRejects(() => h.result, Error, "loop broke")),
  );
  scheduler.failAll(new Error("loop broke"));
  await failed;
  assertEquals(scheduler.busy, false);
});

Deno.test("Scheduler with a shared KV pool (kvCells) frees idle caches, then ends generations at the pool's end", async () => {
  const runner = new FakeRunner(64, 2, 20);
  const decode = runner.decode.bind(runner);
  runner.decode = () => {
    decode();
    const used = runner.cached.reduce((total, cache) => total + cache.length, 0);
    assert(used <= 20, `the pool of 20 cells holds ${used}`);
  };
  const scheduler = new Scheduler(runner, { kvCells: 20 });
  const first = scheduler.submit(request([1, 2, 3, 4, 5], 3));
  drain(scheduler);
  assertEquals((await first.result).finishReason, "length");
  // 15 prompt tokens do not fit beside the idle slot's 7 cached ones: it gives them back.
  const long = scheduler.submit(
    request([40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54], 2),
  );
  drain(scheduler);
  assertEquals((await long.result).text, "55 56 ");
  // Two unbounded generations share what is left; neither overruns the pool.
  const a = scheduler.submit(request([60, 61], -1));
  const b = scheduler.submit(request([70, 71], -1));
  drain(scheduler);
  const [ra, rb] = await Promise.all([a.result, b.result]);
  assertEquals([ra.finishReason, rb.finishReason], ["length", "length"]);
  assertEquals(runner.cached.reduce((total, cache) => total + cache.length, 0) <= 20, true);
});

Deno.test("Scheduler never decodes two adapter sets in one batch, and serves them first come first served", async () => {
  const runner = new FakeRunner(64, 3);
  const scheduler = new Scheduler(runner);
  const withLoras = (prompt: number[], loras: LoraScale[]) => ({
    ...request(prompt, 4),
    loras,
  });
  const a = scheduler.submit(withLoras([10, 11], [{ loraId: 1, scale: 1 }]));
  const b = scheduler.submit(withLoras([20, 21], [{ loraId: 2, scale: 0.5 }]));
  // Same key as a's: a zero scale is no adapter.
  const c = scheduler.submit(
    withLoras([30, 31], [{ loraId: 1, scale: 1 }, { loraId: 3, scale: 0 }]),
  );
  scheduler.step();
  // b heads the queue with another set: it waits for a, and c waits behind it.
  assertEquals(scheduler.load(), { queued: 2, slotsBusy: 1, slotsTotal: 3 });
  drain(scheduler);
  const results = await Promise.all([a.result, b.result, c.result]);
  assertEquals(results.map((r) => r.text), ["12 13 14 15 ", "22 23 24 25 ", "32 33 34 35 "]);
  assertEquals(runner.loraSets, ["1:1", "2:0.5", "1:1"]);
  // Each batch ran under one set, and b's tokens only under its own.
  runner.batches.forEach((batch, i) => {
    for (const entry of batch) {
      const expected = entry.token >= 20 && entry.token < 30 ? "2:0.5" : "1:1";
      assertEquals(runner.batchLoras[i], expected);
    }
  });
});

Deno.test("Scheduler rejects a request whose adapter set cannot be applied", async () => {
  const runner = new FakeRunner(64, 2);
  runner.setLoras = () => {
    throw new RangeError("gone");
  };
  const scheduler = new Scheduler(runner);
  const failed = scheduler.submit({ ...request([1, 2], 2), loras: [{ loraId: 9, scale: 1 }] });
  const plain = scheduler.submit(request([5, 6], 2));
  drain(scheduler);
  await assertRejects(() => failed.result, RangeError, "gone");
  assertEquals((await plain.result).text, "7 8 ");
});

Deno.test("Scheduler calls onStart once, when a queued request gets a slot", async () => {
  const runner = new FakeRunner(8, 1);
  const scheduler = new Scheduler(runner);
  const started: string[] = [];
  const a = scheduler.submit({ ...request([10, 11], 3), onStart: () => started.push("a") });
  const b = scheduler.submit({ ...request([20, 21], 2), onStart: () => started.push("b") });
  scheduler.step();
  assertEquals(started, ["a"]); // b waits for the one slot
  while (started.length < 2) assert(scheduler.step(), "b never started");
  assertEquals((await a.result).finishReason, "length");
  drain(scheduler);
  assertEquals(started, ["a", "b"]);
  assertEquals((await b.result).text, "22 23 ");
});

Deno.test("Scheduler gives another chat an empty slot rather than evict a chat's cache", async () => {
  const runner = new FakeRunner(64, 2);
  const scheduler = new Scheduler(runner);
  const template = [1, 2];
  const a1 = scheduler.submit(request([...template, 10, 11, 12, 13], 3));
  drain(scheduler);
  await a1.result;
  const aCache = [...runner.cached[0]];
  // Shares only the template's tokens with A's cache: it must not take A's slot.
  const b = scheduler.submit(request([...template, 50, 51], 2));
  drain(scheduler);
  assertEquals((await b.result).metrics.cachedTokens, 0);
  assertEquals(runner.cached[0], aCache);
  const a2 = scheduler.submit(request([...aCache, 70, 71], 2));
  drain(scheduler);
  assertEquals((await a2.result).metrics.cachedTokens, aCache.length);
});

/** A {@link FakeRunner} that copies prefixes between sequences, recording each copy. */
class CopyingRunner extends FakeRunner {
  readonly canCopy = true;
  readonly copies: { src: number; dst: number; length: number }[] = [];
  /** What copy() returns in place of a copy; undefined copies. */
  refuse = false;

  copy(src: number, dst: number, length: number): number {
    assert(length <= this.cached[src].length, "copy past what the source holds");
    assert(src !== dst);
    this.copies.push({ src, dst, length });
    this.cached[dst] = this.refuse ? [] : this.cached[src].slice(0, length);
    return this.cached[dst].length;
  }
}

const PREFIX = Array.from({ length: 20 }, (_, i) => 40 + i);

/** Prompt tokens decoded at positions below `below`, over all batches. */
function prefixDecodes(runner: FakeRunner, below: number): number {
  return runner.batches.flat().filter((e) => e.position < below).length;
}

Deno.test("Scheduler decodes a prefix shared by requests admitted together once", async () => {
  const runner = new CopyingRunner(64, 4);
  const scheduler = new Scheduler(runner);
  const prompts = [0, 1, 2, 3].map((i) => [...PREFIX, 70 + i, 80 + i]);
  const handles = prompts.map((p) => scheduler.submit(request(p, 3)));
  scheduler.step();
  // Only the first request's prompt: the others wait for its prefix.
  assertEquals(runner.batches[0].map((e) => e.seqId), new Array(22).fill(0));
  drain(scheduler);
  const results = await Promise.all(handles.map((h) => h.result));
  assertEquals(results.map((r) => r.metrics.cachedTokens), [0, 20, 20, 20]);
  assertEquals(results.map((r) => r.metrics.promptEvalTokens), [22, 2, 2, 2]);
  assertEquals(results.map((r) => r.text), ["81 82 83 ", "82 83 84 ", "83 84 85 ", "84 85 86 "]);
  assertEquals(prefixDecodes(runner, 20), 20);
  assertEquals(runner.copies.map((c) => c.length), [20, 20, 20]);
  prompts.forEach((p, seqId) => assertEquals(runner.cached[seqId].slice(0, 22), p));
});

Deno.test("Scheduler copies a prefix an idle or busy slot holds, at most the prompt minus one token", async () => {
  const runner = new CopyingRunner(64, 3);
  const scheduler = new Scheduler(runner);
  const first = scheduler.submit(request([...PREFIX, 1], 50));
  scheduler.step();
  // The first still generates; the same prompt copies all of it but the last token.
  const same = scheduler.submit(request([...PREFIX, 1], 2));
  const other = scheduler.submit(request([...PREFIX, 2, 3], 2));
  drain(scheduler);
  const [a, b, c] = await Promise.all([first.result, same.result, other.result]);
  assertEquals(a.metrics.cachedTokens, 0);
  assertEquals(b.metrics.cachedTokens, 20);
  assertEquals(b.metrics.promptEvalTokens, 1);
  assertEquals(b.text, "2 3 ");
  assertEquals(c.metrics.cachedTokens, 20);
  assertEquals(c.text, "4 5 ");
  assertEquals(prefixDecodes(runner, 20), 20);
});

Deno.test("Scheduler: when the slot decoding a shared prefix is cancelled, a waiting request decodes it", async () => {
  // n_batch 8: the 20-token prefix takes three steps.
  const runner = new CopyingRunner(8, 3);
  const scheduler = new Scheduler(runner);
  const leader = scheduler.submit(request([...PREFIX, 1], 4));
  const b = scheduler.submit(request([...PREFIX, 2], 2));
  const c = scheduler.submit(request([...PREFIX, 3], 2));
  scheduler.step(); // the leader's first 8 tokens; b and c wait
  leader.cancel();
  drain(scheduler);
  assertEquals((await leader.result).finishReason, "abort");
  const [rb, rc] = await Promise.all([b.result, c.result]);
  // 8 cached tokens are too few to copy (MIN_COPY_TOKENS): b decodes the prefix, c copies it.
  assertEquals(rb.metrics.cachedTokens, 0);
  assertEquals(rc.metrics.cachedTokens, 20);
  assertEquals([rb.text, rc.text], ["3 4 ", "4 5 "]);
  assertEquals(prefixDecodes(runner, 20), 8 + 20);
});

Deno.test("Scheduler decodes the whole prompt when the runner refuses a copy or sharing is off", async () => {
  for (const mode of ["refuse", "off"] as const) {
    const runner = new CopyingRunner(64, 2);
    runner.refuse = mode === "refuse";
    const scheduler = new Scheduler(runner, { prefixSharing: mode !== "off" });
    const a = scheduler.submit(request([...PREFIX, 1], 2));
    scheduler.step();
    const b = scheduler.submit(request([...PREFIX, 2], 2));
    drain(scheduler);
    assertEquals((await a.result).text, "2 3 ");
    const rb = await b.result;
    assertEquals([rb.text, rb.metrics.cachedTokens], ["3 4 ", 0]);
    assertEquals(runner.copies.length, mode === "refuse" ? 1 : 0);
    assertEquals(runner.cached[1].slice(0, 21), [...PREFIX, 2]);
  }
});
