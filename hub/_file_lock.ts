/**
 * One writer per blob, across processes: an exclusive advisory lock (flock) on
 * `.locks/{repo}/{etag}.lock`, the file huggingface_hub locks too, so Hearth and Python
 * tools never append to the same `.incomplete` at once.
 *
 * @module
 */
import { dirname } from "node:path";
import { delay } from "./_retry.ts";

/** How often to retry a held lock, in milliseconds. */
const LOCK_POLL_MS = 100;

/**
 * Takes the lock at `path`, waiting while another download (in this process or another)
 * holds it. The lock goes away with the process, so a killed download never leaves it.
 *
 * @returns The held lock; dispose it (or `using`) to release.
 * @throws The signal's reason when aborted while waiting.
 */
export async function acquireLock(path: string, signal?: AbortSignal): Promise<Disposable> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const file = await Deno.open(path, { create: true, write: true });
  try {
    while (!(await file.tryLock(true))) await delay(LOCK_POLL_MS, signal);
  } catch (error) {
    file.close();
    throw error;
  }
  return { [Symbol.dispose]: () => file.close() };
}
