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

/** A real app core on a temp database, without a model, and the UI rendered over it. */
async function withRoot(fn: (ui: ReturnType<typeof render>, store: TuiStore) => Promise<void>) {
  const offline = await offlineApp();
  const { app } = offline;
  const chat = app.storage.chats.create({ title: "Lists" });
  const user = app.storage.messages.add(chat.id, { parent_id: null, role: "user", content: "hi" });
  app.storage.messages.add(chat.id, {
    parent_id: user.id,
    role: "assistant",
    content: "- **bold** item\n```\ncode line\n```",
  });
  const store = new TuiStore(app);
  const ui = render(
    h(
      ThemeContext.Provider,
      { value: createTheme(true) },
      h(Root, { app, store, layout: "sidebar", onQuit: () => {} }),
    ),
  );
  try {
    await fn(ui, store);
  } finally {
    ui.unmount();
    store.close();
    await offline.close();
  }
}

const frame = (ui: ReturnType<typeof render>) => ui.lastFrame() ?? "";

Deno.test("Root lists the database's chats and opens one with Markdown rendered", async () => {
  await withRoot(async (ui) => {
    await waitFor("the sessions pane", () => frame(ui).includes("Sessions (1)"));
    ui.stdin.write("\t"); // focus the sessions pane
    await waitFor("the selection", () => frame(ui).includes("▸  Lists"));
    ui.stdin.write("\r");
    const screen = await waitFor("the chat", () => {
      const s = frame(ui);
      return s.includes("• bold item") && s.includes("code line") ? s : false;
    });
    // The code block has a border: its line sits between │ characters.
    assert(
      /│ *│ code line/.test(screen) || /│code line/.test(screen) || /│ code line/.test(screen),
      screen,
    );
    assert(!screen.includes("**"), screen);
    ui.stdin.write("\x1b[5~"); // PageUp: the reply goes below the bottom
    await waitFor("the scrolled chat", () => frame(ui).includes("↓ 1 newer"));
    assert(!frame(ui).includes("code line"));
  });
});

Deno.test("Root: ? shows the keys, Ctrl+L cycles the layouts", async () => {
  await withRoot(async (ui) => {
    await waitFor("the screen", () => frame(ui).includes("[sidebar]"));
    ui.stdin.write("?");
    await waitFor("the key list", () => frame(ui).includes("Any key closes this list"));
    ui.stdin.write("x");
    await waitFor("the key list to close", () => !frame(ui).includes("Any key closes"));
    ui.stdin.write("\x0c"); // Ctrl+L
    await waitFor("the inspector layout", () => frame(ui).includes("[inspector]"));
    assert(frame(ui).includes("Models ("));
    assertEquals(frame(ui).includes("\x1b[3"), false); // NO_COLOR: no foreground colours
  });
});
