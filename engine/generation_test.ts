import { assertEquals, assertRejects } from "../tests/assert.ts";
import { Generation } from "./generation.ts";
import type { GenerationResult, Piece } from "./types.ts";

const RESULT = { finishReason: "stop", text: "abc" } as GenerationResult;
const piece = (text: string): Piece => ({ token: 1, text });

Deno.test("Generation.batches() yields what arrived since the last batch, in order", async () => {
  const posts = Promise.withResolvers<void>();
  let push: (pieces: Piece[]) => void = () => {};
  const generation = new Generation(async (p) => {
    push = p;
    await posts.promise;
    return RESULT;
  });
  // Two engine posts before the reader looks: one batch of both.
  push([piece("a")]);
  push([piece("b")]);
  const batches = generation.batches();
  assertEquals((await batches.next()).value, [piece("a"), piece("b")]);
  const next = batches.next();
  push([piece("c")]);
  assertEquals((await next).value, [piece("c")]);
  posts.resolve();
  assertEquals((await batches.next()).done, true);
});

Deno.test("Generation.batches() throws the error that ended the generation", async () => {
  const generation = new Generation((push) => {
    push([piece("a")]);
    return Promise.reject(new RangeError("boom"));
  });
  const seen: Piece[][] = [];
  await assertRejects(async () => {
    for await (const batch of generation.batches()) seen.push(batch);
  }, RangeError);
  assertEquals(seen, [[piece("a")]]);
});
