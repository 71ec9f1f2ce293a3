/**
 * A start of the desktop app either becomes the data folder's one instance (it takes
 * the {@link InstanceLock}) or finds the running one and asks it, over its instance
 * route (`POST /api/instance/activate`, docs/ui-api.md), to show itself.
 *
 * @module
 */
import { InstanceLock, readInstanceInfo } from "./instance_lock.ts";

/** How the running app shows itself: its window, a browser tab, or nothing (headless). */
export type InstanceSurface = "window" | "browser" | "none";

/** The running app's answer to `POST /api/instance/activate` (the wire shape). */
export interface InstanceAnswer {
  /** Its process id. */
  pid: number;
  /** Its launch URL (carries the launch secret), as it printed it when it started. */
  url: string;
  /** What it shows the UI on. */
  surface: InstanceSurface;
  /** Whether it raised its window or opened a browser tab for this request. */
  shown: boolean;
}

/** What the UI server's instance route calls: made by the app that holds the lock. */
export interface InstanceControl {
  /** The bearer token the route requires (the lock's token, from `instance.json`). */
  token: string;
  /** Shows the app when `show` is true; always says how to reach it. */
  activate(show: boolean): InstanceAnswer;
}

/** The outcome of {@link claimInstance}: the lock, or the app already running. */
export type InstanceClaim = { lock: InstanceLock } | { running: InstanceAnswer };

/** Options of {@link claimInstance}. */
export interface ClaimOptions {
  /** Ask the running app to show itself (false: only ask for its URL). */
  show: boolean;
  /**
   * How long to keep trying to reach a running app that holds the lock but does not
   * answer yet (it is starting or closing), in milliseconds. @default 20000
   */
  timeoutMs?: number;
}

/** Time one request to the running app may take, in milliseconds. */
const REQUEST_TIMEOUT_MS = 2_000;
/** Pause between tries, in milliseconds. */
const RETRY_MS = 50;

/**
 * Takes the data folder's lock, or, when a live app holds it, asks that app to show
 * itself (or only for its URL). Retries while the holder is starting (no
 * `instance.json` yet) or closing (its server gone, its lock not yet), and takes the
 * lock if the holder exits meanwhile.
 *
 * @param dir The data folder.
 * @throws {Error} when the holder did not answer within `timeoutMs`; the message names
 *   its pid and what to do.
 * @throws {Deno.errors.PermissionDenied} and other file errors from taking the lock.
 */
export async function claimInstance(dir: string, options: ClaimOptions): Promise<InstanceClaim> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  let lastError = "it has not said how to reach it yet";
  let pid: number | undefined;
  for (;;) {
    const lock = await InstanceLock.acquire(dir);
    if (lock) return { lock };
    const info = await readInstanceInfo(dir);
    if (info) {
      pid = info.pid;
      try {
        return { running: await activate(info.port, info.token, options.show) };
      } catch (error) {
        lastError = (error as Error).message;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Cannot reach the Hearth already running on ${dir} (pid ${pid ?? "unknown"}) within ${
          timeoutMs / 1000
        } s: ${lastError}; wait for it to finish starting, or stop it`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

/** The line a second start prints about the running app it found. */
export function describeRunning(answer: InstanceAnswer): string {
  const found = `Hearth is already running (pid ${answer.pid})`;
  if (answer.shown && answer.surface === "window") return `${found}: raised its window`;
  if (answer.shown && answer.surface === "browser") return `${found}: opened it in the browser`;
  return `${found} on ${answer.url}`;
}

/** Posts to the instance route on 127.0.0.1:`port`; returns its checked answer. */
async function activate(port: number, token: string, show: boolean): Promise<InstanceAnswer> {
  const response = await fetch(`http://127.0.0.1:${port}/api/instance/activate`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ show }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`it answered ${response.status}: ${text}`);
  const answer = JSON.parse(text);
  if (
    !Number.isInteger(answer?.pid) || typeof answer.url !== "string" ||
    !["window", "browser", "none"].includes(answer.surface) || typeof answer.shown !== "boolean"
  ) {
    throw new Error(`it answered with an unexpected body: ${text}`);
  }
  return answer;
}
