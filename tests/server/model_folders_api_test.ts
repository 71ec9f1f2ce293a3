/**
 * Adding a model folder over the UI API checks it: a folder that does not exist, or a file,
 * is refused with 400 and the list stays as it was; an existing folder is added; a folder
 * already listed stays even when it has gone (an unmounted drive).
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { startApp } from "../../cli/app.ts";
import { AppApi } from "./_app_api.ts";

Deno.test("app server: PATCH /api/settings refuses a model folder that does not exist", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hearth-folders-" });
  const app = await startApp({
    dataDir: join(dir, "data"),
    loadDefaultModel: false,
    libraryRoots: [],
  });
  try {
    const api = new AppApi(app);
    const models = join(dir, "models");
    await Deno.mkdir(models);
    await Deno.writeTextFile(join(dir, "notes.txt"), "not a folder");
    const missing = await api.request("PATCH", "/api/settings", {
      model_folders: [join(dir, "no-such-folder")],
    });
    assertEquals(missing.status, 400);
    const why = (await missing.json()).error.message;
    assert(why.includes("does not exist"), why);
    const file = await api.request("PATCH", "/api/settings", {
      model_folders: [join(dir, "notes.txt")],
    });
    assertEquals(file.status, 400);
    const fileWhy = (await file.json()).error.message;
    assert(fileWhy.includes("not a folder"), fileWhy);
    assertEquals((await api.json("GET", "/api/settings")).model_folders, []);

    const added = await api.json("PATCH", "/api/settings", { model_folders: [models] });
    assertEquals(added.model_folders, [models]);
    await Deno.remove(models);
    const kept = await api.json("PATCH", "/api/settings", { model_folders: [models] });
    assertEquals(kept.model_folders, [models], "a listed folder that went away stays");
  } finally {
    await app.close();
    await Deno.remove(dir, { recursive: true });
  }
});
