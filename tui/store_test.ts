import { assert, assertEquals } from "../tests/assert.ts";
import { waitFor } from "../tests/server/_app_api.ts";
import { createApp } from "../app/create_app.ts";
import { BUNDLED_MODEL } from "../config/config.ts";
import { TuiStore } from "./store.ts";

/** A real app core on a temp database with the bundled model, and a store over it. */
async function withStore(fn: (store: TuiStore, dir: string) => Promise<void>) {
  const dataDir = await Deno.makeTempDir();
  const app = await createApp({
    dataDir,
    bundledModel: BUNDLED_MODEL,
    hub: { endpoint: "http://127.0.0.1:9", token: undefined, cacheDir: dataDir },
    libraryRoots: [],
    loadDefaultModel: false,
    log: () => {},
  });
  app.storage.settings.patch({ sampling: { max_tokens: 8 } });
  const store = new TuiStore(app);
  try {
    await fn(store, dataDir);
  } finally {
    store.close();
    await app.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

const settled = (store: TuiStore) =>
  store.state.streaming === null && store.state.branch.at(-1)?.state === "complete";

Deno.test("TuiStore sends, regenerates, switches versions, edits and exports", async () => {
  await withStore(async (store, dir) => {
    store.send("Once upon a time");
    await waitFor("the reply", () => settled(store));
    const [user, first] = store.state.branch;
    assertEquals(store.state.chat?.title, "Once upon a time");

    store.regenerate();
    await waitFor("the second version", () => settled(store));
    const second = store.state.branch.at(-1)!;
    assert(second.id !== first.id);
    assertEquals(store.versions(second.id), { index: 2, count: 2 });
    store.switchBranch(second.id, -1);
    assertEquals(store.state.branch.at(-1)?.id, first.id);

    store.send("Once there was a cat", user.id); // edit and resend: a sibling of `user`
    await waitFor("the edited turn", () => settled(store));
    assertEquals(store.versions(store.state.branch[0].id), { index: 2, count: 2 });

    const path = `${dir}/chat.md`;
    await store.export("md", path);
    assert((await Deno.readTextFile(path)).includes("Once there was a cat"));
    assertEquals(store.state.notice, { kind: "info", text: `Exported to ${path}` });
  });
});
