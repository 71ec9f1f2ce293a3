import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { TempDatabase } from "./_testing.ts";

Deno.test("WorkspaceFolderStore adds, normalizes, finds by id and removes folders", () => {
  using temp = new TempDatabase();
  const { workspaceFolders } = temp.open();
  const first = workspaceFolders.add("/data/");
  assertEquals(first, { id: first.id, path: "/data", added_at: temp.clock.time });
  temp.clock.advance(10);
  assertEquals(workspaceFolders.add("/data/./"), first);
  const second = workspaceFolders.add("/srv/x/../csv");
  assertEquals(workspaceFolders.list().map((f) => f.path), ["/data", "/srv/csv"]);
  assertEquals(workspaceFolders.get(second.id)?.path, "/srv/csv");
  assertEquals(workspaceFolders.get("nope"), undefined);
  assertEquals(workspaceFolders.get("999"), undefined);
  assertThrows(() => workspaceFolders.add("relative"), TypeError, "not absolute");
  assert(workspaceFolders.remove(first.id));
  assert(!workspaceFolders.remove(first.id));
  assert(!workspaceFolders.remove("x"));
  assertEquals(workspaceFolders.list().map((f) => f.path), ["/srv/csv"]);
});
