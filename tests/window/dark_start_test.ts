/**
 * No white flash when the dark app starts: `main.ts` on a private Xvfb with the dark theme
 * saved, the X server's pixels read every 10 ms from spawn until the UI has painted; no
 * sample may be mostly white (the window's background, WebKit's view and the page's first
 * paint all have the theme's colour). Before the page got the theme with index.html, 4 to 9
 * samples per start were white here.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assertEquals } from "../assert.ts";
import { openDatabase } from "../../storage/db.ts";
import { DATABASE_FILE } from "../../storage/data_dir.ts";
import { startXvfb, waitFor } from "./_xvfb.ts";
import { requestClose, screenStats, topLevelTitles } from "./_x11.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

Deno.test("the dark app's window never shows a white frame while it starts", async () => {
  const xvfb = await startXvfb("1280x900x24");
  const home = await Deno.makeTempDir({ prefix: "hearth-dark-start-" });
  const storage = openDatabase(join(home, DATABASE_FILE));
  storage.settings.patch({ theme: "dark" });
  storage.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT,
    env: { DISPLAY: xvfb.display, HEARTH_HOME: home },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const whiteShares: number[] = [];
    await waitFor("the UI to draw", () => {
      const stats = screenStats(xvfb.display);
      if (stats.white > 0.3) whiteShares.push(stats.white);
      return stats.share > 0.3 && stats.colours > 20;
    }, { timeoutMs: 60_000, everyMs: 10 });
    assertEquals(whiteShares, [], "white frames while starting");
    const window = topLevelTitles(xvfb.display).get("Hearth");
    if (window !== undefined) requestClose(xvfb.display, window);
    assertEquals((await child.status).code, 0);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await child.status;
    await xvfb.stop();
    await Deno.remove(home, { recursive: true });
  }
});
