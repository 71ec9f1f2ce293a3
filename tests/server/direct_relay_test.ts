/**
 * The deadline relay's fast path (server/direct_exchange.ts) on real sockets: requests
 * it answers itself carry their bodies intact both ways, share a keep-alive connection
 * with relayed ones, still close at the idle deadline mid-body, fall back to the relay
 * for chunked bodies, honour `connection: close`; on the app server, the workspace
 * files' byte routes taken this way still check the Host, the secret and the origin.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { serveWithDeadlines } from "../../server/serve_with_deadlines.ts";
import { startApp } from "../../cli/app.ts";
import { createWorkspaceApi } from "../../ui/workspace_api.ts";
import { waitFor } from "./_app_api.ts";
import { RawConnection, rawStatus } from "./_raw_http.ts";

/** Deadlines short enough for a test: a head in 300 ms, 300 ms idle. */
const TIMEOUTS = { headerTimeoutMs: 300, idleTimeoutMs: 300 };

/**
 * A server whose `/fast/*` routes take the fast path. Every response says how it came:
 * "tcp" (the relay answered it) or "unix" (through Deno.serve behind the relay). GET
 * answers `size` bytes of a pattern; PUT and POST echo the body's length and sum.
 */
async function withServer(
  fn: (port: number, runs: string[]) => Promise<void>,
): Promise<void> {
  const runs: string[] = [];
  const server = serveWithDeadlines(
    { hostname: "127.0.0.1", port: 0, ...TIMEOUTS, direct: (_, path) => path.startsWith("/fast/") },
    async (request, info) => {
      const via = info.remoteAddr.transport;
      const url = new URL(request.url);
      runs.push(`${request.method} ${url.pathname} ${via}`);
      if (request.method === "GET") {
        const size = Number(url.searchParams.get("size") ?? 0);
        return new Response(pattern(size), { headers: { "x-via": via } });
      }
      const body = new Uint8Array(await request.arrayBuffer());
      return Response.json({ bytes: body.length, sum: sum(body), via });
    },
  );
  try {
    await fn(server.addr.port, runs);
  } finally {
    await server.shutdown();
  }
}

function pattern(length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + (i >> 11)) & 0xff;
  return bytes;
}

function sum(bytes: Uint8Array): number {
  let total = 0;
  for (const byte of bytes) total = (total + byte) % 1_000_003;
  return total;
}

Deno.test("serveWithDeadlines() direct: large bodies arrive intact both ways, others are relayed", async () => {
  await withServer(async (port, runs) => {
    const base = `http://127.0.0.1:${port}`;
    const size = (3 << 20) + 5;
    const got = await fetch(`${base}/fast/read?size=${size}`);
    assertEquals(got.headers.get("x-via"), "tcp");
    assertEquals(new Uint8Array(await got.arrayBuffer()), pattern(size));
    const body = pattern((5 << 20) + 3);
    const put = await fetch(`${base}/fast/write`, { method: "PUT", body });
    assertEquals(await put.json(), { bytes: body.length, sum: sum(body), via: "tcp" });
    // The connection's body buffer is reused: a shorter, different body after it.
    const second = body.slice(7, 1 << 20).reverse();
    const again = await fetch(`${base}/fast/write`, { method: "PUT", body: second });
    assertEquals(await again.json(), { bytes: second.length, sum: sum(second), via: "tcp" });
    const slow = await fetch(`${base}/slow/read?size=10`);
    assertEquals(slow.headers.get("x-via"), "unix");
    assertEquals(new Uint8Array(await slow.arrayBuffer()), pattern(10));
    // A chunked body does not fit the fast path: relayed, and still intact.
    const stream = ReadableStream.from([body.subarray(0, 1000), body.subarray(1000)]);
    const chunked = await fetch(`${base}/fast/write`, { method: "POST", body: stream });
    assertEquals(await chunked.json(), { bytes: body.length, sum: sum(body), via: "unix" });
    assertEquals(runs.length, 5);
  });
});

Deno.test("serveWithDeadlines() direct: fast and relayed requests share one keep-alive connection", async () => {
  await withServer(async (port, runs) => {
    const head = (line: string, body = "") =>
      `${line} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
    const conn = await RawConnection.open(port, head("PUT /fast/a", "hello"));
    try {
      await waitFor("the fast PUT's answer", () => conn.received.includes('"via":"tcp"'));
      await conn.send(head("GET /slow/b?size=4"));
      await waitFor("the relayed GET", () => runs.length === 2 && conn.received.includes("unix"));
      await conn.send(head("GET /fast/c?size=3"));
      await waitFor("the fast GET", () => runs.length === 3);
      await waitFor(
        "its answer",
        () => (conn.received.match(/HTTP\/1\.1 200/g) ?? []).length === 3,
      );
      assertEquals(runs, ["PUT /fast/a tcp", "GET /slow/b unix", "GET /fast/c tcp"]);
      assert(!conn.closed, "the connection closed between requests");
      // `connection: close` on the fast path: answered, then closed.
      await conn.send(
        `GET /fast/d?size=2 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`,
      );
      await waitFor("the server to close after the answer", () => conn.closed);
      assertEquals((conn.received.match(/HTTP\/1\.1 200/g) ?? []).length, 4);
    } finally {
      await conn.close();
    }
  });
});

Deno.test("serveWithDeadlines() direct: a body that stalls is closed at the idle deadline", async () => {
  await withServer(async (port, runs) => {
    const conn = await RawConnection.open(
      port,
      `PUT /fast/slow HTTP/1.1\r\nhost: x\r\ncontent-length: 100000\r\n\r\n${"x".repeat(10)}`,
    );
    try {
      await waitFor("the server to close the stalled body", () => conn.closed, 10_000);
      assertEquals(runs, [], "the handler ran on half a body");
      assertEquals(conn.received, "");
    } finally {
      await conn.close();
    }
  });
});

Deno.test("app server: file bytes on the fast path still need the Host, the secret and the origin", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hearth-direct-" });
  await Deno.mkdir(join(dir, "ws"));
  await Deno.writeTextFile(join(dir, "ws", "f.txt"), "hello");
  const app = await startApp({
    dataDir: join(dir, "data"),
    libraryRoots: [],
    loadDefaultModel: false,
  });
  try {
    const api = createWorkspaceApi(app.origin, { authorization: `Bearer ${app.secret}` });
    const { id } = await api.addWorkspace(join(dir, "ws"));
    const { handle } = await api.open(id, "f.txt", "r+");
    const port = Number(new URL(app.origin).port);
    const path = `/api/files/${handle}?offset=0&length=5`;
    const auth = { authorization: `Bearer ${app.secret}` };
    assertEquals(await rawStatus(port, path, { host: `127.0.0.1:${port}`, ...auth }), 200);
    assertEquals(await rawStatus(port, path, { host: `evil.example:${port}`, ...auth }), 403);
    assertEquals(await rawStatus(port, path, { host: `127.0.0.1:${port}` }), 401);
    const put = (headers: Record<string, string>) =>
      rawStatus(port, `/api/files/${handle}?offset=0`, {
        host: `127.0.0.1:${port}`,
        "content-type": "application/octet-stream",
        "content-length": "0",
        ...headers,
      }, "PUT");
    assertEquals(await put({ ...auth, origin: "http://127.0.0.1:1" }), 403);
    assertEquals(await put({ ...auth, "sec-fetch-site": "same-site" }), 403);
    assertEquals(await put({}), 401);
    assertEquals(await put(auth), 200);
    assertEquals(new TextDecoder().decode(await api.read(handle, 0, 5)), "hello");
    // HTTP/1.0 does not fit the fast path: relayed through Deno.serve, whose `completed`
    // gives the pooled read buffer back; each answer still has its own bytes.
    await api.write(handle, 0, new TextEncoder().encode("abcdefghij"));
    for (const [offset, text] of [[0, "abcde"], [5, "fghij"], [2, "cdefg"]] as const) {
      const conn = await RawConnection.open(
        port,
        `GET /api/files/${handle}?offset=${offset}&length=5 HTTP/1.0\r\n` +
          `host: 127.0.0.1:${port}\r\nauthorization: Bearer ${app.secret}\r\n\r\n`,
      );
      await waitFor("the relayed read", () => conn.closed);
      assert(conn.received.endsWith(`\r\n\r\n${text}`), conn.received);
    }
    await api.close(handle);
  } finally {
    await app.close();
    await Deno.remove(dir, { recursive: true });
  }
});
