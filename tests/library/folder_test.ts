import { assert, assertEquals } from "../assert.ts";
import {
  STORIES_260K,
  STORIES_260K_CHATML,
  STORIES_260K_LORA_RANDOM,
  VOCAB_GPT2,
  VOCAB_PHI3,
} from "../models.ts";
import type { LibraryModel } from "../../library/mod.ts";
import { writeGguf } from "./_gguf.ts";
import { TempTree, TestLibrary } from "./_tree.ts";

function byFile(models: LibraryModel[]): Record<string, LibraryModel> {
  return Object.fromEntries(models.map((model) => [model.path.split("/").pop(), model]));
}

Deno.test("ModelLibrary.scan() indexes real models in a folder tree with their metadata", async () => {
  using tree = new TempTree();
  tree.copy(STORIES_260K, "stories/stories260K.gguf");
  tree.link("chat/stories-chatml.gguf", STORIES_260K_CHATML);
  tree.copy(VOCAB_PHI3, "vocab/ggml-vocab-phi-3.gguf");
  tree.link("vocab/deep/er/ggml-vocab-gpt-2.gguf", VOCAB_GPT2);
  tree.write("README.md", "# my models\n");
  tree.write("notes.txt", "not a model");
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }]);

  const result = await t.library.scan();
  assertEquals(result.added.length, 4);
  assertEquals([result.updated, result.removed, result.unchanged], [[], [], 0]);
  assertEquals(result.roots, [{ root: { kind: "folder", path: tree.dir }, present: true }]);
  const models = byFile(t.library.list());

  const stories = models["stories260K.gguf"];
  assertEquals(stories.path, tree.path("stories/stories260K.gguf"));
  assertEquals(stories.kind, "model");
  assertEquals(stories.broken, false);
  assertEquals(stories.displayName, "stories260K");
  assertEquals(stories.sizeBytes, 1_185_376);
  assertEquals(stories.mtimeMs, Deno.statSync(stories.path).mtime!.getTime());
  assertEquals([stories.architecture, stories.name], ["llama", "llama"]);
  assertEquals([stories.nCtxTrain, stories.nLayer, stories.nEmbd], [2048, 5, 64]);
  assertEquals([stories.nHead, stories.nHeadKv], [8, 4]);
  // No general.parameter_count or general.file_type: summed from the 48 F32 tensors.
  assertEquals([stories.nTensors, stories.nParams, stories.quantization], [48, 292_800, "F32"]);
  assertEquals(stories.hasChatTemplate, false);
  assertEquals([stories.sha256, stories.hf, stories.splitCount], [null, null, null]);
  assertEquals(stories.root, { kind: "folder", path: tree.dir });
  assertEquals(stories.id.length, 12);
  assertEquals(t.library.get(stories.id), stories);
  assertEquals(t.library.get(stories.path), stories);

  const chatml = models["stories-chatml.gguf"];
  assertEquals([chatml.kind, chatml.broken, chatml.hasChatTemplate], ["model", false, true]);
  assertEquals(chatml.sizeBytes, 1_185_600); // the link's target

  for (const name of ["ggml-vocab-phi-3.gguf", "ggml-vocab-gpt-2.gguf"]) {
    const { kind, broken, nTensors, nParams } = models[name];
    assertEquals([kind, broken, nTensors, nParams], ["vocab-only", false, 0, 0]);
  }
  assertEquals(models["ggml-vocab-phi-3.gguf"].hasChatTemplate, true);
  assertEquals(
    t.library.list({ kind: "model", broken: false }).map((m) => m.displayName).sort(),
    ["stories-chatml", "stories260K"],
  );
  assertEquals(t.events, [{ added: result.added, updated: [], removed: [] }]);
});

Deno.test("ModelLibrary.scan() lists broken files as broken with the reason", async () => {
  using tree = new TempTree();
  const real = Deno.readFileSync(STORIES_260K);
  tree.write("cut-header.gguf", real.subarray(0, 100));
  tree.write("cut-data.gguf", real.subarray(0, 600_000));
  tree.write("text.gguf", "this is not a GGUF file at all, only text");
  tree.write("empty.gguf", "");
  tree.link("dangling.gguf", tree.path("nowhere.gguf"));
  tree.write("downloading.gguf.incomplete", real);
  tree.write("downloading.gguf.part", real);
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }]);

  await t.library.scan();
  const models = byFile(t.library.list());
  assertEquals(Object.keys(models).sort(), [
    "cut-data.gguf",
    "cut-header.gguf",
    "dangling.gguf",
    "empty.gguf",
    "text.gguf",
  ]);
  const reason = (name: string) => models[name].brokenReason ?? "";
  for (const model of Object.values(models)) assert(model.broken, model.path);
  assert(reason("cut-header.gguf").includes("truncated"), reason("cut-header.gguf"));
  assert(reason("cut-data.gguf").includes("past the end of the file"), reason("cut-data.gguf"));
  assert(reason("text.gguf").includes("bad magic"), reason("text.gguf"));
  assert(reason("empty.gguf").includes("file is empty"), reason("empty.gguf"));
  assert(reason("dangling.gguf").includes("does not exist"), reason("dangling.gguf"));
  assertEquals(models["cut-data.gguf"].sizeBytes, 600_000);
  assertEquals(models["text.gguf"].architecture, null);
  assertEquals(t.library.list({ broken: false }), []);
  assertEquals(t.library.list({ kind: "model", broken: true }).length, 5);
});

Deno.test("ModelLibrary.scan() flags projectors and reads file type, license and base model", async () => {
  using tree = new TempTree();
  const tensors = [{ name: "blk.0.attn_q.weight", shape: [32, 4] }];
  writeGguf(tree.path("qwen-vl-Q4_K_M.gguf"), {
    metadata: {
      "general.architecture": "qwen2",
      "general.name": "Qwen VL Tiny",
      "general.file_type": 15,
      "general.parameter_count": 7_615_616_512n,
      "general.license": "apache-2.0",
      "general.base_model.0.name": "Qwen2 VL",
      "general.base_model.0.repo_url": "https://huggingface.co/Qwen/Qwen2-VL",
      "qwen2.context_length": 32768,
      "qwen2.block_count": 28,
    },
    tensors,
  });
  writeGguf(tree.path("projector.gguf"), {
    metadata: { "general.architecture": "clip", "general.type": "mmproj" },
    tensors,
  });
  writeGguf(tree.path("mmproj-model-f16.gguf"), {
    metadata: { "general.architecture": "llama" },
    tensors,
  });
  writeGguf(tree.path("TinyThing.Q8_0.gguf"), { metadata: {}, tensors });
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }]);

  await t.library.scan();
  const models = byFile(t.library.list());
  const qwen = models["qwen-vl-Q4_K_M.gguf"];
  assertEquals([qwen.kind, qwen.displayName, qwen.quantization], [
    "model",
    "Qwen VL Tiny",
    "Q4_K_M",
  ]);
  assertEquals([qwen.nParams, qwen.nCtxTrain, qwen.nLayer], [7_615_616_512, 32768, 28]);
  assertEquals([qwen.nEmbd, qwen.nHead], [null, null]);
  assertEquals(qwen.license, "apache-2.0");
  assertEquals(qwen.baseModel, {
    name: "Qwen2 VL",
    repoUrl: "https://huggingface.co/Qwen/Qwen2-VL",
  });
  assertEquals(models["projector.gguf"].kind, "mmproj");
  assertEquals(models["mmproj-model-f16.gguf"].kind, "mmproj");
  // No file type in the metadata: the label in the file name.
  assertEquals(models["TinyThing.Q8_0.gguf"].quantization, "Q8_0");
  assertEquals(models["TinyThing.Q8_0.gguf"].nParams, 128);
  assertEquals(t.library.list({ kind: "mmproj" }).length, 2);
});

Deno.test("ModelLibrary.scan() reads the roots' layouts and skips absent roots", async () => {
  using tree = new TempTree();
  tree.copy(STORIES_260K, "lmstudio/karpathy/tinyllamas/stories260K.gguf");
  tree.copy(STORIES_260K, "llama.cpp/ggml-org_models_stories260K.gguf");
  tree.copy(STORIES_260K, "user/nested/lmstudio-copy.gguf");
  tree.copy(STORIES_260K, "user/.hidden/skipped.gguf");
  const roots = [
    { kind: "lmstudio", path: tree.path("lmstudio") },
    { kind: "llama.cpp", path: tree.path("llama.cpp") },
    { kind: "hf-cache", path: tree.path("no-such-cache") },
  ] as const;
  await using t = new TestLibrary([...roots]);
  t.storage.modelFolders.add(tree.path("user"));
  // A user folder around another root leaves that root's files to it.
  t.storage.modelFolders.add(tree.dir);

  const result = await t.library.scan();
  assertEquals(result.roots.map((r) => [r.root.kind, r.present]), [
    ["lmstudio", true],
    ["llama.cpp", true],
    ["hf-cache", false],
    ["folder", true],
    ["folder", true],
  ]);
  assertEquals(t.library.list().map((m) => [m.root.kind, m.path.slice(tree.dir.length)]), [
    ["llama.cpp", "/llama.cpp/ggml-org_models_stories260K.gguf"],
    ["lmstudio", "/lmstudio/karpathy/tinyllamas/stories260K.gguf"],
    ["folder", "/user/nested/lmstudio-copy.gguf"],
  ]);
  assertEquals(t.library.list({ rootKind: "lmstudio" }).length, 1);
});

Deno.test("ModelLibrary.scan() lists a LoRA adapter as kind 'adapter', never as a model", async () => {
  using tree = new TempTree();
  tree.copy(STORIES_260K_LORA_RANDOM, "loras/stories-lora.gguf");
  await using t = new TestLibrary([{ kind: "folder", path: tree.dir }]);
  await t.library.scan();
  const [adapter] = t.library.list();
  assertEquals([adapter.kind, adapter.broken], ["adapter", false]);
});
