/**
 * `hearth tui` in a real terminal (tmux): the model pane loads another model from the
 * library without a restart, and a 40x12 terminal still shows a bordered, readable pane.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { assert } from "../assert.ts";
import { STORIES_260K, STORIES_260K_CHATML } from "../models.ts";
import { DATABASE_FILE, openDatabase } from "../../storage/mod.ts";
import { TmuxSession } from "./_tmux.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

Deno.test("hearth tui: the model pane loads another model; 40x12 stays readable", async () => {
  const dataDir = await Deno.makeTempDir();
  const folder = await Deno.makeTempDir();
  await Deno.symlink(STORIES_260K_CHATML, `${folder}/stories260K-chatml-derived.gguf`);
  const storage = openDatabase(`${dataDir}/${DATABASE_FILE}`);
  storage.modelFolders.add(folder);
  storage.close();
  const tui = await TmuxSession.start(
    [Deno.execPath(), "run", "-A", "main.ts", "tui", "-m", STORIES_260K],
    { columns: 120, rows: 40, env: { HEARTH_HOME: dataDir, NO_COLOR: "" }, cwd: ROOT },
  );
  try {
    await tui.waitFor("the screen", (s) => s.includes("Sessions (0)"));
    // Shift+Tab: chat -> models (one key: two Tabs sent at once can arrive as one read).
    await tui.keys("BTab");
    await tui.waitFor("the models pane", (s) => /Models \([1-9]/.test(s));
    await tui.keys("/");
    await tui.type("chatml");
    // Enter only once the filter shows it all: sent at once, "chatml\r" is one read.
    await tui.waitFor("the filter typed", (s) => s.includes("/chatml▌"));
    await tui.keys("Enter");
    // The filter is closed (no ▌ cursor) before the next Enter, which loads.
    const listed = await tui.waitFor(
      "the filtered list",
      (s) => s.includes("Models (1)") && s.includes("/chatml") && !s.includes("/chatml▌"),
    );
    assert(!/●.*chatml/i.test(listed), "the chatml copy is not loaded yet");
    await tui.keys("Enter");
    // ● marks the loaded model in the list; the notification line says so too.
    await tui.waitFor("the chatml copy loaded", (s) => /▸●.*chatml/i.test(s));
    await tui.waitFor("the notification", (s) => s.includes("Loaded stories260K-chatml-derived"));

    await tui.resize(40, 12);
    await tui.waitFor("the 40x12 layout", (s) => {
      const lines = s.split("\n");
      return /^╭─{38}╮$/.test(lines[0]) && /^╰─{38}╯$/.test(lines[10]) &&
        lines.every((line) => line.length <= 40);
    });
  } finally {
    await tui.kill();
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(folder, { recursive: true });
  }
});
