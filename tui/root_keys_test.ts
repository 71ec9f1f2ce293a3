// @ts-types="@types/react"
import React from "react";
import { render } from "ink-testing-library";
import { assert, assertEquals } from "../tests/assert.ts";
import { waitFor } from "../tests/server/_app_api.ts";
import { offlineApp } from "../tests/app/_offline_app.ts";
import { Root } from "./root.ts";
import { TuiStore } from "./store.ts";
import { createTheme, ThemeContext } from "./theme.ts";

const h = React.createElement;
const frame = (ui: ReturnType<typeof render>) => ui.lastFrame() ?? "";

/** Writes `keys` one sequence at a time, as a terminal sends them. */
async function press(ui: ReturnType<typeof render>, ...keys: string[]) {
  for (const key of keys) {
    ui.stdin.write(key);
    // A key in its own read: ink would take "\x1b" + "x" written together as Alt+X.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

Deno.test("Root's keys: newlines, send, regenerate, branch arrows, edit and resend, per-chat settings, export", async () => {
  const offline = await offlineApp();
  const { app, dataDir } = offline;
  app.storage.settings.patch({ sampling: { max_tokens: 4 } });
  const store = new TuiStore(app);
  const ui = render(
    h(
      ThemeContext.Provider,
      { value: createTheme(true) },
      h(Root, { app, store, layout: "sidebar", onQuit: () => {} }),
    ),
  );
  try {
    await waitFor("the screen", () => frame(ui).includes("Sessions (0)"));
    // Alt+Enter ("\x1b\r") and Shift+Enter (the kitty keyboard protocol's CSI 13;2u, what
    // a terminal sends for it once ink has turned the protocol on) add lines; Enter sends.
    await press(ui, ..."Once", "\x1b\r", ..."upon", "\x1b[13;2u", ..."a time");
    await waitFor(
      "three lines in the box",
      () => /› Once[^\n]*\n[^\n]*│upon[^\n]*\n[^\n]*│a time/.test(frame(ui)),
    );
    assertEquals(app.storage.chats.list().length, 0, "nothing is sent before Enter");
    await press(ui, "\r");
    await waitFor("the reply", () => / ai .*tok\/s/.test(frame(ui)));
    // The metrics sidebar (100 columns here) shows the reply's TTFT and the context used.
    await waitFor(
      "the metrics",
      () => /TTFT \d+ ms/.test(frame(ui)) && /ctx \d+\/\d+/.test(frame(ui)),
    );
    const chat = app.storage.chats.list()[0];
    assertEquals(app.storage.messages.activeBranch(chat.id)[0].content, "Once\nupon\na time");

    // Ctrl+R regenerates: the reply gets a second version; Alt+Left/Right switch them.
    await press(ui, "\x12");
    await waitFor("the second version", () => frame(ui).includes("‹ 2/2 ›"));
    await waitFor("its end", () => / ai .*‹ 2\/2 › .*tok\/s/.test(frame(ui)));
    await press(ui, "\x1b[1;3D");
    await waitFor("the first version", () => frame(ui).includes("‹ 1/2 ›"));
    await press(ui, "\x1b[1;3C");
    await waitFor("the second again", () => frame(ui).includes("‹ 2/2 ›"));

    // Up in the empty box edits the last message; Enter sends it as a new version.
    await press(ui, "\x1b[A");
    await waitFor("the edit box", () => frame(ui).includes("edit› Once"));
    await press(ui, ..." again", "\r");
    await waitFor("the edited turn", () => {
      const branch = app.storage.messages.activeBranch(chat.id);
      return branch[0].content === "Once\nupon\na time again" && branch[1]?.state === "complete";
    });
    await waitFor("its versions", () => / you .*‹ 2\/2 ›/.test(frame(ui)));

    // Ctrl+P: the system prompt and the sampling of this chat.
    const palette = async (search: string, label: string, text: string) => {
      await press(ui, "\x10");
      await waitFor("the palette", () => frame(ui).includes("Set system prompt"));
      await press(ui, ...search, "\r");
      await waitFor(label, () => frame(ui).includes(label));
      await press(ui, ..."\x7f".repeat(300), ...text, "\r");
      await waitFor("the prompt to close", () => !frame(ui).includes(label));
    };
    await palette("system prompt", "System prompt for this chat", "Be brief.");
    await palette("temperature", "temperature for this chat", "0.5");
    const saved = app.storage.chats.require(chat.id);
    assertEquals(saved.system_prompt, "Be brief.");
    assertEquals(saved.sampling.temperature, 0.5);

    // Export to JSONL through the palette.
    const path = `${dataDir}/chat.jsonl`;
    await press(ui, "\x10");
    await waitFor("the palette", () => frame(ui).includes("Export chat to JSONL"));
    await press(ui, ..."JSONL", "\r");
    await waitFor("the path prompt", () => frame(ui).includes("Export to"));
    await press(ui, ..."\x7f".repeat(300), ...path, "\r");
    await waitFor("the export", () => frame(ui).includes(`Exported to ${path}`));
    const lines = (await Deno.readTextFile(path)).trim().split("\n").map((l) => JSON.parse(l));
    assert(lines.some((line) => line.content === "Once\nupon\na time again"), String(lines));

    // Shift+Tab goes back through the panes: from the chat to the models.
    await press(ui, "\x1b[Z");
    await waitFor("the models pane", () => frame(ui).includes("Models ("));
  } finally {
    ui.unmount();
    store.close();
    await offline.close();
  }
});
