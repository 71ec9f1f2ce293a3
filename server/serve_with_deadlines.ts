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
import { HeadTooLargeError, RequestFramer } from "./request_framing.ts";

/** Default time a client has to send a complete request head, in milliseconds. */
export const DEFAULT_HEADER_TIMEOUT_MS = 10_000;
/** Default time a connection may sit idle (keep-alive, or a stalled body), in milliseconds. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

/** How long shutdown lets relays pass on the backend's last bytes, in milliseconds. */
const SHUTDOWN_DRAIN_MS = 2_000;

/** The header through which the relay tells the handler its connection. */
const CONNECTION_HEADER = "x-hearth-connection";

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
  const limits = {
    headerMs: options.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS,
    idleMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    errorBody: options.errorBody ??
      ((_: number, message: string) => ({ error: { message, type: "invalid_request" } })),
  };
  const listener = Deno.listen({ hostname: options.hostname, port: options.port });
  const dir = Deno.makeTempDirSync({ prefix: "hearth-http-" });
  const path = join(dir, "http.sock");
  const relays = new Map<string, Relay>();
  const backend = Deno.serve({ path, onListen: () => {} }, async (request, info) => {
    const relay = relays.get(request.headers.get(CONNECTION_HEADER)?.split(",")[0] ?? "");
    if (relay === undefined) return await handler(request, info);
    // The URL the client meant (Deno names a Unix socket's requests http+unix:), and a
    // signal that aborts when the client goes away, as Deno's own would.
    const { pathname, search } = new URL(request.url);
    const url = httpUrl(request.headers.get("host") ?? "", pathname + search);
    const { method, headers, body } = request;
    const signal = relay.requestSignal();
    // Settles once the response, body included, is delivered or abandoned: the end of
    // this request for the idle timeout (a rejection is a client gone; nothing to log).
    info.completed.then(() => relay.responseEnded(), () => relay.responseEnded());
    return await handler(new Request(url, { method, headers, body, signal }), info);
  });
  let nextId = 0;
  const accepting = (async () => {
    for await (const conn of listener) {
      const relay = new Relay(String(nextId++), conn, limits, () => relays.delete(relay.id));
      relays.set(relay.id, relay);
      relay.run(path);
    }
  })().catch(() => {}); // the listener closed
  return {
    addr: listener.addr as Deno.NetAddr,
    async shutdown() {
      listener.close();
      await accepting;
      // Deno.serve's own graceful shutdown first: running responses finish (through
      // their relays) and idle connections close; then whatever is left.
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

interface Limits {
  headerMs: number;
  idleMs: number;
  errorBody: (status: number, message: string) => unknown;
}

const REASONS: Record<number, string> = {
  414: "URI Too Long",
  431: "Request Header Fields Too Large",
};

/** One client connection and its relay to the backend, with its deadlines. */
class Relay {
  #framer: RequestFramer;
  #backend?: Deno.UnixConn;
  #pending = 0; // heads passed on whose responses have not ended
  #heads = 0; // heads passed on, ever
  #running: AbortController[] = []; // one per request whose response has not ended, in order
  #headStartedAt: number; // first byte of the head being read (accept for the first)
  #lastClientAt = Date.now();
  #timer?: ReturnType<typeof setTimeout>;
  #closed = false;
  #finished!: () => void;
  /** Settles once both directions have stopped. */
  readonly done = new Promise<void>((resolve) => this.#finished = resolve);

  constructor(
    readonly id: string,
    readonly client: Deno.Conn,
    readonly limits: Limits,
    readonly onClose: () => void,
  ) {
    this.#framer = new RequestFramer(`${CONNECTION_HEADER}: ${id}`);
    this.#headStartedAt = Date.now();
  }

  /** Connects to the backend at `path` and relays both ways until either side ends. */
  async run(path: string): Promise<void> {
    this.#schedule();
    try {
      this.#backend = await Deno.connect({ transport: "unix", path });
      if (this.#closed) return;
      await Promise.all([this.#fromClient(), this.#toClient()]);
    } catch {
      // A reset or a closed socket ends the connection; there is no one to tell.
    } finally {
      this.close();
      this.#finished();
    }
  }

  /** Closes both sockets (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    const gone = new DOMException("The client closed the connection", "AbortError");
    for (const controller of this.#running.splice(0)) controller.abort(gone);
    this.onClose();
    for (const conn of [this.client, this.#backend]) {
      try {
        conn?.close();
      } catch {
        // Already closed.
      }
    }
  }

  /** A signal for the next request, aborted if the client leaves before its response ends. */
  requestSignal(): AbortSignal {
    const controller = new AbortController();
    this.#running.push(controller);
    return controller.signal;
  }

  /** A response has been sent in full (or abandoned). */
  responseEnded(): void {
    this.#running.shift();
    this.#pending = Math.max(0, this.#pending - 1);
    this.#lastClientAt = Date.now();
    this.#schedule();
  }

  async #fromClient(): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await this.client.read(buffer);
      // A client that closes its side has gone (HTTP clients do not half-close), so
      // its running requests are aborted, as Deno.serve does.
      if (n === null) return this.close();
      if (this.#framer.phase === "head" && this.#framer.headBytes === 0) {
        this.#headStartedAt = Date.now();
      }
      this.#lastClientAt = Date.now();
      let framed;
      try {
        framed = this.#framer.push(buffer.slice(0, n));
      } catch (error) {
        if (!(error instanceof HeadTooLargeError)) throw error;
        return await this.#refuse(error.status, error.message);
      }
      this.#pending += framed.heads;
      this.#heads += framed.heads;
      if (framed.heads > 0 || this.#framer.headBytes > 0) this.#schedule();
      for (const bytes of framed.forward) await writeAll(this.#backend!, bytes);
    }
  }

  /** Answers `status` with an error body and closes, for requests hyper never sees. */
  async #refuse(status: number, message: string): Promise<void> {
    const body = new TextEncoder().encode(JSON.stringify(this.limits.errorBody(status, message)));
    const head = `HTTP/1.1 ${status} ${REASONS[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${body.byteLength}\r\nconnection: close\r\n\r\n`;
    await writeAll(this.client, new TextEncoder().encode(head));
    await writeAll(this.client, body);
    this.close();
  }

  async #toClient(): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await this.#backend!.read(buffer);
      if (n === null) return this.close();
      await writeAll(this.client, buffer.subarray(0, n));
    }
  }

  /** When this connection must be closed unless something happens, or undefined. */
  #deadline(): number | undefined {
    const phase = this.#framer.phase;
    if (phase === "head" && this.#framer.headBytes > 0) {
      return this.#headStartedAt + this.limits.headerMs;
    }
    if (phase === "head" && this.#pending === 0) {
      // Silence on a new connection counts as a head that is late, not as keep-alive.
      if (this.#heads === 0) return this.#headStartedAt + this.limits.headerMs;
      return this.#lastClientAt + this.limits.idleMs;
    }
    if (phase !== "head") return this.#lastClientAt + this.limits.idleMs;
    return undefined; // a response is running: SSE streams may last for hours
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    const deadline = this.#deadline();
    if (deadline === undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      const now = this.#deadline();
      if (now !== undefined && Date.now() >= now) this.close();
      else this.#schedule();
    }, Math.max(0, deadline - Date.now()));
  }
}

/** `http://HOST/PATH`, or with "localhost" when the Host header is no valid host. */
function httpUrl(host: string, path: string): string {
  try {
    return new URL(path, `http://${host}`).href;
  } catch {
    return new URL(path, "http://localhost").href;
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.byteLength;) {
    offset += await conn.write(bytes.subarray(offset));
  }
}
