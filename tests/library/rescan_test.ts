import { assert, assertEquals, assertRejects } from "../assert.ts";
import { STORIES_260K, STORIES_260K_CHATML, VOCAB_GPT2 } from "../models.ts";
import { DisposedError } from "../../engine/errors.ts";
import { checkGgufFile } from "../../engine/gguf_check.ts";
import { TempTree, TestLibrary } from "./_tree.ts";

function tree3(): TempTree {
  const tree = new TempTree();
  tree.copy(STORIES_260K, "a/stories.gguf");
  tree.copy(STORIES_260K_CHATML, "b/chatml.gguf");
  tree.copy(VOCAB_GPT2, "vocab.gguf");
  return tree;
}

Deno.test("ModelLibrary.scan() rereads only files whose size or mtime changed", async () => {
  using tree = tree3();
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }]);
  const first = await t.library.scan();
  assertEquals([first.added.length, first.filesRead, t.reads.length], [3, 3, 3]);

  t.reads.length = 0;
  const again = await t.library.scan();
  assertEquals([again.filesRead, again.unchanged, t.reads], [0, 3, []]);
  assertEquals([again.added, again.updated, again.removed], [[], [], []]);
  assertEquals(t.events.length, 1, "a scan that changed nothing reports nothing");

  const touched = tree.path("b/chatml.gguf");
  Deno.utimeSync(touched, new Date(), new Date(Date.now() + 5_000));
  const third = await t.library.scan();
  assertEquals([t.reads, third.unchanged], [[touched], 2]);
  assertEquals(third.updated.map((m) => m.path), [touched]);
  assertEquals(third.updated[0].mtimeMs, Deno.statSync(touched).mtime!.getTime());
  assertEquals(t.events.at(-1), { added: [], updated: third.updated, removed: [] });
});

Deno.test("ModelLibrary.scan() removes rows of files that disappeared and of roots removed", async () => {
  using tree = tree3();
  await using t = new TestLibrary([]);
  t.storage.modelFolders.add(tree.path("a"));
  t.storage.modelFolders.add(tree.path("b"));
  await t.library.scan();
  const [stories, chatml] = t.library.list();

  Deno.removeSync(tree.path("a/stories.gguf"));
  const gone = await t.library.scan();
  assertEquals(gone.removed, [stories]);
  assertEquals(t.events.at(-1), { added: [], updated: [], removed: [stories] });

  t.storage.modelFolders.remove(tree.path("b"));
  assertEquals((await t.library.scan()).removed, [chatml]);
  assertEquals(t.library.list(), []);
});

Deno.test("ModelLibrary.scan() keeps hidden entries hidden and drops a stale hash on change", async () => {
  using tree = tree3();
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }]);
  await t.library.scan();
  const stories = t.library.get(tree.path("a/stories.gguf"))!;
  await t.library.verify(stories.id);
  assertEquals(t.library.get(stories.id)!.sha256?.length, 64);
  await t.library.remove(stories.id);
  assertEquals(t.library.list().map((m) => m.id).includes(stories.id), false);
  assertEquals(t.library.get(stories.id)!.hidden, true);

  Deno.writeFileSync(stories.path, Deno.readFileSync(STORIES_260K_CHATML));
  await t.library.scan();
  const changed = t.library.list({ includeHidden: true }).find((m) => m.id === stories.id)!;
  assertEquals([changed.hidden, changed.sha256, changed.hasChatTemplate], [true, null, true]);
  assertEquals(t.library.restore(stories.id).hidden, false);
  assert(t.library.list().some((m) => m.id === stories.id));
});

Deno.test("ModelLibrary.scan() calls made during a scan share one follow-up scan", async () => {
  using tree = tree3();
  const gate = Promise.withResolvers<void>();
  const entered = Promise.withResolvers<void>();
  let reads = 0;
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }], {
    checkGguf: async (path) => {
      reads++;
      entered.resolve();
      await gate.promise;
      return checkGgufFile(path);
    },
  });
  const first = t.library.scan();
  await entered.promise; // the first scan is reading a header now
  const second = t.library.scan();
  const third = t.library.scan();
  assert(first !== second);
  assert(second === third);
  gate.resolve();
  assertEquals((await first).added.length, 3);
  assertEquals((await second).unchanged, 3);
  assertEquals(reads, 3);
});

Deno.test("ModelLibrary methods throw DisposedError after close()", async () => {
  using tree = tree3();
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }]);
  const scanning = t.library.scan();
  const closed = t.library.close();
  assertEquals((await scanning).added.length, 3, "close() lets a running scan finish");
  await closed;
  await assertRejects(() => t.library.scan(), DisposedError);
  await assertRejects(() => t.library.remove("x"), DisposedError);
  await assertRejects(() => t.library.verify("x"), DisposedError);
  assertEquals(t.library.list().length, 3, "reading the index still works");
});
