import { assert, assertEquals, assertRejects } from "../assert.ts";
import { loadModel, type Model } from "../../engine/model.ts";
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

const LONG = "The little dog ran to the park and played with a red ball all day. ";

/** The tokens of `messages` rendered as a prompt, as Context.chat() decodes them. */
async function promptLength(model: Model, messages: ChatMessage[]): Promise<number> {
  const text = await model.applyChatTemplate(messages);
  return (await model.tokenize(text, { addSpecial: true, parseSpecial: true })).length;
}

Deno.test("Context.chat() overflow: error by default, truncate-oldest drops a whole turn", async () => {
  using model = await loadModel(STORIES_260K_CHATML);
  using ctx = await model.createContext({ nCtx: 256 });
  const messages: ChatMessage[] = [
    { role: "system", content: "Be brief." },
    { role: "user", content: LONG.repeat(4) },
    { role: "assistant", content: "Yes." },
    { role: "user", content: LONG.repeat(2) },
    { role: "assistant", content: "The dog was happy." },
    { role: "user", content: "Once upon a time" },
  ];
  assert(await promptLength(model, messages) >= 256);
  // Dropping the long user message alone would fit, but would leave the assistant's
  // reply to it right after the system message.
  assert(await promptLength(model, messages.filter((_, i) => i !== 1)) < 256);
  await assertRejects(() => ctx.chat(messages, { maxTokens: 4 }).result, ContextOverflowError);
  const result = await ctx.chat(messages, {
    maxTokens: 4,
    temperature: 0,
    overflow: "truncate-oldest",
  }).result;
  assertEquals(result.truncation, { turns: 1, messages: 2, messageIndices: [1, 2] });
  assertEquals(result.droppedMessages, 2);
  const kept = messages.filter((_, i) => i !== 1 && i !== 2);
  assertEquals(kept.map((m) => m.role), ["system", "user", "assistant", "user"]);
  assertEquals(result.metrics.promptTokens, await promptLength(model, kept));
  // Nothing dropped: no truncation reported.
  const short = await ctx.chat(kept, { maxTokens: 2, overflow: "truncate-oldest" }).result;
  assertEquals(short.truncation, undefined);
  assertEquals(short.droppedMessages, 0);
});

Deno.test("Context.chat() truncate-oldest drops tool turns whole and keeps the last turn", async () => {
  using model = await loadModel(STORIES_260K_CHATML);
  using ctx = await model.createContext({ nCtx: 256 });
  const messages: ChatMessage[] = [
    { role: "system", content: "Be brief." },
    { role: "user", content: LONG.repeat(2) },
    { role: "assistant", content: "lookup(dog)" },
    { role: "tool", content: LONG },
    { role: "assistant", content: "The dog played." },
    { role: "user", content: LONG.repeat(6) },
    { role: "assistant", content: "Yes." },
    { role: "user", content: "Once upon a time" },
  ];
  // Without the first turn it is still too long: the second turn goes too.
  assert(await promptLength(model, messages.filter((_, i) => i === 0 || i > 4)) >= 256);
  const result = await ctx.chat(messages, {
    maxTokens: 4,
    temperature: 0,
    overflow: "truncate-oldest",
  }).result;
  assertEquals(result.truncation, { turns: 2, messages: 6, messageIndices: [1, 2, 3, 4, 5, 6] });
  assertEquals(result.droppedMessages, 6);
  assertEquals(result.metrics.promptTokens, await promptLength(model, [messages[0], messages[7]]));
  // The last turn alone does not fit: nothing more may go.
  const tooLong: ChatMessage[] = [...messages.slice(0, 7), {
    role: "user",
    content: LONG.repeat(12),
  }];
  await assertRejects(
    () => ctx.chat(tooLong, { maxTokens: 4, overflow: "truncate-oldest" }).result,
    ContextOverflowError,
  );
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
