/**
 * File bodies the fake hub's CDN serves: byte ranges, and faults injected into the
 * stream (dropped connections, stalls, a flipped byte, throttling).
 *
 * @module
 */
import type { StoredFile } from "./_fake_hub_repos.ts";

/** Faults a test may set, and change, while the fake hub runs. */
export interface FakeHubFaults {
  /** Each file body served takes the next value and drops the connection after that many bytes. */
  dropAfterBytes: number[];
  /** Each file body served takes the next value and stops sending (without closing) after that many bytes. */
  stallAfterBytes: number[];
  /** Flip one byte (the middle one) of every file body served, so hashes mismatch. */
  corrupt: boolean;
  /** Body speed in bytes per second; 0 = as fast as possible. Read as each chunk is sent. */
  bytesPerSecond: number;
  /** Ignore `Range` headers and always send the whole file with 200. */
  ignoreRange: boolean;
  /** Answer the next `count` requests whose path includes `pathIncludes` with 429. */
  rateLimit: { count: number; retryAfterSeconds: number; pathIncludes: string };
  /**
   * Answer the next `count` requests whose path includes `pathIncludes` with 503, with
   * `Retry-After` when `retryAfterSeconds` is set.
   */
  serverErrors: { count: number; pathIncludes: string; retryAfterSeconds?: number };
  /**
   * Answer the next `count` requests whose path includes `pathIncludes` with 404 and the
   * hub's `X-Error-Code: EntryNotFound` (a file removed from its repo after it was listed).
   */
  notFound: { count: number; pathIncludes: string };
}

/** Faults all off. */
export function noFaults(): FakeHubFaults {
  return {
    dropAfterBytes: [],
    stallAfterBytes: [],
    corrupt: false,
    bytesPerSecond: 0,
    ignoreRange: false,
    rateLimit: { count: 0, retryAfterSeconds: 1, pathIncludes: "" },
    serverErrors: { count: 0, pathIncludes: "" },
    notFound: { count: 0, pathIncludes: "" },
  };
}

/** A parsed `Range` header: inclusive byte offsets. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parses `bytes=a-b`, `bytes=a-` and `bytes=-n` against a file size.
 *
 * @returns The range, null for no (or an unsupported) header, "unsatisfiable" past the end.
 */
export function parseRange(
  header: string | null,
  size: number,
): ByteRange | null | "unsatisfiable" {
  const match = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === "" && match[2] === "")) return null;
  if (match[1] === "") {
    const suffix = Math.min(Number(match[2]), size);
    return suffix === 0 ? "unsatisfiable" : { start: size - suffix, end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  return start >= size || end < start ? "unsatisfiable" : { start, end };
}

/** Counters the body stream updates. */
export interface BodyStats {
  /** Bytes sent so far by this body. */
  onBytes: (bytes: number) => void;
  /** Called once when the body ends, however it ends. */
  onEnd: () => void;
}

/**
 * Streams bytes `range.start..range.end` of `file`, applying the faults. A drop closes
 * the stream early: with Content-Length set, the client sees the connection fail.
 */
export function bodyStream(
  file: StoredFile,
  range: ByteRange,
  faults: FakeHubFaults,
  stats: BodyStats,
): ReadableStream<Uint8Array> {
  const length = range.end - range.start + 1;
  const dropAt = faults.dropAfterBytes.shift() ?? Infinity;
  const stallAt = faults.stallAfterBytes.shift() ?? Infinity;
  const flipAt = faults.corrupt ? Math.floor(file.size / 2) - range.start : -1;
  let sent = 0;
  let handle: Deno.FsFile | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const end = () => {
    if (ended) return;
    ended = true;
    handle?.close();
    wake?.();
    stats.onEnd();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent >= Math.min(length, dropAt)) {
        end();
        return controller.close();
      }
      if (sent >= stallAt) return await new Promise<void>((resolve) => wake = resolve);
      const bps = faults.bytesPerSecond;
      const chunkSize = Math.min(
        bps > 0 ? Math.max(1024, Math.floor(bps / 20)) : 64 * 1024,
        length - sent,
        dropAt - sent,
        stallAt - sent,
      );
      const chunk = await readChunk(
        file,
        range.start + sent,
        chunkSize,
        () => handle ??= Deno.openSync(file.source!),
      );
      if (flipAt >= sent && flipAt < sent + chunk.length) chunk[flipAt - sent] ^= 0xff;
      if (bps > 0) await new Promise((r) => setTimeout(r, (chunk.length / bps) * 1000));
      if (ended) return;
      sent += chunk.length;
      stats.onBytes(chunk.length);
      controller.enqueue(chunk);
    },
    cancel: end,
  });
}

async function readChunk(
  file: StoredFile,
  offset: number,
  size: number,
  open: () => Deno.FsFile,
): Promise<Uint8Array> {
  if (file.bytes) return file.bytes.slice(offset, offset + size);
  const handle = open();
  await handle.seek(offset, Deno.SeekMode.Start);
  const buffer = new Uint8Array(size);
  let filled = 0;
  while (filled < size) {
    const read = await handle.read(buffer.subarray(filled));
    if (read === null) break;
    filled += read;
  }
  return buffer.subarray(0, filled);
}
