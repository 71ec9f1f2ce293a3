import { assertEquals } from "../tests/assert.ts";
import { errorFromResponse, nextLink } from "./_http.ts";

Deno.test("nextLink() finds rel=next among Link values", () => {
  assertEquals(
    nextLink('<https://hf.co/api/models?cursor=a>; rel="next", <https://hf.co/x>; rel="prev"'),
    "https://hf.co/api/models?cursor=a",
  );
  assertEquals(nextLink('<https://hf.co/x>; rel="prev"'), null);
  assertEquals(nextLink(null), null);
});

const context = { what: 'download "o/n/f.gguf"', repo: "o/n" };
function response(status: number, headers: Record<string, string> = {}, body = ""): Response {
  const res = new Response(body || null, { status, headers });
  Object.defineProperty(res, "url", { value: "https://hf.co/o/n/resolve/main/f.gguf" });
  return res;
}

Deno.test("errorFromResponse() maps the hub's statuses and X-Error-Code to codes", async () => {
  const code = async (res: Response) =>
    (await errorFromResponse(res, context, "https://hf.co")).code;
  assertEquals(await code(response(404, { "X-Error-Code": "EntryNotFound" })), "not_found");
  assertEquals(await code(response(401, { "X-Error-Code": "RepoNotFound" })), "not_found");
  assertEquals(await code(response(401, { "X-Error-Code": "GatedRepo" })), "unauthorized");
  assertEquals(await code(response(403)), "unauthorized");
  assertEquals(await code(response(429)), "rate_limited");
  assertEquals(await code(response(502)), "server");
  assertEquals(await code(response(400)), "http");
});

Deno.test("errorFromResponse() keeps status, URL, request id, Retry-After and the server's words", async () => {
  const error = await errorFromResponse(
    response(429, {
      "X-Request-Id": "req-1",
      "Retry-After": "7",
      "Content-Type": "application/json",
    }, '{"error":"slow down"}'),
    context,
    "https://hf.co",
  );
  assertEquals([error.status, error.url, error.requestId, error.retryAfterMs], [
    429,
    "https://hf.co/o/n/resolve/main/f.gguf",
    "req-1",
    7000,
  ]);
  assertEquals(error.retryable, true);
  assertEquals(
    (await errorFromResponse(response(403), context, "https://hf.co")).message.includes(
      "https://hf.co/o/n",
    ),
    true,
  );
});
