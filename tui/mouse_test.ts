// @ts-types="@types/react"
import React from "react";
import { render } from "ink-testing-library";
import { assertEquals } from "../tests/assert.ts";
import { waitFor } from "../tests/server/_app_api.ts";
import { offlineApp } from "../tests/app/_offline_app.ts";
import { MouseContext, MouseEvents, splitMouse } from "./mouse.ts";
import { Root } from "./root.ts";
import { TuiStore } from "./store.ts";
import { createTheme, ThemeContext } from "./theme.ts";

const h = React.createElement;

Deno.test("splitMouse() takes SGR mouse reports out of the keys, also across reads", () => {
  assertEquals(splitMouse("x\x1b[<0;10;5My\x1b[<0;10;5m\x1b[<65;1;1M"), {
    events: [
      { kind: "press", button: 0, x: 9, y: 4 },
      { kind: "release", button: 0, x: 9, y: 4 },
      { kind: "wheel-down", button: 0, x: 0, y: 0 },
    ],
    keys: "xy",
    pending: "",
  });
  const first = splitMouse("a\x1b[<64;3");
  assertEquals(first, { events: [], keys: "a", pending: "\x1b[<64;3" });
  assertEquals(splitMouse(";4Mb", first.pending).events, [
    { kind: "wheel-up", button: 0, x: 2, y: 3 },
  ]);
  // Esc alone is a key (it stops a reply), not the start of a report.
  assertEquals(splitMouse("\x1b"), { events: [], keys: "\x1b", pending: "" });
  assertEquals(splitMouse("\x1b[A").keys, "\x1b[A");
});

Deno.test("Root: a click focuses a pane and opens a chat, the wheel scrolls the chat", async () => {
  const offline = await offlineApp();
  const { app } = offline;
  for (const title of ["First", "Second"]) {
    const chat = app.storage.chats.create({ title });
    const user = app.storage.messages.add(chat.id, {
      parent_id: null,
      role: "user",
      content: `${title} question`,
    });
    app.storage.messages.add(chat.id, {
      parent_id: user.id,
      role: "assistant",
      content: `${title} answer`,
    });
  }
  const store = new TuiStore(app);
  const mouse = new MouseEvents();
  const ui = render(
    h(
      ThemeContext.Provider,
      { value: createTheme(true) },
      h(
        MouseContext.Provider,
        { value: mouse },
        h(Root, { app, store, layout: "sidebar", onQuit: () => {} }),
      ),
    ),
  );
  const frame = () => ui.lastFrame() ?? "";
  try {
    await waitFor("the screen", () => frame().includes("Sessions (2)"));
    // The sessions list starts on row 2 (border, title); "First" is the older, second row.
    mouse.emit({ kind: "press", button: 0, x: 3, y: 3 });
    await waitFor("the chat", () => frame().includes("First answer"));
    // The wheel over the chat (right of the 28-column sidebar) scrolls it by a message.
    mouse.emit({ kind: "wheel-up", button: 0, x: 50, y: 10 });
    await waitFor("the scrolled chat", () => frame().includes("↓ 1 newer"));
    mouse.emit({ kind: "wheel-down", button: 0, x: 50, y: 10 });
    await waitFor("the newest again", () => !frame().includes("↓ 1 newer"));
    // A click on the sessions pane focuses it (its selection marker shows), one on the
    // chat gives the focus back.
    mouse.emit({ kind: "press", button: 0, x: 3, y: 10 });
    await waitFor("the sessions focused", () => frame().includes("▸● First"));
    mouse.emit({ kind: "press", button: 0, x: 50, y: 10 });
    await waitFor("the chat focused", () => !frame().includes("▸"));
  } finally {
    ui.unmount();
    store.close();
    await offline.close();
  }
});
