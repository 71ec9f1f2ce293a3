/**
 * Checks a file on disk against a published sha256, streaming (constant memory).
 *
 * @module
 */
import { hashFileInto, sha256 } from "./_hash_file.ts";

/** Where a verification stands. */
export interface VerifyProgress {
  /** Bytes hashed so far. */
  hashedBytes: number;
  /** The file's size in bytes. */
  totalBytes: number;
}

/** Options of {@link verifyFile}. */
export interface VerifyFileOptions {
  /** Progress after each 1 MiB read, throttled to every 250 ms, and once at the end. */
  onProgress?: (progress: VerifyProgress) => void;
  /** Aborts the check; it rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** The outcome of {@link verifyFile}. */
export interface VerifyResult {
  /** True when the file's sha256 equals the expected one. */
  ok: boolean;
  /** The file's sha256, 64 lowercase hex digits. */
  sha256: string;
  /** The file's size in bytes. */
  sizeBytes: number;
}

/** Least time between progress reports, in milliseconds. */
const PROGRESS_INTERVAL_MS = 250;

/**
 * Computes the sha256 of a file and compares it with `expectedSha256`.
 *
 * @param path The file (symlinks are followed).
 * @param expectedSha256 64 hex digits, e.g. a tree entry's LFS oid; case does not matter.
 * @param options Progress callback and signal.
 * @returns Whether it matches, the actual hash and the size.
 * @throws {TypeError} `expectedSha256` is not 64 hex digits.
 * @throws {Deno.errors.NotFound} The file does not exist.
 *
 * @example
 * ```ts
 * import { verifyFile } from "./verify_file.ts";
 *
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "abc");
 * const { ok } = await verifyFile(
 *   path,
 *   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 * );
 * console.assert(ok);
 * await Deno.remove(path);
 * ```
 */
export async function verifyFile(
  path: string,
  expectedSha256: string,
  options: VerifyFileOptions = {},
): Promise<VerifyResult> {
  if (!/^[0-9a-f]{64}$/i.test(expectedSha256)) {
    throw new TypeError(`Cannot verify "${path}" against "${expectedSha256}": not a sha256`);
  }
  const totalBytes = (await Deno.stat(path)).size;
  const hash = sha256();
  let lastReport = -Infinity;
  const report = (hashedBytes: number, force: boolean) => {
    const now = performance.now();
    if (!options.onProgress || (!force && now - lastReport < PROGRESS_INTERVAL_MS)) return;
    lastReport = now;
    try {
      options.onProgress({ hashedBytes, totalBytes });
    } catch (error) {
      console.error("Verify progress callback threw:", error);
    }
  };
  const sizeBytes = await hashFileInto(path, [hash], {
    signal: options.signal,
    onBytes: (bytes) => report(bytes, false),
  });
  report(sizeBytes, true);
  const actual = hash.digest("hex");
  return { ok: actual === expectedSha256.toLowerCase(), sha256: actual, sizeBytes };
}
