import { assert, assertEquals, assertRejects } from "../assert.ts";
import { Engine } from "../../engine/engine.ts";
import { loadModel } from "../../engine/model.ts";
import { STORIES_260K, VOCAB_GPT2, VOCAB_PHI3 } from "../models.ts";

const TEXTS = [
  "Hello, world",
  "emoji 🌍🚀 and family 👨‍👩‍👧",
  "CJK 世界 日本語 한국어",
  "combining e\u0301 a\u0308 n\u0303 and Z\u0335\u0321a\u0336l",
];

Deno.test("Model.tokenize() and detokenize() round-trip multi-byte text", async () => {
  using engine = await Engine.start();
  for (const path of [STORIES_260K, VOCAB_GPT2, VOCAB_PHI3]) {
    using model = await loadModel(path, { engine, vocabOnly: path !== STORIES_260K });
    for (const text of TEXTS) {
      const tokens = await model.tokenize(text, { addSpecial: false });
      assert(tokens.length > 0);
      const back = await model.detokenize(tokens);
      // SentencePiece vocabularies add a leading space to the first word.
      assertEquals(back.replace(/^ /, ""), text, `${path}: ${text}`);
    }
  }
});

Deno.test("Model.tokenize() adds BOS and parses special tokens on request", async () => {
  using model = await loadModel(VOCAB_PHI3, { vocabOnly: true });
  const withBos = await model.tokenize("Hi", { addSpecial: true });
  assertEquals(withBos[0], model.info.bos);
  const special = await model.tokenize("<|user|>", { addSpecial: false, parseSpecial: true });
  assertEquals(special.length, 1);
  const plain = await model.tokenize("<|user|>", { addSpecial: false, parseSpecial: false });
  assert(plain.length > 1);
  assertEquals(await model.detokenize(special, { unparseSpecial: true }), "<|user|>");
});

Deno.test("generation pieces split inside a character still decode right", async () => {
  using model = await loadModel(STORIES_260K);
  using ctx = await model.createContext({ nCtx: 256 });
  // stories260K has 512 tokens: these characters exist only as byte tokens, so each
  // is produced by several pieces that end inside it.
  const target = "世界🌍é";
  const generation = ctx.generate("Once upon a time", {
    temperature: 0,
    maxTokens: 32,
    grammar: `root ::= "${target}"`,
  });
  const pieces: string[] = [];
  for await (const piece of generation) pieces.push(piece.text);
  assert(pieces.length > [...target].length, `only ${pieces.length} pieces`);
  assert(pieces.some((text) => text === ""), "some piece ends inside a character");
  assert(pieces.every((text) => !text.includes("\uFFFD")));
  assertEquals(pieces.join(""), target);
});

Deno.test("Model.detokenize() rejects token ids outside the vocabulary before any FFI call", async () => {
  using model = await loadModel(STORIES_260K, { vocabOnly: true });
  await assertRejects(() => model.detokenize([1, 512]), RangeError, "tokens[1]");
  await assertRejects(() => model.detokenize([-1]), RangeError, "tokens[0]");
  await assertRejects(() => model.detokenize([1.5]), RangeError, "tokens[0]");
});
