/**
 * The "Continue" prompt (app/continuation_prompt.ts) on a real model: it ends inside the
 * reply's turn, right after the reply's text, with one BOS.
 */
import { assert, assertEquals } from "../assert.ts";
import { loadModel } from "../../engine/model.ts";
import { continuationPrompt } from "../../app/continuation_prompt.ts";
import { STORIES_260K, VOCAB_PHI3 } from "../models.ts";

const CHAT = [
  { role: "system", content: "Tell stories." },
  { role: "user", content: "Once upon a time" },
] as const;

Deno.test("continuationPrompt() ends right after the reply's text, without the end of turn", async () => {
  for (const path of [STORIES_260K, VOCAB_PHI3]) {
    using model = await loadModel(path, { vocabOnly: true });
    const partial = "there was a dragon";
    const tokens = await continuationPrompt(model, CHAT, partial);
    const text = await model.detokenize(tokens, { unparseSpecial: true });
    assert(text.endsWith(partial), `${path}: ${JSON.stringify(text)}`);
    const full = await model.applyChatTemplate([...CHAT, { role: "assistant", content: partial }], {
      addGenerationPrompt: false,
    });
    const closing = full.slice(full.lastIndexOf(partial) + partial.length);
    assert(closing.trim() !== "", "the template closes the turn after the text: left out");
    assert(text.includes("Once upon a time"), "the conversation comes first");
    const bos = tokens.filter((t) => t === model.info.bos).length;
    assertEquals(bos, model.info.bos >= 0 ? 1 : 0, `${path}: one BOS`);
  }
});

Deno.test("continuationPrompt() of an empty reply is the generation prompt", async () => {
  using model = await loadModel(STORIES_260K, { vocabOnly: true });
  const tokens = await continuationPrompt(model, CHAT, "");
  const text = await model.detokenize(tokens, { unparseSpecial: true });
  const prompt = await model.applyChatTemplate(CHAT, { addGenerationPrompt: true });
  assertEquals(text.replace(/^<s>\s?/, "").trim(), prompt.trim());
});
