import { assert, assertEquals } from "../tests/assert.ts";
import { waitFor } from "../tests/server/_app_api.ts";
import { offlineApp } from "../tests/app/_offline_app.ts";
import { TuiStore } from "./store.ts";

/** A real app core on a temp database with the bundled model, and a store over it. */
async function withStore(fn: (store: TuiStore, dir: string) => Promise<void>) {
  const offline = await offlineApp();
  const { app, dataDir } = offline;
  app.storage.settings.patch({ sampling: { max_tokens: 8 } });
  const store = new TuiStore(app);
  try {
    await fn(store, dataDir);
  } finally {
    store.close();
    await offline.close();
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
