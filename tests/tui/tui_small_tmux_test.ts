/**
 * `hearth tui` in a real 80x24 terminal (tmux) with `NO_COLOR=1`: the layout fits, nothing
 * is coloured (bold, dim and inverse only), and the mouse reports the terminal sends (a
 * wheel step, a click) reach the panes.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { assert } from "../assert.ts";
import { STORIES_260K } from "../models.ts";
import { DATABASE_FILE, openDatabase } from "../../storage/mod.ts";
import { TmuxSession } from "./_tmux.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** SGR parameters that set a foreground or background colour (39 and 49 reset them). */
// deno-lint-ignore no-control-regex
const COLOUR = /\x1b\[([\d;]*;)?(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;|m)/;

Deno.test("hearth tui: 80x24 with NO_COLOR fits and has no colour; mouse wheel and click work", async () => {
  const dataDir = await Deno.makeTempDir();
  const storage = openDatabase(`${dataDir}/${DATABASE_FILE}`);
  storage.settings.patch({ sampling: { max_tokens: 4 } });
  storage.close();
  const tui = await TmuxSession.start(
    [Deno.execPath(), "run", "-A", "main.ts", "tui", "-m", STORIES_260K],
    { columns: 80, rows: 24, env: { HEARTH_HOME: dataDir, NO_COLOR: "1" }, cwd: ROOT },
  );
  try {
    await tui.waitFor("the screen", (s) => s.includes("Sessions (0)"));
    for (const text of ["Once upon a time", "Once there was a cat"]) {
      await tui.keys("C-n");
      await tui.waitFor("a new chat", (s) => s.includes("Type a message"));
      await tui.type(text);
      await tui.keys("Enter");
      await tui.waitFor("the reply", (s) => / ai .*tok\/s/.test(s) && !s.includes("streaming"));
    }
    // Below 100 columns the sidebar keeps the sessions, not the metrics; every border fits.
    const screen = await tui.waitFor("the 80x24 layout", (s) => {
      const lines = s.split("\n");
      return /^╭─+╮╭─+╮$/.test(lines[0]) && /^╰─+╯╰─+╯$/.test(lines[22]) &&
        lines.every((line) => line.length <= 80);
    });
    assert(!screen.includes("Metrics"), screen);
    const styled = await tui.captureStyled();
    assert(!COLOUR.test(styled), `a colour under NO_COLOR: ${JSON.stringify(styled)}`);
    assert(styled.includes("\x1b[7m") || styled.includes(";7m"), "roles stay apart by inverse");

    // The wheel over the chat (right of the sidebar) scrolls it back by a message.
    await tui.type("\x1b[<64;60;10M");
    await tui.waitFor("the scrolled chat", (s) => s.includes("↓ 1 newer"));
    await tui.type("\x1b[<65;60;10M");
    await tui.waitFor("the newest again", (s) => !s.includes("↓ 1 newer"));
    // A click on the older chat's row (the second of the list: screen row 4) opens it.
    await tui.type("\x1b[<0;5;4M\x1b[<0;5;4m");
    await tui.waitFor("the older chat", (s) => s.includes("│Once upon a time"));
  } finally {
    await tui.kill();
    await Deno.remove(dataDir, { recursive: true });
  }
});
