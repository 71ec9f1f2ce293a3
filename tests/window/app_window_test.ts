/**
 * The desktop app in a real WebKitGTK window under Xvfb: `main.ts` with no arguments
 * starts, its window maps and shows the UI (not a blank screen), a second start on the
 * same data folder asks it to raise its window and exits 0, and closing the window the
 * way a window manager does ends the process with status 0.
 */
import { assert, assertEquals } from "../assert.ts";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { captureScreen, startXvfb, waitFor } from "./_xvfb.ts";
import { readPng } from "./_png.ts";
import { requestClose, screenStats, topLevelTitles } from "./_x11.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Share of pixels that are not the Xvfb background (black). */
async function drawnShare(path: string): Promise<{ share: number; colours: number }> {
  const pixels = await readPng(path);
  let drawn = 0;
  const colours = new Set<number>();
  for (let i = 0; i < pixels.width * pixels.height; i++) {
    const [r, g, b] = [pixels.data[i * 3], pixels.data[i * 3 + 1], pixels.data[i * 3 + 2]];
    if (r + g + b > 0) drawn++;
    colours.add((r << 16) | (g << 8) | b);
  }
  return { share: drawn / (pixels.width * pixels.height), colours: colours.size };
}

Deno.test("the app opens a window showing the UI and exits 0 when it is closed", async () => {
  const xvfb = await startXvfb("1280x900x24");
  const home = await Deno.makeTempDir();
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT,
    env: { DISPLAY: xvfb.display, HEARTH_HOME: home },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  try {
    const window = await waitFor(
      "the Hearth window",
      () => topLevelTitles(xvfb.display).get("Hearth"),
      { timeoutMs: 60_000 },
    ).catch(async (error) => {
      // Say what the app printed, or a failure here explains nothing.
      child.kill("SIGKILL");
      const { stdout, stderr } = await output;
      const printed = new TextDecoder().decode(new Uint8Array([...stdout, ...stderr]));
      throw new Error(`${error.message}; the app printed:\n${printed}`, { cause: error });
    });
    // The UI has drawn when the screen holds many colours (text, borders, buttons),
    // not one flat background. Read from the X server directly: a PNG capture takes
    // about 350 ms here, which would blur the start time.
    await waitFor("the UI to draw", () => {
      const stats = screenStats(xvfb.display);
      return stats.share > 0.3 && stats.colours > 20;
    }, { timeoutMs: 60_000, everyMs: 10 });
    const shownMs = performance.now() - started;
    const shot = join(home, "screen.png");
    await captureScreen(xvfb.display, shot);
    const drawn = await drawnShare(shot);
    console.log(
      `window showed the UI ${shownMs.toFixed(0)} ms after spawn (${drawn.colours} colours)`,
    );
    const second = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts"],
      cwd: ROOT,
      env: { DISPLAY: xvfb.display, HEARTH_HOME: home },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    const said = new TextDecoder().decode(second.stderr);
    assertEquals(second.code, 0, said);
    assertEquals(said.trim(), `Hearth is already running (pid ${child.pid}): raised its window`);
    assertEquals(topLevelTitles(xvfb.display).get("Hearth"), window, "still the one window");
    requestClose(xvfb.display, window);
    const { code, signal, stderr } = await output;
    assertEquals(signal, null);
    const printed = new TextDecoder().decode(stderr);
    assertEquals(code, 0, printed);
    assert(printed.includes("another start asked to show Hearth (window)"), printed);
    assert(drawn.share > 0.3 && drawn.colours > 20, `the PNG shows ${JSON.stringify(drawn)}`);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await output.catch(() => {});
    await xvfb.stop();
    await Deno.remove(home, { recursive: true });
  }
});
