/**
 * The one X server of every test that opens GTK in this process. GTK opens its display
 * once per process (`gtk_init_check` keeps the first one, whatever DISPLAY says later)
 * and dies if that server goes away; `deno test` runs each test file in its own isolate
 * but all in one process. So the first in-process window test to load starts an Xvfb
 * and names it in the (process-wide) environment, and later ones reuse it. No isolate
 * may stop it: a watchdog shell stops it within a second of this process ending.
 *
 * @module
 */
import { waitFor } from "./_xvfb.ts";
import { canConnect } from "./_x11.ts";

const SHARED = "HEARTH_TEST_GTK_DISPLAY";

async function sharedDisplay(): Promise<string> {
  const existing = Deno.env.get(SHARED);
  if (existing) return existing;
  // Deno kills an isolate's child processes when the isolate ends: Xvfb is started by a
  // shell that exits at once, with a watchdog that stops it once this process is gone.
  for (let attempt = 0; attempt < 20; attempt++) {
    const n = 100 + Math.floor(Math.random() * 90);
    if (await exists(`/tmp/.X11-unix/X${n}`) || await exists(`/tmp/.X${n}-lock`)) continue;
    const script = `Xvfb :${n} -screen 0 1024x768x24 -nolisten tcp -noreset >/dev/null 2>&1 &
      xvfb=$!
      (while kill -0 ${Deno.pid} 2>/dev/null; do sleep 1; done; kill $xvfb) >/dev/null 2>&1 &`;
    await new Deno.Command("sh", { args: ["-c", script], stdin: "null", stdout: "null" })
      .output();
    try {
      await waitFor(`Xvfb :${n}`, () => canConnect(`:${n}`), { timeoutMs: 10_000 });
    } catch {
      continue; // taken meanwhile, or failed: try another
    }
    Deno.env.set(SHARED, `:${n}`);
    return `:${n}`;
  }
  throw new Error("Cannot start a shared Xvfb on any display in :100 to :189");
}

function exists(path: string): Promise<boolean> {
  return Deno.stat(path).then(() => true, () => false);
}

/** The shared display, e.g. ":93"; DISPLAY is set to it. */
export const display: string = await sharedDisplay();
Deno.env.set("DISPLAY", display);
/** For tests written against an Xvfb handle. */
export const xvfb: { display: string } = { display };
