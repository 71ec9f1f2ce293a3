import { assert, assertEquals } from "../assert.ts";
import { STORIES_260K, STORIES_260K_CHATML } from "../models.ts";
import { TempTree, TestLibrary, waitFor } from "./_tree.ts";

const names = (t: TestLibrary) => t.library.list().map((m) => m.path.split("/").pop()).sort();

Deno.test("ModelLibrary.watch() picks up a new file and a deletion", async () => {
  using tree = new TempTree();
  tree.copy(STORIES_260K, "stories.gguf");
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }], { debounceMs: 50 });
  await t.library.scan();
  t.library.watch();
  assert(t.library.watching);

  // A download: written under a partial name, renamed when complete.
  Deno.copyFileSync(STORIES_260K_CHATML, tree.path("chatml.gguf.part"));
  Deno.renameSync(tree.path("chatml.gguf.part"), tree.path("chatml.gguf"));
  await waitFor(() => names(t).includes("chatml.gguf"), "the new file to be indexed");
  const added = t.events.flatMap((e) => e.added).map((m) => m.path);
  assertEquals(added.slice(-1), [tree.path("chatml.gguf")]);
  assertEquals(t.library.get(tree.path("chatml.gguf"))!.hasChatTemplate, true);
  assertEquals(t.reads.includes(tree.path("chatml.gguf.part")), false);

  // A folder made after watch() started is watched too (recursive).
  tree.copy(STORIES_260K, "later/deeper/late.gguf");
  await waitFor(() => names(t).includes("late.gguf"), "a file in a new folder");

  Deno.removeSync(tree.path("stories.gguf"));
  await waitFor(() => !names(t).includes("stories.gguf"), "the deleted file to go");
  assertEquals(t.events.at(-1)?.removed.map((m) => m.path), [tree.path("stories.gguf")]);
  assertEquals(names(t), ["chatml.gguf", "late.gguf"]);
});

Deno.test("ModelLibrary.watch() watches a root that appears, after the next scan", async () => {
  using tree = new TempTree();
  const root = tree.path("lmstudio-models");
  await using t = new TestLibrary([{ kind: "lmstudio", path: root }], { debounceMs: 50 });
  t.library.watch();
  assertEquals((await t.library.scan()).roots[0].present, false);

  tree.copy(STORIES_260K, "lmstudio-models/karpathy/tiny/stories.gguf");
  assertEquals((await t.library.scan()).added.length, 1);
  tree.copy(STORIES_260K_CHATML, "lmstudio-models/karpathy/tiny/chatml.gguf");
  await waitFor(() => names(t).includes("chatml.gguf"), "the watch on the new root");

  // The root itself goes away: its models go with it.
  Deno.removeSync(root, { recursive: true });
  await waitFor(() => names(t).length === 0, "the removed root's models to go");
});
