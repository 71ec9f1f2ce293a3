/**
 * Verifying a model's bytes: a streamed sha256 (node:crypto) compared with what the
 * index knows, the Hugging Face blob names, or an earlier verify's hash.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import type { ModelRecord } from "../storage/models.ts";
import type { VerifyProgress } from "./types.ts";

/** Prefix of the broken reason a failed verify sets; a later successful verify clears it. */
export const HASH_MISMATCH = "sha256 mismatch";
/** Read size for hashing: large enough that syscalls do not dominate. */
const HASH_CHUNK_BYTES = 1 << 20;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** What hashing a model's files found. */
export interface HashCheck {
  /** True when every known hash matched. */
  ok: boolean;
  /** The sha256 of all bytes (a split model's parts concatenated). */
  sha256: string;
  /** Each mismatch, in words. */
  problems: string[];
  /** The files as hashed. */
  fingerprint: Fingerprint;
}

/**
 * Hashes a model's files and compares the result with `expected` and, for links in the
 * HF cache, each file with its blob name.
 *
 * @throws {Error} If a file changed while it was hashed.
 * @throws `signal.reason` when `signal` aborts.
 */
export async function checkHashes(
  files: readonly string[],
  expected: string | null,
  onProgress: (progress: VerifyProgress) => void,
  signal?: AbortSignal,
): Promise<HashCheck> {
  const before = await fingerprint(files);
  const expectedParts = await Promise.all(files.map(blobSha256));
  const hashed = await hashFiles(files, onProgress, signal);
  if ((await fingerprint(files)).key !== before.key) {
    throw new Error(`Cannot verify "${files[0]}": it changed while it was hashed; try again`);
  }
  const problems = files.flatMap((path, i) =>
    expectedParts[i] !== null && expectedParts[i] !== hashed.parts[i]
      ? [`"${path}" hashes to ${hashed.parts[i]} but its blob name says ${expectedParts[i]}`]
      : []
  );
  if (expected !== null && expected !== hashed.sha256) {
    problems.unshift(`expected ${expected} but the bytes hash to ${hashed.sha256}`);
  }
  return { ok: problems.length === 0, sha256: hashed.sha256, problems, fingerprint: before };
}

/**
 * The row after a verify: the hash becomes the reference when none was known; a
 * mismatch marks the model broken and a match clears an earlier mismatch.
 */
export function verifiedRecord(current: ModelRecord, check: HashCheck, now: number): ModelRecord {
  const wasMismatch = current.broken_reason?.startsWith(HASH_MISMATCH) ?? false;
  const mismatch = `${HASH_MISMATCH}: ${check.problems.join("; ")}; ` +
    "the file is corrupt or was changed, download it again";
  return {
    ...current,
    sha256: current.sha256 ?? (check.ok ? check.sha256 : null),
    verified_at: now,
    broken_reason: check.ok ? (wasMismatch ? null : current.broken_reason) : mismatch,
  };
}

/** The sha256 a HF cache link's blob name gives; null for other files. */
export async function blobSha256(path: string): Promise<string | null> {
  const target = await Deno.readLink(path).catch(() => null);
  const name = target === null ? "" : basename(target);
  return SHA256_HEX.test(name) ? name : null;
}

/** Sizes and mtimes of a model's files, to notice files that changed. */
export interface Fingerprint {
  /** Summed size in bytes, as the index stores it. */
  sizeBytes: number;
  /** Newest mtime, ms since the epoch, as the index stores it. */
  mtimeMs: number;
  /** Every file's size and mtime. */
  key: string;
}

/** Stats a model's files. */
export async function fingerprint(paths: readonly string[]): Promise<Fingerprint> {
  const stats = await Promise.all(paths.map((path) => Deno.stat(path)));
  const mtimes = stats.map((stat) => stat.mtime?.getTime() ?? 0);
  return {
    sizeBytes: stats.reduce((sum, stat) => sum + stat.size, 0),
    mtimeMs: Math.max(...mtimes),
    key: stats.map((stat, i) => `${stat.size}:${mtimes[i]}`).join(","),
  };
}

/**
 * Hashes files as one stream and each on its own.
 *
 * @returns The sha256 of all bytes in order, and of each file.
 * @throws `signal.reason` when `signal` aborts.
 */
export async function hashFiles(
  paths: readonly string[],
  onProgress: (progress: VerifyProgress) => void,
  signal?: AbortSignal,
): Promise<{ sha256: string; parts: string[] }> {
  signal?.throwIfAborted();
  const sizes = await Promise.all(paths.map(async (path) => (await Deno.stat(path)).size));
  const progress = { hashedBytes: 0, totalBytes: sizes.reduce((a, b) => a + b, 0) };
  const whole = createHash("sha256");
  const parts: string[] = [];
  const buffer = new Uint8Array(HASH_CHUNK_BYTES);
  for (const path of paths) {
    const part = createHash("sha256");
    using file = await Deno.open(path);
    for (let n = await file.read(buffer); n !== null; n = await file.read(buffer)) {
      signal?.throwIfAborted();
      const chunk = buffer.subarray(0, n);
      whole.update(chunk);
      if (paths.length > 1) part.update(chunk);
      progress.hashedBytes += n;
      onProgress({ ...progress });
    }
    parts.push(paths.length > 1 ? part.digest("hex") : "");
  }
  const sha256 = whole.digest("hex");
  return { sha256, parts: paths.length > 1 ? parts : [sha256] };
}
