/**
 * Tool calling through the API: stories260K with Qwen2.5's Hermes-style template as
 * a server override. A 260K-parameter model cannot choose a tool itself, so the call
 * is forced by naming the function (grammar-constrained); the tool's result then goes
 * back as a `tool` message for a final answer.
 */
import { assert, assertEquals } from "../assert.ts";
import { renderChatTemplate } from "../../engine/chat_template.ts";
import type { ChatOptions } from "../../engine/generate_options.ts";
import type { ChatMessage } from "../../engine/chat_template.ts";
import type { CompletionBackend } from "../../server/openai/backend.ts";
import { validate } from "./_schema_validate.ts";
import { QWEN25_TEMPLATE } from "./_qwen25_template.ts";
import { MODEL_ID, startTestServer } from "./_server.ts";

const PARAMETERS = {
  type: "object",
  properties: {
    city: { type: "string", minLength: 1, maxLength: 12 },
    unit: { enum: ["celsius", "fahrenheit"] },
  },
  required: ["city", "unit"],
  additionalProperties: false,
};
const TOOLS = [
  {
    type: "function" as const,
    function: { name: "get_weather", description: "The weather in a city", parameters: PARAMETERS },
  },
  {
    type: "function" as const,
    function: { name: "get_time", parameters: { type: "object", properties: {} } },
  },
];

/** Records what the server passes to `backend.chat`. */
function recording(calls: { messages: readonly ChatMessage[]; options: ChatOptions }[]) {
  return (backend: CompletionBackend): CompletionBackend =>
    new Proxy(backend, {
      get(target, key) {
        if (key === "chat") {
          return (messages: readonly ChatMessage[], options: ChatOptions) => {
            calls.push({ messages, options });
            return target.chat(messages, options);
          };
        }
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
}

Deno.test("tool call round trip: a forced call, then the tool's result, then an answer", async () => {
  const calls: { messages: readonly ChatMessage[]; options: ChatOptions }[] = [];
  await using server = await startTestServer({
    chatTemplate: QWEN25_TEMPLATE,
    wrap: recording(calls),
  });
  const client = server.client();
  const question = { role: "user" as const, content: "What is the weather in Paris?" };
  const first = await client.chat.completions.create({
    model: MODEL_ID,
    messages: [question],
    tools: TOOLS,
    tool_choice: { type: "function", function: { name: "get_weather" } },
    max_tokens: 600,
    temperature: 0,
  });
  const choice = first.choices[0];
  assertEquals(choice.finish_reason, "tool_calls");
  assertEquals(choice.message.content, null);
  const [call] = choice.message.tool_calls!;
  assert(call.type === "function");
  assert(/^call_[A-Za-z0-9]{24}$/.test(call.id), call.id);
  assertEquals(call.function.name, "get_weather");
  const args = JSON.parse(call.function.arguments);
  assertEquals(validate(args, PARAMETERS), undefined, call.function.arguments);
  // The template saw the tools.
  assertEquals(calls[0].options.chatTemplate, QWEN25_TEMPLATE);
  assertEquals(calls[0].options.templateVars, { tools: TOOLS });

  const second = await client.chat.completions.create({
    model: MODEL_ID,
    messages: [
      question,
      choice.message,
      { role: "tool", tool_call_id: call.id, content: '{"celsius": 21}' },
    ],
    tools: TOOLS,
    max_tokens: 24,
    temperature: 0,
  });
  const answer = second.choices[0];
  assert(answer.finish_reason === "stop" || answer.finish_reason === "length");
  assert(answer.message.content !== null && answer.message.content.length > 0);
  assertEquals(answer.message.tool_calls, undefined);
  const prompt = renderChatTemplate(QWEN25_TEMPLATE, calls[1].messages, {
    extra: calls[1].options.templateVars,
  });
  const expectedCall = `<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": ` +
    `{"city": ${JSON.stringify(args.city)}, "unit": "${args.unit}"}}\n</tool_call><|im_end|>\n`;
  assert(prompt.includes(expectedCall), prompt);
  assert(
    prompt.includes(
      '<|im_start|>user\n<tool_response>\n{"celsius": 21}\n</tool_response><|im_end|>\n',
    ),
    prompt,
  );
  const tokens = await server.model.tokenize(prompt, { addSpecial: true, parseSpecial: true });
  assertEquals(second.usage!.prompt_tokens, tokens.length);
});

Deno.test("tool_choice required streams the call as one tool_calls delta", async () => {
  await using server = await startTestServer({ chatTemplate: QWEN25_TEMPLATE });
  const client = server.client();
  const stream = await client.chat.completions.create({
    model: MODEL_ID,
    messages: [{ role: "user", content: "What time is it?" }],
    tools: TOOLS,
    tool_choice: "required",
    max_tokens: 600,
    temperature: 0,
    stream: true,
  });
  const chunks = await Array.fromAsync(stream);
  assertEquals(chunks[0].choices[0].delta.role, "assistant");
  assertEquals(chunks.map((c) => c.choices[0].delta.content ?? "").join(""), "");
  const deltas = chunks.flatMap((c) => c.choices[0].delta.tool_calls ?? []);
  assertEquals(deltas.length, 1);
  assertEquals(deltas[0].index, 0);
  assert(["get_weather", "get_time"].includes(deltas[0].function!.name!));
  JSON.parse(deltas[0].function!.arguments!);
  assertEquals(chunks.at(-1)!.choices[0].finish_reason, "tool_calls");
});

Deno.test("tools: a forced call with an unsupported schema and an unknown name get 400", async () => {
  await using server = await startTestServer({ chatTemplate: QWEN25_TEMPLATE });
  const post = (body: Record<string, unknown>) =>
    fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({
        model: MODEL_ID,
        messages: [{ role: "user", content: "Hi" }],
        ...body,
      }),
    }).then(async (r) => ({ status: r.status, error: (await r.json()).error }));
  const patterned = [{
    type: "function",
    function: {
      name: "f",
      parameters: { type: "object", properties: { a: { type: "string", format: "email" } } },
    },
  }];
  const forced = await post({ tools: patterned, tool_choice: "required" });
  assertEquals([forced.status, forced.error.param], [400, "tools[0].function.parameters"]);
  assert(forced.error.message.includes('"format"'), forced.error.message);
  // With tool_choice auto no grammar is needed, so the same schema is accepted.
  assertEquals((await post({ tools: patterned, max_tokens: 2 })).status, 200);
  const unknown = await post({
    tools: TOOLS,
    tool_choice: { type: "function", function: { name: "nope" } },
  });
  assertEquals([unknown.status, unknown.error.param], [400, "tool_choice.function.name"]);
});
