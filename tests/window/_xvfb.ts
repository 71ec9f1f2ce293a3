/**
 * Test helpers for native windows: a private Xvfb X server, polling with a deadline,
 * and X screen captures through ImageMagick's `import`.
 *
 * @module
 */

import { canConnect } from "./_x11.ts";

/** A running Xvfb child process; `stop()` kills it and waits for it. */
export interface Xvfb {
  /** The DISPLAY value, e.g. ":93". */
  display: string;
  stop(): Promise<void>;
  /** The Xvfb process id. */
  pid: number;
}

/**
 * Polls `check` every `everyMs` until it returns a value other than undefined/false.
 *
 * @throws {Error} naming `what` when `timeoutMs` passes first.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 20_000, everyMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The displays tests may use: :90 to :189. */
const DISPLAYS = { first: 90, count: 100 };
// Where the next search starts: a display is not taken again right after a test
// released it.
let nextDisplay = DISPLAYS.first + Math.floor(Math.random() * DISPLAYS.count);

/**
 * Starts `Xvfb :N -screen 0 <screen>` on a free display in :90 to :189 (no socket and
 * no lock file), not one used earlier in this process, and waits until a client can
 * connect.
 */
export async function startXvfb(screen = "1024x768x24"): Promise<Xvfb> {
  const candidates = Array.from(
    { length: DISPLAYS.count },
    (_, i) => DISPLAYS.first + (nextDisplay - DISPLAYS.first + i) % DISPLAYS.count,
  );
  const n = candidates.find((n) => !exists(`/tmp/.X11-unix/X${n}`) && !exists(`/tmp/.X${n}-lock`));
  if (n === undefined) throw new Error("Cannot start Xvfb: displays :90 to :189 are all taken");
  nextDisplay = n + 1;
  const child = new Deno.Command("Xvfb", {
    // -noreset: by default an X server resets when its last client disconnects and
    // refuses connections meanwhile; the tests' short-lived probes (canConnect,
    // topLevelTitles) made the app's own gtk_init_check fail about one run in six.
    args: [`:${n}`, "-screen", "0", screen, "-nolisten", "tcp", "-noreset"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const stop = async () => {
    if (!exited) child.kill("SIGTERM");
    await status;
    await stderr;
  };
  try {
    await waitFor(`Xvfb :${n} to start`, () => {
      if (exited) throw new Error(`Xvfb :${n} exited at start`);
      // The socket file appears before Xvfb accepts clients: wait for a connection.
      return exists(`/tmp/.X11-unix/X${n}`) && canConnect(`:${n}`);
    }, { timeoutMs: 10_000 });
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}: ${(await stderr).trim()}`, { cause: error });
  }
  return { display: `:${n}`, stop, pid: child.pid };
}

/** Captures the whole X screen of `display` as an 8-bit RGB PNG at `path`. */
export async function captureScreen(display: string, path: string): Promise<void> {
  // PNG24: stops ImageMagick from writing a palette PNG for a screen of few colours.
  const { success, stderr } = await new Deno.Command("import", {
    args: ["-display", display, "-window", "root", `PNG24:${path}`],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`import failed: ${new TextDecoder().decode(stderr).trim()}`);
}
