/**
 * Streaming hashes of files on disk (node:crypto, which Deno supports: WebCrypto's
 * `digest` is not incremental, so it would need the whole file in memory).
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";

/** Read size when hashing files: 1 MiB. */
const READ_CHUNK_BYTES = 1 << 20;

/**
 * Feeds the first `length` bytes of `path` (all of it when omitted) to `hashes`.
 *
 * @param onBytes Called with the bytes hashed so far after each chunk.
 * @returns The number of bytes read.
 */
export async function hashFileInto(
  path: string,
  hashes: Hash[],
  options: { length?: number; signal?: AbortSignal; onBytes?: (bytes: number) => void } = {},
): Promise<number> {
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(READ_CHUNK_BYTES);
  const limit = options.length ?? Infinity;
  let total = 0;
  while (total < limit) {
    options.signal?.throwIfAborted();
    const want = Math.min(buffer.length, limit - total);
    const read = await file.read(want === buffer.length ? buffer : buffer.subarray(0, want));
    if (read === null) break;
    const chunk = buffer.subarray(0, read);
    for (const hash of hashes) hash.update(chunk);
    total += read;
    options.onBytes?.(total);
  }
  return total;
}

/** A new sha256 hash. */
export function sha256(): Hash {
  return createHash("sha256");
}

/**
 * A new git blob sha1, seeded with the `blob {size}\0` header: what the hub sends as
 * `ETag` for files kept in git rather than LFS.
 */
export function gitBlobSha1(sizeBytes: number): Hash {
  return createHash("sha1").update(`blob ${sizeBytes}\0`);
}
