/**
 * The server's gate: Host checked against DNS rebinding, browser origins refused
 * unless allow-listed, the API key when one is set, loopback unless a key is given.
 */
import { assert, assertEquals, assertThrows } from "../assert.ts";
import type { CompletionBackend } from "../../server/openai/backend.ts";
import { startOpenAiServer } from "../../server/openai/server.ts";
import { rawRequest } from "./_raw_http.ts";
import { MODEL_ID, OpenAI, startTestServer } from "./_server.ts";

Deno.test("a foreign Host header gets 403; the bound names are answered", async () => {
  await using server = await startTestServer();
  const port = server.port;
  for (
    const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]
  ) {
    assertEquals((await rawRequest(port, "GET", "/health", { host })).status, 200, host);
  }
  for (const host of [`evil.example:${port}`, "localhost", `127.0.0.1:${port + 1}`, ""]) {
    const response = await rawRequest(port, "GET", "/v1/models", { host });
    assertEquals(response.status, 403, host);
    const { error } = JSON.parse(response.body);
    assertEquals([error.type, error.code], ["invalid_request_error", "invalid_host"]);
  }
  assertEquals((await fetch(`${server.url}/health`)).status, 200);
});

Deno.test("without --cors, browser origins are refused, preflights included", async () => {
  await using server = await startTestServer();
  const origin = "http://evil.example";
  const preflight = await fetch(`${server.url}/v1/chat/completions`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST" },
  });
  assertEquals(preflight.status, 403);
  assertEquals(preflight.headers.get("access-control-allow-origin"), null);
  assertEquals((await preflight.json()).error.code, "origin_not_allowed");
  const post = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { origin, "content-type": "text/plain" },
    body: JSON.stringify({ model: MODEL_ID, messages: [{ role: "user", content: "Hi" }] }),
  });
  assertEquals(post.status, 403);
  await post.body?.cancel();
  assertEquals((await fetch(`${server.url}/health`)).status, 200);
});

Deno.test("with --cors, the allowed origin gets preflights and CORS headers", async () => {
  const origin = "http://localhost:3000";
  await using server = await startTestServer({ cors: [origin] });
  const preflight = await fetch(`${server.url}/v1/chat/completions`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type",
    },
  });
  assertEquals(preflight.status, 204);
  assertEquals(preflight.headers.get("access-control-allow-origin"), origin);
  assert(preflight.headers.get("access-control-allow-methods")!.includes("POST"));
  assertEquals(
    preflight.headers.get("access-control-allow-headers"),
    "authorization, content-type",
  );
  await preflight.body?.cancel();
  const models = await fetch(`${server.url}/v1/models`, { headers: { origin } });
  assertEquals(models.status, 200);
  assertEquals(models.headers.get("access-control-allow-origin"), origin);
  await models.body?.cancel();
  const other = await fetch(`${server.url}/v1/models`, {
    headers: { origin: "http://localhost:3001" },
  });
  assertEquals(other.status, 403);
  await other.body?.cancel();
});

Deno.test("with an API key, requests without it or with another get 401", async () => {
  const apiKey = "sk-hearth-test-1234";
  await using server = await startTestServer({ apiKey });
  const none = await fetch(`${server.url}/v1/models`);
  assertEquals(none.status, 401);
  const { error } = await none.json();
  assertEquals([error.type, error.code, error.param], [
    "invalid_request_error",
    "invalid_api_key",
    null,
  ]);
  const wrong = await server.client("sk-wrong-key-0000").models.list().catch((e) => e);
  assert(wrong instanceof OpenAI.AuthenticationError, String(wrong));
  assertEquals(wrong.status, 401);
  // Liveness needs no key; everything else does.
  assertEquals((await fetch(`${server.url}/health`)).status, 200);
  assertEquals((await fetch(`${server.url}/metrics`)).status, 401);
  const list = await server.client(apiKey).models.list();
  assertEquals(list.data[0].id, MODEL_ID);
});

Deno.test("startOpenAiServer() refuses a non-loopback address without an API key", () => {
  // The backend is never used: the check comes before binding.
  const backend = {} as CompletionBackend;
  for (const host of ["0.0.0.0", "192.168.1.10", "::"]) {
    assertThrows(() => startOpenAiServer(backend, { host, port: 0 }), RangeError, "API key");
  }
  assertThrows(() => startOpenAiServer(backend, { port: 70000 }), RangeError, "port");
});
