import { assertEquals } from "../assert.ts";
import { STORIES_260K, STORIES_260K_MMPROJ } from "../models.ts";
import { type LibraryModel, pairedMmproj } from "../../library/mod.ts";
import { TempTree, TestLibrary } from "./_tree.ts";

function byFile(models: LibraryModel[]): Record<string, LibraryModel> {
  return Object.fromEntries(models.map((model) => [model.path.split("/").pop(), model]));
}

Deno.test("the library pairs a model with the mmproj in its folder, and only there", async () => {
  using tree = new TempTree();
  tree.copy(STORIES_260K, "vision/stories260K.gguf");
  tree.copy(STORIES_260K_MMPROJ, "vision/mmproj-stories260K-f16.gguf");
  tree.copy(STORIES_260K, "text/stories260K-copy.gguf");
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }]);
  await t.library.scan();
  const all = t.library.list();
  const files = byFile(all);
  const mmproj = files["mmproj-stories260K-f16.gguf"];
  assertEquals(mmproj.kind, "mmproj");
  assertEquals(pairedMmproj(files["stories260K.gguf"], all)?.path, mmproj.path);
  assertEquals(pairedMmproj(files["stories260K-copy.gguf"], all), null);
  // An mmproj pairs with nothing itself.
  assertEquals(pairedMmproj(mmproj, all), null);
});
