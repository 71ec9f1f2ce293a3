/**
 * Finds where HTTP/1.1 requests begin and end in the bytes a client sends, so the
 * deadline layer in front of `Deno.serve` (server/serve_with_deadlines.ts) knows
 * whether a connection is sending a request head, a body, or nothing. It frames by
 * Content-Length and chunked Transfer-Encoding; anything it cannot frame (a malformed
 * length) goes on unframed, for hyper behind it to refuse.
 *
 * @module
 */

/** What the framer is reading: a head, a body, or bytes it no longer frames. */
export type FramingPhase = "head" | "length" | "chunked" | "opaque";

/** What one {@link RequestFramer.push} found. */
export interface Framed {
  /** Bytes to pass on, in order; a head only once it is complete. */
  forward: Uint8Array[];
  /** Request heads completed in this push. */
  heads: number;
  /** Those heads as text, without the injected line (for the relay's fast path). */
  headTexts: string[];
}

/** Largest request head held back while it arrives, in bytes (hyper allows about 400 KiB). */
export const MAX_HEAD_BYTES = 256 * 1024;
/**
 * Longest request line (method, URL, version), in bytes: 8 KiB, as nginx and
 * llama-server's httplib allow. Hyper answers longer ones with an empty 400.
 */
export const MAX_REQUEST_LINE_BYTES = 8 * 1024;

/** A request head too large to pass on: 414 for a long URL, 431 for the whole head. */
export class HeadTooLargeError extends RangeError {
  /** The HTTP status to answer with: 414 or 431. */
  readonly status: 414 | 431;

  /** Creates the error for `status`. */
  constructor(status: 414 | 431) {
    super(
      status === 414
        ? `The request URL exceeds ${MAX_REQUEST_LINE_BYTES} bytes: send long input in a POST body`
        : `The request head exceeds ${MAX_HEAD_BYTES} bytes: send fewer or shorter headers`,
    );
    this.name = "HeadTooLargeError";
    this.status = status;
  }
}

const LF = 10;
const CR = 13;

/**
 * Splits a client's byte stream into requests. A head is held until it is complete,
 * then passed on with `inject` (one header line, without CRLF) added after the
 * request line.
 */
export class RequestFramer {
  /** What the next byte belongs to. */
  phase: FramingPhase = "head";
  #head: Uint8Array = new Uint8Array(0);
  #remaining = 0; // bytes left of a Content-Length body or of a chunk plus its CRLF
  #line = ""; // the chunk-size or trailer line being read
  #trailer = false;
  readonly #inject: Uint8Array;

  /** `inject` is one header line, e.g. "x-id: 7", added to every head. */
  constructor(inject: string) {
    this.#inject = new TextEncoder().encode(`${inject}\r\n`);
  }

  /** Bytes left of the Content-Length body being read (0 in any other phase). */
  get bodyBytesLeft(): number {
    return this.phase === "length" ? this.#remaining : 0;
  }

  /** Bytes of an incomplete head held so far. */
  get headBytes(): number {
    return this.#head.byteLength;
  }

  /**
   * Takes the next bytes from the client.
   *
   * @throws {HeadTooLargeError} when a request line grows past
   *   {@link MAX_REQUEST_LINE_BYTES} or a head past {@link MAX_HEAD_BYTES}.
   */
  push(bytes: Uint8Array): Framed {
    const framed: Framed = { forward: [], heads: 0, headTexts: [] };
    let rest = bytes;
    while (rest.byteLength > 0) {
      if (this.phase === "opaque") {
        framed.forward.push(rest);
        break;
      }
      if (this.phase === "head") {
        rest = this.#pushHead(rest, framed);
      } else if (this.phase === "length") {
        const take = Math.min(this.#remaining, rest.byteLength);
        framed.forward.push(rest.subarray(0, take));
        this.#remaining -= take;
        rest = rest.subarray(take);
        if (this.#remaining === 0) this.phase = "head";
      } else {
        const used = this.#pushChunked(rest);
        framed.forward.push(rest.subarray(0, used));
        rest = rest.subarray(used);
      }
    }
    return framed;
  }

  #pushHead(bytes: Uint8Array, framed: Framed): Uint8Array {
    const start = Math.max(0, this.#head.byteLength - 3);
    const head = concat(this.#head, bytes);
    const lineEnd = head.indexOf(LF);
    if ((lineEnd < 0 ? head.byteLength : lineEnd) > MAX_REQUEST_LINE_BYTES) {
      throw new HeadTooLargeError(414);
    }
    const end = headEnd(head, start);
    if (end < 0) {
      if (head.byteLength > MAX_HEAD_BYTES) throw new HeadTooLargeError(431);
      this.#head = head;
      return new Uint8Array(0);
    }
    this.#head = new Uint8Array(0);
    const complete = head.subarray(0, end);
    const firstLine = complete.indexOf(LF) + 1;
    framed.forward.push(
      concat(concat(complete.subarray(0, firstLine), this.#inject), complete.subarray(firstLine)),
    );
    framed.heads++;
    const text = new TextDecoder().decode(complete);
    framed.headTexts.push(text);
    this.#startBody(text);
    return head.subarray(end);
  }

  #startBody(head: string): void {
    const fields = head.split(/\r?\n/).slice(1).map((line) => {
      const colon = line.indexOf(":");
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    });
    const values = (name: string) => fields.filter(([n]) => n === name).map(([, v]) => v);
    const encoding = values("transfer-encoding").join(",").toLowerCase();
    const lengths = values("content-length");
    if (encoding !== "") {
      this.phase = /(^|,)\s*chunked\s*$/.test(encoding) ? "chunked" : "opaque";
      this.#line = "";
      this.#trailer = false;
      this.#remaining = 0;
    } else if (lengths.length === 0) {
      this.phase = "head";
    } else if (lengths.every((v) => /^\d{1,15}$/.test(v) && v === lengths[0])) {
      this.#remaining = Number(lengths[0]);
      this.phase = this.#remaining === 0 ? "head" : "length";
    } else {
      this.phase = "opaque";
    }
  }

  /** Reads chunked body bytes; returns how many of `bytes` belong to this body. */
  #pushChunked(bytes: Uint8Array): number {
    let i = 0;
    while (i < bytes.byteLength) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, bytes.byteLength - i);
        this.#remaining -= take;
        i += take;
        continue;
      }
      const byte = bytes[i++];
      if (byte !== LF) {
        if (byte !== CR) this.#line += String.fromCharCode(byte);
        if (this.#line.length > 4096) this.phase = "opaque";
        if (this.phase === "opaque") return i;
        continue;
      }
      const line = this.#line;
      this.#line = "";
      if (this.#trailer) {
        if (line === "") {
          this.phase = "head";
          return i;
        }
        continue;
      }
      const size = parseInt(line.split(";")[0].trim(), 16);
      if (!Number.isFinite(size)) {
        this.phase = "opaque";
        return i;
      }
      if (size === 0) this.#trailer = true;
      else this.#remaining = size + 2; // the data and its CRLF
    }
    return i;
  }
}

/** Index just past the blank line ending a head ("\n\n" or "\n\r\n"), or -1. */
function headEnd(bytes: Uint8Array, from: number): number {
  for (let i = bytes.indexOf(LF, from); i >= 0; i = bytes.indexOf(LF, i + 1)) {
    if (bytes[i + 1] === LF) return i + 2;
    if (bytes[i + 1] === CR && bytes[i + 2] === LF) return i + 3;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b;
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}
