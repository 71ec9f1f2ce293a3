/**
 * Exporting a chat from the native window: the UI's export link (a real `download` file
 * name) starts a WebKit download, the app asks for a path in a GTK save dialog that
 * suggests "<title>.jsonl", saves there, and tells the page; the saved JSONL imports
 * again with its format told from the content.
 *
 * Where the test stops short of a user: HEARTH_SAVE_DIALOG_ANSWER makes the real dialog,
 * once shown, take a path and answer Save through gtk_dialog_response (what its Save
 * button does); the click on the menu item is a DOM click from eval.
 *
 * @module
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { type SaveOutcome, WebviewWindow } from "../../desktop/window.ts";
import { startApp } from "../../cli/app.ts";
import { SAVE_DIALOG_ANSWER_ENV } from "../../desktop/save_dialog.ts";
import { waitFor } from "./_xvfb.ts";
import "./_display.ts";

const CHAT = JSON.stringify({
  messages: [
    { role: "user", content: "Trip: Oslo/Bergen?" },
    { role: "assistant", content: "Take the [Bergen line](https://www.vy.no)." },
  ],
});

Deno.test("an export from the window is saved where the save dialog says", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hearth_export_" });
  const target = join(dir, "saved", "my export.jsonl");
  await Deno.mkdir(join(dir, "saved"));
  const app = await startApp({
    dataDir: join(dir, "data"),
    loadDefaultModel: false,
    libraryRoots: [],
  });
  try {
    Deno.env.set(SAVE_DIALOG_ANSWER_ENV, target);
    const chat = app.storage.importChat(CHAT, "openai");
    const outcomes: SaveOutcome[] = [];
    using win = WebviewWindow.open({
      title: "export",
      url: `${app.launchUrl}#/chat/${chat.id}`,
      width: 1000,
      height: 700,
      onDownload: (outcome) => outcomes.push(outcome),
    });
    // The JSONL menu item's link, clicked once the UI shows the chat. Evaluated again
    // until it is clicked: a script evaluated before the page loads is lost.
    const clickExport = `if (!window.clicked) {
      const link = [...document.querySelectorAll("a[role=menuitem]")]
        .find((a) => a.textContent.includes("JSONL"));
      if (link) { window.clicked = true; link.click(); }
    }`;
    const outcome = await waitFor("the export to be saved", () => {
      win.eval(clickExport);
      return outcomes[0];
    }, { timeoutMs: 30_000, everyMs: 200 });
    assertEquals(outcome, { saved: target });
    const saved = await Deno.readTextFile(target);
    assertEquals(saved, app.storage.exportChat(chat.id, "jsonl"));
    // No format given: told from the content, whatever the file is called.
    const again = app.storage.importChat(saved);
    assertEquals(again.title, "Trip: Oslo/Bergen?");
    assert(!(await exists(join(Deno.env.get("HOME") ?? "/root", "true.jsonl"))));
  } finally {
    Deno.env.delete(SAVE_DIALOG_ANSWER_ENV);
    await app.close();
    await Deno.remove(dir, { recursive: true });
  }
});

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}
