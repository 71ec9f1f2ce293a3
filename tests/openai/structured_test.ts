/**
 * Structured output through the API: `response_format` json_schema and json_object
 * constrain stories260K's output with a grammar.
 */
import { assert, assertEquals } from "../assert.ts";
import { validate } from "./_schema_validate.ts";
import { MODEL_ID, startTestServer } from "./_server.ts";

const SCHEMA = {
  type: "object",
  properties: {
    hero: { type: "string", minLength: 1, maxLength: 12 },
    age: { type: "integer" },
    mood: { enum: ["happy", "sad", "brave"] },
    friends: { type: "array", items: { type: "string", maxLength: 8 }, maxItems: 3 },
    pet: {
      anyOf: [{ type: "null" }, {
        type: "object",
        properties: { kind: { const: "cat" } },
        required: ["kind"],
      }],
    },
  },
  required: ["hero", "age", "mood", "friends", "pet"],
  additionalProperties: false,
};

Deno.test("response_format json_schema: output parses and validates", async () => {
  await using server = await startTestServer();
  const client = server.client();
  // Every value in SCHEMA (whitespace included) is bounded, so the grammar must close the
  // object within 1000 tokens.
  for (const seed of [1, 2]) {
    const completion = await client.chat.completions.create({
      model: MODEL_ID,
      messages: [{ role: "user", content: "Tell me about a hero." }],
      response_format: {
        type: "json_schema",
        json_schema: { name: "hero", schema: SCHEMA, strict: true },
      },
      max_tokens: 1000,
      seed,
    });
    const choice = completion.choices[0];
    assertEquals(choice.finish_reason, "stop", choice.message.content ?? "");
    const value = JSON.parse(choice.message.content!);
    assertEquals(validate(value, SCHEMA), undefined, choice.message.content!);
  }
});

Deno.test("response_format json_schema streams the same constrained text", async () => {
  await using server = await startTestServer();
  const client = server.client();
  const request = {
    model: MODEL_ID,
    messages: [{ role: "user" as const, content: "Tell me about a hero." }],
    response_format: {
      type: "json_schema" as const,
      json_schema: { name: "hero", schema: SCHEMA },
    },
    max_tokens: 1000,
    temperature: 0,
  };
  const whole = await client.chat.completions.create(request);
  const stream = await client.chat.completions.create({ ...request, stream: true });
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
  assertEquals(text, whole.choices[0].message.content);
  assertEquals(validate(JSON.parse(text), SCHEMA), undefined, text);
});

Deno.test("response_format json_object: output starts as a JSON object and parses when it stops", async () => {
  await using server = await startTestServer();
  const client = server.client();
  const completion = await client.chat.completions.create({
    model: MODEL_ID,
    messages: [{ role: "user", content: "Answer in JSON." }],
    response_format: { type: "json_object" },
    max_tokens: 120,
    temperature: 0,
  });
  const { content } = completion.choices[0].message;
  assert(content!.startsWith("{"), content!);
  if (completion.choices[0].finish_reason === "stop") {
    const value = JSON.parse(content!);
    assert(typeof value === "object" && value !== null && !Array.isArray(value), content!);
  }
});
