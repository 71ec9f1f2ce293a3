import { assert, assertEquals, assertRejects } from "../assert.ts";
import { loadModel } from "../../engine/model.ts";
import type { ChatMessage } from "../../engine/chat_template.ts";
import { ContextOverflowError } from "../../engine/errors.ts";
import { STORIES_260K, STORIES_260K_CHATML } from "../models.ts";

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

Deno.test("Context.chat() second turn decodes only the tokens after the cached prefix", async () => {
  using model = await loadModel(STORIES_260K_CHATML);
  using ctx = await model.createContext({ nCtx: 2048 });
  const messages: ChatMessage[] = [
    { role: "system", content: "You tell short stories." },
    { role: "user", content: "Once upon a time" },
  ];
  const first = await ctx.chat(messages, { temperature: 0, maxTokens: 16 }).result;
  assertEquals(first.metrics.cachedTokens, 0);
  assertEquals(first.metrics.promptEvalTokens, first.metrics.promptTokens);

  messages.push({ role: "assistant", content: first.text }, { role: "user", content: "And then?" });
  const cached = await ctx.sequenceTokens();
  const prompt = await model.tokenize(await model.applyChatTemplate(messages), {
    addSpecial: true,
    parseSpecial: true,
  });
  const reusable = Math.min(commonPrefix(cached, prompt), prompt.length - 1);
  const second = await ctx.chat(messages, { temperature: 0, maxTokens: 8 }).result;
  assertEquals(second.metrics.promptTokens, prompt.length);
  assertEquals(second.metrics.cachedTokens, reusable);
  assertEquals(second.metrics.promptEvalTokens, prompt.length - reusable);
  // The whole first turn is reused: only the new user message is decoded.
  assert(reusable >= first.metrics.promptTokens, `${reusable} < ${first.metrics.promptTokens}`);
  assert(second.metrics.promptEvalTokens < prompt.length / 2);
});

Deno.test("Context.chat() uses the GGUF's chat template, or ChatML when it has none", async () => {
  const messages: ChatMessage[] = [{ role: "user", content: "Hi" }];
  const chatml = "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n";
  using withTemplate = await loadModel(STORIES_260K_CHATML, { vocabOnly: true });
  assert(withTemplate.info.chatTemplate?.includes("<|im_start|>"));
  assertEquals(await withTemplate.applyChatTemplate(messages), chatml);
  using without = await loadModel(STORIES_260K, { vocabOnly: true });
  assertEquals(without.info.chatTemplate, undefined);
  assertEquals(await without.applyChatTemplate(messages), chatml);
});

Deno.test("Context.chat() overflow: error by default, truncate-oldest drops old turns", async () => {
  using model = await loadModel(STORIES_260K_CHATML);
  using ctx = await model.createContext({ nCtx: 256 });
  const long = "The little dog ran to the park and played with a red ball all day. ";
  const messages: ChatMessage[] = [
    { role: "system", content: "Be brief." },
    { role: "user", content: long.repeat(4) },
    { role: "assistant", content: long.repeat(4) },
    { role: "user", content: "Once upon a time" },
  ];
  await assertRejects(() => ctx.chat(messages, { maxTokens: 4 }).result, ContextOverflowError);
  const result = await ctx.chat(messages, {
    maxTokens: 4,
    temperature: 0,
    overflow: "truncate-oldest",
  }).result;
  assert(result.droppedMessages >= 1, `dropped ${result.droppedMessages}`);
  assert(result.metrics.promptTokens < 256);
});

Deno.test("chat templates Jinja cannot run fall back to llama.cpp's built-in family", async () => {
  using model = await loadModel(STORIES_260K, { vocabOnly: true });
  const messages: ChatMessage[] = [{ role: "user", content: "Hi" }];
  // @huggingface/jinja has no `center` filter; the ChatML markers let llama.cpp
  // recognise the family and render it with its own code.
  const template = "{% for m in messages %}<|im_start|>{{ m.role|center(4) }}\n{{ m.content }}" +
    "<|im_end|>\n{% endfor %}<|im_start|>assistant\n";
  assertEquals(
    await model.applyChatTemplate(messages, { chatTemplate: template }),
    "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
  );
  await assertRejects(
    () => model.applyChatTemplate(messages, { chatTemplate: "{{ 'no family'|center(9) }}" }),
    Error,
    "no built-in match",
  );
});
