/**
 * The relay's fast path for large bodies (server/connection_relay.ts): a request it
 * answers itself, in this process, instead of passing its bytes through the Unix socket
 * to `Deno.serve`. The relay copies every relayed byte in JS in reads of 56-73 KiB (all
 * a Unix socket hands over at a time), which cost about 2.5x on 8 MiB bodies
 * (docs/benchmarks.md, "Workspace files: 1 GiB through the UI API"). Here the body is
 * read from the client straight into one buffer of its Content-Length, the same handler
 * runs on a `Request` built from the head (so the secret, Host and same-origin checks
 * all apply), and the response is written to the client in one large write.
 *
 * Only plain HTTP/1.1 requests qualify (no Transfer-Encoding, no `Expect`, a valid
 * Content-Length); anything else goes the ordinary way, for hyper to parse or refuse.
 *
 * @module
 */

/** One parsed request head, as the fast path needs it. */
export interface DirectHead {
  /** Request method, e.g. "GET". */
  method: string;
  /** Request target: path and query, e.g. "/api/files/7?offset=0&length=8". */
  target: string;
  /** Header fields in order (names as sent). */
  fields: [string, string][];
  /** The body's length in bytes (0 without Content-Length). */
  contentLength: number;
  /** Whether the client asked to close the connection after this request. */
  close: boolean;
}

/** Methods whose requests never take the fast path (no body to speed up, or odd framing). */
const SLOW_METHODS = new Set(["HEAD", "CONNECT", "OPTIONS", "TRACE"]);

/** A header field name (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Parses a complete request head (without the injected relay header) for the fast
 * path, or returns null when it does not qualify: not HTTP/1.1, an origin-form target
 * other than "/…", Transfer-Encoding, Expect, Upgrade, a malformed field or length.
 */
export function parseDirectHead(text: string): DirectHead | null {
  const lines = text.split("\r\n");
  const [method, target, version, ...extra] = lines[0].split(" ");
  if (extra.length > 0 || version !== "HTTP/1.1" || !TOKEN.test(method ?? "")) return null;
  if (SLOW_METHODS.has(method) || !target?.startsWith("/")) return null;
  const fields: [string, string][] = [];
  let contentLength: string | undefined;
  let close = false;
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) return null;
    const value = line.slice(colon + 1).trim();
    const lower = name.toLowerCase();
    if (lower === "transfer-encoding" || lower === "expect" || lower === "upgrade") return null;
    if (lower === "content-length") {
      if (!/^\d{1,15}$/.test(value) || (contentLength ?? value) !== value) return null;
      contentLength = value;
    }
    if (lower === "connection" && /(^|,)\s*close\s*(,|$)/i.test(value)) close = true;
    fields.push([name, value]);
  }
  return { method, target, fields, contentLength: Number(contentLength ?? 0), close };
}

/**
 * The `Request` the handler sees for `head`: the URL the client meant, its headers, the
 * body and the relay's signal (aborted when the client goes). Null when Deno refuses a
 * header value, so the request goes the ordinary way.
 */
export function directRequest(
  head: DirectHead,
  body: Uint8Array<ArrayBuffer>,
  signal: AbortSignal,
): Request | null {
  try {
    const headers = new Headers(head.fields);
    let url: string;
    try {
      url = new URL(head.target, `http://${headers.get("host") ?? ""}`).href;
    } catch {
      url = new URL(head.target, "http://localhost").href;
    }
    // A GET with a body makes the constructor throw: it goes the ordinary way.
    const init = { method: head.method, headers, signal };
    if (body.byteLength === 0) return new Request(url, init);
    // A stream of the one buffer: a Uint8Array body would be copied whole.
    return new Request(url, { ...init, body: ReadableStream.from([body]) });
  } catch {
    return null;
  }
}

/**
 * Writes `response` to `conn` as HTTP/1.1: with Content-Length when its body is one
 * chunk (or none), chunked otherwise. Returns when the last byte is written.
 *
 * @throws What the socket throws when the client has gone.
 */
export async function writeResponse(
  conn: Deno.Conn,
  response: Response,
  close: boolean,
): Promise<void> {
  const status = response.status;
  const bodyless = status === 204 || status === 304 || (status >= 100 && status < 200);
  let head = `HTTP/1.1 ${status} ${response.statusText}\r\n`;
  for (const [name, value] of response.headers) {
    const lower = name.toLowerCase();
    if (lower === "content-length" || lower === "transfer-encoding" || lower === "connection") {
      continue;
    }
    head += `${name}: ${value}\r\n`;
  }
  head += `date: ${new Date().toUTCString()}\r\n`;
  if (close) head += "connection: close\r\n";
  const reader = bodyless ? undefined : response.body?.getReader();
  if (!reader) {
    await writeAll(conn, encode(head + (bodyless ? "\r\n" : "content-length: 0\r\n\r\n")));
    return;
  }
  try {
    const first = await reader.read();
    const second = first.done ? first : await reader.read();
    if (second.done) {
      const bytes = first.value ?? new Uint8Array(0);
      await writeHeadAndBody(conn, `${head}content-length: ${bytes.byteLength}\r\n\r\n`, bytes);
      return;
    }
    await writeAll(conn, encode(`${head}transfer-encoding: chunked\r\n\r\n`));
    const writeChunk = async (bytes: Uint8Array) => {
      if (bytes.byteLength === 0) return;
      await writeHeadAndBody(conn, `${bytes.byteLength.toString(16)}\r\n`, bytes);
      await writeAll(conn, encode("\r\n"));
    };
    await writeChunk(first.value!);
    await writeChunk(second.value);
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      await writeChunk(next.value);
    }
    await writeAll(conn, encode("0\r\n\r\n"));
  } finally {
    reader.releaseLock();
  }
}

/** Small bodies go in one write with their head; large ones after it (no big copy). */
async function writeHeadAndBody(conn: Deno.Conn, head: string, body: Uint8Array): Promise<void> {
  const headBytes = encode(head);
  if (body.byteLength <= 64 * 1024) {
    const joined = new Uint8Array(headBytes.byteLength + body.byteLength);
    joined.set(headBytes);
    joined.set(body, headBytes.byteLength);
    return await writeAll(conn, joined);
  }
  await writeAll(conn, headBytes);
  await writeAll(conn, body);
}

function encode(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Writes every byte of `bytes` (a socket write may take fewer). */
export async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.byteLength;) {
    offset += await conn.write(bytes.subarray(offset));
  }
}
