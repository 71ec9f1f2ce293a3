/**
 * The child process of engine/engine_process.ts: runs the engine Worker
 * (engine/worker/main.ts, unchanged) and relays its messages over stdin/stdout frames
 * (engine/_frames.ts). A model split over llama.cpp RPC workers runs here, because
 * ggml's RPC client aborts the process when a worker goes away; this process dies
 * instead of the app. Run as `deno run -A engine/_engine_child.ts`.
 *
 * Shared memory cannot cross a process boundary, so a request's SharedArrayBuffer
 * arguments arrive as `{ sharedBytes: N }` placeholders: this process makes its own.
 * The abort flags the parent writes arrive as `abort` messages and are stored here;
 * other shared buffers (the serve loop's heartbeat) are written by the Worker and
 * copied back to the parent when they change.
 *
 * @module
 */
import { encodeFrame, readFrames } from "./_frames.ts";
import { POSTED_INDEX, type Reply, type Request } from "./protocol.ts";

/** Parent to child. */
export type ToChild =
  | { t: "request"; request: Request }
  | { t: "abort"; slot: number; serial: number };

/** Child to parent. */
export type FromChild =
  | { t: "reply"; reply: Reply }
  /** A shared buffer of request `id`'s argument `key` now holds `values`. */
  | { t: "shared"; id: number; key: string; values: Int32Array }
  | { t: "error"; message: string };

/** A shared buffer argument as it crosses the pipe. */
export interface SharedPlaceholder {
  sharedBytes: number;
}

/** How often shared buffers written by the Worker are compared, in milliseconds. */
const MIRROR_INTERVAL_MS = 50;

function main(): void {
  const worker = new Worker(new URL("./worker/main.ts", import.meta.url), { type: "module" });
  let abortFlags: Int32Array | undefined;
  const mirrors: { id: number; key: string; cell: Int32Array; last: Int32Array }[] = [];
  // Synchronous writes: a frame is whole on the pipe before the next one starts.
  const writeAll = (message: FromChild) => {
    const bytes = encodeFrame(message);
    for (let done = 0; done < bytes.length;) done += Deno.stdout.writeSync(bytes.subarray(done));
  };

  worker.onmessage = (event: MessageEvent<Reply>) => writeAll({ t: "reply", reply: event.data });
  worker.onerror = (event) => {
    event.preventDefault();
    writeAll({ t: "error", message: event.message });
  };
  const timer = setInterval(() => {
    for (const mirror of mirrors) {
      const now = mirror.cell.slice();
      if (now.some((v, i) => v !== mirror.last[i])) {
        mirror.last = now;
        writeAll({ t: "shared", id: mirror.id, key: mirror.key, values: now });
      }
    }
  }, MIRROR_INTERVAL_MS);

  (async () => {
    for await (const frame of readFrames(Deno.stdin.readable)) {
      const message = frame as ToChild;
      if (message.t === "abort") {
        if (abortFlags) Atomics.store(abortFlags, message.slot, message.serial);
        continue;
      }
      const { request } = message;
      const args = { ...request.args } as Record<string, unknown>;
      for (const [key, value] of Object.entries(args)) {
        const bytes = (value as SharedPlaceholder | null)?.sharedBytes;
        if (typeof bytes !== "number") continue;
        const shared = new SharedArrayBuffer(bytes);
        args[key] = shared;
        if (key === "abortFlags") abortFlags = new Int32Array(shared);
        else {
          const cell = new Int32Array(shared);
          mirrors.push({ id: request.id, key, cell, last: cell.slice() });
        }
      }
      if (abortFlags) Atomics.add(abortFlags, POSTED_INDEX, 1);
      worker.postMessage({ ...request, args });
    }
    // The parent closed the pipe: the engine is done (or the parent died).
    clearInterval(timer);
    worker.terminate();
    Deno.exit(0);
  })();
}

if (import.meta.main) main();
