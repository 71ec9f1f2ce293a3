/**
 * Real llama.cpp RPC workers for tests: the `ggml-rpc-server` native/build.sh built
 * (`rpc` part), on 127.0.0.1 and a free port. Tests that need one skip, saying why,
 * when none is built: CI builds it (.ci/run).
 *
 * @module
 */
import { findRpcServer } from "../../cli/rpc_server.ts";
import { probeRpcServer } from "../../engine/rpc_endpoints.ts";

/** The built ggml-rpc-server, or undefined. */
export const RPC_SERVER_BIN: string | undefined = findRpcServer();

/** Why RPC tests are skipped, or undefined when they run. */
export const RPC_SKIP_REASON: string | undefined = RPC_SERVER_BIN
  ? undefined
  : "no ggml-rpc-server built: run native/build.sh rpc --native (or set HEARTH_RPC_LIB_DIR " +
    "to its --out folder) to run the RPC tests";

/** A running worker. */
export interface RpcWorker {
  /** "127.0.0.1:PORT". */
  endpoint: string;
  port: number;
  /** Kills it with SIGKILL (a crash, as far as clients can tell) and waits for its end. */
  kill(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A port nothing listens on now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Starts a worker with one thread on `port` (default: a free one) and waits until it
 * answers the protocol hello.
 *
 * @throws {Error} when none is built or it does not answer within 20 s.
 */
export async function startRpcWorker(port: number = freePort()): Promise<RpcWorker> {
  if (!RPC_SERVER_BIN) throw new Error(RPC_SKIP_REASON);
  const child = new Deno.Command(RPC_SERVER_BIN, {
    args: ["--host", "127.0.0.1", "--port", String(port), "--threads", "1"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const endpoint = { host: "127.0.0.1", port, text: `127.0.0.1:${port}` };
  let ended = false;
  const kill = async () => {
    if (!ended) {
      ended = true;
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }
    await child.status;
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await probeRpcServer(endpoint, 2_000);
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await kill();
        throw new Error(`ggml-rpc-server on ${endpoint.text} did not start: ${error}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return { endpoint: endpoint.text, port, kill, [Symbol.asyncDispose]: kill };
}
