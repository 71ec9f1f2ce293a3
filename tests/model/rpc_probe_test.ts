/**
 * `--rpc` before anything loads: the list is parsed as llama.cpp reads it, and every
 * worker is probed (connect and protocol hello) so that ggml, which aborts the process
 * on an address it cannot reach, never sees a bad one. Real sockets on 127.0.0.1: a
 * closed port, a server that answers another protocol version, one that never
 * answers. Needs no built RPC backend.
 */
import { assert, assertEquals, assertRejects, assertThrows } from "../assert.ts";
import { Engine } from "../../engine/engine.ts";
import { RpcWorkerError } from "../../engine/errors.ts";
import { parseRpcServers, probeRpcServer } from "../../engine/rpc_endpoints.ts";
import { freePort } from "./_rpc_workers.ts";
import { httpFailure } from "../../server/error_table.ts";

Deno.test("parseRpcServers() reads HOST:PORT lists as llama.cpp's --rpc does", () => {
  assertEquals(parseRpcServers("127.0.0.1:50052, gpu-box:6000"), [
    { host: "127.0.0.1", port: 50052, text: "127.0.0.1:50052" },
    { host: "gpu-box", port: 6000, text: "gpu-box:6000" },
  ]);
  for (const bad of ["", "127.0.0.1", ":50052", "host:0", "host:70000", "host:5x", "a:1,a:1"]) {
    assertThrows(() => parseRpcServers(bad), RangeError);
  }
});

/** A TCP server on 127.0.0.1 that answers each connection with `answer` (or nothing). */
function fakeWorker(answer: Uint8Array | null): { port: number; close(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  const serving = (async () => {
    for await (const conn of listener) {
      conns.push(conn);
      const hello = new Uint8Array(1 + 8 + 24);
      let got = 0;
      while (got < hello.length) {
        const n = await conn.read(hello.subarray(got)).catch(() => null);
        if (n === null) break;
        got += n;
      }
      if (answer) await conn.write(answer).catch(() => {});
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // Closed by the client.
        }
      }
      await serving.catch(() => {});
    },
  };
}

/** A hello answer: size 28, then major, minor, patch, padding and 24 bytes of caps. */
function helloAnswer(major: number, minor: number): Uint8Array {
  const out = new Uint8Array(8 + 4 + 24);
  new DataView(out.buffer).setBigUint64(0, 28n, true);
  out.set([major, minor, 0, 0], 8);
  return out;
}

Deno.test("probeRpcServer() accepts protocol 6.0 and refuses another major version", async () => {
  const good = fakeWorker(helloAnswer(6, 0));
  const old = fakeWorker(helloAnswer(5, 0));
  try {
    const hello = await probeRpcServer({ host: "127.0.0.1", port: good.port, text: "g" });
    assertEquals([hello.major, hello.minor], [6, 0]);
    const error = await assertRejects(
      () => probeRpcServer({ host: "127.0.0.1", port: old.port, text: `127.0.0.1:${old.port}` }),
      RpcWorkerError,
    );
    assertEquals(error.failure, "incompatible");
    assert(error.message.includes("5.0.0"), error.message);
  } finally {
    await good.close();
    await old.close();
  }
});

Deno.test("probeRpcServer() gives up on a worker that never answers the hello", async () => {
  const silent = fakeWorker(null);
  try {
    const endpoint = { host: "127.0.0.1", port: silent.port, text: `127.0.0.1:${silent.port}` };
    const error = await assertRejects(() => probeRpcServer(endpoint, 300), RpcWorkerError);
    assertEquals([error.failure, error.endpoint], ["unreachable", endpoint.text]);
    assert(error.message.includes("one client at a time"), error.message);
  } finally {
    await silent.close();
  }
});

Deno.test("Engine.start() refuses an unreachable --rpc address before loading anything", async () => {
  const port = freePort();
  const error = await assertRejects(
    () => Engine.start({ rpc: `127.0.0.1:${port}` }),
    RpcWorkerError,
  );
  assertEquals([error.failure, error.endpoint], ["unreachable", `127.0.0.1:${port}`]);
  assert(error.message.includes(`rpc-server --port ${port}`), error.message);
  // The HTTP front ends answer it as a gateway would.
  assertEquals(httpFailure(error).status, 502);
  assertEquals(httpFailure(error).type, "rpc_worker_unreachable");
});

Deno.test({
  name: "Engine.start() says how to build the RPC backend when no libggml-rpc is found",
  // The engine's child process may still be ending when the test returns.
  sanitizeOps: false,
  fn: async () => {
    const worker = fakeWorker(helloAnswer(6, 0));
    try {
      const error = await assertRejects(
        () => Engine.start({ rpc: `127.0.0.1:${worker.port}`, rpcLibDirs: [] }),
        RpcWorkerError,
      );
      assertEquals(error.failure, "unsupported");
      assert(error.message.includes("native/build.sh rpc"), error.message);
      assertEquals(httpFailure(error).status, 500);
    } finally {
      await worker.close();
    }
  },
});
