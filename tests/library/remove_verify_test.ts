import { assert, assertEquals, assertRejects } from "../assert.ts";
import { STORIES_260K } from "../models.ts";
import { DeleteRefusedError, ModelNotInLibraryError } from "../../library/mod.ts";
import { TempTree, TestLibrary } from "./_tree.ts";

/** sha256 of stories260K.gguf (../shared/models/SOURCES.md). */
const STORIES_SHA256 = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";

const exists = (path: string) => Deno.lstat(path).then(() => true, () => false);

/** Flips one byte in place and puts the mtime back, as silent disk corruption would. */
function flipByte(path: string, at: number): void {
  const { mtime, atime } = Deno.statSync(path);
  using file = Deno.openSync(path, { read: true, write: true });
  const byte = new Uint8Array(1);
  file.seekSync(at, Deno.SeekMode.Start);
  file.readSync(byte);
  file.seekSync(at, Deno.SeekMode.Start);
  file.writeSync(new Uint8Array([byte[0] ^ 0x01]));
  Deno.utimeSync(path, atime!, mtime!);
}

Deno.test("ModelLibrary.remove() with deleteFile deletes a folder file, or only a link", async () => {
  using tree = new TempTree();
  const file = tree.copy(STORIES_260K, "models/stories.gguf");
  const target = tree.copy(STORIES_260K, "elsewhere/target.gguf");
  const link = tree.link("models/linked.gguf", target);
  await using t = new TestLibrary([{ kind: "folder", path: tree.path("models") }]);
  await t.library.scan();
  const [linked, stories] = t.library.list();

  await t.library.remove(stories.id, { deleteFile: true });
  assertEquals([await exists(file), t.library.get(stories.id)], [false, null]);
  assertEquals(t.events.at(-1), { added: [], updated: [], removed: [stories] });
  await t.library.remove(linked.id, { deleteFile: true });
  assertEquals([await exists(link), await exists(target)], [false, true]);
  await assertRejects(() => t.library.remove(stories.id), ModelNotInLibraryError, stories.id);
});

Deno.test("ModelLibrary.remove() refuses to delete outside every root unless allowed", async () => {
  using tree = new TempTree();
  const file = tree.copy(STORIES_260K, "models/stories.gguf");
  await using t = new TestLibrary([]);
  t.storage.modelFolders.add(tree.path("models"));
  const [model] = (await t.library.scan()).added;
  t.storage.modelFolders.remove(tree.path("models")); // no scan since: the row is still there

  const error = await assertRejects(
    () => t.library.remove(model.id, { deleteFile: true }),
    DeleteRefusedError,
    "outside every model folder",
  );
  assertEquals(error.path, file);
  assert(await exists(file));
  await t.library.remove(model.id, { deleteFile: true, allowOutsideRoots: true });
  assertEquals(await exists(file), false);
});

Deno.test("ModelLibrary.verify() stores the first hash and finds a flipped byte later", async () => {
  using tree = new TempTree();
  const path = tree.copy(STORIES_260K, "stories.gguf");
  const errors: unknown[] = [];
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }], {
    onError: (error) => errors.push(error),
  });
  const [model] = (await t.library.scan()).added;
  assertEquals(model.sha256, null);

  const first = await t.library.verify(model.id, () => {
    throw new Error("a broken progress callback");
  });
  assertEquals(first, { ok: true, sha256: STORIES_SHA256, expectedSha256: null });
  assertEquals(t.library.get(model.id)!.sha256, STORIES_SHA256);
  assert(errors.length > 0 && (errors[0] as Error).message === "a broken progress callback");

  flipByte(path, 1_100_000);
  assertEquals((await t.library.scan()).unchanged, 1, "size and mtime look unchanged");
  const second = await t.library.verify(model.id);
  assertEquals([second.ok, second.expectedSha256], [false, STORIES_SHA256]);
  const broken = t.library.get(model.id)!;
  assertEquals([broken.broken, broken.sha256], [true, STORIES_SHA256]);
  assert(broken.brokenReason!.includes(second.sha256), broken.brokenReason!);

  flipByte(path, 1_100_000);
  assertEquals((await t.library.verify(model.id)).ok, true);
  assertEquals(t.library.get(model.id)!.broken, false);
});

Deno.test("ModelLibrary.verify() stops when its signal aborts", async () => {
  using tree = new TempTree();
  tree.copy(STORIES_260K, "stories.gguf");
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }]);
  const [model] = (await t.library.scan()).added;
  const controller = new AbortController();
  const reason = new Error("stopped by the user");
  const error = await assertRejects(
    () =>
      t.library.verify(model.id, ({ hashedBytes }) => {
        if (hashedBytes > 0) controller.abort(reason);
      }, { signal: controller.signal }),
    Error,
  );
  assertEquals(error, reason);
  assertEquals(t.library.get(model.id)!.verifiedAtMs, null);
});

Deno.test("ModelLibrary.markBroken() marks a file that crashed llama.cpp until it changes", async () => {
  using tree = new TempTree();
  const file = tree.copy(STORIES_260K, "models/stories.gguf");
  await using t = new TestLibrary([{ kind: "folder", path: tree.path("models") }]);
  const [model] = (await t.library.scan()).added;
  const reason = "llama.cpp crashed on this file: killed by SIGABRT (GGML_ASSERT(x) failed)";

  // A crash of other bytes (an older stamp) does not apply.
  const stale = { sizeBytes: model.sizeBytes, mtimeMs: model.mtimeMs - 1000 };
  assertEquals(await t.library.markBroken(file, stale, reason), null);
  assertEquals(t.library.get(model.id)!.broken, false);

  const stamp = { sizeBytes: model.sizeBytes, mtimeMs: model.mtimeMs };
  const marked = await t.library.markBroken(file, stamp, reason);
  assertEquals([marked?.broken, marked?.brokenReason], [true, reason]);
  assertEquals(t.events.at(-1)?.updated, [marked]);
  // A rescan of the unchanged file keeps the mark; a changed file is read again.
  await t.library.scan();
  assertEquals(t.library.get(model.id)!.brokenReason, reason);
  await Deno.utime(file, new Date(), new Date(model.mtimeMs + 5000));
  await t.library.scan();
  assertEquals(t.library.get(model.id)!.broken, false);
});
