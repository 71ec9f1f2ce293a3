/**
 * What the deadline relay costs: a small request and a 1 MiB response through
 * serveWithDeadlines against plain Deno.serve, same handler, keep-alive fetch.
 * `deno bench -A server/serve_with_deadlines_bench.ts`
 */
import { serveWithDeadlines } from "./serve_with_deadlines.ts";

const big = new Uint8Array(1 << 20);
const handler = (request: Request) =>
  new URL(request.url).pathname === "/big" ? new Response(big) : Response.json({ ok: true });
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
  Deno.bench({ name: `${name}: GET 1 MiB`, group: "big", baseline: name === "plain" }, async () => {
    await (await fetch(`${url}/big`)).arrayBuffer();
  });
}

globalThis.addEventListener("unload", () => {
  void plain.shutdown();
  void relayed.shutdown();
});
