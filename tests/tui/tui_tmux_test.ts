/**
 * `hearth tui` in a real terminal (tmux), on a real model and a real database: a reply
 * streams, Esc stops one, sessions switch, a 60x20 terminal keeps the layout readable,
 * closing the terminal mid-reply keeps the reply (incomplete), and the desktop app's UI
 * API sees every chat afterwards.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../assert.ts";
import { SYNTHETIC_135M } from "../models.ts";
import { DATABASE_FILE, openDatabase } from "../../storage/mod.ts";
import { appJson, type Json, waitFor } from "../server/_app_api.ts";
import { startApp } from "../../cli/app.ts";
import { TmuxSession } from "./_tmux.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A reply is streaming and some of its text is on screen (before the ▌ cursor). */
const streamingText = (screen: string) => screen.includes("streaming…") && /[^\s│]▌/.test(screen);

/** The chat pane's status line of a finished reply carries its speed. */
const finished = (screen: string) => / ai .*tok\/s/.test(screen);

Deno.test("hearth tui: streams, stops, switches sessions, resizes, survives a closed terminal", async () => {
  const dataDir = await Deno.makeTempDir();
  // Short replies keep the test fast; the chats that must stream long ask for -1.
  const storage = openDatabase(`${dataDir}/${DATABASE_FILE}`);
  storage.settings.patch({ sampling: { max_tokens: 4 } });
  storage.close();
  // Random weights: a reply never ends by itself before n_ctx, so Esc has time to stop it.
  const tui = await TmuxSession.start(
    [Deno.execPath(), "run", "-A", "main.ts", "tui", "-m", SYNTHETIC_135M],
    { columns: 120, rows: 40, env: { HEARTH_HOME: dataDir, NO_COLOR: "" }, cwd: ROOT },
  );
  try {
    await tui.waitFor("the screen", (s) => s.includes("Sessions (0)"));
    await tui.type("Once upon a time");
    await tui.keys("Enter");
    await tui.waitFor("the first reply", (s) => s.includes("Sessions (1)") && finished(s));

    // A second chat whose reply runs until stopped (max tokens -1 via the palette).
    const askLong = async () => {
      await tui.keys("C-n");
      await tui.waitFor("a new chat", (s) => s.includes("Type a message"));
      await tui.keys("C-p");
      await tui.waitFor("the palette", (s) => s.includes("Set max tokens"));
      await tui.type("max tokens");
      await tui.keys("Enter");
      await tui.waitFor("the prompt", (s) => s.includes("max tokens for this chat"));
      await tui.type("-1");
      await tui.keys("Enter");
      await tui.waitFor("the prompt to close", (s) => !s.includes("max tokens for this chat"));
    };
    await askLong();
    await tui.type("Tell me a story");
    await tui.keys("Enter");
    await tui.waitFor("a streaming reply", streamingText);
    await tui.keys("Escape");
    await tui.waitFor("the stopped reply", (s) => s.includes("[stopped: incomplete]"));

    // Switch back to the first chat from the sessions pane (newest first: it is second).
    await tui.keys("Tab");
    await tui.waitFor("the sessions pane", (s) => s.includes("▸● Tell me a story"));
    await tui.keys("Down");
    await tui.waitFor("the first chat selected", (s) => s.includes("▸  Once upon a time"));
    await tui.keys("Enter");
    const first = await tui.waitFor(
      "the first chat",
      (s) => finished(s) && !s.includes("[stopped: incomplete]"),
    );
    assert(first.includes("Once upon a time"));

    await tui.resize(60, 20);
    // Below 70 columns the chat pane fills the terminal alone, borders intact.
    const small = await tui.waitFor("the 60x20 layout", (s) => {
      const lines = s.split("\n");
      return /^╭─{58}╮$/.test(lines[0]) && /^╰─{58}╯$/.test(lines[18]) &&
        lines.every((line) => line.length <= 60);
    });
    assert(small.includes("│Once upon a time"), small);
    assert(small.includes("│›"), small);

    // Closing the terminal mid-reply: the reply is saved and marked incomplete.
    await askLong();
    await tui.type("Another story");
    await tui.keys("Enter");
    await tui.waitFor("a streaming reply", streamingText);
    await tui.kill();
    await waitFor("the program to exit", () => !tui.running());
  } finally {
    await tui.kill();
  }

  // The desktop app, on the same database, shows the three chats.
  const app = await startApp({ dataDir, libraryRoots: [], loadDefaultModel: false });
  try {
    const { chats } = await appJson(app, "GET", "/api/chats");
    const titles = chats.map((c: Json) => c.title).sort();
    assertEquals(titles, ["Another story", "Once upon a time", "Tell me a story"]);
    const states: Record<string, string[]> = {};
    for (const chat of chats) {
      const { messages } = await appJson(app, "GET", `/api/chats/${chat.id}`);
      const replies = messages.filter((m: Json) => m.role === "assistant");
      assertEquals(replies.length, 1, chat.title);
      assert(replies[0].content.length > 0, `${chat.title}: the reply was saved`);
      states[chat.title] = replies.map((m: Json) => m.state);
    }
    assertEquals(states, {
      "Once upon a time": ["complete"],
      "Tell me a story": ["incomplete"],
      "Another story": ["incomplete"],
    });
  } finally {
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
