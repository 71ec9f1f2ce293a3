import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertThrows } from "../tests/assert.ts";
import { TempDatabase } from "./_testing.ts";
import type { NewSavedDownload } from "./downloads.ts";

const SHA = "ab".repeat(32);
const stories: NewSavedDownload = {
  repo: "tiny/stories",
  revision: "main",
  file: "stories-Q4_K_M.gguf",
  sha256: SHA.toUpperCase(),
  total_bytes: null,
  partial_path: null,
  state: "queued",
};

Deno.test("DownloadStore.save() inserts, then updates without losing known fields", () => {
  using temp = new TempDatabase();
  const { downloads } = temp.open();
  downloads.save(stories);
  const created = temp.clock.time;
  temp.clock.advance(5);
  downloads.save({ ...stories, state: "downloading", total_bytes: 1000, partial_path: "/p" });
  temp.clock.advance(5);
  downloads.save({ ...stories, state: "paused" });
  assertEquals(downloads.list(), [{
    ...stories,
    sha256: SHA,
    total_bytes: 1000,
    partial_path: "/p",
    state: "paused",
    created_at: created,
    updated_at: created + 10,
  }]);
});

Deno.test("DownloadStore rows survive reopening the file and go with remove()", () => {
  using temp = new TempDatabase();
  const first = temp.open();
  first.downloads.save(stories);
  temp.clock.advance();
  first.downloads.save({ ...stories, file: "b.gguf", sha256: null });
  first.close();
  const second = temp.open();
  assertEquals(second.downloads.list().map((d) => d.file), ["stories-Q4_K_M.gguf", "b.gguf"]);
  assert(second.downloads.remove("tiny/stories", "main", "b.gguf"));
  assert(!second.downloads.remove("tiny/stories", "main", "b.gguf"));
  assertEquals(second.downloads.list().map((d) => d.file), ["stories-Q4_K_M.gguf"]);
});

Deno.test("DownloadStore.save() refuses malformed rows", () => {
  using temp = new TempDatabase();
  const { downloads } = temp.open();
  assertThrows(() => downloads.save({ ...stories, sha256: "abc" }), TypeError, '"sha256"');
  assertThrows(() => downloads.save({ ...stories, total_bytes: -1 }), RangeError, "total_bytes");
  assertThrows(
    () => downloads.save({ ...stories, state: "done" as "paused" }),
    RangeError,
    '"state"',
  );
  assertEquals(downloads.list(), []);
});

Deno.test("openDatabase() migrates a version 2 file to the downloads table", () => {
  using temp = new TempDatabase();
  temp.open().close();
  {
    using db = new DatabaseSync(temp.path);
    db.exec("DROP TABLE downloads; PRAGMA user_version = 2");
  }
  const storage = temp.open();
  assertEquals(storage.downloads.list(), []);
  storage.downloads.save(stories);
  assertEquals(storage.downloads.list().length, 1);
});
