// @ts-types="@types/react"
import React from "react";
import { render } from "ink-testing-library";
import { assertEquals } from "../tests/assert.ts";
import { waitFor } from "../tests/server/_app_api.ts";
import { offlineApp } from "../tests/app/_offline_app.ts";
import { Root } from "./root.ts";
import { TuiStore } from "./store.ts";
import { createTheme, ThemeContext } from "./theme.ts";

const h = React.createElement;

Deno.test("the sessions pane searches, renames, deletes and starts chats", async () => {
  const offline = await offlineApp();
  const { app } = offline;
  for (const [title, content] of [["Cats", "a cat on a mat"], ["Dogs", "a dog in a fog"]]) {
    const chat = app.storage.chats.create({ title });
    app.storage.messages.add(chat.id, { parent_id: null, role: "user", content });
  }
  const store = new TuiStore(app);
  const ui = render(
    h(
      ThemeContext.Provider,
      { value: createTheme(true) },
      h(Root, { app, store, layout: "sidebar", onQuit: () => {} }),
    ),
  );
  const frame = () => ui.lastFrame() ?? "";
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      ui.stdin.write(key);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  try {
    await waitFor("the list", () => frame().includes("Sessions (2)"));
    await press("\t");
    await waitFor("the pane focused", () => frame().includes("▸  Dogs"));
    // "/" searches the messages' text (full text, as the desktop app does).
    await press("/", ..."cat", "\r");
    await waitFor("the match", () => frame().includes("Sessions (1)") && frame().includes("Cats"));
    await press("/", "\x7f", "\x7f", "\x7f", "\r");
    await waitFor("every chat again", () => frame().includes("Sessions (2)"));
    // r renames the selected chat through a prompt.
    await press("r");
    await waitFor("the prompt", () => frame().includes("Rename chat"));
    await press(..."\x7f".repeat(10), ..."Hounds", "\r");
    await waitFor("the new title", () => frame().includes("▸  Hounds"));
    assertEquals(app.storage.chats.list().map((c) => c.title).sort(), ["Cats", "Hounds"]);
    // d deletes it (soft: the desktop app can restore it).
    await press("d");
    await waitFor("the deletion", () => frame().includes("Sessions (1)"));
    assertEquals(app.storage.chats.list().map((c) => c.title), ["Cats"]);
    // n starts a new chat and gives the chat pane the focus.
    await press("n");
    await waitFor("a new chat", () => frame().includes("New chat"));
  } finally {
    ui.unmount();
    store.close();
    await offline.close();
  }
});
