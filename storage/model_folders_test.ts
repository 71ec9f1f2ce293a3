import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { TempDatabase } from "./_testing.ts";

Deno.test("ModelFolderStore.add() normalizes paths and keeps the first added_at", () => {
  using temp = new TempDatabase();
  const { modelFolders } = temp.open();
  const first = modelFolders.add("/models/");
  assertEquals(first, { path: "/models", added_at: temp.clock.time });
  temp.clock.advance(10);
  assertEquals(modelFolders.add("/models/./"), first);
  modelFolders.add("/data/../srv/gguf");
  assertEquals(modelFolders.list().map((f) => f.path), ["/models", "/srv/gguf"]);
  assertEquals(modelFolders.add("/").path, "/");
});

Deno.test("ModelFolderStore.add() refuses relative paths", () => {
  using temp = new TempDatabase();
  const { modelFolders } = temp.open();
  assertThrows(() => modelFolders.add("models"), TypeError, "not absolute");
  assertThrows(() => modelFolders.add(3 as unknown as string), TypeError, '"path"');
  assertEquals(modelFolders.list(), []);
});

Deno.test("ModelFolderStore.remove() and set() change the list", () => {
  using temp = new TempDatabase();
  const { modelFolders } = temp.open();
  modelFolders.add("/a");
  temp.clock.advance();
  modelFolders.add("/b");
  assert(modelFolders.remove("/a/"));
  assert(!modelFolders.remove("/a"));
  temp.clock.advance();
  assertEquals(modelFolders.set(["/c", "/b"]).map((f) => f.path), ["/b", "/c"]);
  assertThrows(() => modelFolders.set(["/d", "e"]), TypeError);
  assertEquals(modelFolders.list().map((f) => f.path), ["/b", "/c"]);
});
