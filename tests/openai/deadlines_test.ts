/**
 * The OpenAI server against slow or broken clients, on real sockets: heads that never
 * finish and idle keep-alive connections are closed, a 100 KB URL gets 414 with
 * OpenAI error JSON, and a client leaving mid-body costs one log line.
 */
import { assert, assertEquals } from "../assert.ts";
import { waitFor } from "../server/_app_api.ts";
import { RawConnection } from "../server/_raw_http.ts";
import { startTestServer } from "./_server.ts";

/** Deadlines short enough for a test: a head in 300 ms, 300 ms idle. */
const TIMEOUTS = { headerTimeoutMs: 300, idleTimeoutMs: 300 };

Deno.test("OpenAI server: slowloris heads and idle keep-alive connections are closed", async () => {
  await using server = await startTestServer(TIMEOUTS);
  const host = `127.0.0.1:${server.port}`;
  const slow = await Promise.all(
    Array.from({ length: 100 }, () => RawConnection.open(server.port, "GET /health HTTP/1.1\r\n")),
  );
  const idle = await RawConnection.open(
    server.port,
    `GET /health HTTP/1.1\r\nhost: ${host}\r\n\r\n`,
  );
  try {
    await waitFor(
      "the server to close slow and idle connections",
      () => [...slow, idle].every((c) => c.closed),
      10_000,
    );
    assertEquals(idle.status, 200);
  } finally {
    await Promise.all([...slow, idle].map((c) => c.close()));
  }
});

Deno.test("OpenAI server: a 100 KB URL gets 414 with an OpenAI error body", async () => {
  await using server = await startTestServer(TIMEOUTS);
  const long = await RawConnection.open(
    server.port,
    `GET /v1/models?q=${"a".repeat(100_000)} HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\n\r\n`,
  );
  await waitFor("the 414", () => long.closed);
  assertEquals(long.status, 414);
  const error = JSON.parse(long.received.slice(long.received.indexOf("\r\n\r\n") + 4)).error;
  assertEquals([error.type, error.code], ["invalid_request_error", "uri_too_long"]);
});

Deno.test("OpenAI server: a client leaving mid-body costs one log line, not a stack", async () => {
  const logged: string[] = [];
  const { warn, error } = console;
  console.warn = (...args: unknown[]) => logged.push(`warn ${args.join(" ")}`);
  console.error = (...args: unknown[]) => logged.push(`error ${args.join(" ")}`);
  try {
    await using server = await startTestServer(TIMEOUTS);
    const leaving = await RawConnection.open(
      server.port,
      `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:${server.port}\r\n` +
        `content-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":`,
    );
    // The body reader is waiting once the server answers on another connection.
    assertEquals((await fetch(`${server.url}/health`).then((r) => r.text())).length > 0, true);
    await leaving.close();
    await waitFor("the log line", () => logged.length > 0);
  } finally {
    console.warn = warn;
    console.error = error;
  }
  assertEquals(logged.length, 1, logged.join("\n"));
  assert(
    /^warn hearth serve: POST \/v1\/chat\/completions: the client left mid-body/.test(logged[0]),
    logged[0],
  );
});
