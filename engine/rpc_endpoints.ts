/**
 * llama.cpp RPC workers (`ggml-rpc-server`) as `--rpc HOST:PORT[,HOST:PORT...]` names
 * them: parsing, and a probe that connects and says the protocol's hello before ggml
 * sees the address. ggml's RPC client aborts the whole process when it cannot connect
 * or the hello fails (`GGML_ABORT("Failed to connect to %s")` in ggml-rpc.cpp), so no
 * endpoint reaches it unprobed.
 *
 * The hello, as ggml-rpc.cpp spells it: the client sends the command byte
 * `RPC_CMD_HELLO` (14), a little-endian u64 size (24) and `conn_caps[24]`; the server
 * answers a u64 size (28), then major, minor, patch, padding and its own `conn_caps[24]`.
 *
 * @module
 */
import { RpcWorkerError } from "./errors.ts";

/** `RPC_CMD_HELLO` in ggml-rpc.cpp ("must be always 14"). */
const RPC_CMD_HELLO = 14;
/** `RPC_CONN_CAPS_SIZE` in ggml-rpc/transport.h. */
const RPC_CONN_CAPS_SIZE = 24;
/** `RPC_PROTO_MAJOR_VERSION` / `RPC_PROTO_MINOR_VERSION` of the pinned ggml-rpc.h. */
export const RPC_PROTO_VERSION = { major: 6, minor: 0 } as const;
/** How long a probe waits for the connection and the hello, in milliseconds. @default 5000 */
export const RPC_PROBE_TIMEOUT_MS = 5_000;
/** `GGML_RPC_MAX_SERVERS` in ggml-rpc.h. */
export const RPC_MAX_SERVERS = 16;

/** One worker address: host (a name, an IPv4 address, or an IPv6 one without brackets). */
export interface RpcEndpoint {
  host: string;
  port: number;
  /** As llama.cpp takes it, "HOST:PORT". */
  text: string;
}

/**
 * Parses `--rpc`'s value: comma-separated `HOST:PORT`, as llama.cpp's common/arg.cpp
 * reads it (ggml-rpc splits at the first colon, so IPv6 literals are not accepted).
 *
 * @throws {RangeError} for an empty list, a missing or bad port, a duplicate, or more
 *   than {@link RPC_MAX_SERVERS} workers.
 */
export function parseRpcServers(value: string | readonly string[]): RpcEndpoint[] {
  const items = (typeof value === "string" ? value.split(",") : value.flatMap((v) => v.split(",")))
    .map((item) => item.trim()).filter((item) => item !== "");
  if (items.length === 0) throw new RangeError("--rpc needs HOST:PORT[,HOST:PORT...]");
  if (items.length > RPC_MAX_SERVERS) {
    throw new RangeError(`--rpc takes at most ${RPC_MAX_SERVERS} workers, got ${items.length}`);
  }
  const seen = new Set<string>();
  return items.map((text) => {
    const colon = text.indexOf(":");
    const host = colon > 0 ? text.slice(0, colon) : "";
    const portText = colon > 0 ? text.slice(colon + 1) : "";
    const port = Number(portText);
    if (host === "" || !/^\d+$/.test(portText) || port < 1 || port > 65535) {
      throw new RangeError(`--rpc "${text}": expected HOST:PORT with a port in [1, 65535]`);
    }
    if (seen.has(text)) throw new RangeError(`--rpc "${text}" is given twice`);
    seen.add(text);
    return { host, port, text };
  });
}

/** What a worker answered to the hello. */
export interface RpcHello {
  major: number;
  minor: number;
  patch: number;
  /** Connect and hello, in milliseconds. */
  elapsedMs: number;
}

/**
 * Connects to `endpoint`, says hello and hangs up. A worker serves one client at a
 * time, so a worker busy with another client answers only when that one leaves.
 *
 * @param timeoutMs Default {@link RPC_PROBE_TIMEOUT_MS}.
 * @throws {RpcWorkerError} "unreachable" when the connection or the answer fails or
 *   takes longer than `timeoutMs`; "incompatible" for another protocol major version
 *   or a newer minor one (what ggml-rpc.cpp itself refuses).
 */
export async function probeRpcServer(
  endpoint: RpcEndpoint,
  timeoutMs: number = RPC_PROBE_TIMEOUT_MS,
): Promise<RpcHello> {
  const started = performance.now();
  let conn: Deno.TcpConn | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      try {
        conn?.close();
      } catch {
        // Already closed.
      }
      reject(
        new Error(
          `no answer within ${timeoutMs / 1000} s (a worker serves one client ` +
            "at a time: is another process using it?)",
        ),
      );
    }, timeoutMs);
  });
  try {
    const answer = await Promise.race([
      (async () => {
        conn = await Deno.connect({ hostname: endpoint.host, port: endpoint.port });
        const request = new Uint8Array(1 + 8 + RPC_CONN_CAPS_SIZE);
        request[0] = RPC_CMD_HELLO;
        new DataView(request.buffer).setBigUint64(1, BigInt(RPC_CONN_CAPS_SIZE), true);
        await writeAll(conn, request);
        return await readExactly(conn, 8 + 4 + RPC_CONN_CAPS_SIZE);
      })(),
      timeout,
    ]);
    const view = new DataView(answer.buffer);
    if (view.getBigUint64(0, true) !== BigInt(4 + RPC_CONN_CAPS_SIZE)) {
      throw new Error("its answer to the hello is not ggml-rpc's");
    }
    const hello = {
      major: answer[8],
      minor: answer[9],
      patch: answer[10],
      elapsedMs: performance.now() - started,
    };
    if (hello.major !== RPC_PROTO_VERSION.major || hello.minor > RPC_PROTO_VERSION.minor) {
      throw new RpcWorkerError(
        endpoint.text,
        "incompatible",
        `Cannot use RPC worker ${endpoint.text}: it speaks RPC protocol ` +
          `${hello.major}.${hello.minor}.${hello.patch}, this libllama ` +
          `${RPC_PROTO_VERSION.major}.${RPC_PROTO_VERSION.minor}; run a ggml-rpc-server ` +
          "built from the same llama.cpp (native/build.sh rpc)",
      );
    }
    return hello;
  } catch (error) {
    if (error instanceof RpcWorkerError) throw error;
    throw new RpcWorkerError(
      endpoint.text,
      "unreachable",
      `Cannot use RPC worker ${endpoint.text}: ${(error as Error).message}; start one there ` +
        `with "deno task rpc-server --port ${endpoint.port}" or fix --rpc`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
    try {
      conn?.close();
    } catch {
      // Closed by the timeout.
    }
  }
}

/**
 * Probes every endpoint, in parallel.
 *
 * @throws {RpcWorkerError} of the first endpoint (in the given order) that fails.
 */
export async function probeRpcServers(
  endpoints: readonly RpcEndpoint[],
  timeoutMs: number = RPC_PROBE_TIMEOUT_MS,
): Promise<RpcHello[]> {
  const results = await Promise.allSettled(endpoints.map((e) => probeRpcServer(e, timeoutMs)));
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return results.map((r) => (r as PromiseFulfilledResult<RpcHello>).value);
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await conn.write(bytes.subarray(done));
}

async function readExactly(conn: Deno.Conn, size: number): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(size);
  for (let done = 0; done < size;) {
    const n = await conn.read(out.subarray(done));
    if (n === null) throw new Error("it closed the connection during the hello");
    done += n;
  }
  return out;
}
