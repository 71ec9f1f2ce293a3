/**
 * Shared pieces of the hub tests: hashing, shards of a real file, a seeded RNG and
 * polling (never fixed sleeps).
 *
 * @module
 */
import { join } from "node:path";
import type { FakeHub } from "../fakes/fake_hub.ts";

/** sha256 of synthetic-135m-Q4_K_M.gguf, from ../shared/models/SOURCES.md. */
export const SYNTHETIC_135M_SHA256 =
  "549de2f8eef0f0877f02b52e0d72b7b74a7273e3e24951a9292f4cc149670e80";

/** sha256 of a file, read whole (test files are small), through WebCrypto. */
export async function sha256Hex(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** mulberry32: a small seeded PRNG, so "random" drop points repeat run to run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Polls `predicate` every 5 ms until true. @throws Error after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await predicate())) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Writes `source` cut into `parts` byte slices named `{base}-0000N-of-0000M.gguf` in
 * `dir`, as llama.cpp's gguf-split names them.
 *
 * @returns The slice paths in order.
 */
export async function writeShards(
  source: string,
  dir: string,
  base: string,
  parts: number,
): Promise<string[]> {
  const bytes = await Deno.readFile(source);
  const size = Math.ceil(bytes.length / parts);
  const paths: string[] = [];
  for (let i = 0; i < parts; i++) {
    const name = `${base}-${String(i + 1).padStart(5, "0")}-of-${
      String(parts).padStart(5, "0")
    }.gguf`;
    const path = join(dir, name);
    await Deno.writeFile(path, bytes.subarray(i * size, (i + 1) * size));
    paths.push(path);
  }
  return paths;
}

/** The GET requests for file bytes on the fake hub's CDN. */
export function cdnGets(hub: FakeHub) {
  return hub.requests.filter((r) => r.method === "GET" && r.path.startsWith("/cdn/"));
}

/** The `N` of a `Range: bytes=N-` header, or null. */
export function rangeStart(range: string | null): number | null {
  const match = range?.match(/^bytes=(\d+)-$/);
  return match ? Number(match[1]) : null;
}
