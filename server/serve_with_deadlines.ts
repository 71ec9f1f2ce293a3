/**
 * `Deno.serve` with header and idle timeouts. Deno 2.9's server has no header-read
 * or keep-alive timeout (hyper's `header_read_timeout` needs a timer Deno does not
 * set): measured, 100 sockets that sent half a head, and one idle keep-alive
 * connection, were all still open after 60 s. So we accept TCP ourselves and relay
 * each connection to `Deno.serve` on a Unix socket in a private temp folder, holding
 * every request head until it is complete and closing connections that miss a
 * deadline. Each response's `info.completed` reports when it ends, so a long SSE
 * stream or a slow generation is never taken for an idle connection.
 *
 * @module
 */
import { join } from "node:path";
import { CONNECTION_HEADER, Relay, type RelayLimits } from "./connection_relay.ts";

/** Default time a client has to send a complete request head, in milliseconds. */
export const DEFAULT_HEADER_TIMEOUT_MS = 10_000;
/** Default time a connection may sit idle (keep-alive, or a stalled body), in milliseconds. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/**
 * Largest request body the fast path takes, in bytes: 64 MiB, the workspace files'
 * largest chunk (app/workspace/files.ts `MAX_CHUNK_BYTES`). Larger ones are relayed.
 */
export const DIRECT_MAX_BODY_BYTES = 64 << 20;

/**
 * Body bytes the fast path holds at once over all connections, in bytes (256 MiB). It
 * reads a body whole before the handler's secret check runs, so this bounds what
 * unauthenticated clients can make it hold; beyond it requests are relayed.
 */
export const DIRECT_BODY_BUDGET_BYTES = 256 << 20;

/** How long shutdown lets relays pass on the backend's last bytes, in milliseconds. */
const SHUTDOWN_DRAIN_MS = 2_000;

/** Pause after a failed accept (e.g. no file descriptors left), in milliseconds. */
const ACCEPT_RETRY_MS = 100;

/** Options of {@link serveWithDeadlines}. */
export interface DeadlineServeOptions {
  /** Address to bind, e.g. "127.0.0.1". */
  hostname: string;
  /** Port to bind; 0 = any free port. */
  port: number;
  /**
   * Time from connecting, or from the first byte of a later request, until its head
   * (request line and headers) must be complete, in milliseconds. Default 10 s.
   */
  headerTimeoutMs?: number;
  /**
   * Time a connection may go without a byte from the client while no request is
   * running (keep-alive) or while a request body is still arriving, in milliseconds.
   * A running response (an SSE stream, a slow generation) is never cut. Default 60 s.
   */
  idleTimeoutMs?: number;
  /**
   * The JSON error body of a request refused before it reaches `handler` (414 for a
   * URL over 8 KiB, 431 for a head over 256 KiB). Default the UI API's
   * `{"error": {"message", "type": "invalid_request"}}`.
   */
  errorBody?: (status: number, message: string) => unknown;
  /**
   * Which requests the relay answers itself, in this process, instead of passing their
   * bytes through the Unix socket to `Deno.serve` (server/direct_exchange.ts): for
   * routes with large bodies, which the relay's copies slow down about 2.5x. `path` is
   * the request target without its query, as sent (not decoded). The same `handler`
   * runs, with the same deadlines; a request that does not fit the fast path (chunked,
   * `Expect`, a body over {@link DIRECT_MAX_BODY_BYTES}, another request's response
   * still running) is relayed as usual. The body's memory is reused for the
   * connection's next request: such a route's handler must be done with the body when
   * its response is written (the workspace file routes copy it). Default: none.
   */
  direct?: (method: string, path: string) => boolean;
}

/** The two deadlines, for callers that pass them through. */
export type HttpTimeouts = Pick<DeadlineServeOptions, "headerTimeoutMs" | "idleTimeoutMs">;

/** A running server. */
export interface DeadlineServer {
  /** The bound TCP address (its `port` is the real one when 0 was asked). */
  readonly addr: Deno.NetAddr;
  /** Stops accepting, closes every connection and the server behind them. */
  shutdown(): Promise<void>;
}

/**
 * Serves `handler` on `hostname:port` like `Deno.serve`, with the deadlines of
 * `options`.
 *
 * @throws {Deno.errors.AddrInUse} when the port is taken.
 */
export function serveWithDeadlines(
  options: DeadlineServeOptions,
  handler: (request: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>,
): DeadlineServer {
  const limits: RelayLimits = {
    headerMs: options.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS,
    idleMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    errorBody: options.errorBody ??
      ((_: number, message: string) => ({ error: { message, type: "invalid_request" } })),
    direct: options.direct && {
      accepts: options.direct,
      handler,
      maxBodyBytes: DIRECT_MAX_BODY_BYTES,
      budget: { bytesLeft: DIRECT_BODY_BUDGET_BYTES },
    },
  };
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const dir = Deno.makeTempDirSync({ prefix: "hearth-http-" });
  const path = join(dir, "http.sock");
  const relays = new Map<string, Relay>();
  const backend = Deno.serve({ path, onListen: () => {} }, async (request, info) => {
    // Ours is the first value: the relay puts it right after the request line.
    const relay = relays.get(request.headers.get(CONNECTION_HEADER)?.split(",")[0] ?? "");
    // No relay: its client has gone (or something else found the socket); nobody to answer.
    if (relay === undefined) return new Response(null, { status: 400 });
    // The URL the client meant (Deno names a Unix socket's requests http+unix:), and a
    // signal that aborts when the client goes away, as Deno's own would.
    const { pathname, search } = new URL(request.url);
    const url = httpUrl(request.headers.get("host") ?? "", pathname + search);
    const { method, body } = request;
    const headers = new Headers(request.headers);
    headers.delete(CONNECTION_HEADER);
    const signal = relay.requestSignal();
    // Settles once the response, body included, is delivered or abandoned: the end of
    // this request for the idle timeout (a rejection is a client gone; nothing to log).
    info.completed.then(() => relay.responseEnded(), () => relay.responseEnded());
    return await handler(new Request(url, { method, headers, body, signal }), info);
  });
  let nextId = 0;
  let closing = false;
  const accepting = (async () => {
    while (!closing) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        // Out of file descriptors (or the listener closed): pause rather than stop.
        if (!closing) await new Promise((resolve) => setTimeout(resolve, ACCEPT_RETRY_MS));
        continue;
      }
      const relay = new Relay(String(nextId++), conn, limits, () => relays.delete(relay.id));
      relays.set(relay.id, relay);
      relay.run(path);
    }
  })();
  return {
    addr: listener.addr as Deno.NetAddr,
    async shutdown() {
      closing = true;
      listener.close();
      await accepting;
      // Idle connections close now; running responses finish through their relays
      // during Deno.serve's own graceful shutdown; then whatever is left closes.
      for (const relay of [...relays.values()]) relay.closeIfIdle();
      await backend.shutdown();
      // Its last bytes may still be on their way through a relay: let relays see the
      // backend close (SHUTDOWN_DRAIN_MS at most), then close what is left.
      const left = [...relays.values()];
      const all = Promise.all(left.map((relay) => relay.done));
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([all, new Promise((r) => timer = setTimeout(r, SHUTDOWN_DRAIN_MS))]);
      clearTimeout(timer);
      for (const relay of left) relay.close();
      await all;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** `http://HOST/PATH`, or with "localhost" when the Host header is no valid host. */
function httpUrl(host: string, path: string): string {
  try {
    return new URL(path, `http://${host}`).href;
  } catch {
    return new URL(path, "http://localhost").href;
  }
}
