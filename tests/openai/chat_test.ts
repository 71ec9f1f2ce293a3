/**
 * The OpenAI API over real HTTP with the official SDK: models, chat (whole and
 * streamed), text completions and embeddings on stories260K.
 */
import { assert, assertEquals } from "../assert.ts";
import { MODEL_ID, startTestServer } from "./_server.ts";

const MESSAGES = [
  { role: "system" as const, content: "You tell stories." },
  { role: "user" as const, content: "Once upon a time" },
];

Deno.test("GET /v1/models lists the served model", async () => {
  await using server = await startTestServer();
  const client = server.client();
  const list = await client.models.list();
  assertEquals(list.data.map((m) => [m.id, m.object, m.owned_by]), [[MODEL_ID, "model", "hearth"]]);
  assert(Math.abs(list.data[0].created - Date.now() / 1000) < 60);
  assertEquals((await client.models.retrieve(MODEL_ID)).id, MODEL_ID);
});

Deno.test("chat completion: streamed text equals the whole text, usage counts the template", async () => {
  await using server = await startTestServer();
  const client = server.client();
  const request = { model: MODEL_ID, messages: MESSAGES, temperature: 0, seed: 7, max_tokens: 40 };
  const whole = await client.chat.completions.create(request);
  assert(/^chatcmpl-[A-Za-z0-9]{24}$/.test(whole.id), whole.id);
  assertEquals(whole.object, "chat.completion");
  assertEquals(whole.model, MODEL_ID);
  assert(Math.abs(whole.created - Date.now() / 1000) < 60);
  const [choice] = whole.choices;
  assertEquals([choice.index, choice.message.role, choice.logprobs], [0, "assistant", null]);
  assert(choice.message.content!.length > 0);
  assert(choice.finish_reason === "length" || choice.finish_reason === "stop");
  const prompt = await server.model.applyChatTemplate(MESSAGES);
  const promptTokens = await server.model.tokenize(prompt, {
    addSpecial: true,
    parseSpecial: true,
  });
  const usage = whole.usage!;
  assertEquals(usage.prompt_tokens, promptTokens.length);
  assertEquals(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
  if (choice.finish_reason === "length") assertEquals(usage.completion_tokens, 40);

  const stream = await client.chat.completions.create({
    ...request,
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = await Array.fromAsync(stream);
  assertEquals(chunks[0].choices[0].delta.role, "assistant");
  assert(chunks.every((c) => c.id === chunks[0].id && c.object === "chat.completion.chunk"));
  const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
  assertEquals(text, choice.message.content);
  const last = chunks.at(-1)!;
  assertEquals(last.choices, []);
  assertEquals(last.usage!.prompt_tokens, usage.prompt_tokens);
  assertEquals(last.usage!.completion_tokens, usage.completion_tokens);
  // The same prompt again: all but the last token come from the KV cache.
  assert(last.usage!.prompt_tokens_details!.cached_tokens! > 0);
  assertEquals(chunks.at(-2)!.choices[0].finish_reason, choice.finish_reason);
});

Deno.test("chat completion: text parts and the developer role read as text and system", async () => {
  await using server = await startTestServer();
  const client = server.client();
  const parts = await client.chat.completions.create({
    model: MODEL_ID,
    messages: [
      { role: "developer", content: [{ type: "text", text: "You tell stories." }] },
      {
        role: "user",
        content: [{ type: "text", text: "Once upon" }, { type: "text", text: "a time" }],
      },
    ],
    max_completion_tokens: 1,
  });
  const prompt = await server.model.applyChatTemplate([
    MESSAGES[0],
    { role: "user", content: "Once upon\na time" },
  ]);
  const tokens = await server.model.tokenize(prompt, { addSpecial: true, parseSpecial: true });
  assertEquals(parts.usage!.prompt_tokens, tokens.length);
  assertEquals(parts.usage!.completion_tokens, 1);
});

Deno.test("text completion: greedy stories260K, stop strings, logit_bias, streaming", async () => {
  await using server = await startTestServer();
  const client = server.client();
  const whole = await client.completions.create({
    model: MODEL_ID,
    prompt: "Once upon a time",
    temperature: 0,
    max_tokens: 24,
  });
  assert(/^cmpl-/.test(whole.id));
  assertEquals(whole.object, "text_completion");
  assert(
    whole.choices[0].text.startsWith(", there was a little girl named Lily."),
    whole.choices[0].text,
  );
  assertEquals([whole.choices[0].finish_reason, whole.usage!.completion_tokens], ["length", 24]);
  assertEquals(whole.usage!.prompt_tokens, 5);

  const stopped = await client.completions.create({
    model: MODEL_ID,
    prompt: ["Once upon a time"],
    temperature: 0,
    stop: "little girl",
  });
  assertEquals([stopped.choices[0].text, stopped.choices[0].finish_reason], [
    ", there was a ",
    "stop",
  ]);

  // A bias of +100 on EOS (token 2) ends the completion at once.
  const biased = await client.completions.create({
    model: MODEL_ID,
    prompt: "Once upon a time",
    temperature: 0,
    logit_bias: { "2": 100 },
  });
  assertEquals([biased.choices[0].text, biased.choices[0].finish_reason], ["", "stop"]);

  const stream = await client.completions.create({
    model: MODEL_ID,
    prompt: "Once upon a time",
    temperature: 0,
    max_tokens: 24,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  let usage;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.text ?? "";
    usage = chunk.usage ?? usage;
  }
  assertEquals(text, whole.choices[0].text);
  assertEquals(usage?.completion_tokens, 24);
});

Deno.test("embeddings: 64 normalized dimensions, as floats or base64", async () => {
  await using server = await startTestServer();
  const client = server.client();
  // The SDK asks for base64 by default and decodes it.
  const base64 = await client.embeddings.create({ model: MODEL_ID, input: ["hello", "world"] });
  assertEquals(base64.object, "list");
  assertEquals(base64.data.map((d) => [d.object, d.index, d.embedding.length]), [
    ["embedding", 0, 64],
    ["embedding", 1, 64],
  ]);
  for (const { embedding } of base64.data) {
    assert(Math.abs(Math.hypot(...embedding) - 1) < 1e-4, `norm ${Math.hypot(...embedding)}`);
  }
  assert(base64.usage.prompt_tokens > 0);
  const floats = await client.embeddings.create({
    model: MODEL_ID,
    input: "hello",
    encoding_format: "float",
  });
  assertEquals(floats.data.length, 1);
  floats.data[0].embedding.forEach((v, i) =>
    assert(Math.abs(v - base64.data[0].embedding[i]) < 1e-6)
  );
});

Deno.test("GET /metrics counts requests, tokens and slots", async () => {
  await using server = await startTestServer();
  const client = server.client();
  await client.chat.completions.create({ model: MODEL_ID, messages: MESSAGES, max_tokens: 8 });
  await client.chat.completions.create({ model: "nope", messages: MESSAGES }).catch(() => {});
  const text = await (await fetch(`${server.url}/metrics`)).text();
  assert(
    text.includes('hearth_requests_total{endpoint="/v1/chat/completions",status="200"} 1'),
    text,
  );
  assert(
    text.includes('hearth_requests_total{endpoint="/v1/chat/completions",status="404"} 1'),
    text,
  );
  assert(/^hearth_generated_tokens_total 8$/m.test(text), text);
  assert(/^hearth_prompt_tokens_total [1-9]\d*$/m.test(text), text);
  assert(/^hearth_generated_tokens_per_second \d+(\.\d+)?$/m.test(text), text);
  assert(/^hearth_slots_busy 0$/m.test(text) && /^hearth_slots_total 1$/m.test(text), text);
  assert(/^hearth_requests_queued 0$/m.test(text), text);
});
