import { assert, assertEquals } from "../assert.ts";
import { type GgufSpec, writeGguf } from "./_gguf.ts";
import { TempTree, TestLibrary } from "./_tree.ts";

/** Part `part` (1-based) of a 3-part model as gguf-split writes it: metadata in part 1. */
function part(part: number, count = 3): GgufSpec {
  const split = { "split.no": part - 1, "split.count": count, "split.tensors.count": count };
  const tensors = [{ name: `blk.${part - 1}.ffn_up.weight`, shape: [64, 8 * part] }];
  if (part > 1) return { metadata: split, tensors };
  return {
    metadata: {
      "general.architecture": "llama",
      "general.name": "Big Llama",
      "general.file_type": 7, // Q8_0
      "llama.context_length": 4096,
      "llama.block_count": 3,
      "tokenizer.chat_template": "{{ messages }}",
      ...split,
    },
    tensors,
  };
}

function writeParts(tree: TempTree, parts: number[], count = 3, prefix = "big-llama-Q8_0") {
  const pad = (n: number) => String(n).padStart(5, "0");
  return parts.map((n) =>
    writeGguf(tree.path(`${prefix}-${pad(n)}-of-${pad(count)}.gguf`), part(n, count))
  );
}

const size = (paths: string[]) => paths.reduce((sum, path) => sum + Deno.statSync(path).size, 0);

Deno.test("ModelLibrary.scan() lists the parts of a split model as one model", async () => {
  using tree = new TempTree();
  const paths = writeParts(tree, [1, 2, 3]);
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }]);

  const result = await t.library.scan();
  assertEquals(result.filesRead, 3);
  const [model, ...others] = t.library.list();
  assertEquals(others, []);
  assertEquals([model.path, model.splitCount, model.sizeBytes], [paths[0], 3, size(paths)]);
  assertEquals(model.mtimeMs, Math.max(...paths.map((p) => Deno.statSync(p).mtime!.getTime())));
  assertEquals([model.broken, model.kind, model.displayName], [false, "model", "Big Llama"]);
  assertEquals([model.quantization, model.nCtxTrain, model.hasChatTemplate], ["Q8_0", 4096, true]);
  assertEquals(model.nParams, 64 * 8 + 64 * 16 + 64 * 24); // every part's tensors
  assertEquals(model.nTensors, 3);
});

Deno.test("ModelLibrary.scan() marks a split model with a missing part broken, and heals it", async () => {
  using tree = new TempTree();
  const paths = writeParts(tree, [1, 2, 3]);
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }]);
  const [whole] = (await t.library.scan()).added;

  const hidden = `${paths[1]}.moved`;
  Deno.renameSync(paths[1], hidden);
  const missing = await t.library.scan();
  assertEquals(missing.updated.map((m) => m.id), [whole.id]);
  const broken = t.library.get(whole.id)!;
  assertEquals([broken.broken, broken.sizeBytes], [true, size([paths[0], paths[2]])]);
  assert(broken.brokenReason!.includes(`part 2 of 3 is missing ("${paths[1]}")`));

  Deno.renameSync(hidden, paths[1]);
  await t.library.scan();
  assertEquals(t.library.get(whole.id)!.broken, false);
  assertEquals(t.library.get(whole.id)!.sizeBytes, size(paths));
});

Deno.test("ModelLibrary.scan() lists a split model whose first part is missing under that part", async () => {
  using tree = new TempTree();
  const paths = writeParts(tree, [2, 3]);
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }]);

  await t.library.scan();
  const [model] = t.library.list();
  assertEquals(model.path, tree.path("big-llama-Q8_0-00001-of-00003.gguf"));
  assertEquals([model.broken, model.sizeBytes, model.architecture], [true, size(paths), null]);
  assert(model.brokenReason!.includes("part 1 of 3 is missing"), model.brokenReason!);
});

Deno.test("ModelLibrary.scan() checks split.count against the file names", async () => {
  using tree = new TempTree();
  // Parts written for a 2-part model but named as 3 parts.
  for (const n of [1, 2, 3]) {
    const name = `odd-0000${n}-of-00003.gguf`;
    writeGguf(tree.path(name), part(n, n === 1 ? 2 : 3));
  }
  writeGguf(tree.path("single-00001-of-00001.gguf"), part(1, 1));
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }]);

  await t.library.scan();
  const [odd, single] = t.library.list();
  assert(odd.brokenReason!.includes("split.count in the first part is 2"), odd.brokenReason!);
  assertEquals([single.splitCount, single.broken], [null, false]);
});

Deno.test("ModelLibrary.remove() with deleteFile deletes every part of a split model", async () => {
  using tree = new TempTree();
  writeParts(tree, [1, 2, 3]);
  tree.write("other-00001-of-00003.gguf.part", "still downloading");
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }]);
  const [model] = (await t.library.scan()).added;

  await t.library.remove(model.id, { deleteFile: true });
  assertEquals([...Deno.readDirSync(tree.dir)].map((e) => e.name), [
    "other-00001-of-00003.gguf.part",
  ]);
  assertEquals(t.library.list(), []);
});
