/**
 * How `hearth serve` stops: on SIGINT or SIGTERM it drains (stops taking connections,
 * ends running generations, lets their responses finish) for a bounded time, and a
 * second signal, or a drain past the bound, stops it at once. The process must end
 * even when a request or the engine Worker does not: a supervisor's SIGTERM that is
 * ignored becomes a SIGKILL, with no clean exit at all.
 *
 * @module
 */
import { writeAllSync } from "./errors.ts";

/** Longest drain before `serve` stops anyway, in milliseconds. */
export const DRAIN_MS = 10_000;

/** Longest wait for the engine Worker to stop once the drain is over, in milliseconds. */
export const ENGINE_STOP_MS = 5_000;

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** What {@link serveUntilSignal} stops. */
export interface Drainable {
  /** Stops taking connections, ends running generations, waits for their responses. */
  shutdown(): Promise<void>;
}

/**
 * Waits for SIGINT or SIGTERM, or for `failure` (the engine ended on its own: an RPC
 * worker went away), then drains `server` for at most `drainMs` milliseconds (default
 * {@link DRAIN_MS}); a second signal cuts it short.
 *
 * @returns 0 when every response finished within the drain after a signal; 1 when it
 *   was cut short, or when `failure` ended serving (a supervisor then restarts it).
 */
export async function serveUntilSignal(
  server: Drainable,
  drainMs = DRAIN_MS,
  failure: Promise<Error> = new Promise<never>(() => {}),
): Promise<number> {
  const first = nextSignal();
  const failed = await Promise.race([first.promise.then(() => undefined), failure]);
  first.cancel();
  if (failed) writeAllSync(Deno.stderr, `hearth: ${failed.message}; stopping\n`);
  const second = nextSignal();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<"expired">((resolve) => {
    timer = setTimeout(() => resolve("expired"), drainMs);
  });
  const outcome = await Promise.race([
    server.shutdown().then(() => "drained" as const),
    expired,
    second.promise.then(() => "signal" as const),
  ]);
  clearTimeout(timer);
  second.cancel();
  const status = outcome === "drained" && !failed ? 0 : 1;
  if (outcome !== "drained") {
    writeAllSync(
      Deno.stderr,
      outcome === "signal"
        ? "hearth: stopping without waiting for running requests (second signal)\n"
        : `hearth: requests still running after ${drainMs / 1000} s; stopping anyway\n`,
    );
  }
  return status;
}

/**
 * Exits with `status` after `ms` milliseconds (default {@link ENGINE_STOP_MS}) if the
 * process is still alive then: something (the engine Worker stuck in a call, a
 * connection left open) keeps it up after the model was freed. The timer is unref'd:
 * a process that ends by itself ends first.
 */
export function exitIfStillRunning(status: number, ms = ENGINE_STOP_MS): void {
  Deno.unrefTimer(setTimeout(() => Deno.exit(status), ms));
}

/** Resolves at the next SIGINT or SIGTERM; `cancel` stops listening. */
function nextSignal(): { promise: Promise<void>; cancel(): void } {
  const { promise, resolve } = Promise.withResolvers<void>();
  const cancel = () => {
    for (const signal of SIGNALS) Deno.removeSignalListener(signal, stop);
  };
  const stop = () => {
    cancel();
    resolve();
  };
  for (const signal of SIGNALS) Deno.addSignalListener(signal, stop);
  return { promise, cancel };
}
