/**
 * Adding a workspace folder from the native window: the page asks the app
 * (`POST /api/workspaces/choose`), the app shows a GTK folder chooser over the window,
 * and the chosen folder becomes a workspace the page then lists through the file layer.
 *
 * Where the test stops short of a user: HEARTH_FOLDER_DIALOG_ANSWER makes the real
 * dialog, once shown, answer Open with that folder through gtk_dialog_response (what its
 * Open button does); the request is a fetch from eval.
 *
 * @module
 */
import { join } from "node:path";
import { assertEquals } from "../assert.ts";
import { WebviewWindow } from "../../desktop/window.ts";
import { startApp } from "../../cli/app.ts";
import { FOLDER_DIALOG_ANSWER_ENV } from "../../desktop/folder_dialog.ts";
import { waitFor } from "./_xvfb.ts";
import "./_display.ts";

Deno.test("a workspace folder is added through the window's folder dialog", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hearth_folder_" });
  const chosen = join(dir, "my data");
  await Deno.mkdir(chosen);
  await Deno.writeTextFile(join(chosen, "rows.csv"), "a,b\n1,2\n");
  let win: WebviewWindow | undefined;
  const app = await startApp({
    dataDir: join(dir, "data"),
    loadDefaultModel: false,
    libraryRoots: [],
    chooseFolder: {
      available: () => win?.isOpen ?? false,
      choose: () => win!.chooseFolder(),
    },
  });
  try {
    Deno.env.set(FOLDER_DIALOG_ANSWER_ENV, chosen);
    win = WebviewWindow.open({ title: "folder", url: app.launchUrl, width: 900, height: 650 });
    // The page's own request, with its cookie; evaluated again until the page has run it.
    const choose = `if (!window.asked && document.readyState === "complete") {
      window.asked = true;
      fetch("/api/workspaces/choose", { method: "POST" })
        .then((r) => r.json())
        .then((body) => fetch("/api/workspaces/" + body.workspace.id + "/list"))
        .then((r) => r.json())
        .then((listing) => { document.title = "listed " + listing.entries.map((e) => e.name).join(","); });
    }`;
    await waitFor("the page to list the chosen folder", () => {
      win!.eval(choose);
      return app.app.workspace.folders().length > 0;
    }, { timeoutMs: 30_000, everyMs: 200 });
    assertEquals(app.app.workspace.folders().map((f) => f.path), [await Deno.realPath(chosen)]);
  } finally {
    Deno.env.delete(FOLDER_DIALOG_ANSWER_ENV);
    win?.close();
    await app.close();
    await Deno.remove(dir, { recursive: true });
  }
});
