/**
 * Invalid requests get the right status and OpenAI error JSON, and the server keeps
 * serving after each.
 */
import { assert, assertEquals } from "../assert.ts";
import { GrammarError, QueueFullError } from "../../engine/errors.ts";
import type { CompletionBackend } from "../../server/openai/backend.ts";
import { MODEL_ID, OpenAI, startTestServer, type TestServer } from "./_server.ts";
import { QWEN25_TEMPLATE } from "./_qwen25_template.ts";

const CHAT = { model: MODEL_ID, messages: [{ role: "user", content: "Hi" }] };

/** Posts `body` (JSON unless a string) and returns the status, headers and error object. */
async function post(server: TestServer, path: string, body: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const json = await response.json();
  // The server answers /health after every error.
  assertEquals((await fetch(`${server.url}/health`).then((r) => r.json())).status, "ok");
  return { status: response.status, headers: response.headers, error: json.error };
}

/** Asserts a 400-style error with exactly OpenAI's error keys. */
function assertError(
  got: { status: number; error: Record<string, unknown> },
  status: number,
  param: string | null,
  code?: string,
) {
  assertEquals(got.status, status, JSON.stringify(got.error));
  for (const key of ["message", "type", "param", "code"]) assert(key in got.error, `no ${key}`);
  assert(typeof got.error.message === "string" && got.error.message !== "");
  assertEquals(got.error.param, param, JSON.stringify(got.error));
  if (code !== undefined) assertEquals(got.error.code, code, JSON.stringify(got.error));
}

Deno.test("invalid chat requests get 400 invalid_request_error naming the field", async () => {
  await using server = await startTestServer();
  const chat = (extra: Record<string, unknown>) =>
    post(server, "/v1/chat/completions", { ...CHAT, ...extra });
  assertError(await post(server, "/v1/chat/completions", '{"model": '), 400, null, "invalid_json");
  assertError(await post(server, "/v1/chat/completions", "[1]"), 400, null, "invalid_json");
  const hot = await chat({ temperature: "hot" });
  assertError(hot, 400, "temperature", "invalid_type");
  assertEquals(hot.error.type, "invalid_request_error");
  assertError(await chat({ temperature: 3 }), 400, "temperature", "invalid_value");
  assertError(await chat({ n: 2 }), 400, "n");
  assertError(await chat({ max_tokens: 0 }), 400, "max_tokens");
  assertError(await chat({ stop: ["a", 1] }), 400, "stop[1]");
  assertError(await chat({ seed: 1.5 }), 400, "seed");
  assertError(await chat({ logit_bias: { "999999": 1 } }), 400, "logit_bias");
  assertError(await chat({ logit_bias: { "5": 101 } }), 400, "logit_bias.5");
  assertError(await chat({ stream_options: { include_usage: true } }), 400, "stream_options");
  // Unknown fields are ignored (tests/openai/lenient_test.ts); known ones keep their types.
  assertError(await chat({ top_k: "x" }), 400, "top_k", "invalid_type");
  assertError(await chat({ logprobs: true }), 400, "logprobs");
  assertError(await chat({ messages: [] }), 400, "messages");
  assertError(
    await chat({ messages: [{ role: "user", content: "Hi", colour: 1 }] }),
    400,
    "messages[0].colour",
  );
  assertError(
    await chat({ messages: [{ role: "robot", content: "Hi" }] }),
    400,
    "messages[0].role",
  );
  assertError(
    await chat({
      messages: [{ role: "user", content: [{ type: "input_audio", input_audio: { data: "x" } }] }],
    }),
    400,
    "messages[0].content[0].type",
  );
  // An image part is read now (data: URLs); another scheme is refused naming the URL.
  assertError(
    await chat({
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }],
    }),
    400,
    "messages[0].content[0].image_url.url",
  );
  assertError(
    await chat({ messages: [{ role: "tool", content: "x" }] }),
    400,
    "messages[0].tool_call_id",
  );
  assertError(await chat({ response_format: { type: "xml" } }), 400, "response_format.type");
  const pattern = await chat({
    response_format: {
      type: "json_schema",
      json_schema: { name: "x", schema: { type: "string", pattern: "a+" } },
    },
  });
  assertError(pattern, 400, "response_format.json_schema.schema", "unsupported_schema");
  assert((pattern.error.message as string).includes('"pattern"'), pattern.error.message);
  // stories260K's ChatML template never mentions tools.
  const tools = [{ type: "function", function: { name: "f", parameters: { type: "object" } } }];
  assertError(await chat({ tools }), 400, "tools", "tools_not_supported");
  assertError(await chat({ tool_choice: "auto" }), 400, "tool_choice");
  const { model: _, ...noModel } = CHAT;
  assertError(await post(server, "/v1/chat/completions", noModel), 400, "model");
});

Deno.test("response_format schemas that cannot become a grammar get 400 with the reason", async () => {
  await using server = await startTestServer({ chatTemplate: QWEN25_TEMPLATE });
  const param = "response_format.json_schema.schema";
  const withSchema = (schema: unknown) =>
    post(server, "/v1/chat/completions", {
      ...CHAT,
      max_tokens: 4,
      response_format: { type: "json_schema", json_schema: { name: "x", schema } },
    });
  const loop = { $defs: { a: { anyOf: [{ $ref: "#/$defs/a" }, { type: "null" }] } } };
  // Each of these was a 500: a URIError, then llama.cpp's NULL grammar sampler in the Worker.
  const cases: [unknown, string][] = [
    [{ $ref: "#/$defs/%E0", $defs: { a: {} } }, "percent-encoding"],
    [{ ...loop, $ref: "#/$defs/a" }, "left recursion detected for nonterminal 'def-a'"],
    [{ type: "array", minItems: 10_000 }, '"minItems"'],
    [{ type: "string", maxLength: 2000 }, '"maxLength"'],
  ];
  for (const [schema, reason] of cases) {
    const got = await withSchema(schema);
    assertError(got, 400, param, "unsupported_schema");
    assertEquals(got.error.type, "invalid_request_error");
    assert((got.error.message as string).includes(reason), got.error.message);
  }
  // A forced tool call's grammar is checked the same way.
  const parameters = { ...loop, $ref: "#/$defs/a" };
  const forced = await post(server, "/v1/chat/completions", {
    ...CHAT,
    tools: [{ type: "function", function: { name: "f", parameters } }],
    tool_choice: { type: "function", function: { name: "f" } },
  });
  assertError(forced, 400, "tools[0].function.parameters", "unsupported_schema");
  assert((forced.error.message as string).includes("left recursion"), forced.error.message);
});

Deno.test("other routes validate too; unknown models and URLs get 404", async () => {
  await using server = await startTestServer();
  const model = await post(server, "/v1/chat/completions", { ...CHAT, model: "gpt-4o" });
  assertError(model, 404, "model", "model_not_found");
  assertError(await post(server, "/v1/completions", { model: MODEL_ID }), 400, "prompt");
  assertError(
    await post(server, "/v1/completions", { model: MODEL_ID, prompt: ["a", "b"] }),
    400,
    "prompt",
  );
  assertError(
    await post(server, "/v1/completions", { model: MODEL_ID, prompt: "a", suffix: "b" }),
    400,
    "suffix",
  );
  assertError(await post(server, "/v1/embeddings", { model: MODEL_ID, input: "" }), 400, "input");
  assertError(
    await post(server, "/v1/embeddings", { model: MODEL_ID, input: [[1, 2]] }),
    400,
    "input[0]",
  );
  assertError(
    await post(server, "/v1/embeddings", { model: MODEL_ID, input: "a", dimensions: 8 }),
    400,
    "dimensions",
  );
  assertError(await post(server, "/v1/nothing", {}), 404, null);
  // The SDK sees the same errors as typed exceptions.
  const client = server.client();
  const error = await client.chat.completions.create({ ...CHAT, model: "gpt-4o" } as never).catch((
    e,
  ) => e);
  assert(error instanceof OpenAI.NotFoundError, String(error));
  assertEquals([error.status, error.code, error.param], [404, "model_not_found", "model"]);
});

Deno.test("a body over the limit gets 413; a prompt over n_ctx gets exceed_context_size", async () => {
  await using server = await startTestServer();
  // The default limit is 4 MiB.
  const huge = { ...CHAT, messages: [{ role: "user", content: "x".repeat(5 * 1024 * 1024) }] };
  assertError(await post(server, "/v1/chat/completions", huge), 413, null, "request_too_large");
  // A chunked body declares no length: it is counted as it arrives.
  const chunk = new TextEncoder().encode("x".repeat(1024 * 1024));
  let sent = 0;
  const chunked = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    body: new ReadableStream({
      pull(controller) {
        if (sent++ < 6) controller.enqueue(chunk);
        else controller.close();
      },
    }),
  }).catch((error) => error);
  if (chunked instanceof Response) {
    assertEquals(chunked.status, 413);
    assertEquals((await chunked.json()).error.code, "request_too_large");
  } else {
    // The server may close the connection before the client has sent everything.
    assert(chunked instanceof TypeError, String(chunked));
  }
  assertEquals((await fetch(`${server.url}/health`)).status, 200);
  const long = { ...CHAT, messages: [{ role: "user", content: "Once upon a time ".repeat(600) }] };
  const overflow = await post(server, "/v1/chat/completions", long);
  assertError(overflow, 400, null, "exceed_context_size");
  assert((overflow.error.n_prompt_tokens as number) > 2048, JSON.stringify(overflow.error));
  assertEquals(overflow.error.n_ctx, 2048);
  const streamed = await post(server, "/v1/chat/completions", { ...long, stream: true });
  assertError(streamed, 400, null, "exceed_context_size");
});

Deno.test("a full queue gets 503 with Retry-After; a bad grammar 400; an engine failure 500", async () => {
  let fail: "queue" | "crash" | "grammar" | undefined;
  const wrap = (backend: CompletionBackend): CompletionBackend =>
    new Proxy(backend, {
      get(target, key) {
        if (key === "chat" && fail === "queue") {
          return () => {
            throw new QueueFullError(4, 2.5);
          };
        }
        if (key === "chat" && fail === "grammar") {
          return () => {
            throw new GrammarError(
              "Unsupported grammar: left recursion detected for nonterminal 'a'",
            );
          };
        }
        if (key === "chat" && fail === "crash") {
          return () => {
            throw new Error("engine fell over");
          };
        }
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  await using server = await startTestServer({ wrap });
  fail = "queue";
  const queued = await post(server, "/v1/chat/completions", CHAT);
  assertError(queued, 503, null, "queue_full");
  assertEquals(queued.error.type, "server_error");
  assertEquals(queued.headers.get("retry-after"), "3");
  fail = "grammar";
  const grammar = await post(server, "/v1/chat/completions", CHAT);
  assertError(grammar, 400, null, "invalid_grammar");
  assertEquals(grammar.error.type, "invalid_request_error");
  assert((grammar.error.message as string).includes("left recursion"), grammar.error.message);
  fail = "crash";
  const originalError = console.error;
  console.error = () => {};
  try {
    const crashed = await post(server, "/v1/chat/completions", CHAT);
    assertError(crashed, 500, null);
    assertEquals(crashed.error.type, "server_error");
  } finally {
    console.error = originalError;
  }
  fail = undefined;
  const ok = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    body: JSON.stringify({ ...CHAT, max_tokens: 2 }),
  });
  assertEquals(ok.status, 200);
  await ok.body?.cancel();
});
