/**
 * One client connection of server/serve_with_deadlines.ts and its relay to the
 * `Deno.serve` behind it: holds request heads until complete, passes bytes both ways,
 * and closes the connection when it misses its header or idle deadline.
 *
 * @module
 */
import { HeadTooLargeError, RequestFramer } from "./request_framing.ts";
import {
  type DirectHead,
  directRequest,
  parseDirectHead,
  writeAll,
  writeResponse,
} from "./direct_exchange.ts";

/** The header through which the relay tells the handler its connection. */
export const CONNECTION_HEADER = "x-hearth-connection";

/** The deadlines and refusal body a relay works with. */
export interface RelayLimits {
  /** Time for a request head, in milliseconds. */
  headerMs: number;
  /** Time a connection may send nothing while idle or mid-body, in milliseconds. */
  idleMs: number;
  /** The JSON body of a 414 or 431. */
  errorBody: (status: number, message: string) => unknown;
  /** Requests the relay answers itself (server/direct_exchange.ts), if any. */
  direct?: DirectRoutes;
}

/** What the relay's fast path needs: which requests, their handler, a memory budget. */
export interface DirectRoutes {
  /** Whether a request for `method` and `path` (no query) takes the fast path. */
  accepts(method: string, path: string): boolean;
  /** The server's handler, the same one `Deno.serve` runs. */
  handler: (request: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;
  /** Largest body of one request on the fast path, in bytes; larger ones are relayed. */
  maxBodyBytes: number;
  /**
   * Body bytes the fast path may hold at once over all connections (it reads a body
   * whole before the handler's checks run, into a buffer each connection keeps for its
   * next requests); when spent, requests are relayed instead.
   */
  budget: { bytesLeft: number };
}

const REASONS: Record<number, string> = {
  414: "URI Too Long",
  431: "Request Header Fields Too Large",
};

/** One client connection and its relay to the backend, with its deadlines. */
export class Relay {
  #framer: RequestFramer;
  #backend?: Deno.UnixConn;
  #pending = 0; // heads passed on whose responses have not ended
  #heads = 0; // heads passed on, ever
  #running: AbortController[] = []; // one per request whose response has not ended, in order
  #headStartedAt: number; // first byte of the head being read (accept for the first)
  #lastClientAt = Date.now();
  #timer?: ReturnType<typeof setTimeout>;
  #closed = false;
  /** The fast path's body buffer, reused by this connection's next requests. */
  #body?: Uint8Array<ArrayBuffer>;
  #finished!: () => void;
  /** Settles once both directions have stopped. */
  readonly done = new Promise<void>((resolve) => this.#finished = resolve);

  /** Relays `client`; `id` goes into every head, `onClose` runs once when it closes. */
  constructor(
    readonly id: string,
    readonly client: Deno.Conn,
    readonly limits: RelayLimits,
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
    if (this.#body !== undefined) this.limits.direct!.budget.bytesLeft += this.#body.length;
    this.#body = undefined;
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

  /** Closes the connection if no request is running on it (shutdown spares the rest). */
  closeIfIdle(): void {
    if (this.#pending === 0) this.close();
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
      const atHead = this.#framer.phase === "head";
      const idle = this.#pending === 0;
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
      // One whole head first in this read, no response running: the fast path may take it.
      const head = atHead && idle && framed.heads === 1 ? this.#directHead(framed) : null;
      if (head !== null) {
        await this.#direct(head, framed.forward);
        if (this.#closed) return;
        continue;
      }
      for (const bytes of framed.forward) await writeAll(this.#backend!, bytes);
    }
  }

  /** The head of `framed` when its request takes the fast path, else null. */
  #directHead(framed: { forward: Uint8Array[]; headTexts: string[] }): DirectHead | null {
    const direct = this.limits.direct;
    if (direct === undefined) return null;
    const phase = this.#framer.phase;
    if (phase !== "head" && phase !== "length") return null;
    const head = parseDirectHead(framed.headTexts[0]);
    if (head === null || !direct.accepts(head.method, head.target.split("?")[0])) return null;
    let arrived = 0;
    for (const bytes of framed.forward.slice(1)) arrived += bytes.byteLength;
    if (arrived + this.#framer.bodyBytesLeft !== head.contentLength) return null;
    if (head.contentLength > direct.maxBodyBytes) return null;
    if (head.contentLength - (this.#body?.length ?? 0) > direct.budget.bytesLeft) return null;
    return head;
  }

  /**
   * Answers one request in this process: reads its body from the client straight into
   * one buffer (the idle deadline still runs), calls the handler, writes the response.
   * `forward` is what the framer passed on: the head (with our header), then body bytes.
   */
  async #direct(head: DirectHead, forward: Uint8Array[]): Promise<void> {
    const direct = this.limits.direct!;
    if ((this.#body?.length ?? 0) < head.contentLength) {
      // Grown to the largest body so far; its memory counts until the connection closes.
      direct.budget.bytesLeft -= head.contentLength - (this.#body?.length ?? 0);
      this.#body = new Uint8Array(head.contentLength);
    }
    const body = (this.#body ?? new Uint8Array(0)).subarray(0, head.contentLength);
    let filled = 0;
    for (const bytes of forward.slice(1)) {
      body.set(bytes, filled);
      filled += bytes.byteLength;
    }
    while (filled < body.byteLength) {
      const n = await this.client.read(body.subarray(filled));
      if (n === null) return this.close();
      this.#lastClientAt = Date.now();
      this.#framer.push(body.subarray(filled, filled + n));
      filled += n;
    }
    this.#schedule();
    const controller = new AbortController();
    const request = directRequest(head, body, controller.signal);
    if (request === null) {
      // Deno refused a header value: let hyper answer it the ordinary way.
      await writeAll(this.#backend!, forward[0]);
      return await writeAll(this.#backend!, body);
    }
    this.#running.push(controller);
    const ended = Promise.withResolvers<void>();
    ended.promise.catch(() => {});
    try {
      const info = { remoteAddr: this.client.remoteAddr, completed: ended.promise };
      let response: Response;
      try {
        response = await direct.handler(request, info as Deno.ServeHandlerInfo);
      } catch {
        response = new Response(null, { status: 500 });
      }
      // Without it the last segment of a large body can wait for a delayed ACK.
      (this.client as Deno.TcpConn).setNoDelay?.(true);
      await writeResponse(this.client, response, head.close);
      ended.resolve();
    } catch (error) {
      ended.reject(error);
      throw error;
    } finally {
      this.responseEnded();
    }
    if (head.close) this.close();
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
