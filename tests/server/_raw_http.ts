/**
 * Sends one HTTP/1.1 request over a plain TCP connection, so a test can set headers
 * fetch() will not (Host), and returns the status code.
 */
export async function rawStatus(
  port: number,
  path: string,
  headers: Record<string, string>,
  method = "GET",
): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const lines = [
      `${method} ${path} HTTP/1.1`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    await conn.write(
      new TextEncoder().encode(`${lines.join("\r\n")}\r\nconnection: close\r\n\r\n`),
    );
    const buffer = new Uint8Array(1024);
    const n = await conn.read(buffer);
    const head = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
    return Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0);
  } finally {
    conn.close();
  }
}

/** A raw TCP connection to 127.0.0.1 that records what the server sends and when it closes. */
export class RawConnection {
  /** Everything received so far, as text. */
  received = "";
  /** Whether the server has closed (or reset) the connection. */
  closed = false;
  readonly #conn: Deno.Conn;
  readonly #reading: Promise<void>;

  private constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.#reading = this.#read();
  }

  /** Connects to `port` and sends `text` (e.g. half a request head). */
  static async open(port: number, text = ""): Promise<RawConnection> {
    const raw = new RawConnection(await Deno.connect({ hostname: "127.0.0.1", port }));
    if (text) await raw.send(text);
    return raw;
  }

  /** Sends `text`. */
  async send(text: string): Promise<void> {
    const bytes = new TextEncoder().encode(text);
    for (let offset = 0; offset < bytes.byteLength;) {
      offset += await this.#conn.write(bytes.subarray(offset));
    }
  }

  /** The status code of the first response received, or 0 before one. */
  get status(): number {
    return Number(/^HTTP\/1\.1 (\d+)/.exec(this.received)?.[1] ?? 0);
  }

  /** Closes our side (if the server has not) and waits for the reader to stop. */
  async close(): Promise<void> {
    try {
      this.#conn.close();
    } catch {
      // The server closed it first.
    }
    await this.#reading;
  }

  async #read(): Promise<void> {
    const buffer = new Uint8Array(16 * 1024);
    const decoder = new TextDecoder();
    try {
      for (let n; (n = await this.#conn.read(buffer)) !== null;) {
        this.received += decoder.decode(buffer.subarray(0, n), { stream: true });
      }
    } catch {
      // A reset, or our own close() interrupting the read.
    }
    this.closed = true;
  }
}
