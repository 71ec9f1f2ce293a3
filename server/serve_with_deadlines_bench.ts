/**
 * What the deadline relay costs: a small request, a 1 MiB response and an SSE stream
 * of 256 small events (one per macrotask, like tokens) through serveWithDeadlines
 * against plain Deno.serve, same handler, keep-alive fetch.
 * `deno bench -A server/serve_with_deadlines_bench.ts`
 */
import { serveWithDeadlines } from "./serve_with_deadlines.ts";

const big = new Uint8Array(1 << 20);
const event = new TextEncoder().encode('data: {"text":"tok"}\n\n');
const handler = (request: Request) => {
  const path = new URL(request.url).pathname;
  if (path === "/big") return new Response(big);
  if (path !== "/sse") return Response.json({ ok: true });
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (sent++ < 256) controller.enqueue(event);
      else controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
};
const plain = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
const relayed = serveWithDeadlines({ hostname: "127.0.0.1", port: 0 }, handler);
const base = {
  plain: `http://127.0.0.1:${plain.addr.port}`,
  relayed: `http://127.0.0.1:${relayed.addr.port}`,
};

for (const [name, url] of Object.entries(base)) {
  Deno.bench(
    { name: `${name}: GET small JSON`, group: "small", baseline: name === "plain" },
    async () => {
      await (await fetch(`${url}/small`)).arrayBuffer();
    },
  );
  Deno.bench(
    { name: `${name}: SSE 256 events`, group: "sse", baseline: name === "plain" },
    async () => {
      await (await fetch(`${url}/sse`)).arrayBuffer();
    },
  );
  Deno.bench({ name: `${name}: GET 1 MiB`, group: "big", baseline: name === "plain" }, async () => {
    await (await fetch(`${url}/big`)).arrayBuffer();
  });
}

globalThis.addEventListener("unload", () => {
  void plain.shutdown();
  void relayed.shutdown();
});
