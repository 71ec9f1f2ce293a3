/**
 * The app server against hostile or broken clients, on real sockets: slowloris heads
 * and idle keep-alive connections are closed while an SSE stream stays open, long URLs
 * get 414, malformed paths 400, a client leaving mid-body one log line, and pages of
 * other local servers cannot change state.
 */
import { assert, assertEquals } from "../assert.ts";
import { type RunningApp, startApp } from "../../cli/app.ts";
import { waitFor } from "./_app_api.ts";
import { RawConnection } from "./_raw_http.ts";

/** Deadlines short enough for a test: a head in 300 ms, 300 ms idle. */
const TIMEOUTS = { headerTimeoutMs: 300, idleTimeoutMs: 300 };

async function withBareApp(fn: (app: RunningApp, port: number) => Promise<void>): Promise<void> {
  const dataDir = await Deno.makeTempDir();
  const app = await startApp({
    dataDir,
    libraryRoots: [],
    loadDefaultModel: false,
    http: TIMEOUTS,
  });
  try {
    await fn(app, Number(new URL(app.origin).port));
  } finally {
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** A complete request head (and body) for `app`, authorised with its secret. */
function request(app: RunningApp, head: string, body = ""): string {
  const port = new URL(app.origin).port;
  return `${head}\r\nhost: 127.0.0.1:${port}\r\nauthorization: Bearer ${app.secret}\r\n` +
    `content-length: ${new TextEncoder().encode(body).byteLength}\r\n\r\n${body}`;
}

Deno.test("app server: slowloris and idle connections are closed, an SSE stream is not", async () => {
  await withBareApp(async (app, port) => {
    const events = await RawConnection.open(port, request(app, "GET /api/events HTTP/1.1"));
    const slow = await Promise.all(
      Array.from({ length: 100 }, () => RawConnection.open(port, "GET / HTTP/1.1\r\nhost: x\r\n")),
    );
    const silent = await RawConnection.open(port);
    const idle = await RawConnection.open(port, request(app, "GET /api/state HTTP/1.1"));
    try {
      await waitFor(
        "the server to close slow and idle connections",
        () => [...slow, silent, idle].every((c) => c.closed),
        10_000,
      );
      assertEquals(idle.status, 200);
      assert(!events.closed, "the SSE stream was closed with the idle connections");
      const create = await RawConnection.open(
        port,
        request(app, "POST /api/chats HTTP/1.1\r\ncontent-type: application/json", "{}"),
      );
      await waitFor(
        "the chat's event on the open stream",
        () => events.received.includes("event: chats"),
      );
      assertEquals(create.status, 201);
      await create.close();
    } finally {
      await Promise.all([events, ...slow, silent, idle].map((c) => c.close()));
    }
  });
});

Deno.test("app server: a 100 KB URL gets 414 with an error body", async () => {
  await withBareApp(async (app, port) => {
    const url = `/${"a".repeat(100_000)}`;
    const long = await RawConnection.open(port, request(app, `GET ${url} HTTP/1.1`));
    await waitFor("the 414", () => long.closed);
    assertEquals(long.status, 414);
    assert(long.received.includes('"type":"invalid_request"'), long.received);
  });
});

Deno.test("app server: a malformed percent escape in a UI path gets 400, not 500", async () => {
  await withBareApp(async (app) => {
    for (const path of ["/%", "/%ff", "/chats/%E0%A4%A"]) {
      const response = await fetch(app.origin + path, {
        headers: { authorization: `Bearer ${app.secret}` },
      });
      assertEquals(response.status, 400, path);
      assertEquals((await response.json()).error.type, "invalid_request");
    }
  });
});

Deno.test("app server: a client leaving mid-body costs one log line, not a stack", async () => {
  const logged: string[] = [];
  const { warn, error } = console;
  console.warn = (...args: unknown[]) => logged.push(`warn ${args.join(" ")}`);
  console.error = (...args: unknown[]) => logged.push(`error ${args.join(" ")}`);
  try {
    await withBareApp(async (app, port) => {
      const head = request(app, "POST /api/chats HTTP/1.1\r\ncontent-type: application/json")
        .replace(/content-length: \d+/, "content-length: 1000");
      const leaving = await RawConnection.open(port, `${head}{"title":`);
      await waitFor("the server to hold the request", async () => {
        const state = await fetch(`${app.origin}/api/state`, {
          headers: { authorization: `Bearer ${app.secret}` },
        });
        await state.body?.cancel();
        return state.ok;
      });
      await leaving.close();
      await waitFor("the log line", () => logged.length > 0);
    });
  } finally {
    console.warn = warn;
    console.error = error;
  }
  assertEquals(logged.length, 1, logged.join("\n"));
  assert(/^warn hearth: POST \/api\/chats: the client left mid-body/.test(logged[0]), logged[0]);
});

Deno.test("app server: pages of other local servers cannot change state", async () => {
  await withBareApp(async (app) => {
    const launch = await fetch(app.launchUrl, { redirect: "manual" });
    await launch.body?.cancel();
    const cookie = launch.headers.get("set-cookie")!.split(";")[0];
    const post = (path: string, headers: Record<string, string>, body = "{}") =>
      fetch(app.origin + path, { method: "POST", headers: { cookie, ...headers }, body });
    const refused: [string, Record<string, string>][] = [
      // Another port of 127.0.0.1 is the same site, so the SameSite=Strict cookie goes along.
      ["/api/chats", { origin: "http://127.0.0.1:1", "content-type": "application/json" }],
      ["/api/chats", { "sec-fetch-site": "same-site", "content-type": "application/json" }],
      ["/api/chats", { "sec-fetch-site": "cross-site", "content-type": "application/json" }],
      ["/api/chats", { origin: "null", "content-type": "application/json" }],
      // The bodies a page may send without a CORS preflight.
      ["/api/chats", { "content-type": "text/plain" }],
      ["/api/models/load", { "content-type": "text/plain" }],
      ["/api/chats", { "content-type": "application/x-www-form-urlencoded" }],
    ];
    for (const [path, headers] of refused) {
      const response = await post(path, headers, path === "/api/chats" ? "{}" : '{"path":"x"}');
      assertEquals(response.status, 403, JSON.stringify(headers));
      assertEquals((await response.json()).error.type, "forbidden");
    }
    const list = await fetch(`${app.origin}/api/chats`, { headers: { cookie } });
    assertEquals((await list.json()).chats.length, 0);
    // The window itself: same origin, JSON.
    const own = await post("/api/chats", {
      origin: app.origin,
      "sec-fetch-site": "same-origin",
      "content-type": "application/json; charset=utf-8",
    });
    assertEquals(own.status, 201);
    await own.body?.cancel();
  });
});
