import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { STORIES_260K } from "../../tests/models.ts";
import { validate } from "../../tests/openai/_schema_validate.ts";
import { loadModel } from "../../engine/model.ts";
import { ContextBackend } from "./backend.ts";
import { jsonObjectGrammar } from "../../engine/gbnf.ts";
import { jsonSchemaToGrammar, UnsupportedSchemaError } from "../../engine/json_schema_grammar.ts";

/** Schemas whose every value is short, so the grammar must close them within max_tokens. */
const BOUNDED: Record<string, unknown> = {
  object: {
    type: "object",
    properties: {
      name: { type: "string", maxLength: 10 },
      age: { type: "integer" },
      mood: { enum: ["happy", "sad", 3, null] },
      tags: { type: "array", items: { type: "string", maxLength: 4 }, minItems: 1, maxItems: 3 },
      ok: { type: ["boolean", "null"] },
      score: { type: "number" },
    },
    required: ["name", "mood", "tags"],
    additionalProperties: false,
  },
  optionalOnly: {
    type: "object",
    properties: { a: { type: "boolean" }, b: { const: 'x"y\\z' }, c: { type: "null" } },
  },
  anyOfAndRefs: {
    $defs: {
      point: {
        type: "object",
        properties: { x: { type: "integer" }, y: { type: "integer" } },
        required: ["x", "y"],
      },
    },
    type: "object",
    properties: {
      where: { anyOf: [{ $ref: "#/$defs/point" }, { type: "string", maxLength: 6 }] },
      kind: { oneOf: [{ const: "a" }, { const: "b" }] },
    },
    required: ["where", "kind"],
  },
  array: { type: "array", items: { type: "integer" }, maxItems: 4 },
  string: { type: "string", minLength: 2, maxLength: 8, title: "ignored" },
};

Deno.test("jsonSchemaToGrammar() puts required properties first, then optional ones in order", () => {
  const grammar = jsonSchemaToGrammar({
    type: "object",
    properties: { b: { type: "integer" }, a: { type: "string" } },
    required: ["a"],
  });
  assert(grammar.startsWith("root ::= schema\n"), grammar);
  assert(
    grammar.includes(`schema ::= "{" ws schema-a-kv ws ( "," ws schema-opt-0 )? "}"`),
    grammar,
  );
  assert(grammar.includes(`schema-a-kv ::= "\\"a\\"" ws ":" ws schema-a`), grammar);
});

Deno.test("jsonSchemaToGrammar() refuses unsupported keywords, naming them", () => {
  const cases: [unknown, string][] = [
    [{ type: "string", pattern: "^a" }, "pattern"],
    [{ type: "string", format: "date" }, "format"],
    [{ type: "integer", minimum: 0 }, "minimum"],
    [{ allOf: [{ type: "string" }] }, "allOf"],
    [
      { type: "object", properties: {}, additionalProperties: { type: "string" } },
      "additionalProperties",
    ],
    [{ type: "object", properties: { a: {} }, additionalProperties: true }, "additionalProperties"],
    [{ $ref: "https://example.com/schema.json" }, "$ref"],
    [{ $ref: "#/$defs/missing" }, "$ref"],
    [{ type: "array", items: [{ type: "string" }] }, "items"],
    [{ type: "object", properties: { a: {} }, required: ["b"] }, "required"],
    [{ type: "date" }, "type"],
    [
      { type: "object", properties: { a: { type: "string", maxLength: 1, minLength: 2 } } },
      "maxLength",
    ],
    [{ anyOf: [] }, "anyOf"],
    [{ anyOf: [{ type: "string" }], type: "string" }, "type"],
    // decodeURIComponent threw a URIError here: a 500.
    [{ $ref: "#/$defs/%E0", $defs: { a: {} } }, "$ref"],
    // llama.cpp refuses an item repeated 2000 times or more ("failed to parse grammar").
    [{ type: "array", minItems: 10_000 }, "minItems"],
    [{ type: "array", maxItems: 2000 }, "maxItems"],
    [{ type: "string", minLength: 2000 }, "minLength"],
  ];
  for (const [schema, keyword] of cases) {
    const error = assertThrows(() => jsonSchemaToGrammar(schema), UnsupportedSchemaError, keyword);
    assertEquals(error.keyword, keyword, JSON.stringify(schema));
  }
});

Deno.test("jsonSchemaToGrammar() grammars parse in llama.cpp and force valid JSON", async () => {
  using model = await loadModel(STORIES_260K);
  using context = await model.createContext({ nCtx: 2048 });
  const backend = new ContextBackend("stories", model, context);
  for (const [name, schema] of Object.entries(BOUNDED)) {
    const grammar = jsonSchemaToGrammar(schema);
    let stopped = 0;
    for (const seed of [1, 2, 3]) {
      const result = await backend.generate("Once upon a time", {
        grammar,
        seed,
        temperature: 1,
        maxTokens: 400,
      }).result;
      if (result.finishReason !== "stop") continue;
      stopped++;
      const error = validate(JSON.parse(result.text), schema);
      assertEquals(error, undefined, `${name}: ${result.text}`);
    }
    assert(stopped > 0, `${name}: no generation finished within 400 tokens`);
  }
});

Deno.test("jsonSchemaToGrammar() handles recursive $defs and the generic object grammar", async () => {
  using model = await loadModel(STORIES_260K);
  using context = await model.createContext({ nCtx: 2048 });
  const backend = new ContextBackend("stories", model, context);
  const tree = {
    $defs: {
      node: {
        type: "object",
        properties: {
          v: { type: "integer" },
          kids: { type: "array", items: { $ref: "#/$defs/node" }, maxItems: 2 },
        },
        required: ["v"],
      },
    },
    $ref: "#/$defs/node",
  };
  for (
    const [grammar, schema] of [[jsonSchemaToGrammar(tree), tree], [jsonObjectGrammar(), {
      type: "object",
    }]]
  ) {
    const result = await backend.generate("Once upon a time", {
      grammar: grammar as string,
      temperature: 0,
      maxTokens: 200,
    }).result;
    if (result.finishReason === "stop") {
      assertEquals(validate(JSON.parse(result.text), schema), undefined, result.text);
    } else {
      assert((result.text as string).startsWith("{"), result.text);
    }
  }
});
