import { assertEquals } from "../tests/assert.ts";
import { serveUntilSignal } from "./serve_drain.ts";

/** A server whose drain ends when `finish` is called (or never). */
function server() {
  const { promise, resolve } = Promise.withResolvers<void>();
  let shutdowns = 0;
  return {
    shutdown: () => {
      shutdowns++;
      return promise;
    },
    finish: () => resolve(),
    get shutdowns() {
      return shutdowns;
    },
  };
}

/** Sends SIGTERM to this process until `done` settles (a listener is always set by then). */
async function signalUntil(done: Promise<unknown>): Promise<void> {
  let settled = false;
  done.finally(() => settled = true);
  while (!settled) {
    Deno.kill(Deno.pid, "SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("serveUntilSignal() drains on SIGTERM and returns 0 once responses finish", async () => {
  const s = server();
  const status = serveUntilSignal(s, 60_000);
  Deno.kill(Deno.pid, "SIGTERM");
  while (s.shutdowns === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  s.finish();
  assertEquals(await status, 0);
});

Deno.test("serveUntilSignal() stops waiting for requests that never finish after drainMs", async () => {
  const s = server();
  const status = serveUntilSignal(s, 50);
  Deno.kill(Deno.pid, "SIGTERM");
  // Signal listeners keep no process alive; in serve, the HTTP server does.
  const keepAlive = setInterval(() => {}, 1_000);
  assertEquals(await status, 1);
  clearInterval(keepAlive);
  assertEquals(s.shutdowns, 1);
});

Deno.test("serveUntilSignal() stops at once on a second signal during the drain", async () => {
  const s = server();
  const status = serveUntilSignal(s, 600_000);
  await signalUntil(status); // the first starts the drain, the next ends it
  assertEquals(await status, 1);
});

Deno.test("serveUntilSignal() drains and returns 1 when the engine ends on its own", async () => {
  const s = server();
  const status = serveUntilSignal(s, 60_000, Promise.resolve(new Error("RPC worker x went away")));
  while (s.shutdowns === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  s.finish();
  assertEquals(await status, 1);
});
